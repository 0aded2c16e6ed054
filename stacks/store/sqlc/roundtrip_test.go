package sqlcstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/parttest/pgtest"
)

// tripCounter counts round trips on the connections it dials: a write that follows a read (or
// is the first) starts one.
type tripCounter struct {
	mu       sync.Mutex
	trips    int
	lastRead bool
}

func (c *tripCounter) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.trips
	c.trips = 0
	return n
}

type countedConn struct {
	net.Conn
	c *tripCounter
}

func (cc countedConn) Write(b []byte) (int, error) {
	cc.c.mu.Lock()
	if cc.c.lastRead {
		cc.c.trips++
		cc.c.lastRead = false
	}
	cc.c.mu.Unlock()
	return cc.Conn.Write(b)
}

func (cc countedConn) Read(b []byte) (int, error) {
	n, err := cc.Conn.Read(b)
	if n > 0 {
		cc.c.mu.Lock()
		cc.c.lastRead = true
		cc.c.mu.Unlock()
	}
	return n, err
}

// TestRoundTrips measures the round trips of each operation on one warm connection (statements
// already prepared) and holds them to the numbers the package documents.
func TestRoundTrips(t *testing.T) {
	ctx := context.Background()
	pc, err := pgxpool.ParseConfig(pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	counter := &tripCounter{}
	dialer := &net.Dialer{Timeout: connectTimeout}
	pc.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countedConn{conn, counter}, nil
	}
	pc.MaxConns, pc.MinConns = 1, 1
	pc.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	s, err := open(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range []string{"A", "B"} {
		a := app.AccountRecord{ID: id, Ledger: "L", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
		if _, _, err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	postings := []ledgerspec.Posting{{DebitAccountID: "A", CreditAccountID: "B", Amount: 1}}
	commit := func([]app.AccountRecord) app.Decision {
		return app.Decision{Ledger: "L", Deltas: []app.Delta{{AccountID: "A", Debits: 1}, {AccountID: "B", Credits: 1}}}
	}
	fail := func([]app.AccountRecord) app.Decision {
		return app.Decision{FailCode: ledgerspec.CodeExceedsCredits, FailIndex: 0}
	}
	n := 0
	post := func(decide app.Decider) error {
		n++
		_, err := s.Post(ctx, app.TxRecord{ID: fmt.Sprint("t", n), Postings: postings, RiskFlags: []string{}, CreatedAt: time.Now()}, decide)
		return err
	}
	publish := func(context.Context, []app.TxRecord) error { return nil }
	ops := []struct {
		name string
		want int
		run  func() error
	}{
		{"Post committed", 2, func() error { return post(commit) }},
		{"Post failed", 2, func() error { return post(fail) }},
		{"Post existing", 2, func() error {
			_, err := s.Post(ctx, app.TxRecord{ID: "t1", Postings: postings, CreatedAt: time.Now()}, commit)
			return err
		}},
		{"Account", 1, func() error { _, err := s.Account(ctx, "A"); return err }},
		{"Transaction", 1, func() error { _, err := s.Transaction(ctx, "t1"); return err }},
		{"AccountTransactions", 1, func() error { _, err := s.AccountTransactions(ctx, "A", 0, 20); return err }},
		{"LedgerTransactions", 1, func() error { _, err := s.LedgerTransactions(ctx, "L", 20); return err }},
		{"Balances", 1, func() error { _, err := s.Balances(ctx, "L", 0); return err }},
		{"OutboxPending", 1, func() error { _, err := s.OutboxPending(ctx); return err }},
		{"RelayOutbox", 2, func() error {
			if err := post(commit); err != nil {
				return err
			}
			counter.take()
			k, err := s.RelayOutbox(ctx, 100, publish)
			if err == nil && k == 0 {
				err = errors.New("relayed nothing")
			}
			return err
		}},
	}
	// Warm up: the first run of each operation prepares its statements.
	for _, op := range ops {
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
	}
	for _, op := range ops {
		counter.take()
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		got := counter.take()
		t.Logf("%-20s %d round trips", op.name, got)
		if got != op.want {
			t.Errorf("%s took %d round trips, want %d", op.name, got, op.want)
		}
	}
}
