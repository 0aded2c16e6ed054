package storetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/parttest/pgtest"
)

// Dial connects to PostgreSQL; a store given one dials every connection of its pool with it.
type Dial = func(ctx context.Context, network, addr string) (net.Conn, error)

// The operations RoundTrips measures.
const (
	OpCreateAccount         = "create account"
	OpCreateAccountExisting = "create account, id exists"
	OpAccount               = "account read"
	OpTransaction           = "transaction read"
	OpPostCommitted         = "post committed"
	OpPostFailed            = "post failed 422"
	OpPostReplay            = "post replay"
	OpAccountTransactions   = "account transactions page"
	OpAccountTransactionsNo = "account transactions page, none"
	OpAccountHistory        = "account history"
	OpLedgerTransactions    = "ledger transactions"
	OpBalances              = "balances"
	OpOutboxRelay           = "outbox fetch/mark"
	OpOutboxRelayEmpty      = "outbox fetch, empty"
	OpOutboxPending         = "outbox pending"
)

// OpTrips is one operation's measured round trips.
type OpTrips struct {
	Op    string
	Trips int
}

// tripRuns is how often each operation is measured after its warm-up run; the fewest count.
const tripRuns = 3

// RoundTrips measures the network round trips of each store operation on a warm connection
// (statements already prepared) and checks them against want, the numbers the store documents,
// operation → round trips; want must name every operation measured. It logs the table and
// returns it.
//
// open must return a store on a fresh database whose pool holds at most one connection, dialed
// with dial, and close it when t ends. Each operation runs once to warm up and then tripRuns
// times; the fewest round trips count, so that a liveness ping a pool sends before reusing a
// connection idle for a second (pgxpool and database/sql both do) is not taken for the store's.
func RoundTrips(t *testing.T, open func(t *testing.T, dial Dial) Store, want map[string]int) []OpTrips {
	t.Helper()
	var counter pgtest.TripCounter
	s := open(t, counter.Dial)
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags), account("idle", "L1", noFlags))

	n := 0
	newID := func(prefix string) string { n++; return fmt.Sprintf("%s-%d", prefix, n) }
	post := func(id string, decide func(app.TxRecord) app.Decider) (app.PostResult, error) {
		tx := newTx(id, posting("A", "B", 1))
		return s.Post(ctx, tx, decide(tx))
	}
	commitTx := func(tx app.TxRecord) app.Decider { return transfer(tx.Postings) }
	refuseTx := func(app.TxRecord) app.Decider { return refuse(ledgerspec.CodeExceedsCredits, 0) }
	first, err := post("first", commitTx)
	if err != nil || !first.Record.Committed() {
		t.Fatalf("Post(first) = %+v, %v; want committed", first, err)
	}
	publish := func(context.Context, []app.TxRecord) error { return nil }
	errNothing := errors.New("relayed nothing")

	ops := []struct {
		name  string
		setup func() error // runs before counting starts
		run   func() error
	}{
		{OpCreateAccount, nil, func() error {
			_, created, err := s.CreateAccount(ctx, account(newID("acct"), "L1", noFlags))
			if err == nil && !created {
				err = errors.New("created = false for a new id")
			}
			return err
		}},
		{OpCreateAccountExisting, nil, func() error {
			_, created, err := s.CreateAccount(ctx, account("A", "L1", noFlags))
			if err == nil && created {
				err = errors.New("created = true for an existing id")
			}
			return err
		}},
		{OpAccount, nil, func() error { _, err := s.Account(ctx, "A"); return err }},
		{OpTransaction, nil, func() error { _, err := s.Transaction(ctx, "first"); return err }},
		{OpPostCommitted, nil, func() error {
			res, err := post(newID("commit"), commitTx)
			if err == nil && (res.Existing != nil || !res.Record.Committed()) {
				err = fmt.Errorf("not committed: %+v", res)
			}
			return err
		}},
		{OpPostFailed, nil, func() error {
			res, err := post(newID("fail"), refuseTx)
			if err == nil && (res.Existing != nil || res.Record.Committed()) {
				err = fmt.Errorf("not failed: %+v", res)
			}
			return err
		}},
		{OpPostReplay, nil, func() error {
			res, err := post("first", commitTx)
			if err == nil && res.Existing == nil {
				err = fmt.Errorf("not a replay: %+v", res)
			}
			return err
		}},
		{OpAccountTransactions, nil, func() error {
			list, err := s.AccountTransactions(ctx, "A", 0, 20)
			if err == nil && len(list) == 0 {
				err = errors.New("no transactions")
			}
			return err
		}},
		{OpAccountTransactionsNo, nil, func() error {
			list, err := s.AccountTransactions(ctx, "idle", 0, 20)
			if err == nil && len(list) != 0 {
				err = fmt.Errorf("%d transactions of an idle account", len(list))
			}
			return err
		}},
		{OpAccountHistory, nil, func() error { _, err := s.AccountHistory(ctx, "A", 0, 20); return err }},
		{OpLedgerTransactions, nil, func() error { _, err := s.LedgerTransactions(ctx, "L1", 20); return err }},
		{OpBalances, nil, func() error { _, err := s.Balances(ctx, "L1", 0); return err }},
		{OpOutboxRelay, func() error {
			_, err := post(newID("relay"), commitTx)
			return err
		}, func() error {
			k, err := s.RelayOutbox(ctx, 100, publish)
			if err == nil && k == 0 {
				err = errNothing
			}
			return err
		}},
		{OpOutboxRelayEmpty, nil, func() error {
			k, err := s.RelayOutbox(ctx, 100, publish)
			if err == nil && k != 0 {
				err = fmt.Errorf("relayed %d rows of an empty outbox", k)
			}
			return err
		}},
		{OpOutboxPending, nil, func() error { _, err := s.OutboxPending(ctx); return err }},
	}

	var got []OpTrips
	for _, op := range ops {
		fewest := -1
		for run := range 1 + tripRuns {
			if op.setup != nil {
				if err := op.setup(); err != nil {
					t.Fatalf("%s: setting up: %v", op.name, err)
				}
			}
			counter.Take()
			if err := op.run(); err != nil {
				t.Fatalf("%s: %v", op.name, err)
			}
			if n := int(counter.Take()); run > 0 && (fewest < 0 || n < fewest) {
				fewest = n
			}
		}
		got = append(got, OpTrips{op.name, fewest})
	}

	var table strings.Builder
	fmt.Fprintf(&table, "round trips per operation (want):\n")
	for _, g := range got {
		w, ok := want[g.Op]
		mark := ""
		switch {
		case !ok:
			mark = "  <- not documented"
			t.Errorf("%s: %d round trips, and the store documents no number", g.Op, g.Trips)
		case w != g.Trips:
			mark = "  <- differs"
			t.Errorf("%s took %d round trips, the store documents %d", g.Op, g.Trips, w)
		}
		fmt.Fprintf(&table, "  %-34s %2d (%d)%s\n", g.Op, g.Trips, w, mark)
	}
	for op := range want {
		if !containsOp(got, op) {
			t.Errorf("the store documents round trips of %q, which RoundTrips does not measure", op)
		}
	}
	t.Log(table.String())
	return got
}

func containsOp(trips []OpTrips, op string) bool {
	for _, g := range trips {
		if g.Op == op {
			return true
		}
	}
	return false
}
