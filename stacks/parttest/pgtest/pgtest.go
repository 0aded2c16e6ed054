package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the admin DSN used when DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// connectTimeout bounds every connection attempt, so a server that is down fails fast.
const connectTimeout = 5 * time.Second

// AdminURL returns DATABASE_URL, or DefaultURL when it is unset.
func AdminURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Database creates a database with a fresh random name (lab_t_<hex>) on the server of AdminURL,
// returns a DSN for it and drops it, with any connection still open to it, when t ends. It fails t
// when the server is unreachable.
func Database(t testing.TB) string {
	t.Helper()
	admin := AdminURL()
	name := "lab_t_" + randomHex(t, 8)
	dsn, err := WithDatabase(admin, name)
	if err != nil {
		t.Fatalf("pgtest: DATABASE_URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*connectTimeout)
	defer cancel()
	conn := connect(ctx, t, admin)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: creating database %s on %s: %v", name, redact(admin), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 4*connectTimeout)
		defer cancel()
		conn := connect(ctx, t, admin)
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	return dsn
}

// WithDatabase returns dsn (a URL or a key=value DSN) naming database name instead.
func WithDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parsing %s: %w", redact(dsn), err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	// In a key=value DSN a later keyword overrides an earlier one.
	return strings.TrimSpace(dsn) + " dbname=" + name, nil
}

func connect(ctx context.Context, t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("pgtest: parsing DATABASE_URL %s: %v", redact(dsn), err)
	}
	cfg.ConnectTimeout = connectTimeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: PostgreSQL at %s is unreachable: %v\n"+
			"Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"+
			"or point DATABASE_URL at a server where this user may create databases.", redact(dsn), err)
	}
	return conn
}

// redact hides a URL's password for messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return "(key=value DSN)"
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random name: %v", err)
	}
	return hex.EncodeToString(b)
}

// Terminate ends every connection to the database of dsn but the caller's, from the server's side
// (pg_terminate_backend: the backends exit with SQLSTATE 57P01), and returns how many it ended.
func Terminate(t testing.TB, dsn string) int {
	t.Helper()
	name, err := databaseName(dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*connectTimeout)
	defer cancel()
	conn := connect(ctx, t, AdminURL())
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()) AS ended`, name).Scan(&n)
	if err != nil {
		t.Fatalf("pgtest: terminating the connections to %s: %v", name, err)
	}
	return n
}

// databaseName is the database a DSN names.
func databaseName(dsn string) (string, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "", fmt.Errorf("parsing %s: %w", redact(dsn), err)
	}
	return cfg.Database, nil
}
