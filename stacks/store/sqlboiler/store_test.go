package sqlboilerstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"stacklab/stacks/parttest/pgtest"
	"stacklab/stacks/parttest/storetest"
	sqlboilerstore "stacklab/stacks/store/sqlboiler"
)

func open(t *testing.T, cfg sqlboilerstore.Config) *sqlboilerstore.Store {
	t.Helper()
	if cfg.DSN == "" {
		cfg.DSN = pgtest.Database(t)
	}
	s, err := sqlboilerstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dsn string) storetest.Store {
		return open(t, sqlboilerstore.Config{DSN: dsn, MaxConns: 8})
	})
}

// trips are the round trips the package documents, per storetest operation.
var trips = map[string]int{
	storetest.OpCreateAccount:         5,
	storetest.OpCreateAccountExisting: 1,
	storetest.OpAccount:               1,
	storetest.OpTransaction:           1,
	storetest.OpPostCommitted:         10,
	storetest.OpPostFailed:            5,
	storetest.OpPostReplay:            1,
	storetest.OpAccountTransactions:   1,
	storetest.OpAccountTransactionsNo: 2,
	storetest.OpAccountHistory:        1,
	storetest.OpLedgerTransactions:    1,
	storetest.OpBalances:              1,
	storetest.OpOutboxRelay:           4,
	storetest.OpOutboxRelayEmpty:      3,
	storetest.OpOutboxPending:         1,
}

func TestRoundTrips(t *testing.T) {
	storetest.RoundTrips(t, func(t *testing.T, dial storetest.Dial) storetest.Store {
		return open(t, sqlboilerstore.Config{MaxConns: 1, Dial: dial})
	}, trips)
}

func TestOpenUnreachable(t *testing.T) {
	start := time.Now()
	s, err := sqlboilerstore.Open(context.Background(), sqlboilerstore.Config{DSN: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"})
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
	if _, err := sqlboilerstore.Open(context.Background(), sqlboilerstore.Config{DSN: "postgres://[::1"}); err == nil ||
		!strings.Contains(err.Error(), "parsing PostgreSQL DSN") {
		t.Errorf("Open with a malformed DSN = %v, want a parse error", err)
	}
}
