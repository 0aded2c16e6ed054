package storetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
)

func testAccounts(t *testing.T, s Store) {
	ctx := testContext(t)
	a := account("acc-1", "L1", debitsCap)
	a.Name = "Zoë <b>&amp;</b> ☃"
	createAccounts(ctx, t, s, a)

	other := account("acc-1", "L2", credsCap)
	other.Name, other.CreatedAt = "someone else", epoch.Add(time.Hour)
	got, created, err := s.CreateAccount(ctx, other)
	if err != nil {
		t.Fatalf("CreateAccount replay: %v", err)
	}
	if created {
		t.Error("CreateAccount of an existing id: created = true")
	}
	if d := diffAccount(got, a); d != "" {
		t.Errorf("CreateAccount of an existing id returned %s (want the stored account)", d)
	}
	if d := diffAccount(mustAccount(ctx, t, s, "acc-1"), a); d != "" {
		t.Errorf("Account: %s", d)
	}
	if got := mustAccount(ctx, t, s, "acc-1").CreatedAt.Nanosecond(); got != 123456000 {
		t.Errorf("CreatedAt nanoseconds = %d, want 123456000 (microsecond precision)", got)
	}
	_, err = s.Account(ctx, "missing")
	wantNotFound(t, "Account(missing)", err)
	_, err = s.Transaction(ctx, "missing")
	wantNotFound(t, "Transaction(missing)", err)
	// The replay in another ledger must not have made that ledger appear.
	snap, err := s.Balances(ctx, "L2", 0)
	if err != nil || snap.AsOfSeq != 0 || len(snap.Accounts) != 0 {
		t.Errorf("Balances(L2) after a refused replay = %+v, %v; want empty", snap, err)
	}
}

func testConcurrentCreateAccount(t *testing.T, s Store) {
	ctx := testContext(t)
	const n = 16
	type result struct {
		a       app.AccountRecord
		created bool
		err     error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a := account("race", fmt.Sprintf("L%d", i), noFlags)
			a.Name = fmt.Sprintf("racer %d", i)
			results[i].a, results[i].created, results[i].err = s.CreateAccount(ctx, a)
		})
	}
	wg.Wait()
	winners := 0
	stored := mustAccount(ctx, t, s, "race")
	for i, r := range results {
		if r.err != nil {
			t.Errorf("racer %d: %v", i, r.err)
			continue
		}
		if r.created {
			winners++
		}
		if d := diffAccount(r.a, stored); d != "" {
			t.Errorf("racer %d got %s", i, d)
		}
	}
	if winners != 1 {
		t.Errorf("%d racers created the account, want exactly 1", winners)
	}
}

