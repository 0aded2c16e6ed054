package conformance

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"stacklab/ledgerspec"
)

// htmx headers for a fragment request; target "" sends no HX-Target.
func hx(target string) http.Header {
	h := http.Header{ledgerspec.HeaderHXRequest: {ledgerspec.HTMLHXRequestTrue}}
	if target != "" {
		h.Set(ledgerspec.HeaderHXTarget, target)
	}
	return h
}

// pageRow is one transaction row of a page.
type pageRow struct {
	id   string
	seq  int64
	node *html.Node
}

// txRows lists the transaction rows under root, in document order.
func txRows(root *html.Node) ([]pageRow, error) {
	var out []pageRow
	for _, n := range findAll(root, withAttr(ledgerspec.HTMLAttrTxID)) {
		id, _ := attr(n, ledgerspec.HTMLAttrTxID)
		s, _ := attr(n, ledgerspec.HTMLAttrSeq)
		seq, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("the row of transaction %s has %s=%q, not a seq", id, ledgerspec.HTMLAttrSeq, s)
		}
		out = append(out, pageRow{id: id, seq: seq, node: n})
	}
	return out, nil
}

// checkTxRow compares a transaction row with the transaction: description and every posting.
func checkTxRow(r pageRow, tx ledgerspec.Transaction) error {
	where := fmt.Sprintf("the row of transaction %s", tx.ID)
	if r.seq != tx.Seq {
		return fmt.Errorf("%s has %s=%d, want %d", where, ledgerspec.HTMLAttrSeq, r.seq, tx.Seq)
	}
	d, err := fieldText(r.node, ledgerspec.FieldDescription, where)
	if err != nil {
		return err
	}
	if d != tx.Description {
		return fmt.Errorf("%s shows the description %q, want exactly %q", where, d, tx.Description)
	}
	for i, p := range tx.Postings {
		li := findFirst(r.node, hasAttr(ledgerspec.HTMLAttrPosting, strconv.Itoa(i)))
		if li == nil {
			return fmt.Errorf("%s has no element with %s=%q", where, ledgerspec.HTMLAttrPosting, strconv.Itoa(i))
		}
		if err := wantFields(li, fmt.Sprintf("posting %d of %s", i, where),
			fieldWant{ledgerspec.FieldDebitAccount, p.DebitAccountID},
			fieldWant{ledgerspec.FieldCreditAccount, p.CreditAccountID},
			fieldWant{ledgerspec.FieldAmount, ledgerspec.FormatAmount(p.Amount)}); err != nil {
			return err
		}
	}
	return nil
}

// wantRows checks that root lists exactly the transactions want, in that order, each row complete.
func wantRows(root *html.Node, want []ledgerspec.Transaction, where string) error {
	rows, err := txRows(root)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = fmt.Sprintf("%s@%d", r.id, r.seq)
	}
	exp := make([]string, len(want))
	for i, t := range want {
		exp[i] = fmt.Sprintf("%s@%d", t.ID, t.Seq)
	}
	if !slices.Equal(got, exp) {
		return fmt.Errorf("%s lists the transactions %v; want %v (newest first)", where, got, exp)
	}
	for i, r := range rows {
		if err := checkTxRow(r, want[i]); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

// checkAccountRow compares an account row with the account.
func checkAccountRow(row *html.Node, a ledgerspec.Account) error {
	return wantFields(row, fmt.Sprintf("the row of account %s", a.ID),
		fieldWant{ledgerspec.FieldName, a.Name},
		fieldWant{ledgerspec.FieldLedger, a.Ledger},
		fieldWant{ledgerspec.FieldDebitsPosted, ledgerspec.FormatAmount(a.DebitsPosted)},
		fieldWant{ledgerspec.FieldCreditsPosted, ledgerspec.FormatAmount(a.CreditsPosted)},
		fieldWant{ledgerspec.FieldBalance, ledgerspec.FormatAmount(a.Balance)})
}

// wantAccountRows checks that root lists exactly the accounts, in that order, each row complete.
func wantAccountRows(root *html.Node, want []ledgerspec.Account, where string) error {
	rows := findAll(root, withAttr(ledgerspec.HTMLAttrAccountID))
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i], _ = attr(r, ledgerspec.HTMLAttrAccountID)
	}
	exp := make([]string, len(want))
	for i, a := range want {
		exp[i] = a.ID
	}
	if !slices.Equal(got, exp) {
		return fmt.Errorf("%s lists the accounts %v; want %v (by id)", where, got, exp)
	}
	for i, r := range rows {
		if err := checkAccountRow(r, want[i]); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

// loadMore returns the seq of the load-more row under root, whether there is one, and checks that
// it asks for the rows after that seq.
func loadMore(root *html.Node, accountID string) (int64, bool, error) {
	rows := findAll(root, withAttr(ledgerspec.HTMLAttrNextAfter))
	switch len(rows) {
	case 0:
		return 0, false, nil
	case 1:
	default:
		return 0, false, fmt.Errorf("%d load-more rows (%s), want at most one", len(rows), ledgerspec.HTMLAttrNextAfter)
	}
	v, _ := attr(rows[0], ledgerspec.HTMLAttrNextAfter)
	seq, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("the load-more row has %s=%q, not a seq", ledgerspec.HTMLAttrNextAfter, v)
	}
	get, _ := attr(rows[0], "hx-get")
	if want := ledgerspec.AccountRowsPath(accountID, seq); get != want {
		return 0, false, fmt.Errorf("the load-more row has hx-get=%q, want %q", get, want)
	}
	return seq, true, nil
}

