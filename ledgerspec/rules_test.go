package ledgerspec_test

import (
	"strings"
	"testing"
	"time"

	"stacklab/ledgerspec"
)

func TestValidID(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"a", true}, {"acc-1_X", true}, {strings.Repeat("a", 64), true}, {strings.Repeat("a", 65), false},
		{"", false}, {"a b", false}, {"a/b", false}, {"ü", false}, {"a.b", false}, {"a\x00", false},
	} {
		if got := ledgerspec.ValidID(tc.in); got != tc.ok {
			t.Errorf("ValidID(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

func TestValidLedger(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"USD", true}, {"L_1", true}, {strings.Repeat("A", 16), true}, {strings.Repeat("A", 17), false},
		{"", false}, {"usd", false}, {"US-D", false},
	} {
		if got := ledgerspec.ValidLedger(tc.in); got != tc.ok {
			t.Errorf("ValidLedger(%q) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

func TestValidText(t *testing.T) {
	for _, tc := range []struct {
		in  string
		max int
		ok  bool
	}{
		{"", 3, true}, {"abc", 3, true}, {"abcd", 3, false}, {"日本語", 3, true}, {"日本語x", 3, false},
		{"a\x00", 3, false}, {"\xff", 3, false}, {"\uFFFD", 3, true}, {"🙂🙂🙂", 3, true}, {"🙂🙂🙂🙂", 3, false},
	} {
		if got := ledgerspec.ValidText(tc.in, tc.max); got != tc.ok {
			t.Errorf("ValidText(%q, %d) = %v, want %v", tc.in, tc.max, got, tc.ok)
		}
	}
}

func TestFormatTime(t *testing.T) {
	in := time.Date(2026, 11, 24, 10, 0, 0, 123456789, time.FixedZone("X", 3600))
	if got, want := ledgerspec.FormatTime(in), "2026-11-24T09:00:00.123456Z"; got != want {
		t.Errorf("FormatTime = %q, want %q", got, want)
	}
	if got, want := ledgerspec.FormatTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), "2026-01-01T00:00:00.000000Z"; got != want {
		t.Errorf("FormatTime = %q, want %q", got, want)
	}
}

func TestCodes(t *testing.T) {
	if s := ledgerspec.CodeExceedsCredits.Status(); s != 422 {
		t.Errorf("exceeds_credits status = %d", s)
	}
	p := ledgerspec.NewProblem(ledgerspec.CodeExceedsCredits, 3)
	if p.PostingIndex == nil || *p.PostingIndex != 3 || p.Status != 422 || p.Type != "/problems/exceeds_credits" {
		t.Errorf("NewProblem = %+v", p)
	}
	if p := ledgerspec.NewProblem(ledgerspec.CodeMalformedRequest, 3); p.PostingIndex != nil || p.Status != 400 {
		t.Errorf("NewProblem(malformed) = %+v", p)
	}
	if ledgerspec.Code("nope").Status() != 500 || ledgerspec.Code("nope").Known() {
		t.Error("unknown code must be 500 and not known")
	}
}

func TestPaths(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ledgerspec.AccountTransactionsPath("a", 5, 7), "/api/accounts/a/transactions?limit=5&after=7"},
		{ledgerspec.AccountTransactionsPath("a", 0, -1), "/api/accounts/a/transactions"},
		{ledgerspec.AccountTransactionsPath("a", 0, 0), "/api/accounts/a/transactions?after=0"},
		{ledgerspec.BalancesPath("USD"), "/api/balances?ledger=USD"},
		{ledgerspec.AccountRowsPath("a", 9), "/accounts/a/rows?after=9"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
