package conformance

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strings"

	"stacklab/ledgerspec"
)

// wantItems compares a page's items with the expected transactions.
func wantItems(x *exchange, got ledgerspec.TransactionPage, want []ledgerspec.Transaction, hasMore bool) error {
	ids := func(txs []ledgerspec.Transaction) []string {
		out := make([]string, len(txs))
		for i, t := range txs {
			out[i] = fmt.Sprintf("%s@%d", t.ID, t.Seq)
		}
		return out
	}
	if len(got.Items) != len(want) {
		return x.fail("%d items %v", len(want), ids(want))
	}
	for i := range want {
		if !sameTx(got.Items[i], want[i]) {
			return x.fail("item %d equal to the transaction as committed: %+v", i, want[i])
		}
	}
	if got.HasMore != hasMore {
		return x.fail("has_more %v", hasMore)
	}
	return nil
}

func checkListPaging(e *env) error {
	L := e.ledger()
	ids, err := e.freshAccounts(L, 2)
	if err != nil {
		return err
	}
	p, q := ids[0], ids[1]
	var created []ledgerspec.Transaction
	for i := range 25 {
		d, c := p, q
		if i%2 == 1 {
			d, c = q, p
		}
		tx, err := e.transfer(d, c, int64(i+1))
		if err != nil {
			return err
		}
		created = append(created, tx)
	}
	after := func(seq int64) []ledgerspec.Transaction {
		var out []ledgerspec.Transaction
		for _, t := range created {
			if t.Seq > seq {
				out = append(out, t)
			}
		}
		return out
	}
	base := ledgerspec.AccountPath(p) + "/transactions"
	for _, tc := range []struct {
		query   string
		want    []ledgerspec.Transaction
		hasMore bool
	}{
		{"", created[:20], true},
		{"?after=0", created[:20], true},
		{fmt.Sprintf("?after=%d", created[19].Seq), created[20:], false},
		{fmt.Sprintf("?after=%d", created[24].Seq), nil, false},
		{"?limit=1", created[:1], true},
		{"?limit=100", created, false},
		{"?limit=25", created, false},
		{"?limit=24", created[:24], true},
		{fmt.Sprintf("?after=%d&limit=3", created[4].Seq), created[5:8], true},
		{fmt.Sprintf("?limit=3&after=%d", created[4].Seq+1), after(created[4].Seq + 1)[:3], true},
		{fmt.Sprintf("?limit=100&after=%d", created[21].Seq), created[22:], false},
		// The largest cursor: seqs are int64, so is after.
		{fmt.Sprintf("?after=%d", int64(math.MaxInt64)), nil, false},
	} {
		pg, x, err := e.page(base + tc.query)
		if err != nil {
			return err
		}
		if err := wantItems(x, pg, tc.want, tc.hasMore); err != nil {
			return err
		}
	}
	return nil
}

func checkListBadParams(e *env) error {
	L := e.ledger()
	ids, err := e.freshAccounts(L, 2)
	if err != nil {
		return err
	}
	if _, err := e.transfer(ids[0], ids[1], 1); err != nil {
		return err
	}
	base := ledgerspec.AccountPath(ids[0]) + "/transactions"
	for _, q := range []string{"?limit=0", "?limit=101", "?limit=x", "?limit=-1", "?limit=1.5", "?limit=1e1",
		"?after=-1", "?after=x", "?after=1.5", "?after=99999999999999999999", "?limit=5&after=-5", "?limit=1000&after=0"} {
		x, err := e.get(base+q, nil)
		if err != nil {
			return err
		}
		if err := x.wantProblem(http.StatusBadRequest, ledgerspec.CodeMalformedRequest, noIndex); err != nil {
			return err
		}
	}
	return nil
}

func checkListNotFound(e *env) error {
	x, err := e.get(ledgerspec.AccountTransactionsPath(e.id("missing"), 0, -1), nil)
	if err != nil {
		return err
	}
	return x.wantProblem(http.StatusNotFound, ledgerspec.CodeNotFound, noIndex)
}