// pageFixture is a ledger with accounts and transactions to render.
type pageFixture struct {
	L        string
	accounts []ledgerspec.Account // by id
	txs      []ledgerspec.Transaction
}

// newest returns the newest n transactions of txs that touch account ("" for any), newest first.
func newest(txs []ledgerspec.Transaction, account string, n int) []ledgerspec.Transaction {
	var out []ledgerspec.Transaction
	for i := len(txs) - 1; i >= 0 && len(out) < n; i-- {
		t := txs[i]
		if account == "" || slices.ContainsFunc(t.Postings, func(p ledgerspec.Posting) bool {
			return p.DebitAccountID == account || p.CreditAccountID == account
		}) {
			out = append(out, t)
		}
	}
	return out
}

// ledgerPage gets a ledger's full page and parses it.
func (e *env) ledgerPage(ledger string) (*exchange, *html.Node, error) {
	x, err := e.get(ledgerspec.LedgerPagePath(ledger), nil)
	if err != nil {
		return nil, nil, err
	}
	doc, err := x.fullPage()
	if err != nil {
		return nil, nil, err
	}
	return x, doc, nil
}

// reload reads the fixture's accounts again (their counters), sorted by id.
func (e *env) reload(f *pageFixture) error {
	for i, a := range f.accounts {
		got, err := e.account(a.ID)
		if err != nil {
			return err
		}
		f.accounts[i] = got
	}
	slices.SortFunc(f.accounts, func(a, b ledgerspec.Account) int { return strings.Compare(a.ID, b.ID) })
	return nil
}

// ledgerFixture makes a ledger with named accounts (one capped) and n transactions.
func (e *env) ledgerFixture(n int) (*pageFixture, error) {
	f := &pageFixture{L: e.ledger()}
	for i, name := range []string{"Alice", "Bob <b>", "Carol & Co", "Source"} {
		na := ledgerspec.NewAccount{ID: e.id(""), Ledger: f.L, Name: name}
		if i == 1 {
			na.Flags = debitsCapped
		}
		a, err := e.createAccount(na)
		if err != nil {
			return nil, err
		}
		f.accounts = append(f.accounts, a)
	}
	a, b, c, s := f.accounts[0].ID, f.accounts[1].ID, f.accounts[2].ID, f.accounts[3].ID
	for i := range n {
		nt := newTx(e.id("t"), posting(s, b, int64(1000+i)))
		switch i % 3 {
		case 1:
			nt.Postings = []ledgerspec.Posting{posting(a, c, int64(i*101)), posting(c, s, 5)}
		case 2:
			nt.Postings = []ledgerspec.Posting{posting(b, a, int64(i+1))}
		}
		nt.Description = fmt.Sprintf("payment %d", i)
		tx, _, err := e.commit(nt)
		if err != nil {
			return nil, err
		}
		f.txs = append(f.txs, tx)
	}
	return f, e.reload(f)
}

