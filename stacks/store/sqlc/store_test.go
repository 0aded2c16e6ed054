package sqlcstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"stacklab/stacks/parttest/pgtest"
	"stacklab/stacks/parttest/storetest"
	sqlcstore "stacklab/stacks/store/sqlc"
)

func openStore(t testing.TB) *sqlcstore.Store {
	t.Helper()
	s, err := sqlcstore.Open(context.Background(), sqlcstore.Config{DSN: pgtest.Database(t), MaxConns: 8})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openStore(t) })
}

func TestOpenUnreachable(t *testing.T) {
	start := time.Now()
	s, err := sqlcstore.Open(context.Background(), sqlcstore.Config{DSN: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded against a closed port")
	}
	if !strings.Contains(err.Error(), "connecting to PostgreSQL at 127.0.0.1:1/postgres") {
		t.Errorf("error %q does not say where it failed to connect", err)
	}
	if d := time.Since(start); d > 11*time.Second {
		t.Errorf("Open took %v to fail", d)
	}
}

func TestOpenBadDSN(t *testing.T) {
	if _, err := sqlcstore.Open(context.Background(), sqlcstore.Config{DSN: "postgres://[::1"}); err == nil ||
		!strings.Contains(err.Error(), "parsing PostgreSQL DSN") {
		t.Errorf("Open with a malformed DSN = %v, want a parse error", err)
	}
}
