package schema

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQL is the schema: idempotent DDL (CREATE … IF NOT EXISTS) for every table, index and sequence.
//
//go:embed schema.sql
var SQL string

// Queries is the sqlc query file (the sqlc stores run its generated code; SQLBoiler builds its own).
//
//go:embed queries.sql
var Queries string

// lockKey is the pg_advisory_xact_lock key that serializes concurrent Apply calls on one database
// (CREATE … IF NOT EXISTS alone races on the system catalogs). It spells "ledger_s".
const lockKey = 0x6c65646765725f73

// Execer runs SQL without reading rows; *pgx.Conn, *pgxpool.Pool and pgx.Tx implement it.
type Execer interface {
	Exec(ctx context.Context, sql string, arguments ...any) (pgconn.CommandTag, error)
}

// Apply creates whatever of the schema is missing. It sends one multi-statement simple query,
// which PostgreSQL runs as one implicit transaction holding an advisory transaction lock, so any
// number of processes can apply the schema at once.
func Apply(ctx context.Context, db Execer) error {
	if _, err := db.Exec(ctx, Script()); err != nil {
		return fmt.Errorf("applying the ledger schema: %w", err)
	}
	return nil
}

// Script is what Apply sends: the advisory lock, then SQL. A store on database/sql (or any client
// that runs a multi-statement string as one simple query) can apply the schema by running it.
func Script() string {
	return fmt.Sprintf("SELECT pg_advisory_xact_lock(%d);\n%s", int64(lockKey), SQL)
}