func checkHTMLLedgerPage(e *env) error {
	f, err := e.ledgerFixture(ledgerspec.HTMLPageRows + 3)
	if err != nil {
		return err
	}
	x, doc, err := e.ledgerPage(f.L)
	if err != nil {
		return err
	}
	acc := byID(doc, ledgerspec.HTMLIDAccounts)
	if acc == nil {
		return x.fail("an element with id %q", ledgerspec.HTMLIDAccounts)
	}
	if err := wantAccountRows(acc, f.accounts, "#accounts"); err != nil {
		return x.fail("%v", err)
	}
	b, _, err := e.balances(f.L)
	if err != nil {
		return err
	}
	if err := wantFields(acc, "#accounts",
		fieldWant{ledgerspec.FieldTotalDebits, ledgerspec.FormatAmountDigits(b.TotalDebits.String())},
		fieldWant{ledgerspec.FieldTotalCredits, ledgerspec.FormatAmountDigits(b.TotalCredits.String())}); err != nil {
		return x.fail("the ledger's totals: %v", err)
	}
	txs := byID(doc, ledgerspec.HTMLIDTransactions)
	if txs == nil {
		return x.fail("an element with id %q", ledgerspec.HTMLIDTransactions)
	}
	if err := wantRows(txs, newest(f.txs, "", ledgerspec.HTMLPageRows), "#transactions"); err != nil {
		return x.fail("%v", err)
	}
	form := byID(doc, ledgerspec.HTMLIDTransferForm)
	if form == nil || form.Data != "form" {
		return x.fail("a <form id=%q>", ledgerspec.HTMLIDTransferForm)
	}
	post, _ := attr(form, "hx-post")
	action, _ := attr(form, "action")
	if post != ledgerspec.PathUITransactions && action != ledgerspec.PathUITransactions {
		return x.fail("the transfer form posting to %s (hx-post or action)", ledgerspec.PathUITransactions)
	}
	for _, name := range []string{ledgerspec.FormID, ledgerspec.FormDebitAccountID, ledgerspec.FormCreditAccountID, ledgerspec.FormAmount, ledgerspec.FormDescription} {
		if findFirst(form, func(n *html.Node) bool {
			v, ok := attr(n, "name")
			return ok && v == name && (n.Data == "input" || n.Data == "select" || n.Data == "textarea")
		}) == nil {
			return x.fail("the transfer form with a field named %q", name)
		}
	}
	if byID(doc, ledgerspec.HTMLIDFormErrors) == nil {
		return x.fail("an element with id %q", ledgerspec.HTMLIDFormErrors)
	}
	return nil
}

func checkHTMLStatic(e *env) error {
	x, err := e.get(ledgerspec.PathHTMX, nil)
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(x.Header.Get("Content-Type"))
	switch {
	case x.Status != http.StatusOK:
		return x.fail("200")
	case mt != "text/javascript" && mt != "application/javascript" && mt != "application/x-javascript":
		return x.fail("a JavaScript content type")
	case len(strings.TrimSpace(string(x.Body))) == 0:
		return x.fail("a non-empty htmx.min.js")
	}
	return nil
}

func checkHTMLFragments(e *env) error {
	f, err := e.ledgerFixture(ledgerspec.HTMLPageRows + 2)
	if err != nil {
		return err
	}
	path := ledgerspec.LedgerPagePath(f.L)
	rows := newest(f.txs, "", ledgerspec.HTMLPageRows)
	x, err := e.get(path, hx(ledgerspec.HTMLIDAccounts))
	if err != nil {
		return err
	}
	root, err := x.fragment(http.StatusOK, "table")
	if err != nil {
		return err
	}
	if err := wantAccountRows(root, f.accounts, "the accounts fragment"); err != nil {
		return x.fail("%v", err)
	}
	if x, err = e.get(path, hx(ledgerspec.HTMLIDTransactions)); err != nil {
		return err
	}
	if root, err = x.fragment(http.StatusOK, "tbody"); err != nil {
		return err
	}
	if err := wantRows(root, rows, "the transactions fragment"); err != nil {
		return x.fail("%v", err)
	}
	for _, target := range []string{"", "main", "something-else"} {
		x, err := e.get(path, hx(target))
		if err != nil {
			return err
		}
		root, err := x.fragment(http.StatusOK, "main")
		if err != nil {
			return err
		}
		acc, txs := byID(root, ledgerspec.HTMLIDAccounts), byID(root, ledgerspec.HTMLIDTransactions)
		if acc == nil || txs == nil || byID(root, ledgerspec.HTMLIDTransferForm) == nil {
			return x.fail("the inner HTML of <main>: #accounts, #transactions and #transfer-form")
		}
		if err := wantAccountRows(acc, f.accounts, "#accounts"); err != nil {
			return x.fail("%v", err)
		}
		if err := wantRows(txs, rows, "#transactions"); err != nil {
			return x.fail("%v", err)
		}
	}
	return nil
}

