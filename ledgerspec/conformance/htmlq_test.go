package conformance

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"stacklab/ledgerspec"
)

const rowHTML = `<tr data-tx-id="t1" data-seq="5"><td data-field="description">a &amp; b &lt;i&gt;</td>
<td><ul><li data-posting="0"><a data-field="debit_account_id">A</a> → <a data-field="credit_account_id">B</a>
<span data-field="amount">12.34</span></li></ul></td></tr>`

var rowTx = ledgerspec.Transaction{ID: "t1", Seq: 5, Description: "a & b <i>", Postings: []ledgerspec.Posting{posting("A", "B", 1234)}}

func TestParseFragmentUsesTheContext(t *testing.T) {
	root, err := parseFragment([]byte(rowHTML), "tbody")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := txRows(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].id != "t1" || rows[0].seq != 5 {
		t.Fatalf("rows parsed in a <tbody>: %+v, want t1@5", rows)
	}
	if err := checkTxRow(rows[0], rowTx); err != nil {
		t.Fatalf("checkTxRow: %v", err)
	}
	// Outside a table the parser drops the <tr>: the context matters.
	root, err = parseFragment([]byte(rowHTML), "div")
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := txRows(root); len(rows) != 0 {
		t.Fatalf("a <tr> parsed in a <div> kept %d rows, want 0", len(rows))
	}
}

