package workload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"stacklab/ledgerspec"
)

// Check validates the body of the response to the last request Next built, against the
// contract: JSON bodies are decoded strictly into the ledgerspec types and checked against
// what was asked; HTML bodies are checked for the doctype (full pages) or its absence
// (fragments) and for the markup contract's markers. It is meant for a sample of responses
// (it allocates). Statuses are checked by the caller on every response.
func (g *Gen) Check(contentType, body []byte) error {
	w := g.w
	op := w.ops[g.lastOp]
	switch op.Kind {
	case OpPlaintext:
		if !bytes.HasPrefix(contentType, []byte("text/plain")) {
			return fmt.Errorf("content type %q is not text/plain", contentType)
		}
		if string(body) != ledgerspec.BenchPlaintextBody {
			return fmt.Errorf("body %.60q is not %q", body, ledgerspec.BenchPlaintextBody)
		}
		return nil
	case OpJSON:
		var m ledgerspec.Message
		if err := decode(contentType, body, &m); err != nil {
			return err
		}
		if m.Message != ledgerspec.BenchJSONMessage {
			return fmt.Errorf("message %q is not %q", m.Message, ledgerspec.BenchJSONMessage)
		}
		return nil
	case OpGetAccount:
		var a ledgerspec.Account
		if err := decode(contentType, body, &a); err != nil {
			return err
		}
		return checkAccount(a, w.accounts[g.lastAcc], w.ledger)
	case OpCreateAccount:
		var a ledgerspec.Account
		if err := decode(contentType, body, &a); err != nil {
			return err
		}
		if err := checkAccount(a, string(g.lastID), w.ledger); err != nil {
			return err
		}
		if a.Balance != 0 || a.DebitsPosted != 0 || a.CreditsPosted != 0 {
			return fmt.Errorf("new account %s has counters %d/%d/%d, want zeros", a.ID, a.DebitsPosted, a.CreditsPosted, a.Balance)
		}
		return nil
	case OpTransfer:
		var t ledgerspec.Transaction
		if err := decode(contentType, body, &t); err != nil {
			return err
		}
		if t.ID != string(g.lastID) {
			return fmt.Errorf("transaction id %q, want %q", t.ID, g.lastID)
		}
		if t.Seq <= 0 {
			return fmt.Errorf("transaction %s has seq %d, want > 0", t.ID, t.Seq)
		}
		want := ledgerspec.Posting{DebitAccountID: w.accounts[g.lastDebit], CreditAccountID: w.accounts[g.lastCredit], Amount: g.lastAmount}
		if len(t.Postings) != 1 || t.Postings[0] != want {
			return fmt.Errorf("transaction %s has postings %+v, want [%+v]", t.ID, t.Postings, want)
		}
		if t.RiskFlags == nil {
			return fmt.Errorf("transaction %s: risk_flags is null, want a list", t.ID)
		}
		return nil
	case OpBatch:
		var t ledgerspec.Transaction
		if err := decode(contentType, body, &t); err != nil {
			return err
		}
		if t.ID != string(g.lastID) || t.Seq <= 0 || t.RiskFlags == nil {
			return fmt.Errorf("batch %s: id %q, seq %d, risk flags %v", g.lastID, t.ID, t.Seq, t.RiskFlags)
		}
		if len(t.Postings) != BatchPostings {
			return fmt.Errorf("batch %s has %d postings, want %d", t.ID, len(t.Postings), BatchPostings)
		}
		for i, p := range t.Postings {
			if p != g.lastBatch[i] {
				return fmt.Errorf("batch %s posting %d is %+v, want %+v", t.ID, i, p, g.lastBatch[i])
			}
		}
		if t.Description != BatchDescription {
			return fmt.Errorf("batch %s has description %q, want %q", t.ID, t.Description, BatchDescription)
		}
		return nil
	case OpTxPage:
		var p ledgerspec.TransactionPage
		if err := decode(contentType, body, &p); err != nil {
			return err
		}
		return checkPage(p, w.accounts[g.lastAcc])
	case OpBalances:
		var b ledgerspec.Balances
		if err := decode(contentType, body, &b); err != nil {
			return err
		}
		if b.Ledger != w.ledger {
			return fmt.Errorf("balances of ledger %q, want %q", b.Ledger, w.ledger)
		}
		if len(b.Accounts) < len(w.accounts) {
			return fmt.Errorf("balances list %d accounts, want at least the %d set up", len(b.Accounts), len(w.accounts))
		}
		for i := 1; i < len(b.Accounts); i++ {
			if b.Accounts[i-1].ID >= b.Accounts[i].ID {
				return fmt.Errorf("balances not sorted by id: %q before %q", b.Accounts[i-1].ID, b.Accounts[i].ID)
			}
		}
		return nil
	case OpAccountPage:
		if err := fullPage(contentType, body); err != nil {
			return err
		}
		return markers(body, attr(ledgerspec.HTMLAttrAccountID, w.accounts[g.lastAcc]), attr("id", ledgerspec.HTMLIDTransactions))
	case OpLedgerPage:
		if err := fullPage(contentType, body); err != nil {
			return err
		}
		return markers(body, attr("id", ledgerspec.HTMLIDAccounts), attr("id", ledgerspec.HTMLIDTransferForm),
			attr(ledgerspec.HTMLAttrAccountID, w.accounts[0]))
	case OpFragment:
		if !bytes.HasPrefix(contentType, []byte("text/html")) {
			return fmt.Errorf("content type %q is not text/html", contentType)
		}
		if hasFold(body, "<html") || hasFold(body, "<body") || hasFold(body, "<!doctype") {
			return errors.New("htmx fragment holds <html>, <body> or a doctype")
		}
		return markers(body, attr(ledgerspec.HTMLAttrAccountID, w.accounts[0]))
	}
	return fmt.Errorf("operation %s has no validation", op.Name)
}

