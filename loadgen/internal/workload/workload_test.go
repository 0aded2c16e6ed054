package workload

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"

	"stacklab/ledgerspec"
)

func newWL(t *testing.T, name string, edit ...func(*Params)) *Workload {
	t.Helper()
	p := Params{Host: "127.0.0.1:8080", Seed: 7, RunID: "run1", Accounts: 50}
	for _, e := range edit {
		e(&p)
	}
	w, err := New(name, p)
	if err != nil {
		t.Fatalf("New(%s): %v", name, err)
	}
	return w
}

// contractMux routes a request to the contract route it exercises.
func contractMux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range ledgerspec.Routes {
		mux.Handle(r.Method+" "+r.Pattern, http.NotFoundHandler())
	}
	return mux
}

func routeOf(mux *http.ServeMux, req *http.Request) ledgerspec.RouteID {
	_, pattern := mux.Handler(req)
	for _, r := range ledgerspec.Routes {
		if r.Method+" "+r.Pattern == pattern {
			return r.ID
		}
	}
	return ""
}

// Every request every workload builds is valid HTTP/1.1, goes to the route its operation names,
// and carries a body the contract accepts.
func TestRequestsFollowTheContract(t *testing.T) {
	mux := contractMux()
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			w := newWL(t, name)
			g := w.Gen(3)
			seen := map[string]bool{}
			var buf []byte
			for range 500 {
				op, raw := g.Next(buf[:0])
				buf = raw
				o := w.Ops()[op]
				seen[o.Name] = true
				req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
				if err != nil {
					t.Fatalf("%s: not HTTP: %v\n%s", o.Name, err, raw)
				}
				body, _ := io.ReadAll(req.Body)
				if req.Host != "127.0.0.1:8080" || req.ProtoMinor != 1 {
					t.Fatalf("%s: host %q, HTTP/1.%d", o.Name, req.Host, req.ProtoMinor)
				}
				if got := routeOf(mux, req); got != o.Route {
					t.Fatalf("%s: %s %s is route %q, want %q", o.Name, req.Method, req.URL, got, o.Route)
				}
				if o.Kind == OpFragment && (req.Header.Get(ledgerspec.HeaderHXRequest) != "true" ||
					req.Header.Get(ledgerspec.HeaderHXTarget) != ledgerspec.HTMLIDAccounts) {
					t.Fatalf("fragment without htmx headers: %v", req.Header)
				}
				checkBody(t, w, o, req, body)
			}
			for _, o := range w.Ops() {
				if !seen[o.Name] {
					t.Errorf("operation %s never drawn in 500 requests", o.Name)
				}
			}
		})
	}
}