// accountFixture: X and Y share 40 transactions, Y and Z 5 more; so X has exactly two pages of
// rows, Y two and a half, Z less than one.
type accountFixture struct {
	L       string
	X, Y, Z string
	txs     []ledgerspec.Transaction
}

func (e *env) accountFixture() (accountFixture, error) {
	f := accountFixture{L: e.ledger(), X: e.id("X"), Y: e.id("Y"), Z: e.id("Z")}
	if err := e.accounts(f.L, noFlags, f.X, f.Y, f.Z); err != nil {
		return f, err
	}
	for i := range 2*ledgerspec.HTMLPageRows + 5 {
		d, c := f.X, f.Y
		switch {
		case i >= 2*ledgerspec.HTMLPageRows:
			d, c = f.Z, f.Y
		case i%2 == 1:
			d, c = f.Y, f.X
		}
		nt := newTx(e.id("t"), posting(d, c, int64(i+1)))
		nt.Description = fmt.Sprintf("row %d", i)
		tx, _, err := e.commit(nt)
		if err != nil {
			return f, err
		}
		f.txs = append(f.txs, tx)
	}
	return f, nil
}

func checkHTMLAccountPage(e *env) error {
	f, err := e.accountFixture()
	if err != nil {
		return err
	}
	for _, id := range []string{f.X, f.Z} {
		acc, err := e.account(id)
		if err != nil {
			return err
		}
		want := newest(f.txs, id, ledgerspec.HTMLPageRows)
		older := len(newest(f.txs, id, 1000)) > len(want)
		path := ledgerspec.AccountPagePath(id)
		x, err := e.get(path, nil)
		if err != nil {
			return err
		}
		doc, err := x.fullPage()
		if err != nil {
			return err
		}
		if err := checkAccountPage(x, doc, acc, want, older); err != nil {
			return err
		}
		// The same page as a fragment: the inner HTML of <main>.
		if x, err = e.get(path, hx("")); err != nil {
			return err
		}
		root, err := x.fragment(http.StatusOK, "main")
		if err != nil {
			return err
		}
		if err := checkAccountPage(x, root, acc, want, older); err != nil {
			return err
		}
		// Only the rows.
		if x, err = e.get(path, hx(ledgerspec.HTMLIDTransactions)); err != nil {
			return err
		}
		if root, err = x.fragment(http.StatusOK, "tbody"); err != nil {
			return err
		}
		if err := wantRows(root, want, "the transactions fragment"); err != nil {
			return x.fail("%v", err)
		}
		if _, more, err := loadMore(root, id); err != nil || more != older {
			return x.fail("a load-more row exactly when older rows exist (older rows: %v) %v", older, err)
		}
	}
	return nil
}

