package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"stacklab/ledgerspec"
)

// Wire types for decoding requests. Amount is a pointer so that a missing amount (malformed) is
// told apart from a zero amount (amount_out_of_range).
type transactionBody struct {
	ID          string        `json:"id"`
	Postings    []postingBody `json:"postings"`
	Description string        `json:"description"`
}

type postingBody struct {
	DebitAccountID  string `json:"debit_account_id"`
	CreditAccountID string `json:"credit_account_id"`
	Amount          *int64 `json:"amount"`
}

// jsonBody answers 415 or 413 and returns false when the request's body cannot be decoded as JSON.
func (a *App) jsonBody(req *Request, resp *Response) bool {
	switch {
	case !isJSONContentType(req.ContentType):
		a.fail(req, resp, ledgerspec.CodeUnsupportedMediaType, -1)
	case req.BodyTooLarge || len(req.Body) > ledgerspec.MaxBodyBytes:
		a.fail(req, resp, ledgerspec.CodePayloadTooLarge, -1)
	default:
		return true
	}
	return false
}

func (a *App) createAccount(ctx context.Context, req *Request, resp *Response) {
	if !a.jsonBody(req, resp) {
		return
	}
	var body ledgerspec.NewAccount
	if err := a.codec.Unmarshal(req.Body, &body); err != nil ||
		!ledgerspec.ValidID(body.ID) || !ledgerspec.ValidLedger(body.Ledger) || !ledgerspec.ValidText(body.Name, ledgerspec.MaxNameRunes) {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	rec := AccountRecord{ID: body.ID, Ledger: body.Ledger, Name: body.Name, Flags: body.Flags,
		CreatedAt: a.now().UTC().Truncate(time.Microsecond)}
	if rec.Flags.DebitsMustNotExceedCredits && rec.Flags.CreditsMustNotExceedDebits {
		// The id's conflicts come first; only a new id is told its flags are exclusive.
		stored, err := a.store.Account(ctx, rec.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			a.fail(req, resp, ledgerspec.CodeFlagsMutuallyExclusive, -1)
		case err != nil:
			a.failErr(req, resp, "reading account", err)
		default:
			a.fail(req, resp, accountConflict(&stored, &rec), -1)
		}
		return
	}
	stored, created, err := a.store.CreateAccount(ctx, rec)
	if err != nil {
		a.failErr(req, resp, "creating account", err)
		return
	}
	status := 201
	if !created {
		if code := accountConflict(&stored, &rec); code != "" {
			a.fail(req, resp, code, -1)
			return
		}
		status = 200
	}
	a.writeJSON(req, resp, status, AccountView(&stored))
}

// accountConflict compares a create request with the stored account, in the contract's order.
func accountConflict(stored, asked *AccountRecord) ledgerspec.Code {
	switch {
	case stored.Ledger != asked.Ledger:
		return ledgerspec.CodeExistsWithDifferentLedger
	case stored.Name != asked.Name:
		return ledgerspec.CodeExistsWithDifferentName
	case stored.Flags != asked.Flags:
		return ledgerspec.CodeExistsWithDifferentFlags
	}
	return ""
}

func (a *App) getAccount(ctx context.Context, req *Request, resp *Response) {
	id := req.Param
	if !ledgerspec.ValidID(id) {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	body, ok, epoch := a.cache.account(ctx, id) // a failed read is a miss: the store answers
	if ok {
		resp.Status, resp.ContentType, resp.Body = 200, ledgerspec.ContentTypeJSON, body
		return
	}
	acc, err := a.store.Account(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		a.fail(req, resp, ledgerspec.CodeNotFound, -1)
		return
	case err != nil:
		a.failErr(req, resp, "reading account", err)
		return
	}
	a.writeJSON(req, resp, 200, AccountView(&acc))
	if resp.Status == 200 {
		a.cache.putRead(ctx, epoch, []CachedAccount{{ID: acc.ID, Version: acc.Version, Body: resp.Body}})
	}
}

func (a *App) createTransaction(ctx context.Context, req *Request, resp *Response) {
	if !a.jsonBody(req, resp) {
		return
	}
	var body transactionBody
	if err := a.codec.Unmarshal(req.Body, &body); err != nil {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	postings, ok := validTransaction(&body)
	if !ok {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	out, err := a.post(ctx, body.ID, postings, body.Description)
	if err != nil {
		a.failErr(req, resp, "posting transaction", err)
		return
	}
	switch {
	case out.conflict != "":
		a.fail(req, resp, out.conflict, -1)
	case out.rec.Committed():
		status := 201
		if out.replayed {
			status = 200
		}
		a.writeJSON(req, resp, status, TransactionView(&out.rec))
	default:
		a.fail(req, resp, out.rec.FailCode, out.rec.FailIndex)
	}
	resp.Replayed = out.replayed && out.conflict == ""
}

// validTransaction checks everything the contract calls malformed and returns the postings.
func validTransaction(b *transactionBody) ([]ledgerspec.Posting, bool) {
	if !ledgerspec.ValidID(b.ID) || len(b.Postings) < 1 || len(b.Postings) > ledgerspec.MaxPostings ||
		!ledgerspec.ValidText(b.Description, ledgerspec.MaxDescriptionRunes) {
		return nil, false
	}
	ps := make([]ledgerspec.Posting, len(b.Postings))
	for i, p := range b.Postings {
		if p.Amount == nil || !ledgerspec.ValidID(p.DebitAccountID) || !ledgerspec.ValidID(p.CreditAccountID) {
			return nil, false
		}
		ps[i] = ledgerspec.Posting{DebitAccountID: p.DebitAccountID, CreditAccountID: p.CreditAccountID, Amount: *p.Amount}
	}
	return ps, true
}

// postOutcome is how a transaction id was decided for one request.
type postOutcome struct {
	rec      TxRecord        // the id's decided record (committed or failed)
	replayed bool            // decided before this request
	conflict ledgerspec.Code // exists_with_different_*: the id was decided with another payload
}

// post decides a transaction: fraud flags, the store's atomic decision under the ledger rules,
// then the cache and the outbox relay are told. The JSON API and the HTML form share it.
func (a *App) post(ctx context.Context, id string, postings []ledgerspec.Posting, description string) (postOutcome, error) {
	now := a.now().UTC().Truncate(time.Microsecond)
	debits := debitAccounts(postings)
	// One round trip; counting the same id again is a no-op, so retries and replays do not inflate
	// it. When Redis cannot count, the transaction commits flagged velocity_unchecked.
	counts, counted, attempted := a.cache.count(ctx, id, debits, now, ledgerspec.VelocityWindow, a.velocityLimit+1)
	rec := TxRecord{ID: id, Postings: postings, Description: description, CreatedAt: now,
		RiskFlags: riskFlags(postings, counts, counted, a.velocityLimit, a.largeAmount)}
	// A failed count may still have reached Redis (a timeout): a 422 takes it back all the same.
	uncount := func() {
		if attempted {
			a.cache.uncount(ctx, id, debits)
		}
	}
	epoch := a.cache.current() // before the commit: see cacheGuard
	res, err := a.store.Post(ctx, rec, func(locked []AccountRecord) Decision { return Decide(postings, locked) })
	if err != nil {
		return postOutcome{}, fmt.Errorf("storing transaction %s: %w", id, err)
	}
	if ex := res.Existing; ex != nil {
		if !ex.Committed() {
			uncount()
		}
		switch {
		case !samePostings(ex.Postings, postings):
			return postOutcome{conflict: ledgerspec.CodeExistsWithDifferentPostings}, nil
		case ex.Description != description:
			return postOutcome{conflict: ledgerspec.CodeExistsWithDifferentDescription}, nil
		}
		return postOutcome{rec: *ex, replayed: true}, nil
	}
	if !res.Record.Committed() {
		uncount()
		return postOutcome{rec: res.Record}, nil
	}
	// Write the new copies through before answering, so a read after this answer sees them.
	entries := make([]CachedAccount, 0, len(res.Accounts))
	for i := range res.Accounts {
		b, err := a.codec.Marshal(AccountView(&res.Accounts[i]))
		if err != nil {
			return postOutcome{}, fmt.Errorf("encoding account %s: %w", res.Accounts[i].ID, err)
		}
		entries = append(entries, CachedAccount{ID: res.Accounts[i].ID, Version: res.Accounts[i].Version, Body: b})
	}
	a.cache.writeThrough(ctx, epoch, entries)
	if a.events != nil {
		a.events.Notify()
	}
	return postOutcome{rec: res.Record}, nil
}

func (a *App) getTransaction(ctx context.Context, req *Request, resp *Response) {
	if !ledgerspec.ValidID(req.Param) {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	rec, err := a.store.Transaction(ctx, req.Param)
	switch {
	case errors.Is(err, ErrNotFound) || err == nil && !rec.Committed():
		a.fail(req, resp, ledgerspec.CodeNotFound, -1)
	case err != nil:
		a.failErr(req, resp, "reading transaction", err)
	default:
		a.writeJSON(req, resp, 200, TransactionView(&rec))
	}
}

func (a *App) accountTransactions(ctx context.Context, req *Request, resp *Response) {
	limit, after, ok := pageParams(req.RawQuery)
	if !ok || !ledgerspec.ValidID(req.Param) {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	recs, err := a.store.AccountTransactions(ctx, req.Param, after, limit+1)
	switch {
	case errors.Is(err, ErrNotFound):
		a.fail(req, resp, ledgerspec.CodeNotFound, -1)
		return
	case err != nil:
		a.failErr(req, resp, "listing transactions", err)
		return
	}
	page := ledgerspec.TransactionPage{Items: make([]ledgerspec.Transaction, 0, min(len(recs), limit))}
	if len(recs) > limit {
		recs, page.HasMore = recs[:limit], true
	}
	for i := range recs {
		page.Items = append(page.Items, TransactionView(&recs[i]))
	}
	if n := len(recs); n > 0 {
		last := recs[n-1].Seq
		page.NextAfter = &last
	}
	a.writeJSON(req, resp, 200, page)
}

// pageParams reads limit (1–100, default 20) and after (≥ 0, default 0).
func pageParams(rawQuery string) (limit int, after int64, ok bool) {
	q, ok := parseQuery(rawQuery)
	if !ok {
		return 0, 0, false
	}
	limit = ledgerspec.DefaultPageLimit
	if s, present := q[ledgerspec.QueryLimit]; present {
		n, ok := parseCount(s)
		if !ok || n < 1 || n > ledgerspec.MaxPageLimit {
			return 0, 0, false
		}
		limit = int(n)
	}
	if s, present := q[ledgerspec.QueryAfter]; present {
		if after, ok = parseCount(s); !ok {
			return 0, 0, false
		}
	}
	return limit, after, true
}

func (a *App) balances(ctx context.Context, req *Request, resp *Response) {
	q, ok := parseQuery(req.RawQuery)
	ledger := q[ledgerspec.QueryLedger]
	if !ok || !ledgerspec.ValidLedger(ledger) {
		a.fail(req, resp, ledgerspec.CodeMalformedRequest, -1)
		return
	}
	snap, err := a.store.Balances(ctx, ledger, 0)
	if err != nil {
		a.failErr(req, resp, "reading balances", err)
		return
	}
	out := ledgerspec.Balances{Ledger: ledger, AsOfSeq: snap.AsOfSeq,
		Accounts:    make([]ledgerspec.AccountBalance, len(snap.Accounts)),
		TotalDebits: json.Number(snap.TotalDebits), TotalCredits: json.Number(snap.TotalCredits)}
	for i, acc := range snap.Accounts {
		out.Accounts[i] = ledgerspec.AccountBalance{ID: acc.ID, Balance: acc.CreditsPosted - acc.DebitsPosted,
			DebitsPosted: acc.DebitsPosted, CreditsPosted: acc.CreditsPosted}
	}
	a.writeJSON(req, resp, 200, out)
}