func decode(contentType, body []byte, v any) error {
	if !bytes.HasPrefix(contentType, []byte(ledgerspec.ContentTypeJSON)) {
		return fmt.Errorf("content type %q is not %s", contentType, ledgerspec.ContentTypeJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding %T from %.80q: %w", v, body, err)
	}
	if dec.More() {
		return fmt.Errorf("decoding %T: trailing data after the value", v)
	}
	return nil
}

func checkAccount(a ledgerspec.Account, id, ledger string) error {
	switch {
	case a.ID != id:
		return fmt.Errorf("account id %q, want %q", a.ID, id)
	case a.Ledger != ledger:
		return fmt.Errorf("account %s in ledger %q, want %q", a.ID, a.Ledger, ledger)
	case a.Balance != a.CreditsPosted-a.DebitsPosted:
		return fmt.Errorf("account %s: balance %d is not credits %d − debits %d", a.ID, a.Balance, a.CreditsPosted, a.DebitsPosted)
	case a.CreatedAt == "":
		return fmt.Errorf("account %s has no created_at", a.ID)
	}
	return nil
}

func checkPage(p ledgerspec.TransactionPage, account string) error {
	if p.Items == nil {
		return errors.New("transaction page: items is null, want a list")
	}
	if len(p.Items) > ledgerspec.DefaultPageLimit {
		return fmt.Errorf("transaction page holds %d items, limit was %d", len(p.Items), ledgerspec.DefaultPageLimit)
	}
	if len(p.Items) == 0 {
		// Every set-up account has its funding transaction.
		return fmt.Errorf("transaction page of funded account %s is empty", account)
	}
	for i, t := range p.Items {
		if i > 0 && t.Seq <= p.Items[i-1].Seq {
			return fmt.Errorf("transaction page not in ascending seq: %d after %d", t.Seq, p.Items[i-1].Seq)
		}
		found := false
		for _, ps := range t.Postings {
			found = found || ps.DebitAccountID == account || ps.CreditAccountID == account
		}
		if !found {
			return fmt.Errorf("transaction %s on the page of %s does not touch it", t.ID, account)
		}
	}
	last := p.Items[len(p.Items)-1].Seq
	if p.NextAfter == nil || *p.NextAfter != last {
		return fmt.Errorf("transaction page: next_after %v, want the last seq %d", p.NextAfter, last)
	}
	return nil
}

func fullPage(contentType, body []byte) error {
	if !bytes.HasPrefix(contentType, []byte("text/html")) {
		return fmt.Errorf("content type %q is not text/html", contentType)
	}
	if len(body) < len(ledgerspec.HTMLDoctypePrefix) ||
		!bytes.EqualFold(body[:len(ledgerspec.HTMLDoctypePrefix)], []byte(ledgerspec.HTMLDoctypePrefix)) {
		return fmt.Errorf("page does not start with %s: %.40q", ledgerspec.HTMLDoctypePrefix, body)
	}
	if !bytes.Contains(body, []byte(ledgerspec.PathHTMX)) {
		return fmt.Errorf("page does not load %s", ledgerspec.PathHTMX)
	}
	return nil
}

func attr(name, value string) string { return name + `="` + value + `"` }

func markers(body []byte, want ...string) error {
	for _, m := range want {
		if !bytes.Contains(body, []byte(m)) {
			return fmt.Errorf("HTML lacks the marker %s", m)
		}
	}
	return nil
}

func hasFold(body []byte, lower string) bool {
	return bytes.Contains(bytes.ToLower(body), []byte(lower))
}