func checkListSameAccountTwice(e *env) error {
	L := e.ledger()
	ids, err := e.freshAccounts(L, 3)
	if err != nil {
		return err
	}
	a, b, c := ids[0], ids[1], ids[2]
	t1, _, err := e.commit(newTx(e.id("t"), posting(a, b, 5), posting(b, c, 3)))
	if err != nil {
		return err
	}
	t2, _, err := e.commit(newTx(e.id("t"), posting(a, b, 1), posting(a, b, 2)))
	if err != nil {
		return err
	}
	for _, w := range []struct {
		id   string
		want []ledgerspec.Transaction
	}{{a, []ledgerspec.Transaction{t1, t2}}, {b, []ledgerspec.Transaction{t1, t2}}, {c, []ledgerspec.Transaction{t1}}} {
		pg, x, err := e.page(ledgerspec.AccountTransactionsPath(w.id, 0, -1))
		if err != nil {
			return err
		}
		if err := wantItems(x, pg, w.want, false); err != nil {
			return err
		}
	}
	return nil
}

// balances gets a snapshot and expects a 200 with accounts as an array.
func (e *env) balances(ledger string) (ledgerspec.Balances, *exchange, error) {
	x, err := e.get(ledgerspec.BalancesPath(ledger), nil)
	if err != nil {
		return ledgerspec.Balances{}, x, err
	}
	var b ledgerspec.Balances
	if err := x.wantJSON(http.StatusOK, &b); err != nil {
		return b, x, err
	}
	keys, _ := jsonKeys(x.Body)
	if !bytes.HasPrefix(bytes.TrimSpace(keys["accounts"]), []byte("[")) {
		return b, x, x.fail("accounts as an array (never null)")
	}
	return b, x, nil
}

func checkBalancesSorted(e *env) error {
	L := e.ledger()
	var ids []string
	for _, prefix := range []string{"a-", "B-", "_-", "0-", "z", "-", "Z", "9", "A"} {
		ids = append(ids, e.id(prefix))
	}
	if err := e.accounts(L, noFlags, ids...); err != nil {
		return err
	}
	var txs []ledgerspec.Transaction
	for i := range ids {
		tx, _, err := e.commit(newTx(e.id("t"), posting(ids[i], ids[(i+1)%len(ids)], int64(100*(i+1))), posting(ids[(i+3)%len(ids)], ids[i], int64(i+1))))
		if err != nil {
			return err
		}
		txs = append(txs, tx)
		if i%3 != 2 {
			continue
		}
		h, err := newHistory(L, ids, nil, txs)
		if err != nil {
			return err
		}
		b, x, err := e.balances(L)
		if err != nil {
			return err
		}
		if err := h.checkSnapshot(b); err != nil {
			return x.fail("a snapshot of every transaction so far: %v", err)
		}
		if b.AsOfSeq != tx.Seq {
			return x.fail("as_of_seq %d, the seq of the ledger's last transaction", tx.Seq)
		}
	}
	return nil
}

func checkBalancesEmpty(e *env) error {
	L := e.ledger()
	b, x, err := e.balances(L)
	if err != nil {
		return err
	}
	if b.Ledger != L || len(b.Accounts) != 0 || b.AsOfSeq != 0 || b.TotalDebits.String() != "0" || b.TotalCredits.String() != "0" {
		return x.fail(`{"ledger":%q,"as_of_seq":0,"accounts":[],"total_debits":0,"total_credits":0} for a ledger without accounts`, L)
	}
	ids, err := e.freshAccounts(L, 2)
	if err != nil {
		return err
	}
	h, err := newHistory(L, ids, nil, nil)
	if err != nil {
		return err
	}
	b, x, err = e.balances(L)
	if err != nil {
		return err
	}
	if err := h.checkSnapshot(b); err != nil {
		return x.fail("two accounts without transactions, as_of_seq 0: %v", err)
	}
	return nil
}

func checkBalancesBadLedger(e *env) error {
	for _, path := range []string{
		ledgerspec.PathBalances,
		ledgerspec.PathBalances + "?ledger=",
		ledgerspec.PathBalances + "?other=USD",
		ledgerspec.BalancesPath("usd"),
		ledgerspec.BalancesPath(strings.Repeat("A", ledgerspec.MaxLedgerLen+1)),
		ledgerspec.BalancesPath("US-D"),
		ledgerspec.BalancesPath("US D"),
	} {
		x, err := e.get(path, nil)
		if err != nil {
			return err
		}
		if err := x.wantProblem(http.StatusBadRequest, ledgerspec.CodeMalformedRequest, noIndex); err != nil {
			return err
		}
	}
	return nil
}
