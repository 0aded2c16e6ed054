package transporttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks"
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
)

// Run checks the transport newServer, registered as name, against the rules of package transport.
func Run(t *testing.T, name string, newServer transport.New) {
	std := stacks.Codecs["std"]
	if std == nil {
		t.Fatal(`the registry has no "std" codec`)
	}
	t.Run("routes", func(t *testing.T) { testRoutes(t, Start(t, name, newServer, std())) })
	t.Run("not found", func(t *testing.T) { testNotFound(t, Start(t, name, newServer, std())) })
	t.Run("body limit", func(t *testing.T) { testBodyLimit(t, Start(t, name, newServer, std())) })
	t.Run("net/http client", func(t *testing.T) { testNetHTTPClient(t, Start(t, name, newServer, std())) })
	t.Run("keep-alive", func(t *testing.T) { testKeepAlive(t, Start(t, name, newServer, std())) })
	t.Run("engine replies", func(t *testing.T) { testEngineReplies(t, Start(t, name, newServer, std())) })
	t.Run("client disconnect", func(t *testing.T) { testClientDisconnect(t, Start(t, name, newServer, std())) })
	t.Run("shutdown waits", func(t *testing.T) { testShutdownWaits(t, Start(t, name, newServer, std())) })
	t.Run("shutdown deadline", func(t *testing.T) { testShutdownDeadline(t, Start(t, name, newServer, std())) })
	t.Run("buffer retention", func(t *testing.T) {
		codecs := map[string]func() app.Codec{"zero-copy model": newAliasingCodec}
		maps.Copy(codecs, stacks.Codecs)
		for _, c := range slices.Sorted(maps.Keys(codecs)) {
			if e, ok := codecs[c]().(stacks.Experimental); ok && e.Experiment() != stacks.BuiltExperiment() {
				// Not runnable in this binary: make test runs this package again with the experiment.
				t.Logf("json=%s needs GOEXPERIMENT=%s: checked by the test run built with it", c, e.Experiment())
				continue
			}
			t.Run("json="+c, func(t *testing.T) {
				if err := checkRetention(Start(t, name, newServer, codecs[c]()), 4, 300); err != nil {
					t.Error(err)
				}
			})
		}
	})
}

