package app

import (
	"math"
	"reflect"
	"testing"

	"stacklab/ledgerspec"
)

func acct(id, ledger string, debits, credits int64, dmnec, cmned bool) AccountRecord {
	return AccountRecord{ID: id, Ledger: ledger, DebitsPosted: debits, CreditsPosted: credits,
		Flags: ledgerspec.AccountFlags{DebitsMustNotExceedCredits: dmnec, CreditsMustNotExceedDebits: cmned}}
}

func p(d, c string, amt int64) ledgerspec.Posting {
	return ledgerspec.Posting{DebitAccountID: d, CreditAccountID: c, Amount: amt}
}

func TestDecide(t *testing.T) {
	base := []AccountRecord{
		acct("a", "USD", 0, 100, true, false), // may spend 100
		acct("b", "USD", 0, 0, false, false),
		acct("c", "USD", 50, 0, false, true), // may receive 50
		acct("e", "EUR", 0, 0, false, false),
		acct("f", "EUR", 0, 0, false, false),
		acct("max", "USD", math.MaxInt64-10, math.MaxInt64-10, false, false),
	}
	max := ledgerspec.MaxAmount
	for _, tc := range []struct {
		name     string
		postings []ledgerspec.Posting
		code     ledgerspec.Code
		index    int
		deltas   []Delta
	}{
		{"commit", []ledgerspec.Posting{p("a", "b", 100)}, "", 0,
			[]Delta{{"a", 100, 0}, {"b", 0, 100}}},
		{"same account", []ledgerspec.Posting{p("a", "a", 1)}, ledgerspec.CodeAccountsMustBeDifferent, 0, nil},
		{"different beats amount", []ledgerspec.Posting{p("a", "a", 0)}, ledgerspec.CodeAccountsMustBeDifferent, 0, nil},
		{"amount zero", []ledgerspec.Posting{p("a", "b", 0)}, ledgerspec.CodeAmountOutOfRange, 0, nil},
		{"amount negative", []ledgerspec.Posting{p("a", "b", -1)}, ledgerspec.CodeAmountOutOfRange, 0, nil},
		{"amount 2^53", []ledgerspec.Posting{p("b", "a", max+1)}, ledgerspec.CodeAmountOutOfRange, 0, nil},
		{"amount beats not found", []ledgerspec.Posting{p("x", "b", 0)}, ledgerspec.CodeAmountOutOfRange, 0, nil},
		{"debit not found", []ledgerspec.Posting{p("x", "y", 1)}, ledgerspec.CodeDebitAccountNotFound, 0, nil},
		{"credit not found", []ledgerspec.Posting{p("a", "y", 1)}, ledgerspec.CodeCreditAccountNotFound, 0, nil},
		{"ledger", []ledgerspec.Posting{p("a", "e", 1)}, ledgerspec.CodeAccountsMustHaveTheSameLedger, 0, nil},
		{"not found beats ledger", []ledgerspec.Posting{p("a", "b", 1), p("e", "e2", 1)}, ledgerspec.CodeCreditAccountNotFound, 1, nil},
		{"ledger across postings", []ledgerspec.Posting{p("a", "b", 1), p("e", "f", 1)}, ledgerspec.CodeAccountsMustHaveTheSameLedger, 1, nil},
		{"posting order within rule 2", []ledgerspec.Posting{p("a", "y", 1), p("b", "b", 1)}, ledgerspec.CodeCreditAccountNotFound, 0, nil},
		{"rule 2 before rule 3", []ledgerspec.Posting{p("a", "b", 1000), p("a", "y", 1)}, ledgerspec.CodeCreditAccountNotFound, 1, nil},
		{"exceeds credits", []ledgerspec.Posting{p("a", "b", 101)}, ledgerspec.CodeExceedsCredits, 0, nil},
		{"exceeds credits exactly at limit ok", []ledgerspec.Posting{p("a", "b", 100)}, "", 0,
			[]Delta{{"a", 100, 0}, {"b", 0, 100}}},
		{"exceeds debits", []ledgerspec.Posting{p("b", "c", 51)}, ledgerspec.CodeExceedsDebits, 0, nil},
		{"sequential: fund then spend", []ledgerspec.Posting{p("b", "a", 50), p("a", "b", 150)}, "", 0,
			[]Delta{{"a", 150, 50}, {"b", 50, 150}}},
		{"sequential: spend then fund", []ledgerspec.Posting{p("a", "b", 150), p("b", "a", 50)}, ledgerspec.CodeExceedsCredits, 0, nil},
		{"second posting exceeds", []ledgerspec.Posting{p("a", "b", 60), p("a", "b", 60)}, ledgerspec.CodeExceedsCredits, 1, nil},
		{"overflows debits", []ledgerspec.Posting{p("max", "b", 11)}, ledgerspec.CodeOverflowsDebits, 0, nil},
		{"overflows credits", []ledgerspec.Posting{p("b", "max", 11)}, ledgerspec.CodeOverflowsCredits, 0, nil},
		{"up to max ok", []ledgerspec.Posting{p("max", "b", 10)}, "", 0, []Delta{{"b", 0, 10}, {"max", 10, 0}}},
		{"exceeds before overflow", []ledgerspec.Posting{p("a", "max", max)}, ledgerspec.CodeExceedsCredits, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			accounts := append([]AccountRecord(nil), base...)
			got := Decide(tc.postings, accounts)
			if got.FailCode != tc.code {
				t.Fatalf("code = %q (index %d), want %q", got.FailCode, got.FailIndex, tc.code)
			}
			if tc.code != "" {
				if got.FailIndex != tc.index {
					t.Errorf("index = %d, want %d", got.FailIndex, tc.index)
				}
				if got.Deltas != nil {
					t.Errorf("a failed decision has deltas %v", got.Deltas)
				}
				return
			}
			if got.Ledger != "USD" {
				t.Errorf("ledger = %q", got.Ledger)
			}
			if !reflect.DeepEqual(got.Deltas, tc.deltas) {
				t.Errorf("deltas = %v, want %v", got.Deltas, tc.deltas)
			}
			if !reflect.DeepEqual(accounts, base) {
				t.Error("Decide modified its input")
			}
		})
	}
}

func TestRiskFlags(t *testing.T) {
	for _, tc := range []struct {
		amounts   []int64
		counts    []int64
		uncounted bool
		want      []string
	}{
		{[]int64{1}, []int64{50}, false, []string{}},
		{[]int64{1}, []int64{51}, false, []string{"velocity"}},
		{[]int64{99}, nil, false, []string{}},
		{[]int64{1, 100}, []int64{3, 51}, false, []string{"velocity", "large_amount"}},
		{[]int64{1}, nil, true, []string{"velocity_unchecked"}},
		{[]int64{100}, nil, true, []string{"large_amount", "velocity_unchecked"}},
		// Counts that came with a failure are not trusted.
		{[]int64{1}, []int64{51}, true, []string{"velocity_unchecked"}},
	} {
		var ps []ledgerspec.Posting
		for _, a := range tc.amounts {
			ps = append(ps, p("a", "b", a))
		}
		if got := riskFlags(ps, tc.counts, !tc.uncounted, 50, 100); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("riskFlags(%v, %v, counted %v) = %v, want %v", tc.amounts, tc.counts, !tc.uncounted, got, tc.want)
		}
	}
}

func TestDebitAccounts(t *testing.T) {
	got := debitAccounts([]ledgerspec.Posting{p("a", "b", 1), p("c", "a", 1), p("a", "c", 1)})
	if !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Errorf("debitAccounts = %v", got)
	}
}
