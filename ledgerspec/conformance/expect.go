package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"stacklab/ledgerspec"
)

// noIndex is the posting index expected for a code that is not posting-level.
const noIndex = -1

// wantStatus checks the status of a reply.
func (x *exchange) wantStatus(status int) error {
	if x.Status != status {
		return x.fail("status %d", status)
	}
	return nil
}

// wantJSON checks status and content type and decodes the body strictly into out.
func (x *exchange) wantJSON(status int, out any) error {
	if x.Status != status {
		return x.fail("status %d with a JSON body", status)
	}
	if mt := mediaType(x.Header); mt != ledgerspec.ContentTypeJSON {
		return x.fail("Content-Type %s", ledgerspec.ContentTypeJSON)
	}
	if err := decodeStrict(x.Body, out); err != nil {
		return x.fail("a body that decodes strictly (%v)", err)
	}
	return nil
}

// wantProblem checks a problem reply: status, application/problem+json, "status" equal to the
// HTTP status, the code, a title, the type "/problems/<code>", and posting_index present exactly for
// posting-level codes (equal to index).
func (x *exchange) wantProblem(status int, code ledgerspec.Code, index int) error {
	want := fmt.Sprintf("%d %s", status, code)
	if code.PostingLevel() {
		want += fmt.Sprintf(" at posting_index %d", index)
	}
	if x.Status != status {
		return x.fail("%s", want)
	}
	if mt := mediaType(x.Header); mt != ledgerspec.ContentTypeProblem {
		return x.fail("%s with Content-Type %s", want, ledgerspec.ContentTypeProblem)
	}
	keys, err := jsonKeys(x.Body)
	if err != nil {
		return x.fail("%s as a JSON object (%v)", want, err)
	}
	var p ledgerspec.Problem
	if err := json.Unmarshal(x.Body, &p); err != nil {
		return x.fail("%s as a problem body (%v)", want, err)
	}
	switch {
	case p.Code != code:
		return x.fail("%s (code)", want)
	case p.Status != status:
		return x.fail("%s (\"status\" equal to the HTTP status)", want)
	case strings.TrimSpace(p.Title) == "":
		return x.fail("%s with a title", want)
	case p.Type != ledgerspec.ProblemTypePrefix+string(code):
		return x.fail("%s with type %q", want, ledgerspec.ProblemTypePrefix+string(code))
	}
	_, has := keys["posting_index"]
	switch {
	case code.PostingLevel() && (p.PostingIndex == nil || *p.PostingIndex != index):
		return x.fail("%s", want)
	case !code.PostingLevel() && has:
		return x.fail("%s without posting_index (not a posting-level code)", want)
	}
	return nil
}

// wantHeader checks that a header carries value (case-sensitively) or, for value "", is absent.
func (x *exchange) wantReplayed(replayed bool) error {
	v, has := x.Header[http.CanonicalHeaderKey(ledgerspec.HeaderReplayed)]
	switch {
	case replayed && (len(v) != 1 || v[0] != "true"):
		return x.fail("header %s: true", ledgerspec.HeaderReplayed)
	case !replayed && has:
		return x.fail("no %s header", ledgerspec.HeaderReplayed)
	}
	return nil
}

// wantTime checks that s is a created_at: UTC in TimeLayout with six fractional digits, within a
// day of the suite's clock.
func wantTime(s string) error {
	t, err := time.Parse(ledgerspec.TimeLayout, s)
	if err != nil || ledgerspec.FormatTime(t) != s {
		return fmt.Errorf("created_at %q is not in the layout %s (UTC, six fractional digits)", s, ledgerspec.TimeLayout)
	}
	if d := time.Since(t); d > 24*time.Hour || d < -24*time.Hour {
		return fmt.Errorf("created_at %q is more than a day away from now", s)
	}
	return nil
}

// --- accounts ---

// createAccount posts a new account and checks the 201: the full body as sent, zero counters.
func (e *env) createAccount(na ledgerspec.NewAccount) (ledgerspec.Account, error) {
	x, err := e.postJSON(ledgerspec.PathAccounts, na)
	if err != nil {
		return ledgerspec.Account{}, err
	}
	return checkNewAccount(x, na)
}

func checkNewAccount(x *exchange, na ledgerspec.NewAccount) (ledgerspec.Account, error) {
	var a ledgerspec.Account
	if err := x.wantJSON(http.StatusCreated, &a); err != nil {
		return a, err
	}
	keys, _ := jsonKeys(x.Body)
	for _, k := range []string{"id", "ledger", "name", "flags", "debits_posted", "credits_posted", "balance", "created_at"} {
		if _, ok := keys[k]; !ok {
			return a, x.fail("an account body with the field %q", k)
		}
	}
	want := ledgerspec.Account{ID: na.ID, Ledger: na.Ledger, Name: na.Name, Flags: na.Flags, CreatedAt: a.CreatedAt}
	if a != want {
		return a, x.fail("the account as sent with zero counters: %+v", want)
	}
	if err := wantTime(a.CreatedAt); err != nil {
		return a, x.fail("%v", err)
	}
	return a, nil
}