func testPostCommit(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags),
		account("C", "L1", noFlags), account("D", "L1", noFlags), account("X", "L2", noFlags))

	tx1 := newTx("tx1", posting("A", "B", 100))
	calls := 0
	res1, err := s.Post(ctx, tx1, func(locked []app.AccountRecord) app.Decision {
		calls++
		if got := accountIDs(locked); !slices.Equal(got, []string{"A", "B"}) {
			t.Errorf("decide got accounts %v, want [A B]", got)
		}
		return transfer(tx1.Postings)(locked)
	})
	if err != nil {
		t.Fatalf("Post(tx1): %v", err)
	}
	if calls != 1 {
		t.Errorf("decide called %d times, want 1", calls)
	}
	want1 := tx1
	want1.Ledger, want1.Seq = "L1", res1.Record.Seq
	if res1.Existing != nil || res1.Record.Seq <= 0 {
		t.Fatalf("Post(tx1) = %+v, want a committed record with seq > 0", res1)
	}
	if d := diffTx(res1.Record, want1); d != "" {
		t.Errorf("Post(tx1) record: %s", d)
	}
	checkAccounts(t, "Post(tx1) accounts", res1.Accounts,
		acct("A", "L1", 100, 0, 1), acct("B", "L1", 0, 100, 1))
	got, err := s.Transaction(ctx, "tx1")
	if err != nil {
		t.Fatalf("Transaction(tx1): %v", err)
	}
	if d := diffTx(got, want1); d != "" {
		t.Errorf("Transaction(tx1): %s", d)
	}

	// C appears in two postings: one history row, one version step.
	tx2 := newTx("tx2", posting("A", "C", 5), posting("C", "B", 7))
	tx2.RiskFlags = []string{ledgerspec.RiskVelocity, ledgerspec.RiskLargeAmount}
	res2 := commit(ctx, t, s, tx2)
	if res2.Record.Seq <= res1.Record.Seq {
		t.Errorf("tx2 seq %d not above tx1 seq %d", res2.Record.Seq, res1.Record.Seq)
	}
	checkAccounts(t, "Post(tx2) accounts", res2.Accounts,
		acct("A", "L1", 105, 0, 2), acct("B", "L1", 0, 107, 2), acct("C", "L1", 7, 5, 1))
	res3 := commit(ctx, t, s, newTx("tx3", posting("B", "A", 1)))
	r1, r2, r3 := res1.Record, res2.Record, res3.Record
	if d := diffAccount(mustAccount(ctx, t, s, "C"), acct("C", "L1", 7, 5, 1)); d != "" {
		t.Errorf("Account(C): %s", d)
	}

	list, err := s.AccountTransactions(ctx, "A", 0, 10)
	checkList(t, "AccountTransactions(A, 0, 10)", list, err, r1, r2, r3)
	list, err = s.AccountTransactions(ctx, "A", r1.Seq, 10)
	checkList(t, "AccountTransactions(A, tx1, 10)", list, err, r2, r3)
	list, err = s.AccountTransactions(ctx, "A", 0, 2)
	checkList(t, "AccountTransactions(A, 0, 2)", list, err, r1, r2)
	list, err = s.AccountTransactions(ctx, "A", r3.Seq, 10)
	checkList(t, "AccountTransactions(A, tx3, 10)", list, err)
	list, err = s.AccountTransactions(ctx, "C", 0, 10)
	checkList(t, "AccountTransactions(C, 0, 10)", list, err, r2)
	list, err = s.AccountTransactions(ctx, "D", 0, 10)
	checkList(t, "AccountTransactions(D) of an account without transactions", list, err)

	list, err = s.AccountHistory(ctx, "A", 0, 10)
	checkList(t, "AccountHistory(A, 0, 10)", list, err, r3, r2, r1)
	list, err = s.AccountHistory(ctx, "A", -1, 10)
	checkList(t, "AccountHistory(A, -1, 10)", list, err, r3, r2, r1)
	list, err = s.AccountHistory(ctx, "A", r3.Seq, 10)
	checkList(t, "AccountHistory(A, tx3, 10)", list, err, r2, r1)
	list, err = s.AccountHistory(ctx, "A", 0, 1)
	checkList(t, "AccountHistory(A, 0, 1)", list, err, r3)
	list, err = s.AccountHistory(ctx, "A", r1.Seq, 10)
	checkList(t, "AccountHistory(A, tx1, 10)", list, err)
	list, err = s.AccountHistory(ctx, "C", 0, 10)
	checkList(t, "AccountHistory(C, 0, 10)", list, err, r2)
	list, err = s.AccountHistory(ctx, "D", 0, 10)
	checkList(t, "AccountHistory(D) of an account without transactions", list, err)

	list, err = s.LedgerTransactions(ctx, "L1", 10)
	checkList(t, "LedgerTransactions(L1, 10)", list, err, r3, r2, r1)
	list, err = s.LedgerTransactions(ctx, "L1", 2)
	checkList(t, "LedgerTransactions(L1, 2)", list, err, r3, r2)
	list, err = s.LedgerTransactions(ctx, "L2", 10)
	checkList(t, "LedgerTransactions(L2) without transactions", list, err)
	list, err = s.LedgerTransactions(ctx, "NOPE", 10)
	checkList(t, "LedgerTransactions(NOPE)", list, err)

	_, err = s.AccountTransactions(ctx, "nobody", 0, 10)
	wantNotFound(t, "AccountTransactions(nobody)", err)
	_, err = s.AccountHistory(ctx, "nobody", 0, 10)
	wantNotFound(t, "AccountHistory(nobody)", err)
	if n, err := s.OutboxPending(ctx); err != nil || n != 3 {
		t.Errorf("OutboxPending = %d, %v; want 3", n, err)
	}
}