func TestCheckTxRow(t *testing.T) {
	for _, tc := range []struct {
		name string
		tx   func(ledgerspec.Transaction) ledgerspec.Transaction
		want string
	}{
		{"same", func(t ledgerspec.Transaction) ledgerspec.Transaction { return t }, ""},
		{"other seq", func(t ledgerspec.Transaction) ledgerspec.Transaction { t.Seq = 6; return t }, "data-seq=5"},
		{"other description", func(t ledgerspec.Transaction) ledgerspec.Transaction { t.Description = "a &amp; b <i>"; return t }, "description"},
		{"other amount", func(t ledgerspec.Transaction) ledgerspec.Transaction {
			t.Postings = []ledgerspec.Posting{posting("A", "B", 1235)}
			return t
		}, "amount"},
		{"other credit account", func(t ledgerspec.Transaction) ledgerspec.Transaction {
			t.Postings = []ledgerspec.Posting{posting("A", "C", 1234)}
			return t
		}, "credit_account_id"},
		{"a posting missing", func(t ledgerspec.Transaction) ledgerspec.Transaction {
			t.Postings = []ledgerspec.Posting{posting("A", "B", 1234), posting("B", "A", 1)}
			return t
		}, `data-posting="1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, err := parseFragment([]byte(rowHTML), "tbody")
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := txRows(root)
			err = checkTxRow(rows[0], tc.tx(rowTx))
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("checkTxRow = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

const accountsHTML = `<tr data-account-id="a1"><td data-field="name">Alice
 &lt;3</td><td data-field="ledger">USD</td><td data-field="debits_posted">0.05</td>
<td data-field="credits_posted">0.00</td><td data-field="balance">-0.05</td></tr>
<tr data-account-id="b2"><td data-field="name"></td><td data-field="ledger">USD</td><td data-field="debits_posted">0.00</td>
<td data-field="credits_posted">0.05</td><td data-field="balance">0.05</td></tr>
<tr><td data-field="total_debits">0.05</td><td data-field="total_credits">0.05</td></tr>`

func TestWantAccountRows(t *testing.T) {
	a := ledgerspec.Account{ID: "a1", Ledger: "USD", Name: "Alice\n <3", DebitsPosted: 5, Balance: -5}
	b := ledgerspec.Account{ID: "b2", Ledger: "USD", CreditsPosted: 5, Balance: 5}
	root, err := parseFragment([]byte(accountsHTML), "table")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		want []ledgerspec.Account
		err  string
	}{
		{[]ledgerspec.Account{a, b}, ""},
		{[]ledgerspec.Account{b, a}, "lists the accounts"},
		{[]ledgerspec.Account{a}, "lists the accounts"},
		{[]ledgerspec.Account{{ID: "a1", Ledger: "USD", Name: "Alice <3", DebitsPosted: 5, Balance: -5}, b}, "name"},
		{[]ledgerspec.Account{{ID: "a1", Ledger: "USD", Name: "Alice\n <3", DebitsPosted: 500, Balance: -500}, b}, "debits_posted"},
	} {
		err := wantAccountRows(root, tc.want, "#accounts")
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("wantAccountRows(%v) = %v, want an error containing %q", tc.want, err, tc.err)
		}
	}
}

func TestLoadMore(t *testing.T) {
	for _, tc := range []struct {
		markup string
		seq    int64
		more   bool
		err    string
	}{
		{`<tr data-tx-id="t" data-seq="9"></tr>`, 0, false, ""},
		{`<tr data-next-after="9" hx-get="/accounts/acc-1/rows?after=9" hx-swap="outerHTML"><td>load more</td></tr>`, 9, true, ""},
		{`<tr data-next-after="9" hx-get="/accounts/acc-1/rows?after=8"></tr>`, 0, false, "hx-get"},
		{`<tr data-next-after="9"></tr>`, 0, false, "hx-get"},
		{`<tr data-next-after="x" hx-get="/accounts/acc-1/rows?after=x"></tr>`, 0, false, "not a seq"},
		{`<tr data-next-after="9" hx-get="/accounts/acc-1/rows?after=9"></tr><tr data-next-after="9" hx-get="/accounts/acc-1/rows?after=9"></tr>`, 0, false, "at most one"},
	} {
		root, err := parseFragment([]byte(tc.markup), "tbody")
		if err != nil {
			t.Fatal(err)
		}
		seq, more, err := loadMore(root, "acc-1")
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("loadMore(%s) error %v, want one containing %q", tc.markup, err, tc.err)
			continue
		}
		if seq != tc.seq || more != tc.more {
			t.Errorf("loadMore(%s) = %d, %v; want %d, %v", tc.markup, seq, more, tc.seq, tc.more)
		}
	}
}

func TestRawTags(t *testing.T) {
	for _, tc := range []struct {
		markup string
		want   []string
	}{
		{`<tr><td>x</td></tr>`, []string{"tr", "td"}},
		{`<td>&lt;body&gt; is text</td>`, []string{"td"}},
		{`<!DOCTYPE html><HTML><Body><br/>`, []string{"!doctype", "html", "body", "br"}},
		{`<td title="<html>">x</td>`, []string{"td"}},
	} {
		if got := rawTags([]byte(tc.markup)); !slices.Equal(got, tc.want) {
			t.Errorf("rawTags(%s) = %v, want %v", tc.markup, got, tc.want)
		}
	}
}

func TestVaryAndContentType(t *testing.T) {
	for _, tc := range []struct {
		vary []string
		want bool
	}{
		{[]string{"HX-Request"}, true}, {[]string{"Accept-Encoding, hx-request"}, true}, {[]string{"Accept", "HX-Request"}, true},
		{[]string{"Accept"}, false}, {nil, false}, {[]string{"HX-Requests"}, false},
	} {
		if got := varyHas(http.Header{"Vary": tc.vary}, "HX-Request"); got != tc.want {
			t.Errorf("varyHas(%q) = %v, want %v", tc.vary, got, tc.want)
		}
	}
	for _, tc := range []struct {
		ct   string
		want bool
	}{
		{"text/html; charset=utf-8", true}, {"text/html;charset=UTF-8", true}, {"TEXT/HTML; charset=utf-8", true},
		{"text/html", false}, {"text/html; charset=latin1", false}, {"text/plain; charset=utf-8", false}, {"", false},
	} {
		if got := isHTMLType(tc.ct); got != tc.want {
			t.Errorf("isHTMLType(%q) = %v, want %v", tc.ct, got, tc.want)
		}
	}
}

func TestInjected(t *testing.T) {
	page := func(body string) string {
		return `<!doctype html><html><head><script src="/static/htmx.min.js"></script></head><body><main>` + body + `</main></body></html>`
	}
	for _, tc := range []struct {
		name, markup, want string
	}{
		{"escaped corpus", page(`<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td title="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;">x</td>
			<tr data-next-after="3" hx-get="/accounts/a/rows?after=3" hx-trigger="revealed" hx-swap="outerHTML"></tr>`), ""},
		{"a second script", page(`<script>alert(1)</script>`), "<script>"},
		{"an image", page(`"><img src=x onerror=alert(1)>`), "<img>"},
		{"a handler on a misplaced cell", page(`<td onclick="x()">a</td>`), "onclick"},
		{"an image without handler", page(`<img src=x>`), "<img>"},
		{"an event handler", page(`<div onclick="x()">a</div>`), "onclick"},
		{"an svg handler", page(`<svg onload="x()"></svg>`), "onload"},
		{"an injected hx-get", page(`<td title='' hx-get="/x" hx-trigger="load"''>a</td>`), `hx-get="/x"`},
		{"an injected hx-post", page(`<div hx-post="/api/accounts">`), `hx-post="/api/accounts"`},
		{"corpus text in an htmx attribute", page(`<div hx-confirm="Pay &lt;div hx-post=&quot;/api/accounts&quot;&gt;?"></div>`), "untrusted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parseDoc([]byte(tc.markup))
			if err != nil {
				t.Fatal(err)
			}
			err = injected(doc, []byte(tc.markup), []string{`<div hx-post="/api/accounts">`, `<script>alert(1)</script>`}, injectedValues)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("injected = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// htmlReply is an exchange holding an HTML answer, as send would return it.
func htmlReply(status int, body string, header http.Header) *exchange {
	h := http.Header{"Content-Type": {ledgerspec.ContentTypeHTML}, "Vary": {"HX-Request"}}
	for k, v := range header {
		h[k] = v
	}
	return &exchange{req: request{method: "GET", path: "/ledgers/L"}, Reply: &ledgerspec.Reply{Status: status, Header: h, Body: []byte(body)}}
}

func TestFullPage(t *testing.T) {
	const good = `<!doctype html><html><head><script src="/static/htmx.min.js"></script></head><body><main></main></body></html>`
	for _, tc := range []struct {
		name   string
		x      *exchange
		wantOK bool
	}{
		{"good", htmlReply(200, good, nil), true},
		{"upper-case doctype", htmlReply(200, strings.Replace(good, "<!doctype html>", "<!DOCTYPE HTML>", 1), nil), true},
		{"extra local script", htmlReply(200, strings.Replace(good, "</head>", `<script src="/static/app.js"></script></head>`, 1), nil), true},
		{"no doctype", htmlReply(200, strings.TrimPrefix(good, "<!doctype html>"), nil), false},
		{"leading blank", htmlReply(200, "\n"+good, nil), false},
		{"htmx from a CDN", htmlReply(200, strings.Replace(good, `"/static/htmx.min.js"`, `"https://unpkg.com/htmx.org"`, 1), nil), false},
		{"a CDN script besides htmx", htmlReply(200, strings.Replace(good, "</head>", `<script src="//cdn.example/x.js"></script></head>`, 1), nil), false},
		{"no htmx", htmlReply(200, strings.Replace(good, "htmx.min.js", "other.js", 1), nil), false},
		{"no Vary", htmlReply(200, good, http.Header{"Vary": nil}), false},
		{"no charset", htmlReply(200, good, http.Header{"Content-Type": {"text/html"}}), false},
		{"404", htmlReply(404, good, nil), false},
	} {
		_, err := tc.x.fullPage()
		if (err == nil) != tc.wantOK {
			t.Errorf("%s: fullPage error %v, want ok %v", tc.name, err, tc.wantOK)
		}
	}
}

func TestFragment(t *testing.T) {
	for _, tc := range []struct {
		markup string
		wantOK bool
	}{
		{rowHTML, true},
		{"<body>" + rowHTML + "</body>", false},
		{"<html>" + rowHTML, false},
		{"<head></head>" + rowHTML, false},
		{"<!doctype html>" + rowHTML, false},
	} {
		_, err := htmlReply(200, tc.markup, nil).fragment(200, "tbody")
		if (err == nil) != tc.wantOK {
			t.Errorf("fragment(%.40q) error %v, want ok %v", tc.markup, err, tc.wantOK)
		}
	}
}

func TestTriggerHas(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"ledger:transaction-posted", true},
		{"other, ledger:transaction-posted", true},
		{`{"ledger:transaction-posted":null}`, true},
		{`{"ledger:transaction-posted":{"id":"t1"},"x":1}`, true},
		{`{"other":1}`, false},
		{"ledger:transaction-posted-x", false},
		{"", false},
		{`{"ledger:transaction-posted"`, false},
	} {
		if got := triggerHas(tc.v, ledgerspec.EventTxPosted); got != tc.want {
			t.Errorf("triggerHas(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestTextDecodesEntities(t *testing.T) {
	root, err := parseFragment([]byte(`<span>&amp;amp; &lt;b&gt; {{.}} &#x1F642;</span>`), "div")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := text(root), "&amp; <b> {{.}} 🙂"; got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
}