// accounts creates one account per id in ledger with the given flags.
func (e *env) accounts(ledger string, flags ledgerspec.AccountFlags, ids ...string) error {
	for _, id := range ids {
		if _, err := e.createAccount(ledgerspec.NewAccount{ID: id, Ledger: ledger, Flags: flags}); err != nil {
			return err
		}
	}
	return nil
}

// freshAccounts makes n fresh unflagged accounts in ledger.
func (e *env) freshAccounts(ledger string, n int) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.id("")
	}
	return ids, e.accounts(ledger, ledgerspec.AccountFlags{}, ids...)
}

var (
	debitsCapped  = ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true}
	creditsCapped = ledgerspec.AccountFlags{CreditsMustNotExceedDebits: true}
	noFlags       = ledgerspec.AccountFlags{}
)

// account gets an account and expects a 200.
func (e *env) account(id string) (ledgerspec.Account, error) {
	x, err := e.get(ledgerspec.AccountPath(id), nil)
	if err != nil {
		return ledgerspec.Account{}, err
	}
	var a ledgerspec.Account
	if err := x.wantJSON(http.StatusOK, &a); err != nil {
		return a, err
	}
	if a.ID != id || a.Balance != a.CreditsPosted-a.DebitsPosted {
		return a, x.fail("account %s with balance = credits_posted − debits_posted", id)
	}
	return a, nil
}

// wantCounters checks an account's counters.
func (e *env) wantCounters(id string, debits, credits int64) error {
	a, err := e.account(id)
	if err != nil {
		return err
	}
	if a.DebitsPosted != debits || a.CreditsPosted != credits {
		return fmt.Errorf("GET %s: want debits_posted %d, credits_posted %d; got %d, %d",
			ledgerspec.AccountPath(id), debits, credits, a.DebitsPosted, a.CreditsPosted)
	}
	return nil
}

// --- transactions ---

// postTx posts a transaction built by the client.
func (e *env) postTx(nt ledgerspec.NewTransaction) (*exchange, error) {
	return e.postJSON(ledgerspec.PathTransactions, nt)
}

// commit posts a new transaction and checks its 201: the body (id, seq > 0, postings and description
// echoed, risk_flags an array, created_at) and no Idempotent-Replayed header.
func (e *env) commit(nt ledgerspec.NewTransaction) (ledgerspec.Transaction, *exchange, error) {
	x, err := e.postTx(nt)
	if err != nil {
		return ledgerspec.Transaction{}, x, err
	}
	tx, err := checkCommitted(x, nt, http.StatusCreated)
	if err != nil {
		return tx, x, err
	}
	return tx, x, x.wantReplayed(false)
}

// checkCommitted checks a 201 (or replay 200) transaction body against the request.
func checkCommitted(x *exchange, nt ledgerspec.NewTransaction, status int) (ledgerspec.Transaction, error) {
	var tx ledgerspec.Transaction
	if err := x.wantJSON(status, &tx); err != nil {
		return tx, err
	}
	if err := checkTxBody(x.Body, tx, nt); err != nil {
		return tx, x.fail("a transaction body: %v", err)
	}
	return tx, nil
}

// checkTxBody checks a transaction's JSON against the request that made it.
func checkTxBody(raw []byte, tx ledgerspec.Transaction, nt ledgerspec.NewTransaction) error {
	keys, err := jsonKeys(raw)
	if err != nil {
		return err
	}
	for _, k := range []string{"id", "seq", "postings", "description", "risk_flags", "created_at"} {
		if _, ok := keys[k]; !ok {
			return fmt.Errorf("the field %q is missing", k)
		}
	}
	if !bytes.HasPrefix(bytes.TrimSpace(keys["risk_flags"]), []byte("[")) {
		return fmt.Errorf("risk_flags is %s, want an array (never null)", keys["risk_flags"])
	}
	switch {
	case tx.ID != nt.ID:
		return fmt.Errorf("id %q, want %q", tx.ID, nt.ID)
	case tx.Seq <= 0:
		return fmt.Errorf("seq %d, want > 0", tx.Seq)
	case !slices.Equal(tx.Postings, nt.Postings):
		return fmt.Errorf("postings %+v, want them echoed: %+v", tx.Postings, nt.Postings)
	case tx.Description != nt.Description:
		return fmt.Errorf("description %q, want %q", tx.Description, nt.Description)
	}
	for _, f := range tx.RiskFlags {
		if !slices.Contains(ledgerspec.RiskFlagOrder, f) {
			return fmt.Errorf("unknown risk flag %q", f)
		}
	}
	if err := wantTime(tx.CreatedAt); err != nil {
		return err
	}
	return nil
}

