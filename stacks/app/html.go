package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"sync"

	"stacklab/ledgerspec"
)

//go:embed pages.html
var pageFiles embed.FS

//go:embed static/htmx.min.js
var htmxJS []byte

func parsePages() (*template.Template, error) {
	return template.New("pages").ParseFS(pageFiles, "pages.html")
}

// Template data. Amounts are formatted before rendering, so templates never compute.
type accountRow struct {
	ID, Ledger, Name         string
	Debits, Credits, Balance string
}

type postingRow struct {
	Index                 int
	Debit, Credit, Amount string
}

type txRow struct {
	ID          string
	Seq         int64
	Description string
	Postings    []postingRow
	RiskFlags   []string
	CreatedAt   string
}

// txList is a list of rows with the load-more control of an account page (NextAfter 0: none).
type txList struct {
	AccountID string
	Rows      []txRow
	NextAfter int64
}

type ledgerPage struct {
	txList
	Ledger                    string
	AsOfSeq                   int64
	MaxAccounts               int
	Accounts                  []accountRow
	TotalDebits, TotalCredits string
	FormID                    string
}

type accountPage struct {
	txList
	Account accountRow
}

type errorView struct {
	Status       int
	Code         ledgerspec.Code
	Title        string
	PostingIndex int
}

func newAccountRow(a *AccountRecord) accountRow {
	return accountRow{ID: a.ID, Ledger: a.Ledger, Name: a.Name,
		Debits: ledgerspec.FormatAmount(a.DebitsPosted), Credits: ledgerspec.FormatAmount(a.CreditsPosted),
		Balance: ledgerspec.FormatAmount(a.CreditsPosted - a.DebitsPosted)}
}

func newTxRow(t *TxRecord) txRow {
	r := txRow{ID: t.ID, Seq: t.Seq, Description: t.Description, RiskFlags: t.RiskFlags,
		CreatedAt: ledgerspec.FormatTime(t.CreatedAt), Postings: make([]postingRow, len(t.Postings))}
	for i, p := range t.Postings {
		r.Postings[i] = postingRow{Index: i, Debit: p.DebitAccountID, Credit: p.CreditAccountID, Amount: ledgerspec.FormatAmount(p.Amount)}
	}
	return r
}

// newTxList turns up to limit+1 records, newest first, into rows and a load-more cursor.
func newTxList(accountID string, recs []TxRecord, limit int) txList {
	l := txList{AccountID: accountID}
	if len(recs) > limit {
		recs = recs[:limit]
		l.NextAfter = recs[limit-1].Seq
	}
	l.Rows = make([]txRow, len(recs))
	for i := range recs {
		l.Rows[i] = newTxRow(&recs[i])
	}
	return l
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes one named template into the response.
func (a *App) render(req *Request, resp *Response, status int, name string, data any) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	if err := a.pages.ExecuteTemplate(buf, name, data); err != nil {
		a.failErr(req, resp, "rendering "+name, err)
		return
	}
	resp.Status, resp.ContentType, resp.VaryHX = status, ledgerspec.ContentTypeHTML, true
	resp.Body = append([]byte(nil), buf.Bytes()...)
}