// checkAccountPage checks an account page (full or the inner HTML of <main>).
func checkAccountPage(x *exchange, root *html.Node, acc ledgerspec.Account, want []ledgerspec.Transaction, older bool) error {
	accounts := byID(root, ledgerspec.HTMLIDAccounts)
	if accounts == nil {
		return x.fail("an element with id %q", ledgerspec.HTMLIDAccounts)
	}
	if err := wantAccountRows(accounts, []ledgerspec.Account{acc}, "#accounts"); err != nil {
		return x.fail("%v", err)
	}
	txs := byID(root, ledgerspec.HTMLIDTransactions)
	if txs == nil {
		return x.fail("an element with id %q", ledgerspec.HTMLIDTransactions)
	}
	if err := wantRows(txs, want, "#transactions"); err != nil {
		return x.fail("%v", err)
	}
	seq, more, err := loadMore(txs, acc.ID)
	if err != nil {
		return x.fail("%v", err)
	}
	if more != older {
		return x.fail("a load-more row exactly when older rows exist (older rows: %v)", older)
	}
	if more && seq != want[len(want)-1].Seq {
		return x.fail("a load-more row with %s=%d, the seq of the oldest row shown", ledgerspec.HTMLAttrNextAfter, want[len(want)-1].Seq)
	}
	return nil
}

func checkHTMLAccountRows(e *env) error {
	f, err := e.accountFixture()
	if err != nil {
		return err
	}
	for _, id := range []string{f.X, f.Y} {
		all := newest(f.txs, id, 1000)
		x, err := e.get(ledgerspec.AccountPagePath(id), nil)
		if err != nil {
			return err
		}
		doc, err := x.fullPage()
		if err != nil {
			return err
		}
		rows, err := txRows(doc)
		if err != nil {
			return x.fail("%v", err)
		}
		var seen []string
		for _, r := range rows {
			seen = append(seen, r.id)
		}
		after, more, err := loadMore(doc, id)
		if err != nil {
			return x.fail("%v", err)
		}
		for range 20 {
			if !more {
				break
			}
			if x, err = e.get(ledgerspec.AccountRowsPath(id, after), hx("")); err != nil {
				return err
			}
			root, err := x.fragment(http.StatusOK, "tbody")
			if err != nil {
				return err
			}
			rows, err := txRows(root)
			if err != nil {
				return x.fail("%v", err)
			}
			var want []ledgerspec.Transaction
			for _, t := range all {
				if t.Seq < after && len(want) < ledgerspec.HTMLPageRows {
					want = append(want, t)
				}
			}
			if err := wantRows(root, want, "the rows fragment"); err != nil {
				return x.fail("%v", err)
			}
			for _, r := range rows {
				seen = append(seen, r.id)
			}
			next, m, err := loadMore(root, id)
			if err != nil {
				return x.fail("%v", err)
			}
			if m && next != want[len(want)-1].Seq {
				return x.fail("the next load-more row at the oldest row shown, seq %d", want[len(want)-1].Seq)
			}
			after, more = next, m
		}
		var ids []string
		for _, t := range all {
			ids = append(ids, t.ID)
		}
		if !slices.Equal(seen, ids) {
			return fmt.Errorf("following the load-more rows of account %s showed %d rows %v; want each of its %d transactions once, newest first: %v",
				id, len(seen), seen, len(ids), ids)
		}
	}
	return nil
}

func checkHTMLAccountNotFound(e *env) error {
	for _, h := range []http.Header{nil, hx("")} {
		x, err := e.get(ledgerspec.AccountPagePath(e.id("missing")), h)
		if err != nil {
			return err
		}
		if err := x.wantHTML(http.StatusNotFound); err != nil {
			return err
		}
		doc, err := parseDoc(x.Body)
		if err != nil {
			return x.fail("HTML (%v)", err)
		}
		if findFirst(doc, hasAttr(ledgerspec.HTMLAttrCode, string(ledgerspec.CodeNotFound))) == nil {
			return x.fail("an element with %s=%q", ledgerspec.HTMLAttrCode, ledgerspec.CodeNotFound)
		}
	}
	return nil
}

