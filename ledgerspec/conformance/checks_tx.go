package conformance

import (
	"bytes"
	"fmt"
	"net/http"

	"stacklab/ledgerspec"
)

func checkTxCreate(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	c := e.id("")
	if err := e.accounts(f.L, noFlags, c); err != nil {
		return err
	}
	nt := newTx(e.id("t"), posting(f.A, f.B, 1250), posting(f.B, c, 250))
	nt.Description = "rent"
	tx, x, err := e.commit(nt)
	if err != nil {
		return err
	}
	want := []string{}
	if 1250 >= e.s.largeAmount { // only with a tiny LEDGER_LARGE_AMOUNT
		want = []string{ledgerspec.RiskLargeAmount}
	}
	if err := wantFlags(tx, want...); err != nil {
		return x.fail("%v", err)
	}
	for _, w := range []struct {
		id              string
		debits, credits int64
	}{{f.A, 1250, 0}, {f.B, 250, 1250}, {c, 0, 250}} {
		if err := e.wantCounters(w.id, w.debits, w.credits); err != nil {
			return fmt.Errorf("after %s: %w", x.sent(), err)
		}
	}
	// A later transaction of the same ledger has a larger seq; the description defaults to "".
	tx2, _, err := e.commit(newTx(e.id("t"), posting(c, f.A, 1)))
	if err != nil {
		return err
	}
	if tx2.Seq <= tx.Seq {
		return fmt.Errorf("transaction %s committed after %s has seq %d, not larger than %d", tx2.ID, tx.ID, tx2.Seq, tx.Seq)
	}
	return nil
}

func checkTxGet(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	nt := newTx(e.id("t"), posting(f.A, f.B, 7))
	nt.Description = "get me"
	created, _, err := e.commit(nt)
	if err != nil {
		return err
	}
	got, x, err := e.tx(nt.ID)
	if err != nil {
		return err
	}
	if !sameTx(got, created) {
		return x.fail("the transaction as the 201 gave it: %+v", created)
	}
	return e.wantNoTx(e.id("missing"))
}

func checkTxReplay(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	id := e.id("t")
	nt := newTx(id, posting(f.A, f.B, 40), posting(f.B, f.A, 15))
	_, first, err := e.commit(nt)
	if err != nil {
		return err
	}
	// The same payload, spelled differently: another key order, whitespace, the default description.
	respelled := fmt.Sprintf(`{ "postings" : [ {"amount":40, "credit_account_id":%s, "debit_account_id":%s}, {"debit_account_id":%s,"credit_account_id":%s,"amount":15} ],
	  "description": "", "id": %s }`, js(f.B), js(f.A), js(f.B), js(f.A), js(id))
	omitted := fmt.Sprintf(`{"id":%s,"postings":[{"debit_account_id":%s,"credit_account_id":%s,"amount":40},{"debit_account_id":%s,"credit_account_id":%s,"amount":15}]}`,
		js(id), js(f.A), js(f.B), js(f.B), js(f.A))
	for _, r := range []request{txReq(nt), txReq(nt), jsonReq(ledgerspec.PathTransactions, respelled), jsonReq(ledgerspec.PathTransactions, omitted)} {
		x, err := e.send(r)
		if err != nil {
			return err
		}
		if err := x.wantStatus(http.StatusOK); err != nil {
			return err
		}
		if !bytes.Equal(x.Body, first.Body) {
			return x.fail("a body byte-identical to the 201's: %s", excerpt(first.Body, 300))
		}
		if err := x.wantReplayed(true); err != nil {
			return err
		}
	}
	// Applied once.
	if err := e.wantCounters(f.A, 40, 15); err != nil {
		return err
	}
	txs, err := e.listAll(f.A)
	if err != nil {
		return err
	}
	if len(txs) != 1 || txs[0].ID != id {
		return fmt.Errorf("after four replays, account %s lists %d transactions, want only %s once", f.A, len(txs), id)
	}
	return nil
}