// renderPage answers a full page around the named main template, or, for htmx, the fragment the
// HX-Target names (fragments maps target ids to templates), else the inner HTML of <main>.
func (a *App) renderPage(req *Request, resp *Response, status int, title, main string, fragments map[string]string, data any) {
	if req.HXRequest {
		name := main
		if f, ok := fragments[req.HXTarget]; ok {
			name = f
		}
		a.render(req, resp, status, name, data)
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	buf.WriteString(pageHead)
	template.HTMLEscape(buf, []byte(title))
	buf.WriteString(pageBodyStart)
	if err := a.pages.ExecuteTemplate(buf, main, data); err != nil {
		a.failErr(req, resp, "rendering "+main, err)
		return
	}
	buf.WriteString(pageEnd)
	resp.Status, resp.ContentType, resp.VaryHX = status, ledgerspec.ContentTypeHTML, true
	resp.Body = append([]byte(nil), buf.Bytes()...)
}

// The page frame. htmx is served by the stack itself; 422 answers are swapped (the form's errors).
const pageHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true},{"code":"[45]..","swap":false,"error":true}]}'>
<script src="/static/htmx.min.js"></script>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums}.text{white-space:pre-wrap}ul{margin:0;padding-left:1rem}
.flag{background:#fde68a;border-radius:.3rem;padding:0 .3rem}.error{color:#b91c1c}
form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}label{display:flex;flex-direction:column;font-size:.85rem}
</style>
<title>`

const pageBodyStart = `</title>
</head>
<body>
<header><strong>stacklab ledger</strong></header>
<main>`

const pageEnd = `</main>
</body>
</html>
`

var (
	ledgerFragments  = map[string]string{ledgerspec.HTMLIDAccounts: "ledger-accounts", ledgerspec.HTMLIDTransactions: "tx-rows"}
	accountFragments = map[string]string{ledgerspec.HTMLIDAccounts: "account-accounts", ledgerspec.HTMLIDTransactions: "tx-rows"}
)

func (a *App) ledgerPage(ctx context.Context, req *Request, resp *Response) {
	ledger := req.Param
	if !ledgerspec.ValidLedger(ledger) {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	page := ledgerPage{Ledger: ledger, MaxAccounts: ledgerspec.HTMLLedgerAccounts}
	// Read only what the answer shows.
	if !req.HXRequest || req.HXTarget != ledgerspec.HTMLIDTransactions {
		snap, err := a.store.Balances(ctx, ledger, ledgerspec.HTMLLedgerAccounts)
		if err != nil {
			a.failErr(req, resp, "reading balances", err)
			return
		}
		page.AsOfSeq = snap.AsOfSeq
		page.TotalDebits = ledgerspec.FormatAmountDigits(snap.TotalDebits)
		page.TotalCredits = ledgerspec.FormatAmountDigits(snap.TotalCredits)
		page.Accounts = make([]accountRow, len(snap.Accounts))
		for i := range snap.Accounts {
			page.Accounts[i] = newAccountRow(&snap.Accounts[i])
		}
	}
	if !req.HXRequest || req.HXTarget != ledgerspec.HTMLIDAccounts {
		recs, err := a.store.LedgerTransactions(ctx, ledger, ledgerspec.HTMLPageRows)
		if err != nil {
			a.failErr(req, resp, "listing transactions", err)
			return
		}
		page.txList = newTxList("", recs, ledgerspec.HTMLPageRows)
	}
	page.FormID = newFormID()
	a.renderPage(req, resp, 200, "Ledger "+ledger, "ledger-main", ledgerFragments, &page)
}

func (a *App) accountPage(ctx context.Context, req *Request, resp *Response) {
	id := req.Param
	if !ledgerspec.ValidID(id) {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	acc, err := a.store.Account(ctx, id)
	if err != nil {
		a.storeFailure(req, resp, "reading account", err)
		return
	}
	recs, err := a.store.AccountHistory(ctx, id, 0, ledgerspec.HTMLPageRows+1)
	if err != nil {
		a.storeFailure(req, resp, "listing transactions", err)
		return
	}
	page := accountPage{Account: newAccountRow(&acc), txList: newTxList(id, recs, ledgerspec.HTMLPageRows)}
	a.renderPage(req, resp, 200, "Account "+id, "account-main", accountFragments, &page)
}

func (a *App) accountRows(ctx context.Context, req *Request, resp *Response) {
	q, ok := parseQuery(req.RawQuery)
	after, okAfter := parseCount(q[ledgerspec.QueryAfter])
	if !ok || !okAfter || after < 1 || !ledgerspec.ValidID(req.Param) {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	recs, err := a.store.AccountHistory(ctx, req.Param, after, ledgerspec.HTMLPageRows+1)
	if err != nil {
		a.storeFailure(req, resp, "listing transactions", err)
		return
	}
	l := newTxList(req.Param, recs, ledgerspec.HTMLPageRows)
	a.render(req, resp, 200, "tx-rows", &l)
}

// storeFailure answers 404 for ErrNotFound and 500 for anything else.
func (a *App) storeFailure(req *Request, resp *Response, what string, err error) {
	if errors.Is(err, ErrNotFound) {
		a.fail(req, resp, ledgerspec.CodeNotFound, -1)
		return
	}
	a.failErr(req, resp, what, err)
}

func (a *App) uiTransaction(ctx context.Context, req *Request, resp *Response) {
	switch {
	case !isFormContentType(req.ContentType):
		a.fail(req, resp, ledgerspec.CodeUnsupportedMediaType, -1)
		return
	case req.BodyTooLarge || len(req.Body) > ledgerspec.MaxBodyBytes:
		a.fail(req, resp, ledgerspec.CodePayloadTooLarge, -1)
		return
	}
	form, err := url.ParseQuery(string(req.Body))
	id, debit, credit, desc := form.Get(ledgerspec.FormID), form.Get(ledgerspec.FormDebitAccountID),
		form.Get(ledgerspec.FormCreditAccountID), form.Get(ledgerspec.FormDescription)
	amount, errAmount := ledgerspec.ParseAmount(form.Get(ledgerspec.FormAmount))
	if err != nil || errAmount != nil || !ledgerspec.ValidID(id) || !ledgerspec.ValidID(debit) || !ledgerspec.ValidID(credit) ||
		!ledgerspec.ValidText(desc, ledgerspec.MaxDescriptionRunes) {
		a.htmlError(req, resp, ledgerspec.CodeMalformedRequest, -1, ledgerspec.HTMLFormErrorStatus)
		return
	}
	out, err := a.post(ctx, id, []ledgerspec.Posting{{DebitAccountID: debit, CreditAccountID: credit, Amount: amount}}, desc)
	switch {
	case err != nil:
		a.failErr(req, resp, "posting transaction", err)
	case out.conflict != "":
		a.htmlError(req, resp, out.conflict, -1, ledgerspec.HTMLFormErrorStatus)
	case !out.rec.Committed():
		a.htmlError(req, resp, out.rec.FailCode, out.rec.FailIndex, ledgerspec.HTMLFormErrorStatus)
		resp.Replayed = out.replayed
	case req.HXRequest:
		a.render(req, resp, 200, "posted", struct {
			Row        txRow
			NextFormID string
		}{newTxRow(&out.rec), newFormID()})
		resp.HXTrigger, resp.Replayed = ledgerspec.EventTxPosted, out.replayed
	default:
		resp.Status, resp.VaryHX, resp.Replayed = ledgerspec.HTMLRedirectStatus, true, out.replayed
		resp.Location = ledgerspec.LedgerPagePath(out.rec.Ledger)
		resp.ContentType, resp.Body = ledgerspec.ContentTypeHTML, nil
	}
}

// htmlError answers an error as HTML: a fragment for htmx (the form's errors box for the form), else
// a full page. The element carries data-code.
func (a *App) htmlError(req *Request, resp *Response, code ledgerspec.Code, postingIndex, status int) {
	v := errorView{Status: status, Code: code, Title: code.Title(), PostingIndex: postingIndex}
	if !code.PostingLevel() {
		v.PostingIndex = -1
	}
	if req.HXRequest {
		a.render(req, resp, status, "error-fragment", &v)
		if req.Route == ledgerspec.RouteUITransaction {
			resp.HXRetarget, resp.HXReswap = "#"+ledgerspec.HTMLIDFormErrors, "innerHTML"
		}
		return
	}
	a.renderPage(req, resp, status, strconv.Itoa(status)+" "+v.Title, "error-main", nil, &v)
}

// newFormID is a fresh transaction id for a rendered form: the form's idempotency key.
func newFormID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return "ui-" + hex.EncodeToString(b[:])
}

func (a *App) static(req *Request, resp *Response) {
	if req.Param != "htmx.min.js" {
		a.fail(req, resp, ledgerspec.CodeNotFound, -1)
		return
	}
	resp.Status, resp.ContentType, resp.Body = 200, "text/javascript; charset=utf-8", htmxJS
	resp.CacheCtl = "public, max-age=86400"
}