func testPostFailure(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", debitsCap), account("B", "L1", noFlags), account("C", "L1", noFlags))
	before := []app.AccountRecord{mustAccount(ctx, t, s, "A"), mustAccount(ctx, t, s, "B"), mustAccount(ctx, t, s, "C")}

	f1 := newTx("f1", posting("A", "B", 10))
	res, err := s.Post(ctx, f1, refuse(ledgerspec.CodeExceedsCredits, 0))
	if err != nil {
		t.Fatalf("Post(f1): %v", err)
	}
	want := f1
	want.RiskFlags, want.FailCode, want.FailIndex = nil, ledgerspec.CodeExceedsCredits, 0
	if res.Existing != nil || res.Record.Committed() {
		t.Fatalf("Post(f1) = %+v, want a new failed record", res)
	}
	if d := diffTx(res.Record, want); d != "" {
		t.Errorf("Post(f1) record: %s", d)
	}
	if len(res.Accounts) != 0 {
		t.Errorf("Post(f1) changed accounts %v", accountIDs(res.Accounts))
	}
	got, err := s.Transaction(ctx, "f1")
	if err != nil {
		t.Fatalf("Transaction(f1): %v", err)
	}
	if d := diffTx(got, want); d != "" {
		t.Errorf("Transaction(f1): %s", d)
	}

	// The store locks the existing named accounts, sorted by id, and passes them as they are.
	f2 := newTx("f2", posting("C", "A", 1), posting("B", "ghost", 1))
	res, err = s.Post(ctx, f2, func(locked []app.AccountRecord) app.Decision {
		if len(locked) != len(before) {
			t.Errorf("decide got accounts %v, want [A B C]", accountIDs(locked))
		} else {
			for i := range locked {
				if d := diffAccount(locked[i], before[i]); d != "" {
					t.Errorf("decide got %s", d)
				}
			}
		}
		return transfer(f2.Postings)(locked)
	})
	if err != nil {
		t.Fatalf("Post(f2): %v", err)
	}
	want = f2
	want.RiskFlags, want.FailCode, want.FailIndex = nil, ledgerspec.CodeCreditAccountNotFound, 1
	if d := diffTx(res.Record, want); d != "" {
		t.Errorf("Post(f2) record: %s", d)
	}

	for _, b := range before {
		if d := diffAccount(mustAccount(ctx, t, s, b.ID), b); d != "" {
			t.Errorf("after failures: %s", d)
		}
	}
	for _, id := range []string{"A", "B", "C"} {
		list, err := s.AccountTransactions(ctx, id, 0, 10)
		checkList(t, "AccountTransactions("+id+") after failures", list, err)
		list, err = s.AccountHistory(ctx, id, 0, 10)
		checkList(t, "AccountHistory("+id+") after failures", list, err)
	}
	list, err := s.LedgerTransactions(ctx, "L1", 10)
	checkList(t, "LedgerTransactions(L1) after failures", list, err)
	if n, err := s.OutboxPending(ctx); err != nil || n != 0 {
		t.Errorf("OutboxPending after failures = %d, %v; want 0", n, err)
	}
	if snap, err := s.Balances(ctx, "L1", 0); err != nil || snap.AsOfSeq != 0 {
		t.Errorf("Balances(L1) after failures: as_of_seq %d, %v; want 0", snap.AsOfSeq, err)
	}

	// A failed id stays failed, even when it would now commit.
	res, err = s.Post(ctx, newTx("f1", posting("B", "C", 1)), func([]app.AccountRecord) app.Decision {
		t.Error("decide called for a decided id")
		return app.Decision{}
	})
	if err != nil {
		t.Fatalf("Post(f1) again: %v", err)
	}
	want = f1
	want.RiskFlags, want.FailCode, want.FailIndex = nil, ledgerspec.CodeExceedsCredits, 0
	if res.Existing == nil {
		t.Fatalf("Post(f1) again = %+v, want Existing", res)
	}
	if d := diffTx(*res.Existing, want); d != "" {
		t.Errorf("Post(f1) again: Existing %s", d)
	}
}