func checkTxConflicts(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	c := e.id("")
	if err := e.accounts(f.L, noFlags, c); err != nil {
		return err
	}
	id := e.id("t")
	orig := newTx(id, posting(f.A, f.B, 10), posting(f.B, c, 5))
	orig.Description = "d"
	created, _, err := e.commit(orig)
	if err != nil {
		return err
	}
	variant := func(desc string, ps ...ledgerspec.Posting) ledgerspec.NewTransaction {
		return ledgerspec.NewTransaction{ID: id, Postings: ps, Description: desc}
	}
	for _, tc := range []struct {
		nt   ledgerspec.NewTransaction
		code ledgerspec.Code
	}{
		{variant("d", posting(f.A, f.B, 11), posting(f.B, c, 5)), ledgerspec.CodeExistsWithDifferentPostings},
		{variant("d", posting(f.B, c, 5), posting(f.A, f.B, 10)), ledgerspec.CodeExistsWithDifferentPostings},
		{variant("d", posting(f.A, f.B, 10)), ledgerspec.CodeExistsWithDifferentPostings},
		{variant("d", posting(f.A, f.B, 10), posting(f.B, c, 5), posting(f.B, c, 5)), ledgerspec.CodeExistsWithDifferentPostings},
		{variant("d", posting(f.B, f.A, 10), posting(f.B, c, 5)), ledgerspec.CodeExistsWithDifferentPostings},
		{variant("D", posting(f.A, f.B, 10), posting(f.B, c, 5)), ledgerspec.CodeExistsWithDifferentDescription},
		{variant("", posting(f.A, f.B, 10), posting(f.B, c, 5)), ledgerspec.CodeExistsWithDifferentDescription},
		// postings are compared before the description
		{variant("other", posting(f.A, f.B, 9), posting(f.B, c, 5)), ledgerspec.CodeExistsWithDifferentPostings},
		// rule 1 comes before rule 2
		{variant("d", posting(f.A, f.A, 10), posting(f.B, c, 0)), ledgerspec.CodeExistsWithDifferentPostings},
		{variant("x", posting(f.A, e.id("missing"), 10)), ledgerspec.CodeExistsWithDifferentPostings},
	} {
		if _, err := e.refuse(refusal{req: txReq(tc.nt), status: http.StatusUnprocessableEntity, code: tc.code, index: noIndex,
			accounts: []string{f.A, f.B, c}}); err != nil {
			return err
		}
	}
	got, x, err := e.tx(id)
	if err != nil {
		return err
	}
	if !sameTx(got, created) {
		return x.fail("the transaction as first committed: %+v", created)
	}
	return nil
}

func checkTxFailedStaysFailed(e *env) error {
	L := e.ledger()
	capped, dst, src := e.id(""), e.id(""), e.id("")
	if err := e.accounts(L, debitsCapped, capped); err != nil {
		return err
	}
	if err := e.accounts(L, noFlags, dst, src); err != nil {
		return err
	}
	nt := newTx(e.id("t"), posting(capped, dst, 100))
	first, err := e.refuseTx(nt, ledgerspec.CodeExceedsCredits, 0, capped, dst)
	if err != nil {
		return err
	}
	if err := first.wantReplayed(false); err != nil {
		return err
	}
	if _, err := e.transfer(src, capped, 1000); err != nil {
		return err
	}
	// The retry would now succeed, but the outcome was decided: the same 422, replayed.
	x, err := e.refuseTx(nt, ledgerspec.CodeExceedsCredits, 0, capped, dst)
	if err != nil {
		return err
	}
	if !bytes.Equal(x.Body, first.Body) {
		return x.fail("the first 422's body byte for byte: %s", excerpt(first.Body, 300))
	}
	if err := x.wantReplayed(true); err != nil {
		return err
	}
	// The failed id keeps its payload: another payload is a conflict.
	other := newTx(nt.ID, posting(capped, dst, 50))
	if _, err := e.refuseTx(other, ledgerspec.CodeExistsWithDifferentPostings, noIndex, capped, dst); err != nil {
		return err
	}
	return e.wantCounters(capped, 0, 1000)
}
