package posting

import (
	"slices"
	"strings"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
)

func tx(postings ...ledgerspec.Posting) app.TxRecord {
	return app.TxRecord{ID: "t", Postings: postings, Description: "d",
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.FixedZone("X", 3600))}
}

func p(debit, credit string, amount int64) ledgerspec.Posting {
	return ledgerspec.Posting{DebitAccountID: debit, CreditAccountID: credit, Amount: amount}
}

func TestAccountsAndArrays(t *testing.T) {
	in := tx(p("b", "a", 1), p("_", "B", 2), p("a", "b", 3))
	if got, want := Accounts(in), []string{"B", "_", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Accounts = %q, want %q (byte order, each once)", got, want)
	}
	debits, credits, amounts := Arrays(in)
	if !slices.Equal(debits, []string{"b", "_", "a"}) || !slices.Equal(credits, []string{"a", "B", "b"}) ||
		!slices.Equal(amounts, []int64{1, 2, 3}) {
		t.Errorf("Arrays = %q %q %v, want the postings' columns in posting order", debits, credits, amounts)
	}
}

func TestCheckDeltas(t *testing.T) {
	locked := []app.AccountRecord{{ID: "a"}, {ID: "b"}}
	tests := []struct {
		deltas []app.Delta
		want   string // "" for no error
	}{
		{[]app.Delta{{AccountID: "a", Debits: 1}, {AccountID: "b", Credits: 1}}, ""},
		{nil, "without deltas"},
		{[]app.Delta{{AccountID: "a"}, {AccountID: "a"}}, "twice"},
		{[]app.Delta{{AccountID: "a"}, {AccountID: "c"}}, "does not lock"},
	}
	for _, tt := range tests {
		err := CheckDeltas(tt.deltas, locked)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckDeltas(%v) = %v, want %q", tt.deltas, err, tt.want)
		}
	}
}

func TestRecords(t *testing.T) {
	in := tx(p("a", "b", 1))
	d := app.Decision{FailCode: ledgerspec.CodeExceedsCredits, FailIndex: 0, Ledger: "L"}
	failed := FailedRecord(in, d)
	if failed.Committed() || failed.RiskFlags != nil || failed.Ledger != "L" || failed.Seq != 0 {
		t.Errorf("FailedRecord = %+v, want failed in L without seq or risk flags", failed)
	}
	if want := time.Date(2026, 1, 2, 2, 4, 5, 678901000, time.UTC); !failed.CreatedAt.Equal(want) || failed.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v (UTC, microseconds as stored)", failed.CreatedAt, want)
	}
	committed := CommittedRecord(in, app.Decision{Ledger: "L"})
	if !committed.Committed() || committed.RiskFlags == nil || len(committed.RiskFlags) != 0 || committed.Ledger != "L" {
		t.Errorf("CommittedRecord = %+v, want committed in L with empty, non-nil risk flags", committed)
	}
	accounts := []app.AccountRecord{{ID: "b"}, {ID: "B"}, {ID: "a"}}
	SortAccounts(accounts)
	if got := []string{accounts[0].ID, accounts[1].ID, accounts[2].ID}; !slices.Equal(got, []string{"B", "a", "b"}) {
		t.Errorf("SortAccounts = %q, want byte order", got)
	}
}