func checkHTMLAmounts(e *env) error {
	L := e.ledger()
	ids, err := e.freshAccounts(L, 6)
	if err != nil {
		return err
	}
	var txs []ledgerspec.Transaction
	for i, amount := range []int64{5, 12345, 100} {
		tx, err := e.transfer(ids[2*i], ids[2*i+1], amount)
		if err != nil {
			return err
		}
		txs = append(txs, tx)
	}
	f := &pageFixture{L: L, txs: txs}
	for _, id := range ids {
		f.accounts = append(f.accounts, ledgerspec.Account{ID: id})
	}
	if err := e.reload(f); err != nil {
		return err
	}
	x, doc, err := e.ledgerPage(L)
	if err != nil {
		return err
	}
	// The rows show -0.05, 0.05, 123.45, -123.45, 1.00, -1.00 and 0.00.
	if err := wantAccountRows(byIDOrRoot(doc, ledgerspec.HTMLIDAccounts), f.accounts, "#accounts"); err != nil {
		return x.fail("%v", err)
	}
	if err := wantRows(byIDOrRoot(doc, ledgerspec.HTMLIDTransactions), newest(txs, "", 3), "#transactions"); err != nil {
		return x.fail("%v", err)
	}
	// The account page of the account at -0.05.
	if x, err = e.get(ledgerspec.AccountPagePath(ids[0]), nil); err != nil {
		return err
	}
	if doc, err = x.fullPage(); err != nil {
		return err
	}
	bal, err := fieldText(byIDOrRoot(doc, ledgerspec.HTMLIDAccounts), ledgerspec.FieldBalance, "#accounts")
	if err != nil {
		return x.fail("%v", err)
	}
	if bal != "-0.05" {
		return x.fail("balance -0.05 for an account debited 5; got %q", bal)
	}
	return nil
}

// byIDOrRoot returns the element with id, or root when there is none (the checks then report
// what they miss under root).
func byIDOrRoot(root *html.Node, id string) *html.Node {
	if n := byID(root, id); n != nil {
		return n
	}
	return root
}

// form builds a transfer form.
func form(id, debit, credit, amount, description string) url.Values {
	return url.Values{ledgerspec.FormID: {id}, ledgerspec.FormDebitAccountID: {debit}, ledgerspec.FormCreditAccountID: {credit},
		ledgerspec.FormAmount: {amount}, ledgerspec.FormDescription: {description}}
}

// triggerHas reports whether an HX-Trigger header names the event: a JSON object of events, or a
// comma-separated list of names.
func triggerHas(v, event string) bool {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "{") {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(v), &m) != nil {
			return false
		}
		_, ok := m[event]
		return ok
	}
	for _, name := range strings.Split(v, ",") {
		if strings.TrimSpace(name) == event {
			return true
		}
	}
	return false
}

// postFormRow posts a valid form with htmx and checks the row fragment and the transaction.
func (e *env) postFormRow(fv url.Values, want ledgerspec.Posting) (*exchange, *html.Node, error) {
	x, err := e.postForm(ledgerspec.PathUITransactions, fv, true)
	if err != nil {
		return x, nil, err
	}
	root, err := x.fragment(http.StatusOK, "tbody")
	if err != nil {
		return x, nil, err
	}
	id := fv.Get(ledgerspec.FormID)
	if !triggerHas(x.Header.Get(ledgerspec.HeaderHXTrigger), ledgerspec.EventTxPosted) {
		return x, nil, x.fail("an %s header naming %s (got %q)", ledgerspec.HeaderHXTrigger, ledgerspec.EventTxPosted, x.Header.Get(ledgerspec.HeaderHXTrigger))
	}
	tx, _, err := e.tx(id)
	if err != nil {
		return x, nil, fmt.Errorf("after the form post %s: %w", x.sent(), err)
	}
	if len(tx.Postings) != 1 || tx.Postings[0] != want || tx.Description != fv.Get(ledgerspec.FormDescription) {
		return x, nil, fmt.Errorf("after the form post %s: the transaction is %+v; want the posting %+v and the description %q",
			x.sent(), tx, want, fv.Get(ledgerspec.FormDescription))
	}
	if err := wantRows(root, []ledgerspec.Transaction{tx}, "the new row fragment"); err != nil {
		return x, nil, x.fail("%v", err)
	}
	return x, root, nil
}

func checkHTMLFormHTMX(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	for _, c := range []struct {
		amount string
		minor  int64
	}{{"12.34", 1234}, {"12", 1200}, {"0.5", 50}, {"0.07", 7}} {
		id := e.id("t")
		if _, _, err := e.postFormRow(form(id, f.A, f.B, c.amount, "form post "+c.amount), posting(f.A, f.B, c.minor)); err != nil {
			return err
		}
	}
	return e.wantCounters(f.A, 1234+1200+50+7, 0)
}