// baseHeaders checks what every response of a transport carries: Date, Server and a
// Content-Length that frames the body exactly (for a HEAD, the length the GET would have).
func baseHeaders(f *Fixture, r *Response, head bool) error {
	var problems []string
	if _, err := http.ParseTime(r.Header.Get("Date")); err != nil {
		problems = append(problems, fmt.Sprintf("Date %q", r.Header.Get("Date")))
	}
	if got, want := r.Header.Get("Server"), "stacklab-"+f.Name; got != want {
		problems = append(problems, fmt.Sprintf("Server %q, want %q", got, want))
	}
	switch {
	case r.ContentLength < 0:
		problems = append(problems, "no Content-Length")
	case !head && r.ContentLength != int64(len(r.Body)):
		problems = append(problems, fmt.Sprintf("Content-Length %d for a body of %d bytes", r.ContentLength, len(r.Body)))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// want is what a case expects of an answer.
type want struct {
	status   int
	media    string   // the Content-Type's media type, "" for any
	body     string   // the exact body, "" for any
	contains []string // substrings of the body
	lacks    []string
	header   map[string]string // exact values; "" for absent
	head     bool
}

func (w want) check(f *Fixture, r *Response) error {
	var problems []string
	if r.Status != w.status {
		problems = append(problems, fmt.Sprintf("status %d, want %d", r.Status, w.status))
	}
	if w.media != "" {
		if mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); mt != w.media {
			problems = append(problems, fmt.Sprintf("Content-Type %q, want %s", r.Header.Get("Content-Type"), w.media))
		}
	}
	if w.body != "" && string(r.Body) != w.body {
		problems = append(problems, fmt.Sprintf("body %q, want %q", r.Body, w.body))
	}
	for _, s := range w.contains {
		if !bytes.Contains(r.Body, []byte(s)) {
			problems = append(problems, fmt.Sprintf("body lacks %q", s))
		}
	}
	for _, s := range w.lacks {
		if bytes.Contains(r.Body, []byte(s)) {
			problems = append(problems, fmt.Sprintf("body holds %q", s))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(w.header)) {
		if got := r.Header.Get(k); got != w.header[k] {
			problems = append(problems, fmt.Sprintf("header %s %q, want %q", k, got, w.header[k]))
		}
	}
	if err := baseHeaders(f, r, w.head); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s (body %.200q)", strings.Join(problems, "; "), r.Body)
	}
	return nil
}

// exchange sends raw on c and checks the answer; a fatal error when the connection fails.
func exchange(t *testing.T, f *Fixture, c *Conn, raw []byte, w want) *Response {
	t.Helper()
	r, err := c.Do(raw, w.head)
	if err != nil {
		t.Fatalf("%s: %v", describe(raw), err)
	}
	if err := w.check(f, r); err != nil {
		t.Errorf("%s: %v", describe(raw), err)
	}
	return r
}

func dial(t *testing.T, f *Fixture) *Conn {
	t.Helper()
	c, err := Dial(f.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func problem(status int, code ledgerspec.Code) want {
	return want{status: status, media: ledgerspec.ContentTypeProblem, contains: []string{`"code":"` + string(code) + `"`}}
}

func account(id, ledger, name string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"ledger":%q,"name":%q}`, id, ledger, name)
}

func transfer(id, debit, credit string, amount int) []byte {
	return fmt.Appendf(nil, `{"id":%q,"postings":[{"debit_account_id":%q,"credit_account_id":%q,"amount":%d}]}`, id, debit, credit, amount)
}

func form(v url.Values) []byte { return []byte(v.Encode()) }

var (
	formType = []string{"Content-Type", ledgerspec.ContentTypeForm}
	htmx     = []string{ledgerspec.HeaderHXRequest, "true"}
)

// seed creates accounts acc-1 ("Alice <3") and acc-2 in ledger TT, and tx-1, tx-2, tx-3 from
// acc-1 to acc-2 (seq 1 to 3).
func seed(t *testing.T, f *Fixture, c *Conn) {
	t.Helper()
	exchange(t, f, c, Request("POST", "/api/accounts", account("acc-1", "TT", "Alice <3"), JSON...), want{status: 201})
	exchange(t, f, c, Request("POST", "/api/accounts", account("acc-2", "TT", "Bob"), JSON...), want{status: 201})
	for i := 1; i <= 3; i++ {
		exchange(t, f, c, Request("POST", "/api/transactions", transfer(fmt.Sprintf("tx-%d", i), "acc-1", "acc-2", i), JSON...), want{status: 201})
	}
}

func testRoutes(t *testing.T, f *Fixture) {
	c := dial(t, f)
	seed(t, f, c)
	html := ledgerspec.ContentTypeHTML[:strings.IndexByte(ledgerspec.ContentTypeHTML, ';')]
	vary := map[string]string{"Vary": ledgerspec.HTMLVaryValue}
	hx := func(target string) []string { return hdrs(htmx, []string{ledgerspec.HeaderHXTarget, target}) }
	cases := []struct {
		raw  []byte
		want want
	}{
		// create_account: the body and its Content-Type reach the app.
		{Request("POST", "/api/accounts", account("acc-3", "TT", "Carol"), JSON...),
			want{status: 201, media: "application/json", contains: []string{`"id":"acc-3"`, `"name":"Carol"`}}},
		{Request("POST", "/api/accounts", account("acc-3", "TT", "Carol"), "Content-Type", "application/json; charset=utf-8"),
			want{status: 200, contains: []string{`"id":"acc-3"`}}},
		{Request("POST", "/api/accounts", account("acc-4", "TT", ""), "Content-Type", "text/plain"), problem(415, ledgerspec.CodeUnsupportedMediaType)},
		{Request("POST", "/api/accounts", account("acc-4", "TT", "")), problem(415, ledgerspec.CodeUnsupportedMediaType)},
		// get_account: the parameter is percent-decoded, as one segment.
		{Request("GET", "/api/accounts/acc-1", nil), want{status: 200, media: "application/json", contains: []string{`"id":"acc-1"`, `"name":"Alice <3"`}}},
		{Request("GET", "/api/accounts/acc%2D1", nil), want{status: 200, contains: []string{`"id":"acc-1"`}}},
		{Request("GET", "/api/accounts/a%2Fb", nil), problem(400, ledgerspec.CodeMalformedRequest)},
		{Request("GET", "/api/accounts/missing", nil), problem(404, ledgerspec.CodeNotFound)},
		// create_transaction, and the app's own header on a replay.
		{Request("POST", "/api/transactions", transfer("tx-4", "acc-1", "acc-2", 4), JSON...),
			want{status: 201, contains: []string{`"id":"tx-4"`}, header: map[string]string{ledgerspec.HeaderReplayed: ""}}},
		{Request("POST", "/api/transactions", transfer("tx-4", "acc-1", "acc-2", 4), JSON...),
			want{status: 200, contains: []string{`"id":"tx-4"`}, header: map[string]string{ledgerspec.HeaderReplayed: "true"}}},
		{Request("GET", "/api/transactions/tx-1", nil), want{status: 200, contains: []string{`"id":"tx-1"`, `"seq":1`}}},
		{Request("GET", "/api/transactions/tx%2D2", nil), want{status: 200, contains: []string{`"id":"tx-2"`}}},
		// account_transactions: the query reaches the app still escaped.
		{Request("GET", "/api/accounts/acc-1/transactions?limit=1", nil),
			want{status: 200, contains: []string{`"id":"tx-1"`, `"has_more":true`, `"next_after":1`}, lacks: []string{`"id":"tx-2"`}}},
		{Request("GET", "/api/accounts/acc%2D1/transactions?limit=1&after=1", nil),
			want{status: 200, contains: []string{`"id":"tx-2"`}, lacks: []string{`"id":"tx-1"`}}},
		{Request("GET", "/api/accounts/acc-1/transactions?limit=%31", nil), want{status: 200, contains: []string{`"next_after":1`}}},
		{Request("GET", "/api/accounts/acc-1/transactions?limit=%2531", nil), problem(400, ledgerspec.CodeMalformedRequest)},
		{Request("GET", "/api/accounts/missing/transactions", nil), problem(404, ledgerspec.CodeNotFound)},
		// balances
		{Request("GET", "/api/balances?ledger=TT", nil), want{status: 200, contains: []string{`"ledger":"TT"`, `"id":"acc-1"`}}},
		{Request("GET", "/api/balances?ledger=T%54", nil), want{status: 200, contains: []string{`"ledger":"TT"`, `"id":"acc-2"`}}},
		{Request("GET", "/api/balances?ledger=T%2554", nil), problem(400, ledgerspec.CodeMalformedRequest)},
		// the benchmarks' baselines
		{Request("GET", "/bench/plaintext", nil), want{status: 200, media: "text/plain", body: ledgerspec.BenchPlaintextBody}},
		{Request("GET", "/bench/json", nil), want{status: 200, media: "application/json", body: `{"message":"Hello, World!"}`}},
		// ledger_page: HX-Request and HX-Target reach the app.
		{Request("GET", "/ledgers/TT", nil), want{status: 200, media: html, header: vary,
			contains: []string{ledgerspec.HTMLDoctypePrefix, `data-account-id="acc-1"`, `data-tx-id="tx-1"`}}},
		{Request("GET", "/ledgers/T%54", nil), want{status: 200, contains: []string{`data-account-id="acc-1"`}}},
		{Request("GET", "/ledgers/TT", nil, htmx...), want{status: 200, header: vary,
			contains: []string{`id="transfer-form"`}, lacks: []string{ledgerspec.HTMLDoctypePrefix}}},
		{Request("GET", "/ledgers/TT", nil, hx(ledgerspec.HTMLIDAccounts)...), want{status: 200,
			contains: []string{`data-account-id="acc-1"`}, lacks: []string{`data-tx-id`, `id="transfer-form"`, ledgerspec.HTMLDoctypePrefix}}},
		{Request("GET", "/ledgers/TT", nil, hx(ledgerspec.HTMLIDTransactions)...), want{status: 200,
			contains: []string{`data-tx-id="tx-1"`}, lacks: []string{`data-account-id`, `id="transfer-form"`}}},
		{Request("GET", "/ledgers/TT", nil, ledgerspec.HeaderHXRequest, "false", ledgerspec.HeaderHXTarget, ledgerspec.HTMLIDAccounts),
			want{status: 200, contains: []string{ledgerspec.HTMLDoctypePrefix}}},
		// account_page and account_rows
		{Request("GET", "/accounts/acc-1", nil), want{status: 200, media: html, contains: []string{ledgerspec.HTMLDoctypePrefix, `data-tx-id="tx-1"`}}},
		{Request("GET", "/accounts/acc-1/rows?after=3", nil), want{status: 200, media: html,
			contains: []string{`data-tx-id="tx-2"`, `data-tx-id="tx-1"`}, lacks: []string{`data-tx-id="tx-3"`, ledgerspec.HTMLDoctypePrefix}}},
		{Request("GET", "/accounts/acc-1/rows?after=%2533", nil), want{status: 400, media: html}},
		// ui_transaction: a redirect, then an htmx answer with the app's headers.
		{Request("POST", "/ui/transactions", form(url.Values{"id": {"ui-1"}, "debit_account_id": {"acc-1"}, "credit_account_id": {"acc-2"}, "amount": {"0.01"}}), formType...),
			want{status: 303, header: map[string]string{"Location": "/ledgers/TT", "Vary": ledgerspec.HTMLVaryValue}}},
		{Request("POST", "/ui/transactions", form(url.Values{"id": {"ui-2"}, "debit_account_id": {"acc-1"}, "credit_account_id": {"acc-2"}, "amount": {"0.02"}}), hdrs(formType, htmx)...),
			want{status: 200, contains: []string{`data-tx-id="ui-2"`}, header: map[string]string{ledgerspec.HeaderHXTrigger: ledgerspec.EventTxPosted}}},
		{Request("POST", "/ui/transactions", form(url.Values{"debit_account_id": {"acc-1"}}), hdrs(formType, htmx)...),
			want{status: 422, contains: []string{`data-code="malformed_request"`},
				header: map[string]string{ledgerspec.HTMLRetargetHeader: "#" + ledgerspec.HTMLIDFormErrors, ledgerspec.HTMLReswapHeader: "innerHTML"}}},
		// static
		{Request("GET", ledgerspec.PathHTMX, nil), want{status: 200, media: "text/javascript", contains: []string{"htmx"},
			header: map[string]string{"Cache-Control": "public, max-age=86400"}}},
		{Request("GET", "/static/other.js", nil), problem(404, ledgerspec.CodeNotFound)},
		// HEAD is answered like GET, without the body.
		{Request("HEAD", "/bench/plaintext", nil), want{status: 200, head: true, header: map[string]string{"Content-Length": "13"}}},
		{Request("HEAD", "/api/accounts/acc-1", nil), want{status: 200, head: true}},
	}
	for _, tc := range cases {
		exchange(t, f, c, tc.raw, tc.want)
	}
	for _, id := range []string{"ui-1", "ui-2"} {
		if _, err := f.Store.Transaction(context.Background(), id); err != nil {
			t.Errorf("the form's transaction %s is not stored: %v", id, err)
		}
	}
}

func testNotFound(t *testing.T, f *Fixture) {
	c := dial(t, f)
	exchange(t, f, c, Request("POST", "/api/accounts", account("acc-1", "TT", ""), JSON...), want{status: 201})
	notFound := problem(404, ledgerspec.CodeNotFound)
	for _, raw := range [][]byte{
		Request("GET", "/", nil),
		Request("GET", "/nope", nil),
		Request("GET", "/api", nil),
		Request("GET", "/api/accounts", nil), // a POST route
		Request("PUT", "/api/accounts", account("acc-1", "TT", ""), JSON...),
		Request("DELETE", "/api/accounts/acc-1", nil),
		Request("POST", "/bench/plaintext", []byte{}, JSON...),
		Request("PATCH", "/bench/json", nil),
		Request("OPTIONS", "/bench/plaintext", nil),
		Request("GET", "/API/accounts/acc-1", nil),
		Request("GET", "/Bench/plaintext", nil),
		Request("GET", "/api/accounts/", nil),
		Request("GET", "/api/accounts/acc-1/", nil),
		Request("GET", "/bench/plaintext/", nil),
		Request("GET", "/api/accounts/acc-1/transactions/x", nil),
		// Not canonical: ServeMux would redirect to the cleaned path; every transport says not found.
		Request("GET", "/api//accounts/acc-1", nil),
		Request("GET", "//bench/plaintext", nil),
		Request("GET", "/bench/./plaintext", nil),
		Request("GET", "/bench/x/../plaintext", nil),
		Request("GET", "/api/accounts/..", nil),
		Request("GET", "/api/accounts/.", nil),
	} {
		exchange(t, f, c, raw, notFound)
	}
	exchange(t, f, c, Request("HEAD", "/nope", nil), want{status: 404, head: true})
}

// sized is a JSON account body of exactly n bytes (padded with trailing spaces).
func sized(id string, n int) []byte {
	b := account(id, "TT", "")
	return append(b, bytes.Repeat([]byte(" "), n-len(b))...)
}

func testBodyLimit(t *testing.T, f *Fixture) {
	limit := ledgerspec.MaxBodyBytes
	tooLarge := problem(413, ledgerspec.CodePayloadTooLarge)
	cases := []struct {
		name string
		raw  []byte
		want want
	}{
		{"65,536 bytes", Request("POST", "/api/accounts", sized("len-ok", limit), JSON...), want{status: 201}},
		{"65,537 bytes", Request("POST", "/api/accounts", sized("len-big", limit+1), JSON...), tooLarge},
		{"65,536 bytes chunked", Chunked("POST", "/api/accounts", sized("chunk-ok", limit), 4000, JSON...), want{status: 201}},
		{"65,537 bytes chunked", Chunked("POST", "/api/accounts", sized("chunk-big", limit+1), 4000, JSON...), tooLarge},
		{"65,537 bytes in one chunk", Chunked("POST", "/api/transactions", sized("chunk-one", limit+1), limit+1, JSON...), tooLarge},
		{"65,537 bytes form", Request("POST", "/ui/transactions", append([]byte("id=form-big&amount="), bytes.Repeat([]byte("1"), limit+1-19)...), formType...),
			want{status: 413, media: "text/html", contains: []string{`data-code="payload_too_large"`}}},
		{"65,537 bytes form chunked", Chunked("POST", "/ui/transactions", append([]byte("id=form-big&amount="), bytes.Repeat([]byte("1"), limit+1-19)...), 1000, hdrs(formType, htmx)...),
			want{status: 413, contains: []string{`data-code="payload_too_large"`}}},
		{"empty chunked", Chunked("POST", "/api/accounts", nil, 1, JSON...), problem(400, ledgerspec.CodeMalformedRequest)},
	}
	for _, tc := range cases {
		// A connection each: after a 413 the engine may close it.
		exchange(t, f, dial(t, f), tc.raw, tc.want)
	}
	for id, status := range map[string]int{"len-ok": 200, "chunk-ok": 200, "len-big": 404, "chunk-big": 404} {
		exchange(t, f, dial(t, f), Request("GET", "/api/accounts/"+id, nil), want{status: status})
	}

	t.Run("huge declared body", func(t *testing.T) {
		// 1 GiB declared, 256 KiB sent: the answer must come without the rest.
		c := dial(t, f)
		head := fmt.Sprintf("POST /api/accounts HTTP/1.1\r\nHost: transporttest\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 1<<30)
		go func() { _, _ = c.c.Write(append([]byte(head), bytes.Repeat([]byte(" "), 256<<10)...)) }()
		r, err := c.Read(false)
		if err != nil {
			t.Fatalf("no answer to a huge body: %v", err)
		}
		if err := tooLarge.check(f, r); err != nil {
			t.Error(err)
		}
	})
	t.Run("huge chunked body", func(t *testing.T) {
		// A client that keeps sending chunks (up to 16 MiB, never the last one) until it has its
		// answer: a transport that waited for the whole body would never answer.
		c := dial(t, f)
		head := "POST /api/accounts HTTP/1.1\r\nHost: transporttest\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
		chunk := fmt.Appendf(nil, "%x\r\n%s\r\n", 32<<10, bytes.Repeat([]byte(" "), 32<<10))
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			_, _ = c.c.Write([]byte(head))
			for range 512 {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.c.Write(chunk); err != nil {
					return
				}
			}
		}()
		r, err := c.Read(false)
		if err != nil {
			t.Fatalf("no answer to a huge chunked body: %v", err)
		}
		if err := tooLarge.check(f, r); err != nil {
			t.Error(err)
		}
	})
	t.Run("broken chunked body", func(t *testing.T) {
		// The engine hands over the stream; the transport finds the bad framing and answers 400.
		c := dial(t, f)
		raw := "POST /api/accounts HTTP/1.1\r\nHost: transporttest\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5\r\n{\"id\"\r\nzz\r\n"
		r, err := c.Do([]byte(raw), false)
		if err != nil {
			t.Fatalf("no answer to a broken chunked body: %v", err)
		}
		if err := (want{status: 400}).check(f, r); err != nil {
			t.Error(err)
		}
	})
}

func testNetHTTPClient(t *testing.T, f *Fixture) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	base := "http://" + f.Addr
	do := func(method, path string, body io.Reader, length int64, header http.Header, w want) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = length
		maps.Copy(req.Header, header)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s %s: reading the body: %v", method, path, err)
		}
		r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, ContentLength: resp.ContentLength}
		if len(resp.TransferEncoding) > 0 {
			r.ContentLength = -1
		}
		if err := w.check(f, r); err != nil {
			t.Errorf("%s %s: %v", method, path, err)
		}
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	do("GET", "/bench/plaintext", nil, 0, nil, want{status: 200, body: ledgerspec.BenchPlaintextBody})
	do("POST", "/api/accounts", bytes.NewReader(account("n-1", "NH", "n")), int64(len(account("n-1", "NH", "n"))), jsonHeader, want{status: 201})
	// An unknown length makes net/http's client send the body chunked.
	do("POST", "/api/accounts", io.MultiReader(bytes.NewReader(account("n-2", "NH", "n"))), -1, jsonHeader, want{status: 201})
	big := sized("n-3", ledgerspec.MaxBodyBytes+1)
	do("POST", "/api/accounts", bytes.NewReader(big), int64(len(big)), jsonHeader, problem(413, ledgerspec.CodePayloadTooLarge))
	do("POST", "/api/accounts", io.MultiReader(bytes.NewReader(big)), -1, jsonHeader, problem(413, ledgerspec.CodePayloadTooLarge))
	do("GET", "/api/accounts/n-2", nil, 0, nil, want{status: 200, contains: []string{`"ledger":"NH"`}})
	do("GET", "/api/balances?ledger=NH", nil, 0, nil, want{status: 200, contains: []string{`"id":"n-1"`, `"id":"n-2"`}})
	do("HEAD", "/bench/json", nil, 0, nil, want{status: 200, head: true})
	do("DELETE", "/api/accounts/n-1", nil, 0, nil, problem(404, ledgerspec.CodeNotFound))
}

func testKeepAlive(t *testing.T, f *Fixture) {
	c := dial(t, f)
	for i := range 50 {
		var raw []byte
		w := want{status: 200}
		switch i % 5 {
		case 0:
			raw = Request("GET", "/bench/plaintext", nil)
		case 1:
			raw, w = Request("POST", "/api/accounts", account(fmt.Sprintf("ka-%d", i), "KA", "k"), JSON...), want{status: 201}
		case 2:
			raw = Request("GET", fmt.Sprintf("/api/accounts/ka-%d", i-1), nil)
		case 3:
			raw = Request("GET", "/ledgers/KA", nil)
		case 4:
			raw, w = Request("GET", "/nope", nil), problem(404, ledgerspec.CodeNotFound)
		}
		if r := exchange(t, f, c, raw, w); r.Close {
			t.Fatalf("request %d: the server closes a keep-alive connection", i)
		}
	}
}

func testClientDisconnect(t *testing.T, f *Fixture) {
	g := f.Block("CreateAccount", "gone-1")
	c := dial(t, f)
	if _, err := c.c.Write(Request("POST", "/api/accounts", account("gone-1", "GO", ""), JSON...)); err != nil {
		t.Fatal(err)
	}
	if err := g.Entered(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	c.Close()
	time.Sleep(300 * time.Millisecond) // time for a transport to notice the disconnect
	g.Release()
	ctxErr, ok := g.Left(10 * time.Second)
	switch {
	case !ok:
		t.Fatal("the request never left the store call")
	case ctxErr != nil:
		t.Errorf("the request's context was cancelled when its client went away: %v", ctxErr)
	}
	exchange(t, f, dial(t, f), Request("GET", "/api/accounts/gone-1", nil), want{status: 200, contains: []string{`"id":"gone-1"`}})
}

func testShutdownWaits(t *testing.T, f *Fixture) {
	g := f.Block("CreateAccount", "late-1")
	c := dial(t, f)
	idle := dial(t, f)
	exchange(t, f, idle, Request("GET", "/bench/plaintext", nil), want{status: 200})
	if _, err := c.c.Write(Request("POST", "/api/accounts", account("late-1", "LA", ""), JSON...)); err != nil {
		t.Fatal(err)
	}
	if err := g.Entered(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		stopped <- f.Stop(ctx)
	}()
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned while a request was in flight (%v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	// No new connection is served while shutting down.
	if late, err := Dial(f.Addr); err == nil {
		late.Timeout = 2 * time.Second
		if r, err := late.Do(Request("GET", "/bench/plaintext", nil), false); err == nil {
			t.Errorf("a connection made during Shutdown was served: %d", r.Status)
		}
		late.Close()
	}
	g.Release()
	r, err := c.Read(false)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v", err)
	}
	if err := (want{status: 201}).check(f, r); err != nil {
		t.Errorf("the in-flight request: %v", err)
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return after the in-flight request finished (an idle keep-alive connection kept it waiting?)")
	}
	if ctxErr, ok := g.Left(time.Second); !ok || ctxErr != nil {
		t.Errorf("the in-flight request's context: left %v, error %v", ok, ctxErr)
	}
}

func testShutdownDeadline(t *testing.T, f *Fixture) {
	g := f.Block("CreateAccount", "stuck-1")
	var once sync.Once
	t.Cleanup(func() { once.Do(g.Release) })
	c := dial(t, f)
	if _, err := c.c.Write(Request("POST", "/api/accounts", account("stuck-1", "ST", ""), JSON...)); err != nil {
		t.Fatal(err)
	}
	if err := g.Entered(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := f.Stop(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown past its deadline returned %v, want an error wrapping context.DeadlineExceeded", err)
	}
	ctxErr, ok := g.Left(5 * time.Second)
	switch {
	case !ok:
		t.Error("the in-flight request's context was not cancelled when Shutdown gave up")
	case !errors.Is(ctxErr, context.Canceled):
		t.Errorf("the in-flight request's context: %v, want context.Canceled", ctxErr)
	}
}