func checkBody(t *testing.T, w *Workload, o Op, req *http.Request, body []byte) {
	t.Helper()
	if req.Method == http.MethodGet {
		if len(body) != 0 {
			t.Fatalf("%s: GET with a body", o.Name)
		}
		return
	}
	if req.Header.Get("Content-Type") != ledgerspec.ContentTypeJSON || req.ContentLength != int64(len(body)) {
		t.Fatalf("%s: content type %q, length %d for %d bytes", o.Name, req.Header.Get("Content-Type"), req.ContentLength, len(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	switch o.Kind {
	case OpTransfer:
		var tx ledgerspec.NewTransaction
		if err := dec.Decode(&tx); err != nil {
			t.Fatalf("transfer body %s: %v", body, err)
		}
		p := tx.Postings
		if !ledgerspec.ValidID(tx.ID) || len(p) != 1 || p[0].DebitAccountID == p[0].CreditAccountID ||
			p[0].Amount < 1 || p[0].Amount > MaxTransfer || !isAccount(w, p[0].DebitAccountID) || !isAccount(w, p[0].CreditAccountID) {
			t.Fatalf("transfer %+v breaks the contract or the workload", tx)
		}
	case OpBatch:
		var tx ledgerspec.NewTransaction
		if err := dec.Decode(&tx); err != nil {
			t.Fatalf("batch body %s: %v", body, err)
		}
		if !ledgerspec.ValidID(tx.ID) || len(tx.Postings) != BatchPostings || tx.Description != BatchDescription ||
			!ledgerspec.ValidText(tx.Description, ledgerspec.MaxDescriptionRunes) {
			t.Fatalf("batch %+v breaks the contract or the workload", tx)
		}
		for _, p := range tx.Postings {
			if p.DebitAccountID == p.CreditAccountID || p.Amount < 1 || p.Amount > MaxTransfer ||
				!isAccount(w, p.DebitAccountID) || !isAccount(w, p.CreditAccountID) {
				t.Fatalf("batch posting %+v breaks the contract or the workload", p)
			}
		}
	case OpCreateAccount:
		var a ledgerspec.NewAccount
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("account body %s: %v", body, err)
		}
		if !ledgerspec.ValidID(a.ID) || a.Ledger != w.Ledger() || !ledgerspec.ValidLedger(a.Ledger) || a.ID <= w.Accounts()[0] {
			t.Fatalf("new account %+v: want a valid id sorting after %s in ledger %s", a, w.Accounts()[0], w.Ledger())
		}
	default:
		t.Fatalf("%s: unexpected %s", o.Name, req.Method)
	}
}

func isAccount(w *Workload, id string) bool {
	for _, a := range w.Accounts() {
		if a == id {
			return true
		}
	}
	return false
}

func TestMixFollowsTheWeights(t *testing.T) {
	w := newWL(t, "ledger-mix")
	g := w.Gen(1)
	counts := make([]int, len(w.Ops()))
	const n = 100_000
	var buf []byte
	for range n {
		op, raw := g.Next(buf[:0])
		buf = raw
		counts[op]++
	}
	total := 0
	for _, m := range w.Mix {
		total += m.Weight
	}
	for i, m := range w.Mix {
		want := float64(m.Weight) / float64(total)
		got := float64(counts[i]) / n
		if math.Abs(got-want) > 0.01 {
			t.Errorf("%s drawn %.3f of the time, want %.3f", w.Ops()[i].Name, got, want)
		}
	}
}

// Ids created during a run carry the run id and the worker, so they never collide across
// workers or runs; setup ids come from the seed only, so a second setup replays the first.
func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, run := range []string{"r1", "r2"} {
		w := newWL(t, "transfer", func(p *Params) { p.RunID = run })
		for worker := 1; worker <= 3; worker++ {
			g := w.Gen(worker)
			var buf []byte
			for range 1000 {
				_, buf = g.Next(buf[:0])
				id := string(g.lastID)
				if seen[id] || !ledgerspec.ValidID(id) || !strings.Contains(id, run) {
					t.Fatalf("id %q repeated, invalid or without the run id", id)
				}
				seen[id] = true
			}
		}
	}
	a, b := newWL(t, "transfer"), newWL(t, "transfer", func(p *Params) { p.RunID = "other" })
	c := newWL(t, "transfer", func(p *Params) { p.Seed = 8 })
	if strings.Join(a.Accounts(), ",") != strings.Join(b.Accounts(), ",") || a.Ledger() != b.Ledger() {
		t.Error("the setup depends on the run id")
	}
	if a.Ledger() == c.Ledger() || a.Accounts()[0] == c.Accounts()[0] {
		t.Error("two seeds share a ledger or accounts")
	}
	if !ledgerspec.ValidLedger(newWL(t, "transfer", func(p *Params) { p.Seed = math.MaxUint64 }).Ledger()) {
		t.Error("the largest seed gives an invalid ledger name")
	}
}

func TestZipfSkewsTheChoice(t *testing.T) {
	share := func(skew string) float64 {
		w := newWL(t, "read", func(p *Params) { p.Skew = skew; p.Accounts = 1000 })
		g := w.Gen(1)
		hits := 0
		for range 20_000 {
			if g.account() == 0 {
				hits++
			}
		}
		return float64(hits) / 20_000
	}
	if u, z := share(SkewUniform), share(SkewZipf); u > 0.005 || z < 0.05 {
		t.Errorf("share of the first account: uniform %.4f, zipf %.4f; want ≈ 0.001 and > 0.05", u, z)
	}
}

func TestBadParams(t *testing.T) {
	for _, p := range []Params{
		{Host: "h", RunID: "r", Accounts: 1},
		{Host: "h", RunID: ""},
		{Host: "h", RunID: "with-dash"},
		{Host: "h", RunID: "r", Skew: "zipf", ZipfS: 1},
		{RunID: "r"},
	} {
		if _, err := New("read", p); err == nil {
			t.Errorf("New accepted %+v", p)
		}
	}
	if _, err := New("nope", Params{Host: "h", RunID: "r"}); err == nil {
		t.Error("New accepted an unknown workload")
	}
}

// Check accepts what the contract says and refuses answers that are fast but wrong.
func TestCheck(t *testing.T) {
	w := newWL(t, "ledger-mix")
	acc := w.Accounts()
	draw := func(g *Gen, kind OpKind) {
		for {
			op, _ := g.Next(nil)
			if w.Ops()[op].Kind == kind {
				return
			}
		}
	}
	jsonCT := []byte(ledgerspec.ContentTypeJSON)
	htmlCT := []byte(ledgerspec.ContentTypeHTML)
	page := func(extra string) []byte {
		return []byte("<!DOCTYPE html><html><head><script src=\"/static/htmx.min.js\"></script></head><body><main>" + extra + "</main></body></html>")
	}
	tests := []struct {
		name string
		kind OpKind
		ct   []byte
		body func(g *Gen) string
		ok   bool
	}{
		{"account", OpGetAccount, jsonCT, func(g *Gen) string {
			return `{"id":"` + acc[g.lastAcc] + `","ledger":"` + w.Ledger() + `","name":"n","flags":{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":false},"debits_posted":5,"credits_posted":7,"balance":2,"created_at":"2026-11-24T10:00:00.000000Z"}`
		}, true},
		{"account with a wrong balance", OpGetAccount, jsonCT, func(g *Gen) string {
			return `{"id":"` + acc[g.lastAcc] + `","ledger":"` + w.Ledger() + `","name":"n","flags":{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":false},"debits_posted":5,"credits_posted":7,"balance":3,"created_at":"x"}`
		}, false},
		{"another account", OpGetAccount, jsonCT, func(g *Gen) string {
			return `{"id":"someone","ledger":"` + w.Ledger() + `","name":"","flags":{"debits_must_not_exceed_credits":false,"credits_must_not_exceed_debits":false},"debits_posted":0,"credits_posted":0,"balance":0,"created_at":"x"}`
		}, false},
		{"account with an unknown field", OpGetAccount, jsonCT, func(g *Gen) string {
			return `{"id":"` + acc[g.lastAcc] + `","extra":1}`
		}, false},
		{"account as text/plain", OpGetAccount, []byte("text/plain"), func(g *Gen) string { return `{}` }, false},
		{"transfer", OpTransfer, jsonCT, func(g *Gen) string {
			return `{"id":"` + string(g.lastID) + `","seq":9,"postings":[{"debit_account_id":"` + acc[g.lastDebit] + `","credit_account_id":"` + acc[g.lastCredit] + `","amount":` + itoa(g.lastAmount) + `}],"description":"load","risk_flags":[],"created_at":"x"}`
		}, true},
		{"transfer with another amount", OpTransfer, jsonCT, func(g *Gen) string {
			return `{"id":"` + string(g.lastID) + `","seq":9,"postings":[{"debit_account_id":"` + acc[g.lastDebit] + `","credit_account_id":"` + acc[g.lastCredit] + `","amount":` + itoa(g.lastAmount+1) + `}],"description":"load","risk_flags":[],"created_at":"x"}`
		}, false},
		{"transfer with null risk flags", OpTransfer, jsonCT, func(g *Gen) string {
			return `{"id":"` + string(g.lastID) + `","seq":9,"postings":[{"debit_account_id":"` + acc[g.lastDebit] + `","credit_account_id":"` + acc[g.lastCredit] + `","amount":` + itoa(g.lastAmount) + `}],"description":"load","risk_flags":null,"created_at":"x"}`
		}, false},
		{"transaction page", OpTxPage, jsonCT, func(g *Gen) string {
			return `{"items":[{"id":"f","seq":3,"postings":[{"debit_account_id":"b","credit_account_id":"` + acc[g.lastAcc] + `","amount":1}],"description":"","risk_flags":[],"created_at":"x"}],"next_after":3,"has_more":false}`
		}, true},
		{"transaction page with a wrong cursor", OpTxPage, jsonCT, func(g *Gen) string {
			return `{"items":[{"id":"f","seq":3,"postings":[{"debit_account_id":"b","credit_account_id":"` + acc[g.lastAcc] + `","amount":1}],"description":"","risk_flags":[],"created_at":"x"}],"next_after":2,"has_more":false}`
		}, false},
		{"empty transaction page", OpTxPage, jsonCT, func(g *Gen) string { return `{"items":[],"next_after":null,"has_more":false}` }, false},
		{"account page", OpAccountPage, htmlCT, func(g *Gen) string {
			return string(page(`<table id="accounts"><tr data-account-id="` + acc[g.lastAcc] + `"></tr></table><table><tbody id="transactions"></tbody></table>`))
		}, true},
		{"account page of another account", OpAccountPage, htmlCT, func(g *Gen) string {
			return string(page(`<table id="accounts"><tr data-account-id="zzz"></tr></table><tbody id="transactions"></tbody>`))
		}, false},
		{"ledger page", OpLedgerPage, htmlCT, func(g *Gen) string {
			return string(page(`<table id="accounts"><tr data-account-id="` + acc[0] + `"></tr></table><form id="transfer-form"></form>`))
		}, true},
		{"ledger page without doctype", OpLedgerPage, htmlCT, func(g *Gen) string {
			return `<html><table id="accounts"><tr data-account-id="` + acc[0] + `"></tr></table><form id="transfer-form"></form></html>`
		}, false},
		{"fragment", OpFragment, htmlCT, func(g *Gen) string { return `<tr data-account-id="` + acc[0] + `"><td>1.00</td></tr>` }, true},
		{"fragment that is a page", OpFragment, htmlCT, func(g *Gen) string {
			return string(page(`<tr data-account-id="` + acc[0] + `"></tr>`))
		}, false},
		{"new account", OpCreateAccount, jsonCT, func(g *Gen) string {
			return `{"id":"` + string(g.lastID) + `","ledger":"` + w.Ledger() + `","name":"load run account","flags":{"debits_must_not_exceed_credits":false,"credits_must_not_exceed_debits":false},"debits_posted":0,"credits_posted":0,"balance":0,"created_at":"x"}`
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := w.Gen(2)
			draw(g, tt.kind)
			err := g.Check(tt.ct, []byte(tt.body(g)))
			if (err == nil) != tt.ok {
				t.Errorf("Check = %v, want ok %t", err, tt.ok)
			}
		})
	}
	for _, tt := range []struct {
		name, ct, body string
		ok             bool
	}{
		{"plaintext", ledgerspec.ContentTypePlain, ledgerspec.BenchPlaintextBody, true},
		{"plaintext, wrong body", ledgerspec.ContentTypePlain, "Hello, World", false},
		{"json", ledgerspec.ContentTypeJSON, `{"message":"Hello, World!"}`, true},
		{"json, trailing data", ledgerspec.ContentTypeJSON, `{"message":"Hello, World!"} {}`, false},
		{"json, wrong message", ledgerspec.ContentTypeJSON, `{"message":"hi"}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := "plaintext"
			if strings.HasPrefix(tt.name, "json") {
				name = "json"
			}
			g := newWL(t, name).Gen(1)
			g.Next(nil)
			if err := g.Check([]byte(tt.ct), []byte(tt.body)); (err == nil) != tt.ok {
				t.Errorf("Check = %v, want ok %t", err, tt.ok)
			}
		})
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func BenchmarkNext(b *testing.B) {
	for _, name := range []string{"plaintext", "transfer", "ledger-mix"} {
		b.Run(name, func(b *testing.B) {
			w, err := New(name, Params{Host: "127.0.0.1:8080", Seed: 1, RunID: "bench", Accounts: 1000, Skew: SkewZipf})
			if err != nil {
				b.Fatal(err)
			}
			g := w.Gen(1)
			buf := make([]byte, 0, 1024)
			b.ReportAllocs()
			for b.Loop() {
				_, buf = g.Next(buf[:0])
			}
		})
	}
}