// transfer commits a one-posting transaction with a fresh id.
func (e *env) transfer(debit, credit string, amount int64) (ledgerspec.Transaction, error) {
	tx, _, err := e.commit(ledgerspec.NewTransaction{ID: e.id("t"), Postings: []ledgerspec.Posting{{DebitAccountID: debit, CreditAccountID: credit, Amount: amount}}})
	return tx, err
}

// tx gets a committed transaction and expects a 200.
func (e *env) tx(id string) (ledgerspec.Transaction, *exchange, error) {
	x, err := e.get(ledgerspec.TransactionPath(id), nil)
	if err != nil {
		return ledgerspec.Transaction{}, x, err
	}
	var tx ledgerspec.Transaction
	if err := x.wantJSON(http.StatusOK, &tx); err != nil {
		return tx, x, err
	}
	if tx.ID != id {
		return tx, x, x.fail("transaction %s", id)
	}
	return tx, x, nil
}

// wantNoTx checks that GET of a transaction id is 404 not_found.
func (e *env) wantNoTx(id string) error {
	x, err := e.get(ledgerspec.TransactionPath(id), nil)
	if err != nil {
		return err
	}
	return x.wantProblem(http.StatusNotFound, ledgerspec.CodeNotFound, noIndex)
}

// wantNoAccount checks that GET of an account id is 404 not_found.
func (e *env) wantNoAccount(id string) error {
	x, err := e.get(ledgerspec.AccountPath(id), nil)
	if err != nil {
		return err
	}
	return x.wantProblem(http.StatusNotFound, ledgerspec.CodeNotFound, noIndex)
}

// page gets one page of an account's transactions and expects a 200.
func (e *env) page(path string) (ledgerspec.TransactionPage, *exchange, error) {
	x, err := e.get(path, nil)
	if err != nil {
		return ledgerspec.TransactionPage{}, x, err
	}
	var p ledgerspec.TransactionPage
	if err := x.wantJSON(http.StatusOK, &p); err != nil {
		return p, x, err
	}
	keys, _ := jsonKeys(x.Body)
	if !bytes.HasPrefix(bytes.TrimSpace(keys["items"]), []byte("[")) {
		return p, x, x.fail("items as an array (never null)")
	}
	if _, ok := keys["next_after"]; !ok {
		return p, x, x.fail("a next_after field (null when items is empty)")
	}
	if _, ok := keys["has_more"]; !ok {
		return p, x, x.fail("a has_more field")
	}
	for i, it := range p.Items {
		if i > 0 && it.Seq <= p.Items[i-1].Seq {
			return p, x, x.fail("items in strictly ascending seq")
		}
	}
	switch {
	case len(p.Items) == 0 && p.NextAfter != nil:
		return p, x, x.fail("next_after null for an empty page")
	case len(p.Items) > 0 && (p.NextAfter == nil || *p.NextAfter != p.Items[len(p.Items)-1].Seq):
		return p, x, x.fail("next_after equal to the last item's seq %d", p.Items[len(p.Items)-1].Seq)
	}
	return p, x, nil
}

// listAll reads every transaction of an account, 100 per page.
func (e *env) listAll(id string) ([]ledgerspec.Transaction, error) {
	var all []ledgerspec.Transaction
	after := int64(0)
	for range 1000 {
		p, x, err := e.page(ledgerspec.AccountTransactionsPath(id, ledgerspec.MaxPageLimit, after))
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if len(p.Items) == 0 {
			if p.HasMore {
				return nil, x.fail("has_more false on an empty page")
			}
			return all, nil
		}
		after = *p.NextAfter
		if !p.HasMore {
			return all, nil
		}
	}
	return nil, fmt.Errorf("listing %s: more than 1000 pages", id)
}

// --- no state change ---

// accountState is what a refused request must leave as it was.
type accountState struct {
	found   bool
	account ledgerspec.Account
	txs     []string // id@seq, ascending
}

// states reads the accounts and their transaction lists.
func (e *env) states(ids ...string) (map[string]accountState, error) {
	out := make(map[string]accountState, len(ids))
	for _, id := range ids {
		x, err := e.get(ledgerspec.AccountPath(id), nil)
		if err != nil {
			return nil, err
		}
		var st accountState
		switch x.Status {
		case http.StatusNotFound:
		case http.StatusOK:
			if err := x.wantJSON(http.StatusOK, &st.account); err != nil {
				return nil, err
			}
			st.found = true
			txs, err := e.listAll(id)
			if err != nil {
				return nil, err
			}
			for _, t := range txs {
				st.txs = append(st.txs, fmt.Sprintf("%s@%d", t.ID, t.Seq))
			}
		default:
			return nil, x.fail("200 or 404")
		}
		out[id] = st
	}
	return out, nil
}

