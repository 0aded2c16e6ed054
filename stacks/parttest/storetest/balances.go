package storetest

import (
	"math"
	"math/big"
	"slices"
	"testing"

	"stacklab/stacks/app"
)

func testBalances(t *testing.T, s Store) {
	ctx := testContext(t)
	ids := []string{"B", "a", "_", "-", "0"}
	for _, id := range ids {
		createAccounts(ctx, t, s, account(id, "BAL", noFlags))
	}
	createAccounts(ctx, t, s, account("other", "OTHER", noFlags), account("other2", "OTHER", noFlags),
		account("idle", "IDLE", noFlags))

	snap, err := s.Balances(ctx, "BAL", 0)
	if err != nil {
		t.Fatalf("Balances(BAL) before any transaction: %v", err)
	}
	if snap.AsOfSeq != 0 || snap.TotalDebits != "0" || snap.TotalCredits != "0" || len(snap.Accounts) != len(ids) {
		t.Errorf("Balances(BAL) before any transaction = %+v, want 5 accounts at seq 0, totals 0", snap)
	}

	commit(ctx, t, s, newTx("t1", posting("B", "a", 5)))
	commit(ctx, t, s, newTx("t2", posting("_", "-", 7), posting("0", "B", 11)))
	last := commit(ctx, t, s, newTx("t3", posting("a", "0", 13)))
	commit(ctx, t, s, newTx("o1", posting("other", "other2", 1000))) // another ledger, later seq

	byteOrder := []string{"-", "0", "B", "_", "a"}
	for _, tt := range []struct {
		limit int
		want  []string
	}{
		{0, byteOrder},
		{-1, byteOrder},
		{100, byteOrder},
		{5, byteOrder},
		{2, byteOrder[:2]},
		{1, byteOrder[:1]},
	} {
		snap, err := s.Balances(ctx, "BAL", tt.limit)
		if err != nil {
			t.Fatalf("Balances(BAL, %d): %v", tt.limit, err)
		}
		if got := accountIDs(snap.Accounts); !slices.Equal(got, tt.want) {
			t.Errorf("Balances(BAL, %d) accounts %q, want %q (byte order)", tt.limit, got, tt.want)
		}
		if snap.Ledger != "BAL" || snap.AsOfSeq != last.Record.Seq {
			t.Errorf("Balances(BAL, %d): ledger %q as_of_seq %d, want BAL and %d", tt.limit, snap.Ledger, snap.AsOfSeq, last.Record.Seq)
		}
		if snap.TotalDebits != "36" || snap.TotalCredits != "36" {
			t.Errorf("Balances(BAL, %d) totals %s/%s, want 36/36 over every account", tt.limit, snap.TotalDebits, snap.TotalCredits)
		}
		for _, a := range snap.Accounts {
			if d := diffAccount(a, mustAccount(ctx, t, s, a.ID)); d != "" {
				t.Errorf("Balances(BAL, %d): %s", tt.limit, d)
			}
		}
	}

	for _, ledger := range []string{"NOPE", "IDLE"} {
		snap, err := s.Balances(ctx, ledger, 10)
		if err != nil {
			t.Fatalf("Balances(%s): %v", ledger, err)
		}
		wantAccounts := 0
		if ledger == "IDLE" {
			wantAccounts = 1
		}
		if snap.Ledger != ledger || snap.AsOfSeq != 0 || len(snap.Accounts) != wantAccounts ||
			snap.TotalDebits != "0" || snap.TotalCredits != "0" {
			t.Errorf("Balances(%s) = %+v, want %d accounts, as_of_seq 0, totals 0", ledger, snap, wantAccounts)
		}
	}
}

// testBalancesBeyondInt64 brings two account pairs near 2^63−1 by relative increments: the
// totals must be exact decimals beyond the int64 range.
func testBalancesBeyondInt64(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("p1", "BIG", noFlags), account("q1", "BIG", noFlags),
		account("p2", "BIG", noFlags), account("q2", "BIG", noFlags))
	const half = math.MaxInt64/2 + 1 // two of them overflow int64 unless added in the database
	commit(ctx, t, s, newTx("t1", posting("p1", "q1", half)))
	commit(ctx, t, s, newTx("t2", posting("p1", "q1", half-2)))
	commit(ctx, t, s, newTx("t3", posting("p2", "q2", math.MaxInt64-1)))
	last := commit(ctx, t, s, newTx("t4", posting("q2", "p2", 1)))

	want := map[string]app.AccountRecord{
		"p1": acct("p1", "BIG", math.MaxInt64-1, 0, 2),
		"q1": acct("q1", "BIG", 0, math.MaxInt64-1, 2),
		"p2": acct("p2", "BIG", math.MaxInt64-1, 1, 2),
		"q2": acct("q2", "BIG", 1, math.MaxInt64-1, 2),
	}
	snap, err := s.Balances(ctx, "BIG", 0)
	if err != nil {
		t.Fatalf("Balances(BIG): %v", err)
	}
	checkAccounts(t, "Balances(BIG)", snap.Accounts, want["p1"], want["p2"], want["q1"], want["q2"])
	total := new(big.Int)
	for _, a := range want {
		total.Add(total, big.NewInt(a.DebitsPosted))
	}
	if snap.TotalDebits != total.String() || snap.TotalCredits != total.String() {
		t.Errorf("totals %s/%s, want %s/%s", snap.TotalDebits, snap.TotalCredits, total, total)
	}
	if total.IsInt64() {
		t.Fatalf("test is wrong: total %s fits int64", total)
	}
	if snap.AsOfSeq != last.Record.Seq {
		t.Errorf("as_of_seq %d, want %d", snap.AsOfSeq, last.Record.Seq)
	}
}
