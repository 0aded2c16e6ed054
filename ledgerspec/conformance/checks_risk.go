package conformance

import (
	"fmt"
	"slices"

	"stacklab/ledgerspec"
)

// wantFlags checks a committed transaction's risk flags.
func wantFlags(tx ledgerspec.Transaction, want ...string) error {
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(tx.RiskFlags, want) {
		return fmt.Errorf("transaction %s %+v: want risk_flags %q; got %q", tx.ID, tx.Postings, want, tx.RiskFlags)
	}
	return nil
}

func checkRiskLargeAmount(e *env) error {
	L := e.ledger()
	la := e.s.largeAmount
	for _, tc := range []struct {
		amounts []int64
		flagged bool
	}{
		{[]int64{la}, true},
		{[]int64{la - 1}, false},
		{[]int64{5, la}, true},
		{[]int64{la, la - 1}, true},
		{[]int64{la - 1, la - 1}, false}, // the sum is large, no single posting is
	} {
		// Fresh accounts per transaction: velocity must not fire, whatever its limit.
		var p []ledgerspec.Posting
		for _, a := range tc.amounts {
			ids, err := e.freshAccounts(L, 2)
			if err != nil {
				return err
			}
			p = append(p, posting(ids[0], ids[1], a))
		}
		tx, _, err := e.commit(newTx(e.id("t"), p...))
		if err != nil {
			return err
		}
		want := []string{}
		if tc.flagged {
			want = []string{ledgerspec.RiskLargeAmount}
		}
		if err := wantFlags(tx, want...); err != nil {
			return fmt.Errorf("large amount %d: %w", la, err)
		}
	}
	return nil
}

func checkRiskVelocity(e *env) error {
	L := e.ledger()
	v, w, z, q := e.id("V"), e.id("W"), e.id("Z"), e.id("Q")
	if err := e.accounts(L, noFlags, v, w, z); err != nil {
		return err
	}
	if err := e.accounts(L, debitsCapped, q); err != nil {
		return err
	}
	limit := e.s.velocityLimit
	// Attempts that end in a 422 do not count toward velocity.
	for range 3 {
		if _, err := e.refuseTx(newTx(e.id("t"), posting(v, w, 1), posting(q, w, 1)), ledgerspec.CodeExceedsCredits, 1, v, w, q); err != nil {
			return err
		}
	}
	for i := range limit {
		nt := newTx(e.id("t"), posting(v, w, 1))
		if i == limit/2 {
			nt.Postings = append(nt.Postings, posting(v, z, 1)) // debits v twice: one transaction
		}
		tx, _, err := e.commit(nt)
		if err != nil {
			return err
		}
		if slices.Contains(tx.RiskFlags, ledgerspec.RiskVelocity) {
			return fmt.Errorf("transaction %d of %d debiting %s within the window is flagged %q; velocity fires only above the limit %d",
				i+1, limit, v, tx.RiskFlags, limit)
		}
		if i == 0 {
			// A replay is the same transaction: it does not count again.
			x, err := e.postTx(nt)
			if err != nil {
				return err
			}
			if err := x.wantStatus(200); err != nil {
				return err
			}
		}
		if i%10 == 0 { // credits do not count
			if _, err := e.transfer(z, v, 1); err != nil {
				return err
			}
		}
	}
	tx, _, err := e.commit(newTx(e.id("t"), posting(v, w, e.s.largeAmount)))
	if err != nil {
		return err
	}
	if err := wantFlags(tx, ledgerspec.RiskVelocity, ledgerspec.RiskLargeAmount); err != nil {
		return fmt.Errorf("debit %d of %s within the window (limit %d): %w", limit+1, v, limit, err)
	}
	tx, _, err = e.commit(newTx(e.id("t"), posting(v, w, 1)))
	if err != nil {
		return err
	}
	if err := wantFlags(tx, ledgerspec.RiskVelocity); err != nil {
		return fmt.Errorf("debit %d of %s within the window (limit %d): %w", limit+2, v, limit, err)
	}
	// A flagged transaction commits like any other.
	got, x, err := e.tx(tx.ID)
	if err != nil {
		return err
	}
	if !sameTx(got, tx) {
		return x.fail("the flagged transaction as committed: %+v", tx)
	}
	return nil
}

func checkRiskNeverBlocks(e *env) error {
	L := e.ledger()
	la := e.s.largeAmount
	s, c, d := e.id("S"), e.id("C"), e.id("D")
	if err := e.accounts(L, noFlags, s, d); err != nil {
		return err
	}
	if err := e.accounts(L, debitsCapped, c); err != nil {
		return err
	}
	if _, err := e.transfer(s, c, la); err != nil {
		return err
	}
	tx, err := e.transfer(c, d, la)
	if err != nil {
		return err
	}
	if err := wantFlags(tx, ledgerspec.RiskLargeAmount); err != nil {
		return err
	}
	if err := e.wantCounters(c, la, la); err != nil {
		return err
	}
	txs, err := e.listAll(d)
	if err != nil {
		return err
	}
	if len(txs) != 1 || !sameTx(txs[0], tx) {
		return fmt.Errorf("account %s lists %+v, want only the flagged transaction %+v", d, txs, tx)
	}
	return nil
}