func testExisting(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags))
	first := commit(ctx, t, s, newTx("tx1", posting("A", "B", 10)))

	other := newTx("tx1", posting("B", "A", 99))
	other.Description = "another payload"
	res, err := s.Post(ctx, other, func([]app.AccountRecord) app.Decision {
		t.Error("decide called for a decided id")
		return transfer(other.Postings)(nil)
	})
	if err != nil {
		t.Fatalf("Post(tx1) again: %v", err)
	}
	if res.Existing == nil {
		t.Fatalf("Post(tx1) again = %+v, want Existing", res)
	}
	if d := diffTx(*res.Existing, first.Record); d != "" {
		t.Errorf("Existing: %s", d)
	}
	if res.Record.ID != "" || len(res.Accounts) != 0 {
		t.Errorf("Post(tx1) again also returned record %q and accounts %v", res.Record.ID, accountIDs(res.Accounts))
	}
	checkAccounts(t, "accounts after the replay", []app.AccountRecord{mustAccount(ctx, t, s, "A"), mustAccount(ctx, t, s, "B")},
		acct("A", "L1", 10, 0, 1), acct("B", "L1", 0, 10, 1))
	if n, err := s.OutboxPending(ctx); err != nil || n != 1 {
		t.Errorf("OutboxPending after the replay = %d, %v; want 1", n, err)
	}
}

func testConcurrentDuplicates(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags))
	const n = 32
	tx := newTx("dup", posting("A", "B", 10))
	results := make([]app.PostResult, n)
	errs := make([]error, n)
	var start sync.WaitGroup
	start.Add(1)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			start.Wait()
			results[i], errs[i] = s.Post(ctx, tx, transfer(tx.Postings))
		})
	}
	start.Done()
	wg.Wait()
	var winner *app.TxRecord
	existing := 0
	for i := range n {
		switch r := &results[i]; {
		case errs[i] != nil:
			t.Errorf("Post %d: %v", i, errs[i])
		case r.Existing != nil:
			existing++
		case r.Record.Committed() && r.Record.Seq > 0:
			if winner != nil {
				t.Errorf("Post %d also committed dup (seq %d, first seq %d)", i, r.Record.Seq, winner.Seq)
			}
			winner = &r.Record
		default:
			t.Errorf("Post %d: %+v is neither committed nor Existing", i, *r)
		}
	}
	if winner == nil || existing != n-1 {
		t.Fatalf("%d committed, %d Existing; want 1 and %d", n-existing, existing, n-1)
	}
	for i := range n {
		if ex := results[i].Existing; ex != nil {
			if d := diffTx(*ex, *winner); d != "" {
				t.Errorf("Post %d Existing: %s", i, d)
			}
		}
	}
	checkAccounts(t, "accounts after 32 duplicates", []app.AccountRecord{mustAccount(ctx, t, s, "A"), mustAccount(ctx, t, s, "B")},
		acct("A", "L1", 10, 0, 1), acct("B", "L1", 0, 10, 1))
	if n, err := s.OutboxPending(ctx); err != nil || n != 1 {
		t.Errorf("OutboxPending = %d, %v; want 1", n, err)
	}
}

