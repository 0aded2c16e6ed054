package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/parttest/pgtest"
)

// OutageDeadline is the context deadline each operation gets during an outage.
const OutageDeadline = time.Second

// OutageSlack is how much later than its deadline an operation may return during an outage.
const OutageSlack = 500 * time.Millisecond

// RecoveryBound is how soon after the database is back every operation must work again.
const RecoveryBound = 15 * time.Second

// op is one operation of the ports on the outage fixture (accounts A and B in ledger L1, and
// the committed transaction "before").
type op struct {
	name string
	do   func(ctx context.Context, s Store, n int) error
}

var ops = []op{
	{"CreateAccount", func(ctx context.Context, s Store, n int) error {
		_, _, err := s.CreateAccount(ctx, account(fmt.Sprintf("new-%d", n), "L1", noFlags))
		return err
	}},
	{"Account", func(ctx context.Context, s Store, _ int) error { _, err := s.Account(ctx, "A"); return err }},
	{"Transaction", func(ctx context.Context, s Store, _ int) error { _, err := s.Transaction(ctx, "before"); return err }},
	{"AccountTransactions", func(ctx context.Context, s Store, _ int) error {
		_, err := s.AccountTransactions(ctx, "A", 0, 10)
		return err
	}},
	{"AccountHistory", func(ctx context.Context, s Store, _ int) error {
		_, err := s.AccountHistory(ctx, "A", 0, 10)
		return err
	}},
	{"LedgerTransactions", func(ctx context.Context, s Store, _ int) error {
		_, err := s.LedgerTransactions(ctx, "L1", 10)
		return err
	}},
	{"Balances", func(ctx context.Context, s Store, _ int) error { _, err := s.Balances(ctx, "L1", 0); return err }},
	{"Post", func(ctx context.Context, s Store, n int) error {
		tx := newTx(fmt.Sprintf("outage-%d", n), posting("A", "B", 1))
		_, err := s.Post(ctx, tx, transfer(tx.Postings))
		return err
	}},
	{"OutboxPending", func(ctx context.Context, s Store, _ int) error { _, err := s.OutboxPending(ctx); return err }},
}

// outageFixture opens a store through a proxy on a fresh database and commits "before".
func outageFixture(t *testing.T, open Opener) (*pgtest.Proxy, Store, string) {
	t.Helper()
	dsn := pgtest.Database(t)
	p := pgtest.NewProxy(t, dsn)
	s := open(t, p.DSN())
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags))
	commit(ctx, t, s, newTx("before", posting("A", "B", 5)))
	return p, s, dsn
}

// unavailable runs every operation with OutageDeadline and requires each to fail, no later than
// the deadline and OutageSlack, with an error matching app.ErrUnavailable.
func unavailable(t *testing.T, s Store, what string, n *int) {
	t.Helper()
	for _, o := range ops {
		*n++
		ctx, cancel := context.WithTimeout(context.Background(), OutageDeadline)
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- o.do(ctx, s, *n) }()
		select {
		case err := <-done:
			took := time.Since(start)
			switch {
			case err == nil:
				t.Errorf("%s while the database is %s: no error", o.name, what)
			case !errors.Is(err, app.ErrUnavailable):
				t.Errorf("%s while the database is %s: %v, want an error matching app.ErrUnavailable", o.name, what, err)
			case took > OutageDeadline+OutageSlack:
				t.Errorf("%s while the database is %s: failed after %v, want within %v", o.name, what, took, OutageDeadline+OutageSlack)
			}
		case <-time.After(OutageDeadline + 10*time.Second):
			t.Fatalf("%s while the database is %s: no answer 10s after its deadline (hangs)", o.name, what)
		}
		cancel()
	}
}

// recovers requires every operation to work again within RecoveryBound, then the data of before
// the outage to be there, and returns how long recovery took and how many operations failed on
// the way. Those failures must match app.ErrUnavailable.
func recovers(t *testing.T, s Store, n *int) (took time.Duration, failed int) {
	t.Helper()
	start := time.Now()
	for _, o := range ops {
		for {
			*n++
			ctx, cancel := context.WithTimeout(context.Background(), OutageDeadline)
			err := o.do(ctx, s, *n)
			cancel()
			if err == nil {
				break
			}
			failed++
			if !errors.Is(err, app.ErrUnavailable) {
				t.Errorf("%s after the outage: %v, want success or an error matching app.ErrUnavailable", o.name, err)
			}
			if time.Since(start) > RecoveryBound {
				t.Fatalf("%s still fails %v after the database came back: %v", o.name, RecoveryBound, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	took = time.Since(start)
	ctx := testContext(t)
	if rec, err := s.Transaction(ctx, "before"); err != nil || !rec.Committed() {
		t.Errorf("Transaction(before) after the outage = %+v, %v; want it committed", rec, err)
	}
	commit(ctx, t, s, newTx("after", posting("A", "B", 1)))
	return took, failed
}

func testOutageRefused(t *testing.T, open Opener) {
	p, s, _ := outageFixture(t, open)
	n := 0
	p.Down()
	unavailable(t, s, "refusing connections", &n)
	p.Up()
	took, failed := recovers(t, s, &n)
	t.Logf("working %v after the database came back (%d operations failed meanwhile)", took.Round(time.Millisecond), failed)
}

func testOutageSilent(t *testing.T, open Opener) {
	p, s, _ := outageFixture(t, open)
	n := 0
	p.Pause()
	unavailable(t, s, "silent", &n)
	p.Resume()
	took, failed := recovers(t, s, &n)
	t.Logf("working %v after the database answered again (%d operations failed meanwhile)", took.Round(time.Millisecond), failed)
}

// testOutageTerminated ends the store's connections from the server's side: an operation on a
// connection that was ended fails with app.ErrUnavailable (or succeeds on a fresh one), and the
// store recovers by itself.
func testOutageTerminated(t *testing.T, open Opener) {
	_, s, dsn := outageFixture(t, open)
	n := 0
	// Several connections in the pool, each used a moment ago (a pool may check one idle longer).
	ctx := testContext(t)
	done := make(chan error, 4)
	for range 4 {
		go func() { _, err := s.Balances(ctx, "L1", 0); done <- err }()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	ended := pgtest.Terminate(t, dsn)
	if ended == 0 {
		t.Fatal("the store holds no connection to terminate")
	}
	took, failed := recovers(t, s, &n)
	t.Logf("%d connections terminated; working %v later (%d operations failed meanwhile)", ended, took.Round(time.Millisecond), failed)
}
