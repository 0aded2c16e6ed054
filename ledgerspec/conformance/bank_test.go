package conformance

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"stacklab/ledgerspec"
)

func ctx(id string, seq int64, ps ...ledgerspec.Posting) ledgerspec.Transaction {
	return ledgerspec.Transaction{ID: id, Seq: seq, Postings: ps, RiskFlags: []string{}}
}

// A source S funds capped accounts a and b; a pays b; b pays a back.
var (
	bankAccts  = []string{"S", "a", "b"}
	bankCapped = map[string]bool{"a": true, "b": true}
	bankTxs    = []ledgerspec.Transaction{
		ctx("t1", 10, posting("S", "a", 100)),
		ctx("t2", 12, posting("S", "b", 50)),
		ctx("t3", 15, posting("a", "b", 70)),
		ctx("t4", 20, posting("b", "a", 120), posting("a", "S", 5)),
	}
)

func TestNewHistoryRefusesImpossibleHistories(t *testing.T) {
	for _, tc := range []struct {
		name string
		txs  []ledgerspec.Transaction
		want string // "" for a valid history
	}{
		{"valid", bankTxs, ""},
		{"valid in any input order", []ledgerspec.Transaction{bankTxs[3], bankTxs[1], bankTxs[0], bankTxs[2]}, ""},
		{"no transactions", nil, ""},
		{"shared seq", []ledgerspec.Transaction{ctx("t1", 10, posting("S", "a", 1)), ctx("t2", 10, posting("S", "b", 1))}, "share seq 10"},
		{"unknown account", []ledgerspec.Transaction{ctx("t1", 10, posting("S", "x", 1))}, "outside ledger"},
		{"capped negative in seq order", []ledgerspec.Transaction{ctx("t1", 10, posting("a", "b", 1)), ctx("t2", 11, posting("S", "a", 5))}, "capped account a"},
		{"negative within one transaction's end state", []ledgerspec.Transaction{ctx("t1", 10, posting("S", "a", 5), posting("a", "b", 6))}, "capped account a"},
		{"overflow", []ledgerspec.Transaction{ctx("t1", 10, posting("S", "b", maxInt64)), ctx("t2", 11, posting("S", "b", 1))}, "overflows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newHistory("L", bankAccts, bankCapped, tc.txs)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("newHistory: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("newHistory error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestHistoryUpTo(t *testing.T) {
	h, err := newHistory("L", bankAccts, bankCapped, bankTxs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		seq  int64
		want map[string]counters
	}{
		{0, map[string]counters{"S": {0, 0}, "a": {0, 0}, "b": {0, 0}}},
		{9, map[string]counters{"S": {0, 0}, "a": {0, 0}, "b": {0, 0}}},
		{10, map[string]counters{"S": {100, 0}, "a": {0, 100}, "b": {0, 0}}},
		{14, map[string]counters{"S": {150, 0}, "a": {0, 100}, "b": {0, 50}}},
		{15, map[string]counters{"S": {150, 0}, "a": {70, 100}, "b": {0, 120}}},
		{1 << 40, map[string]counters{"S": {150, 5}, "a": {75, 220}, "b": {120, 120}}},
	} {
		got := h.upTo(tc.seq)
		for id, w := range tc.want {
			if got[id] != w {
				t.Errorf("upTo(%d)[%s] = %+v, want %+v", tc.seq, id, got[id], w)
			}
		}
	}
	if h.lastSeq() != 20 {
		t.Errorf("lastSeq = %d, want 20", h.lastSeq())
	}
}

// snap builds the snapshot the history predicts as of seq.
func snap(h *history, seq int64) ledgerspec.Balances {
	b := ledgerspec.Balances{Ledger: h.ledger, AsOfSeq: seq, Accounts: []ledgerspec.AccountBalance{}}
	var d, c int64
	for _, id := range h.accounts {
		st := h.upTo(seq)[id]
		b.Accounts = append(b.Accounts, ledgerspec.AccountBalance{ID: id, DebitsPosted: st.debits, CreditsPosted: st.credits, Balance: st.credits - st.debits})
		d += st.debits
		c += st.credits
	}
	b.TotalDebits, b.TotalCredits = json.Number(strconv.FormatInt(d, 10)), json.Number(strconv.FormatInt(c, 10))
	return b
}

func TestCheckSnapshot(t *testing.T) {
	h, err := newHistory("L", bankAccts, bankCapped, bankTxs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(b *ledgerspec.Balances)
		seq    int64
		want   string
	}{
		{"empty prefix", nil, 0, ""},
		{"after t1", nil, 10, ""},
		{"after t3", nil, 15, ""},
		{"everything", nil, 20, ""},
		{"another ledger", func(b *ledgerspec.Balances) { b.Ledger = "M" }, 10, "ledger"},
		{"as_of_seq between transactions", func(b *ledgerspec.Balances) { b.AsOfSeq = 11 }, 10, "not the seq"},
		{"as_of_seq beyond the last", func(b *ledgerspec.Balances) { b.AsOfSeq = 21 }, 20, "not the seq"},
		{"negative as_of_seq", func(b *ledgerspec.Balances) { b.AsOfSeq = -1 }, 0, "negative"},
		{"accounts out of order", func(b *ledgerspec.Balances) { b.Accounts[1], b.Accounts[2] = b.Accounts[2], b.Accounts[1] }, 10, "byte order"},
		{"an account missing", func(b *ledgerspec.Balances) { b.Accounts = b.Accounts[:2] }, 10, "byte order"},
		{"a transaction beyond as_of_seq included", func(b *ledgerspec.Balances) {
			*b = snap(mustHistory(t), 12)
			b.AsOfSeq = 10
		}, 10, "replay"},
		{"a transaction within as_of_seq missing", func(b *ledgerspec.Balances) {
			*b = snap(mustHistory(t), 12)
			b.AsOfSeq = 15
		}, 15, "replay"},
		{"balance inconsistent", func(b *ledgerspec.Balances) { b.Accounts[1].Balance++ }, 10, "balance"},
		{"capped account negative", func(b *ledgerspec.Balances) {
			b.Accounts[1].DebitsPosted, b.Accounts[1].Balance = 200, -100
		}, 10, "debits_must_not_exceed_credits"},
		{"totals off by one", func(b *ledgerspec.Balances) { b.TotalDebits = "151" }, 15, "total_debits"},
		{"totals not integers", func(b *ledgerspec.Balances) { b.TotalCredits = "150.0" }, 15, "not JSON integers"},
		{"totals with a leading zero", func(b *ledgerspec.Balances) { b.TotalCredits = "0150" }, 15, "not JSON integers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := snap(h, tc.seq)
			if tc.mutate != nil {
				tc.mutate(&b)
			}
			err := h.checkSnapshot(b)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("checkSnapshot(%+v): %v", b, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("checkSnapshot(%+v) = %v, want an error containing %q", b, err, tc.want)
			}
		})
	}
}

func mustHistory(t *testing.T) *history {
	t.Helper()
	h, err := newHistory("L", bankAccts, bankCapped, bankTxs)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCheckTotalsBeyondInt64(t *testing.T) {
	b := ledgerspec.Balances{TotalDebits: "18446744073709549568", TotalCredits: "18446744073709549568"}
	sum, _ := parseBig(json.Number("18446744073709549568"))
	if err := checkTotals(b, sum, sum); err != nil {
		t.Fatalf("exact totals beyond int64: %v", err)
	}
	b.TotalCredits = "18446744073709549567"
	if err := checkTotals(b, sum, sum); err == nil {
		t.Fatal("checkTotals accepted total_credits one below the sum")
	}
}

func TestCheckReader(t *testing.T) {
	seqs := func(ss ...int64) []ledgerspec.Balances {
		var out []ledgerspec.Balances
		for _, s := range ss {
			out = append(out, ledgerspec.Balances{AsOfSeq: s})
		}
		return out
	}
	for _, tc := range []struct {
		snaps []ledgerspec.Balances
		ok    bool
	}{
		{nil, true}, {seqs(0), true}, {seqs(0, 0, 5, 5, 9), true}, {seqs(5, 4), false}, {seqs(0, 9, 9, 8), false},
	} {
		if err := checkReader(tc.snaps); (err == nil) != tc.ok {
			t.Errorf("checkReader(%v) = %v, want ok %v", tc.snaps, err, tc.ok)
		}
	}
}

func TestCheckFinal(t *testing.T) {
	h := mustHistory(t)
	good := map[string]counters{"S": {150, 5}, "a": {75, 220}, "b": {120, 120}}
	if err := h.checkFinal(good); err != nil {
		t.Fatalf("checkFinal(the replay): %v", err)
	}
	bad := map[string]counters{"S": {150, 5}, "a": {75, 220}, "b": {120, 119}}
	if err := h.checkFinal(bad); err == nil || !strings.Contains(err.Error(), "account b") {
		t.Fatalf("checkFinal(b off by one) = %v, want an error naming account b", err)
	}
}