// testInvariants posts with Deciders that lie: their Deltas break what the schema guarantees.
// The store must return an error and leave everything as it was: the database refuses.
func testInvariants(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("dnec", "L1", debitsCap), account("cned", "L1", credsCap),
		account("src", "L1", noFlags), account("big", "L1", noFlags), account("pump", "L1", noFlags))
	commit(ctx, t, s, newTx("setup", posting("pump", "big", math.MaxInt64-5)))

	lie := func(ledger string, deltas ...app.Delta) app.Decider {
		return func([]app.AccountRecord) app.Decision { return app.Decision{Ledger: ledger, Deltas: deltas} }
	}
	tests := []struct {
		name     string
		postings []ledgerspec.Posting
		decide   app.Decider
	}{
		{"debits exceed credits", []ledgerspec.Posting{posting("dnec", "src", 10)},
			lie("L1", app.Delta{AccountID: "dnec", Debits: 10}, app.Delta{AccountID: "src", Credits: 10})},
		{"credits exceed debits", []ledgerspec.Posting{posting("src", "cned", 10)},
			lie("L1", app.Delta{AccountID: "cned", Credits: 10}, app.Delta{AccountID: "src", Debits: 10})},
		{"negative counter", []ledgerspec.Posting{posting("src", "big", 1)},
			lie("L1", app.Delta{AccountID: "big", Credits: 1}, app.Delta{AccountID: "src", Debits: -1_000_000})},
		{"bigint overflow", []ledgerspec.Posting{posting("src", "big", 10)},
			lie("L1", app.Delta{AccountID: "big", Credits: 10}, app.Delta{AccountID: "src", Debits: 10})},
		{"one account overflows, the other would not", []ledgerspec.Posting{posting("src", "big", 6), posting("src", "dnec", 1)},
			lie("L1", app.Delta{AccountID: "big", Credits: 6}, app.Delta{AccountID: "src", Debits: 7})},
		{"ledger without a row", []ledgerspec.Posting{posting("src", "big", 1)},
			lie("GHOST", app.Delta{AccountID: "big", Credits: 1}, app.Delta{AccountID: "src", Debits: 1})},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("lie-%d", i)
			before := ledgerState(ctx, t, s, "L1")
			res, err := s.Post(ctx, newTx(id, tt.postings...), tt.decide)
			if err == nil {
				t.Errorf("Post = %+v, nil; want an error from the database", res)
			}
			if after := ledgerState(ctx, t, s, "L1"); after != before {
				t.Errorf("state changed by a refused Post:\nbefore %s\nafter  %s", before, after)
			}
			_, err = s.Transaction(ctx, id)
			wantNotFound(t, "Transaction of the refused id", err)
			// Nothing was recorded, so the id can still be decided.
			ok := newTx(id, posting("src", "dnec", 1))
			commit(ctx, t, s, ok)
		})
	}
}

// ledgerState renders everything a Post may change in a ledger, for before/after comparisons.
func ledgerState(ctx context.Context, t *testing.T, s Store, ledger string) string {
	t.Helper()
	snap, err := s.Balances(ctx, ledger, 0)
	if err != nil {
		t.Fatalf("Balances(%s): %v", ledger, err)
	}
	txs, err := s.LedgerTransactions(ctx, ledger, 100)
	if err != nil {
		t.Fatalf("LedgerTransactions(%s): %v", ledger, err)
	}
	pending, err := s.OutboxPending(ctx)
	if err != nil {
		t.Fatalf("OutboxPending: %v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "as_of %d totals %s/%s pending %d txs %v accounts", snap.AsOfSeq, snap.TotalDebits, snap.TotalCredits, pending, txIDs(txs))
	for _, a := range snap.Accounts {
		fmt.Fprintf(&b, " %s:%d/%d/v%d", a.ID, a.DebitsPosted, a.CreditsPosted, a.Version)
	}
	return b.String()
}

// acct is an expected account of the tests (created by account, with no flags, at epoch).
func acct(id, ledger string, debits, credits, version int64) app.AccountRecord {
	a := account(id, ledger, noFlags)
	a.DebitsPosted, a.CreditsPosted, a.Version = debits, credits, version
	return a
}

// checkAccounts compares accounts (sorted by id) with want, ignoring flags.
func checkAccounts(t *testing.T, what string, got []app.AccountRecord, want ...app.AccountRecord) {
	t.Helper()
	if !slices.Equal(accountIDs(got), accountIDs(want)) {
		t.Errorf("%s: accounts %v, want %v", what, accountIDs(got), accountIDs(want))
		return
	}
	for i := range got {
		g := got[i]
		g.Flags = want[i].Flags
		if d := diffAccount(g, want[i]); d != "" {
			t.Errorf("%s: %s", what, d)
		}
	}
}
