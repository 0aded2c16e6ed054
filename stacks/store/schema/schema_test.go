package schema_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"stacklab/stacks/parttest/pgtest"
	"stacklab/stacks/store/schema"
)

func openPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.Database(t))
	if err != nil {
		t.Fatalf("opening pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestApplyConcurrentlyAndTwice(t *testing.T) {
	pool := openPool(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- schema.Apply(ctx, pool) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Apply: %v", err)
		}
	}
	if err := schema.Apply(ctx, pool); err != nil {
		t.Fatalf("Apply on an applied schema: %v", err)
	}
	rows, _ := pool.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("listing tables: %v", err)
	}
	want := "account_entries accounts ledgers outbox transactions"
	if got := strings.Join(tables, " "); got != want {
		t.Errorf("tables = %q, want %q", got, want)
	}
}

func TestApplyReportsErrors(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := schema.Apply(cctx, pool); err == nil || !strings.Contains(err.Error(), "applying the ledger schema") {
		t.Errorf("Apply with a cancelled context = %v, want a wrapped error", err)
	}
}

// TestInvariantsLiveInPostgreSQL writes around any store: the database itself refuses states
// that break the contract.
func TestInvariantsLiveInPostgreSQL(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	if err := schema.Apply(ctx, pool); err != nil {
		t.Fatal(err)
	}
	setup := `
INSERT INTO ledgers (ledger) VALUES ('L');
INSERT INTO accounts (id, ledger, name, debits_must_not_exceed_credits, credits_must_not_exceed_debits, created_at) VALUES
  ('dnec', 'L', '', true, false, now()),
  ('cned', 'L', '', false, true, now()),
  ('free', 'L', '', false, false, now());
UPDATE accounts SET credits_posted = 9223372036854775800 WHERE id = 'free';`
	if _, err := pool.Exec(ctx, setup); err != nil {
		t.Fatalf("setup: %v", err)
	}
	tests := []struct {
		name, sql, code, constraint string
	}{
		{"both flags", `INSERT INTO accounts (id, ledger, name, debits_must_not_exceed_credits, credits_must_not_exceed_debits, created_at)
			VALUES ('both', 'L', '', true, true, now())`, "23514", "accounts_flags_exclusive"},
		{"unknown ledger", `INSERT INTO accounts (id, ledger, name, debits_must_not_exceed_credits, credits_must_not_exceed_debits, created_at)
			VALUES ('x', 'NOPE', '', false, false, now())`, "23503", "accounts_ledger_fkey"},
		{"duplicate id", `INSERT INTO accounts (id, ledger, name, debits_must_not_exceed_credits, credits_must_not_exceed_debits, created_at)
			VALUES ('free', 'L', '', false, false, now())`, "23505", "accounts_pkey"},
		{"negative counter", `UPDATE accounts SET debits_posted = debits_posted - 1 WHERE id = 'free'`, "23514", "accounts_counters_not_negative"},
		{"debits over credits", `UPDATE accounts SET debits_posted = debits_posted + 1 WHERE id = 'dnec'`, "23514", "accounts_debits_within_credits"},
		{"credits over debits", `UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = 'cned'`, "23514", "accounts_credits_within_debits"},
		{"bigint overflow", `UPDATE accounts SET credits_posted = credits_posted + 8 WHERE id = 'free'`, "22003", ""},
		{"committed without seq", `INSERT INTO transactions (id, ledger, seq, debit_ids, credit_ids, amounts, description, risk_flags, created_at)
			VALUES ('t1', 'L', NULL, '{a}', '{b}', '{1}', '', '{}', now())`, "23514", "transactions_decided_once"},
		{"failed with seq", `INSERT INTO transactions (id, ledger, seq, debit_ids, credit_ids, amounts, description, created_at, fail_code, fail_index)
			VALUES ('t2', 'L', 5, '{a}', '{b}', '{1}', '', now(), 'exceeds_credits', 0)`, "23514", "transactions_decided_once"},
		{"postings not parallel", `INSERT INTO transactions (id, ledger, seq, debit_ids, credit_ids, amounts, description, risk_flags, created_at)
			VALUES ('t3', 'L', 6, '{a,b}', '{b}', '{1}', '', '{}', now())`, "23514", "transactions_postings_parallel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pool.Exec(ctx, tt.sql)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				t.Fatalf("got %v, want PostgreSQL error %s", err, tt.code)
			}
			if pgErr.Code != tt.code || pgErr.ConstraintName != tt.constraint {
				t.Errorf("got %s (%s), want %s (%s)", pgErr.Code, pgErr.ConstraintName, tt.code, tt.constraint)
			}
		})
	}
	var d, c int64
	if err := pool.QueryRow(ctx, "SELECT sum(debits_posted), sum(credits_posted) FROM accounts").Scan(&d, &c); err != nil {
		t.Fatal(err)
	}
	if d != 0 || c != 9223372036854775800 {
		t.Errorf("counters changed by refused statements: debits %d, credits %d", d, c)
	}
}

func TestCollationIsByteOrder(t *testing.T) {
	pool := openPool(t)
	ctx := context.Background()
	if err := schema.Apply(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO ledgers (ledger) VALUES ('L');
INSERT INTO accounts (id, ledger, name, debits_must_not_exceed_credits, credits_must_not_exceed_debits, created_at)
SELECT id, 'L', '', false, false, now() FROM unnest('{b,B,a,_,-,0,A}'::text[]) AS id`); err != nil {
		t.Fatal(err)
	}
	rows, _ := pool.Query(ctx, "SELECT id FROM accounts ORDER BY id")
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(ids, " "), "- 0 A B _ a b"; got != want {
		t.Errorf("ORDER BY id = %q, want byte order %q", got, want)
	}
}
