package conformance

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"stacklab/ledgerspec"
)

// counters are one account's posted totals.
type counters struct{ debits, credits int64 }

// history is everything committed in one ledger, as the suite saw it, for replay. It is the model
// that the bank check compares the stack's balance snapshots with.
type history struct {
	ledger string
	// accounts of the ledger, in byte order.
	accounts []string
	// capped are the accounts flagged debits_must_not_exceed_credits.
	capped map[string]bool
	// txs are the committed transactions in seq order; prefix[i] is the state after txs[:i].
	txs    []ledgerspec.Transaction
	prefix []map[string]counters
}

// newHistory sorts the committed transactions by seq and replays them. It fails when two
// transactions share a seq, when a transaction names an account outside the ledger, and when the
// replay in seq order (the commit order of the ledger) ever takes a capped account below zero or
// overflows a counter: a serial execution in seq order must have been possible.
func newHistory(ledger string, accounts []string, capped map[string]bool, txs []ledgerspec.Transaction) (*history, error) {
	h := &history{ledger: ledger, accounts: slices.Clone(accounts), capped: capped, txs: slices.Clone(txs)}
	slices.Sort(h.accounts)
	sort.Slice(h.txs, func(i, j int) bool { return h.txs[i].Seq < h.txs[j].Seq })
	known := make(map[string]bool, len(accounts))
	state := make(map[string]counters, len(accounts))
	for _, a := range accounts {
		known[a] = true
		state[a] = counters{}
	}
	h.prefix = append(h.prefix, cloneState(state))
	for i, tx := range h.txs {
		if i > 0 && tx.Seq == h.txs[i-1].Seq {
			return nil, fmt.Errorf("transactions %s and %s share seq %d", h.txs[i-1].ID, tx.ID, tx.Seq)
		}
		for _, p := range tx.Postings {
			if !known[p.DebitAccountID] || !known[p.CreditAccountID] {
				return nil, fmt.Errorf("transaction %s (seq %d) names an account outside ledger %s: %+v", tx.ID, tx.Seq, ledger, p)
			}
			d, c := state[p.DebitAccountID], state[p.CreditAccountID]
			if d.debits > maxInt64-p.Amount || c.credits > maxInt64-p.Amount {
				return nil, fmt.Errorf("replaying in seq order, transaction %s (seq %d) overflows a counter", tx.ID, tx.Seq)
			}
			d.debits += p.Amount
			state[p.DebitAccountID] = d
			c = state[p.CreditAccountID] // the same account when debit == credit (never committed)
			c.credits += p.Amount
			state[p.CreditAccountID] = c
		}
		for a, st := range state {
			if capped[a] && st.debits > st.credits {
				return nil, fmt.Errorf("replaying in seq order, transaction %s (seq %d) leaves capped account %s with debits %d > credits %d: the seq order is not a valid commit order",
					tx.ID, tx.Seq, a, st.debits, st.credits)
			}
		}
		h.prefix = append(h.prefix, cloneState(state))
	}
	return h, nil
}

const maxInt64 = int64(^uint64(0) >> 1)