// unchanged reads the accounts again and compares them with before.
func (e *env) unchanged(before map[string]accountState, after string) error {
	ids := make([]string, 0, len(before))
	for id := range before {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	now, err := e.states(ids...)
	if err != nil {
		return err
	}
	for _, id := range ids {
		b, n := before[id], now[id]
		switch {
		case b.found != n.found:
			return fmt.Errorf("after %s: account %s existed before: %v, exists now: %v (want no state change)", after, id, b.found, n.found)
		case b.account != n.account:
			return fmt.Errorf("after %s: account %s changed from %+v to %+v (want no state change)", after, id, b.account, n.account)
		case !slices.Equal(b.txs, n.txs):
			return fmt.Errorf("after %s: the transactions of %s changed from %v to %v (want no state change)", after, id, b.txs, n.txs)
		}
	}
	return nil
}

// refusal is a request that must be refused with a 4xx and change nothing.
type refusal struct {
	req    request
	status int
	code   ledgerspec.Code
	index  int // posting index for posting-level codes
	// accounts must keep their counters and transaction lists.
	accounts []string
	// txID, when set, must be unknown afterwards (GET 404).
	txID string
	// newAccount, when set, must not exist afterwards (GET 404).
	newAccount string
	// retry, when set, is a valid request with the same id that must then succeed with 201:
	// the refusal did not use the id up.
	retry *request
}

// refuse sends a request that must be refused and checks that nothing changed.
func (e *env) refuse(r refusal) (*exchange, error) {
	ids := slices.Clone(r.accounts)
	if r.newAccount != "" {
		ids = append(ids, r.newAccount)
	}
	before, err := e.states(ids...)
	if err != nil {
		return nil, err
	}
	if r.newAccount != "" && before[r.newAccount].found {
		return nil, fmt.Errorf("suite error: account %s exists before the refusal", r.newAccount)
	}
	x, err := e.send(r.req)
	if err != nil {
		return x, err
	}
	if err := x.wantProblem(r.status, r.code, r.index); err != nil {
		return x, err
	}
	after := fmt.Sprintf("the %d of %s", r.status, x.sent())
	if err := e.unchanged(before, after); err != nil {
		return x, err
	}
	if r.txID != "" {
		if err := e.wantNoTx(r.txID); err != nil {
			return x, fmt.Errorf("after %s: %w", after, err)
		}
	}
	if r.retry != nil {
		y, err := e.send(*r.retry)
		if err != nil {
			return x, err
		}
		if y.Status != http.StatusCreated {
			return x, fmt.Errorf("after %s the id must still be usable: %w", after, y.fail("201"))
		}
	}
	return x, nil
}

// jsonReq is a POST of a raw JSON body.
func jsonReq(path string, body string) request {
	return request{method: http.MethodPost, path: path, header: http.Header{"Content-Type": {ledgerspec.ContentTypeJSON}}, body: []byte(body)}
}

// txReq is a POST /api/transactions of a transaction built by the client.
func txReq(nt ledgerspec.NewTransaction) request {
	b, err := json.Marshal(nt)
	if err != nil {
		panic(fmt.Sprintf("encoding %+v: %v", nt, err)) // a NewTransaction always encodes
	}
	return jsonReq(ledgerspec.PathTransactions, string(b))
}

// accReq is a POST /api/accounts of an account built by the client.
func accReq(na ledgerspec.NewAccount) request {
	b, err := json.Marshal(na)
	if err != nil {
		panic(fmt.Sprintf("encoding %+v: %v", na, err)) // a NewAccount always encodes
	}
	return jsonReq(ledgerspec.PathAccounts, string(b))
}

// posting is a short constructor.
func posting(debit, credit string, amount int64) ledgerspec.Posting {
	return ledgerspec.Posting{DebitAccountID: debit, CreditAccountID: credit, Amount: amount}
}

// newTx builds a transaction request.
func newTx(id string, ps ...ledgerspec.Posting) ledgerspec.NewTransaction {
	return ledgerspec.NewTransaction{ID: id, Postings: ps}
}

// refuseTx posts nt and expects a 422 with code at index, no state change on accounts, and the id
// unknown afterwards.
func (e *env) refuseTx(nt ledgerspec.NewTransaction, code ledgerspec.Code, index int, accounts ...string) (*exchange, error) {
	return e.refuse(refusal{req: txReq(nt), status: http.StatusUnprocessableEntity, code: code, index: index, accounts: accounts, txID: nt.ID})
}

// sameTx compares two decoded transactions.
func sameTx(a, b ledgerspec.Transaction) bool { return reflect.DeepEqual(a, b) }