func checkHTMLFormPlain(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	id := e.id("t")
	x, err := e.postForm(ledgerspec.PathUITransactions, form(id, f.A, f.B, "1.25", "plain"), false)
	if err != nil {
		return err
	}
	if x.Status != ledgerspec.HTMLRedirectStatus {
		return x.fail("%d to %s", ledgerspec.HTMLRedirectStatus, ledgerspec.LedgerPagePath(f.L))
	}
	loc, err := url.Parse(x.Header.Get(ledgerspec.HTMLLocationHeader))
	if err != nil || loc.Path != ledgerspec.LedgerPagePath(f.L) || loc.Host != "" && "http://"+loc.Host != e.s.base && "https://"+loc.Host != e.s.base {
		return x.fail("Location %s", ledgerspec.LedgerPagePath(f.L))
	}
	tx, _, err := e.tx(id)
	if err != nil {
		return err
	}
	if len(tx.Postings) != 1 || tx.Postings[0] != posting(f.A, f.B, 125) {
		return fmt.Errorf("after %s: the transaction is %+v, want one posting of 125 from %s to %s", x.sent(), tx, f.A, f.B)
	}
	return nil
}

func checkHTMLFormInvalid(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	capped := e.id("C")
	if err := e.accounts(f.L, debitsCapped, capped); err != nil {
		return err
	}
	missing := e.id("M")
	for _, c := range []struct {
		debit, credit, amount string
		code                  ledgerspec.Code
	}{
		{f.A, f.B, "12.345", ledgerspec.CodeMalformedRequest},
		{f.A, f.B, "abc", ledgerspec.CodeMalformedRequest},
		{f.A, f.B, "-1.00", ledgerspec.CodeMalformedRequest},
		{f.A, f.B, "", ledgerspec.CodeMalformedRequest},
		{f.A, f.B, "0.00", ledgerspec.CodeAmountOutOfRange},
		{capped, f.B, "1.00", ledgerspec.CodeExceedsCredits},
		{missing, f.B, "1.00", ledgerspec.CodeDebitAccountNotFound},
		{f.A, missing, "1.00", ledgerspec.CodeCreditAccountNotFound},
		{f.A, f.A, "1.00", ledgerspec.CodeAccountsMustBeDifferent},
	} {
		id := e.id("t")
		before, err := e.states(f.A, f.B, capped)
		if err != nil {
			return err
		}
		x, err := e.postForm(ledgerspec.PathUITransactions, form(id, c.debit, c.credit, c.amount, "invalid"), true)
		if err != nil {
			return err
		}
		root, err := x.fragment(ledgerspec.HTMLFormErrorStatus, "div")
		if err != nil {
			return err
		}
		if findFirst(root, hasAttr(ledgerspec.HTMLAttrCode, string(c.code))) == nil {
			return x.fail("a 422 fragment with an element carrying %s=%q", ledgerspec.HTMLAttrCode, c.code)
		}
		if err := e.unchanged(before, "the 422 of "+x.sent()); err != nil {
			return err
		}
		if err := e.wantNoTx(id); err != nil {
			return fmt.Errorf("after the 422 of %s: %w", x.sent(), err)
		}
	}
	return nil
}

// escapingCorpus is untrusted text that tries to break out of the markup.
var escapingCorpus = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`' hx-get="/x" hx-trigger="load"`,
	`<div hx-post="/api/accounts">`,
	`&amp;`,
	`&lt;b&gt;`,
	`{{.}}`,
	`Ωμέγα 日本語 עברית 🙂`,
	"line one\nline two",
	`</td></tr></tbody></table><img src=x onerror=alert(2)>`,
	`<!-- x`,
}

// injectedValues are the attribute values the corpus tries to plant.
var injectedValues = []string{"/x", "/api/accounts"}