func cloneState(m map[string]counters) map[string]counters {
	out := make(map[string]counters, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// upTo is the replay of the committed transactions with seq ≤ seq.
func (h *history) upTo(seq int64) map[string]counters {
	n := sort.Search(len(h.txs), func(i int) bool { return h.txs[i].Seq > seq })
	return h.prefix[n]
}

// final is the replay of every committed transaction.
func (h *history) final() map[string]counters { return h.prefix[len(h.prefix)-1] }

// lastSeq is the seq of the last committed transaction, 0 for none.
func (h *history) lastSeq() int64 {
	if len(h.txs) == 0 {
		return 0
	}
	return h.txs[len(h.txs)-1].Seq
}

// checkSnapshot compares one balance snapshot with the history: the accounts of the ledger in byte
// order, balances consistent, totals exact and equal, no capped account negative, as_of_seq the seq
// of a committed transaction (or 0), and the counters equal to the replay of exactly the committed
// transactions with seq ≤ as_of_seq.
func (h *history) checkSnapshot(b ledgerspec.Balances) error {
	if b.Ledger != h.ledger {
		return fmt.Errorf("ledger %q, want %q", b.Ledger, h.ledger)
	}
	ids := make([]string, len(b.Accounts))
	for i, a := range b.Accounts {
		ids[i] = a.ID
	}
	if !slices.Equal(ids, h.accounts) {
		return fmt.Errorf("accounts %v, want %v (every account of the ledger, in byte order)", ids, h.accounts)
	}
	if b.AsOfSeq < 0 {
		return fmt.Errorf("as_of_seq %d is negative", b.AsOfSeq)
	}
	if b.AsOfSeq != 0 {
		i := sort.Search(len(h.txs), func(i int) bool { return h.txs[i].Seq >= b.AsOfSeq })
		if i == len(h.txs) || h.txs[i].Seq != b.AsOfSeq {
			return fmt.Errorf("as_of_seq %d is not the seq of a transaction committed in ledger %s", b.AsOfSeq, h.ledger)
		}
	}
	want := h.upTo(b.AsOfSeq)
	sumD, sumC := new(big.Int), new(big.Int)
	for _, a := range b.Accounts {
		if a.Balance != a.CreditsPosted-a.DebitsPosted {
			return fmt.Errorf("account %s: balance %d is not credits_posted %d − debits_posted %d", a.ID, a.Balance, a.CreditsPosted, a.DebitsPosted)
		}
		if h.capped[a.ID] && a.Balance < 0 {
			return fmt.Errorf("account %s is flagged debits_must_not_exceed_credits and has balance %d", a.ID, a.Balance)
		}
		if w := want[a.ID]; a.DebitsPosted != w.debits || a.CreditsPosted != w.credits {
			return fmt.Errorf("as of seq %d account %s has debits %d, credits %d; the replay of the committed transactions with seq ≤ %d gives debits %d, credits %d",
				b.AsOfSeq, a.ID, a.DebitsPosted, a.CreditsPosted, b.AsOfSeq, w.debits, w.credits)
		}
		sumD.Add(sumD, big.NewInt(a.DebitsPosted))
		sumC.Add(sumC, big.NewInt(a.CreditsPosted))
	}
	return checkTotals(b, sumD, sumC)
}

// checkTotals checks that a snapshot's totals are the exact sums and equal each other.
func checkTotals(b ledgerspec.Balances, sumD, sumC *big.Int) error {
	td, ok1 := parseBig(b.TotalDebits)
	tc, ok2 := parseBig(b.TotalCredits)
	switch {
	case !ok1 || !ok2:
		return fmt.Errorf("totals %q, %q are not JSON integers", b.TotalDebits, b.TotalCredits)
	case td.Cmp(sumD) != 0:
		return fmt.Errorf("total_debits %s, want the exact sum %s", b.TotalDebits, sumD)
	case tc.Cmp(sumC) != 0:
		return fmt.Errorf("total_credits %s, want the exact sum %s", b.TotalCredits, sumC)
	case td.Cmp(tc) != 0:
		return fmt.Errorf("total_debits %s differs from total_credits %s", b.TotalDebits, b.TotalCredits)
	}
	return nil
}

// parseBig reads a JSON integer literal of any size.
func parseBig(n fmt.Stringer) (*big.Int, bool) {
	s := n.String()
	if s == "" || strings.ContainsAny(s, ".eE+") || strings.HasPrefix(s, "-0") || len(s) > 1 && s[0] == '0' {
		return nil, false
	}
	return new(big.Int).SetString(s, 10)
}

// checkReader checks what one reader saw, in the order it saw it: as_of_seq never goes backwards.
func checkReader(snaps []ledgerspec.Balances) error {
	for i := 1; i < len(snaps); i++ {
		if snaps[i].AsOfSeq < snaps[i-1].AsOfSeq {
			return fmt.Errorf("as_of_seq went backwards for one reader: %d, then %d", snaps[i-1].AsOfSeq, snaps[i].AsOfSeq)
		}
	}
	return nil
}

// checkFinal compares the accounts as read at the end with the replay of every committed transaction.
func (h *history) checkFinal(got map[string]counters) error {
	want := h.final()
	for _, id := range h.accounts {
		if got[id] != want[id] {
			return fmt.Errorf("account %s ends with debits %d, credits %d; the replay of every committed transaction gives debits %d, credits %d",
				id, got[id].debits, got[id].credits, want[id].debits, want[id].credits)
		}
	}
	return nil
}
