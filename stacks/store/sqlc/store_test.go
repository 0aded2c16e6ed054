package sqlcstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"stacklab/stacks/parttest/storetest"
	sqlcstore "stacklab/stacks/store/sqlc"
)

// variants are the package's two stores: sqlc (one query per round trip) and sqlc-pipelined.
var variants = []struct {
	name     string
	pipeline bool
}{{"sqlc", false}, {"sqlc-pipelined", true}}

func TestStoreContract(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, dsn string) storetest.Store {
				s, err := sqlcstore.Open(context.Background(), sqlcstore.Config{DSN: dsn, MaxConns: 8, Pipeline: v.pipeline})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				t.Cleanup(s.Close)
				return s
			})
		})
	}
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