func checkHTMLEscaping(e *env) error {
	L := e.ledger()
	n := len(escapingCorpus)
	var accounts []ledgerspec.Account
	for _, name := range escapingCorpus {
		a, err := e.createAccount(ledgerspec.NewAccount{ID: e.id(""), Ledger: L, Name: name})
		if err != nil {
			return err
		}
		accounts = append(accounts, a)
	}
	var txs []ledgerspec.Transaction
	for i, d := range escapingCorpus {
		nt := newTx(e.id("t"), posting(accounts[i].ID, accounts[(i+1)%n].ID, int64(i+1)))
		nt.Description = d
		tx, _, err := e.commit(nt)
		if err != nil {
			return err
		}
		txs = append(txs, tx)
	}
	f := &pageFixture{L: L, accounts: accounts, txs: txs}
	if err := e.reload(f); err != nil {
		return err
	}
	x, doc, err := e.ledgerPage(L)
	if err != nil {
		return err
	}
	if err := injected(doc, x.Body, escapingCorpus, injectedValues); err != nil {
		return x.fail("no injected markup: %v", err)
	}
	if err := wantAccountRows(byIDOrRoot(doc, ledgerspec.HTMLIDAccounts), f.accounts, "#accounts"); err != nil {
		return x.fail("%v", err)
	}
	if err := wantRows(byIDOrRoot(doc, ledgerspec.HTMLIDTransactions), newest(txs, "", ledgerspec.HTMLPageRows), "#transactions"); err != nil {
		return x.fail("%v", err)
	}
	for _, a := range f.accounts {
		x, err := e.get(ledgerspec.AccountPagePath(a.ID), nil)
		if err != nil {
			return err
		}
		doc, err := x.fullPage()
		if err != nil {
			return err
		}
		if err := injected(doc, x.Body, escapingCorpus, injectedValues); err != nil {
			return x.fail("no injected markup: %v", err)
		}
		if err := wantAccountRows(byIDOrRoot(doc, ledgerspec.HTMLIDAccounts), []ledgerspec.Account{a}, "#accounts"); err != nil {
			return x.fail("%v", err)
		}
		if err := wantRows(byIDOrRoot(doc, ledgerspec.HTMLIDTransactions), newest(txs, a.ID, ledgerspec.HTMLPageRows), "#transactions"); err != nil {
			return x.fail("%v", err)
		}
	}
	for i, d := range escapingCorpus {
		debit, credit := accounts[i].ID, accounts[(i+2)%n].ID
		x, root, err := e.postFormRow(form(e.id("t"), debit, credit, "0.01", d), posting(debit, credit, 1))
		if err != nil {
			return err
		}
		if err := injected(root, x.Body, escapingCorpus, injectedValues); err != nil {
			return x.fail("no injected markup: %v", err)
		}
	}
	return nil
}

// checkHTMLLedgerManyAccounts: the ledger page lists the first 100 accounts by id, while its totals
// cover every account of the ledger.
func checkHTMLLedgerManyAccounts(e *env) error {
	const n = ledgerspec.HTMLLedgerAccounts + 2
	L := e.ledger()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.id(fmt.Sprintf("m%03d-", (i*37)%n)) // created out of id order
	}
	if err := e.accounts(L, noFlags, ids...); err != nil {
		return err
	}
	slices.Sort(ids)
	// The last accounts by id, absent from the page, move money: the totals must count them.
	if _, err := e.transfer(ids[n-1], ids[n-2], 700); err != nil {
		return err
	}
	if _, err := e.transfer(ids[0], ids[n-1], 5); err != nil {
		return err
	}
	f := &pageFixture{L: L}
	for _, id := range ids[:ledgerspec.HTMLLedgerAccounts] {
		f.accounts = append(f.accounts, ledgerspec.Account{ID: id})
	}
	if err := e.reload(f); err != nil {
		return err
	}
	x, doc, err := e.ledgerPage(L)
	if err != nil {
		return err
	}
	acc := byIDOrRoot(doc, ledgerspec.HTMLIDAccounts)
	if err := wantAccountRows(acc, f.accounts, "#accounts"); err != nil {
		return x.fail("the first %d accounts by id: %v", ledgerspec.HTMLLedgerAccounts, err)
	}
	total := ledgerspec.FormatAmount(705)
	if err := wantFields(acc, "#accounts", fieldWant{ledgerspec.FieldTotalDebits, total}, fieldWant{ledgerspec.FieldTotalCredits, total}); err != nil {
		return x.fail("totals over every account of the ledger, listed or not: %v", err)
	}
	return nil
}
