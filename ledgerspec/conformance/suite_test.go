package conformance

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"stacklab/ledgerspec"
)

func isKebab(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func TestChecksRegistry(t *testing.T) {
	cs := Checks()
	if len(cs) < 45 {
		t.Errorf("%d checks, want at least 45", len(cs))
	}
	seen := make(map[string]bool)
	lastSeen := false
	for _, c := range cs {
		switch {
		case seen[c.ID]:
			t.Errorf("check id %q twice", c.ID)
		case !isKebab(c.ID) || len(c.ID) > 32:
			t.Errorf("check id %q: want short kebab-case (at most 32 characters)", c.ID)
		case strings.TrimSpace(c.Title) == "":
			t.Errorf("check %q has no title", c.ID)
		case c.run == nil:
			t.Errorf("check %q has no function", c.ID)
		case c.NeedsEvents && !c.Last:
			t.Errorf("check %q reads the broker but does not run last", c.ID)
		case lastSeen && !c.Last:
			t.Errorf("check %q is listed after a check that runs last", c.ID)
		}
		seen[c.ID] = true
		lastSeen = lastSeen || c.Last
	}
	for _, id := range []string{"headers", "bench-plaintext", "bench-json", "bank", "hot-account", "concurrent-duplicates",
		"opposite-directions", "read-your-writes", "pagination-concurrent", "html-escaping", "events-transactions",
		"events-alerts", "events-no-failed", "rule-overflows-debits", "rule-overflows-credits", "risk-velocity",
		"strict-key-case", "strict-duplicate-keys", "strict-null-optional", "strict-null-required", "strict-bom-utf8", "strict-nesting"} {
		if !seen[id] {
			t.Errorf("no check %q", id)
		}
	}
	// Checks returns a copy.
	cs[0].ID = "changed"
	if Checks()[0].ID == "changed" {
		t.Error("Checks returned the suite's own slice")
	}
}

func TestTargetValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    Target
		want string // "" for valid
	}{
		{"defaults", Target{URL: "http://127.0.0.1:8080"}, ""},
		{"trailing slash", Target{URL: "http://127.0.0.1:8080/"}, ""},
		{"only known ids", Target{URL: "http://h:1", Only: []string{"bank", " headers "}}, ""},
		{"no URL", Target{}, "want http"},
		{"no scheme", Target{URL: "127.0.0.1:8080"}, "target URL"},
		{"ftp", Target{URL: "ftp://h/"}, "want http"},
		{"unknown id", Target{URL: "http://h:1", Only: []string{"bank", "nope"}}, "unknown check ids: nope"},
		{"only empty ids", Target{URL: "http://h:1", Only: []string{" "}}, "no check id"},
		{"velocity too large", Target{URL: "http://h:1", VelocityLimit: maxVelocityLimit + 1}, "velocity"},
		{"velocity negative", Target{URL: "http://h:1", VelocityLimit: -1}, "velocity"},
		{"large amount beyond amounts", Target{URL: "http://h:1", LargeAmount: ledgerspec.MaxAmount + 1}, "large amount"},
		{"large amount 1", Target{URL: "http://h:1", LargeAmount: 1}, "large amount"},
		{"negative parallel", Target{URL: "http://h:1", Parallel: -2}, "parallel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.t.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestSettingsDefaults(t *testing.T) {
	s, err := Target{URL: "http://h:1/"}.settings()
	if err != nil {
		t.Fatal(err)
	}
	if s.base != "http://h:1" || s.parallel != defaultParallel || s.velocityLimit != ledgerspec.DefaultVelocityLimit ||
		s.largeAmount != ledgerspec.DefaultLargeAmount || s.client.Timeout != DefaultRequestTimeout || s.client.CheckRedirect == nil {
		t.Fatalf("settings %+v: want the contract defaults, a timeout and no redirects followed", s)
	}
	own := &http.Client{}
	s, err = Target{URL: "http://h:1", HTTPClient: own}.settings()
	if err != nil {
		t.Fatal(err)
	}
	if own.CheckRedirect != nil || s.client.CheckRedirect == nil {
		t.Fatal("the suite must not follow redirects and must not change the caller's client")
	}
}

func TestFreshNames(t *testing.T) {
	su, err := newSuite(&settings{})
	if err != nil {
		t.Fatal(err)
	}
	longest := ""
	for _, c := range checks {
		if len(c.ID) > len(longest) {
			longest = c.ID
		}
	}
	e := su.env(context.Background(), longest)
	su.n.Store(36*36*36*36 - 10) // counters of a long run
	seen := make(map[string]bool)
	for _, tag := range []string{"", "t", "B-", "a-", "_-", "0-", "-", "missing", "long", "b7"} {
		id := e.id(tag)
		if !ledgerspec.ValidID(id) || seen[id] {
			t.Errorf("id(%q) = %q: want a fresh valid id", tag, id)
		}
		if len(id) > ledgerspec.MaxIDLen-4 {
			t.Errorf("id(%q) = %q is %d characters: too long to pad", tag, id, len(id))
		}
		seen[id] = true
		if !strings.HasPrefix(id, tag) {
			t.Errorf("id(%q) = %q does not start with its tag", tag, id)
		}
	}
	for range 20 {
		l := e.ledger()
		if !ledgerspec.ValidLedger(l) || seen[l] || !ledgerspec.ValidLedger(padLedger(l)) {
			t.Errorf("ledger() = %q: want a fresh valid ledger", l)
		}
		seen[l] = true
	}
	if id := padID(e.id("x"), ledgerspec.MaxIDLen); len(id) != ledgerspec.MaxIDLen || !ledgerspec.ValidID(id) {
		t.Errorf("padID gave %q", id)
	}
	other, _ := newSuite(&settings{})
	if other.runID == su.runID || !ledgerspec.ValidLedger(su.runID) {
		t.Errorf("run ids %q and %q: want random, valid in ledgers", su.runID, other.runID)
	}
}

func problemReply(status int, ct, body string) *exchange {
	return &exchange{req: request{method: "POST", path: "/api/transactions"},
		Reply: &ledgerspec.Reply{Status: status, Header: http.Header{"Content-Type": {ct}}, Body: []byte(body)}}
}

func TestWantProblem(t *testing.T) {
	const pj = ledgerspec.ContentTypeProblem
	body := func(p ledgerspec.Problem) string {
		b, _ := json.Marshal(p)
		return string(b)
	}
	ec := ledgerspec.CodeExceedsCredits
	for _, tc := range []struct {
		name   string
		x      *exchange
		status int
		code   ledgerspec.Code
		index  int
		wantOK bool
	}{
		{"posting-level", problemReply(422, pj, body(ledgerspec.NewProblem(ec, 1))), 422, ec, 1, true},
		{"request-level", problemReply(400, pj, body(ledgerspec.NewProblem(ledgerspec.CodeMalformedRequest, 0))), 400, ledgerspec.CodeMalformedRequest, noIndex, true},
		{"extension member", problemReply(404, pj, `{"type":"/problems/not_found","title":"Not found","status":404,"code":"not_found","detail":"x"}`), 404, ledgerspec.CodeNotFound, noIndex, true},
		{"charset parameter", problemReply(404, pj+"; charset=utf-8", body(ledgerspec.NewProblem(ledgerspec.CodeNotFound, 0))), 404, ledgerspec.CodeNotFound, noIndex, true},
		{"other index", problemReply(422, pj, body(ledgerspec.NewProblem(ec, 0))), 422, ec, 1, false},
		{"no index", problemReply(422, pj, `{"type":"/problems/exceeds_credits","title":"t","status":422,"code":"exceeds_credits"}`), 422, ec, 0, false},
		{"null index on a request-level code", problemReply(400, pj, `{"type":"/problems/malformed_request","title":"t","status":400,"code":"malformed_request","posting_index":null}`), 400, ledgerspec.CodeMalformedRequest, noIndex, false},
		{"index on a request-level code", problemReply(400, pj, `{"type":"/problems/malformed_request","title":"t","status":400,"code":"malformed_request","posting_index":0}`), 400, ledgerspec.CodeMalformedRequest, noIndex, false},
		{"other code", problemReply(422, pj, body(ledgerspec.NewProblem(ledgerspec.CodeExceedsDebits, 0))), 422, ec, 0, false},
		{"other HTTP status", problemReply(409, pj, body(ledgerspec.NewProblem(ec, 0))), 422, ec, 0, false},
		{"body status differs", problemReply(422, pj, `{"type":"/problems/exceeds_credits","title":"t","status":400,"code":"exceeds_credits","posting_index":0}`), 422, ec, 0, false},
		{"no title", problemReply(422, pj, `{"type":"/problems/exceeds_credits","title":" ","status":422,"code":"exceeds_credits","posting_index":0}`), 422, ec, 0, false},
		{"other type", problemReply(422, pj, `{"type":"about:blank","title":"t","status":422,"code":"exceeds_credits","posting_index":0}`), 422, ec, 0, false},
		{"plain JSON", problemReply(422, ledgerspec.ContentTypeJSON, body(ledgerspec.NewProblem(ec, 0))), 422, ec, 0, false},
		{"not JSON", problemReply(422, pj, `exceeds_credits`), 422, ec, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.x.wantProblem(tc.status, tc.code, tc.index)
			if (err == nil) != tc.wantOK {
				t.Fatalf("wantProblem = %v, want ok %v", err, tc.wantOK)
			}
			if err != nil && (!strings.Contains(err.Error(), "sent POST /api/transactions") || !strings.Contains(err.Error(), "want ") || !strings.Contains(err.Error(), "got ")) {
				t.Fatalf("the failure %q must say what was sent, wanted and got", err)
			}
		})
	}
}

func TestRecordObserve(t *testing.T) {
	r := newRecord()
	tx := `{"id":"t1","seq":7,"postings":[{"debit_account_id":"a","credit_account_id":"b","amount":1}],"description":"","risk_flags":[],"created_at":"2026-11-24T10:00:00.123456Z"}`
	obs := func(method, path string, body string, status int, reply string) {
		r.observe(&exchange{req: request{method: method, path: path, body: []byte(body)}, Reply: &ledgerspec.Reply{Status: status, Body: []byte(reply)}})
	}
	obs("POST", ledgerspec.PathTransactions, `{"id":"t1"}`, 201, tx)
	obs("POST", ledgerspec.PathTransactions, `{"id":"t1","postings":[]}`, 422, `{}`) // a conflict on a committed id
	obs("POST", ledgerspec.PathTransactions, `{"id":"t2"}`, 422, `{}`)
	obs("POST", ledgerspec.PathTransactions, `{"id":"t3"}`, 400, `{}`)
	obs("POST", ledgerspec.PathTransactions, `{"id":7}`, 422, `{}`)
	obs("POST", ledgerspec.PathUITransactions, "id=t4&amount=x", 422, `<div data-code="malformed_request"></div>`)
	obs("GET", ledgerspec.TransactionPath("t5"), "", 200, strings.ReplaceAll(tx, "t1", "t5"))
	obs("GET", ledgerspec.TransactionPath("t6"), "", 404, `{}`)
	committed, failed := r.snapshot()
	if len(committed) != 2 || committed["t1"].tx.Seq != 7 || committed["t5"].tx.ID != "t5" {
		t.Errorf("committed %v, want t1 and t5", committed)
	}
	if len(failed) != 2 || !failed["t2"] || !failed["t4"] {
		t.Errorf("failed %v, want t2 and t4 (not t1: it is committed)", failed)
	}
}

func TestDecodeStrict(t *testing.T) {
	var m ledgerspec.Message
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{"message":"x"}`, true}, {"{\"message\":\"x\"}\n", true}, {`{"message":"x","y":1}`, false},
		{`{"message":"x"}{}`, false}, {`{"message":"x"} x`, false}, {`{"message":1}`, false},
	} {
		if err := decodeStrict([]byte(tc.in), &m); (err == nil) != tc.ok {
			t.Errorf("decodeStrict(%s) = %v, want ok %v", tc.in, err, tc.ok)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 10, "(empty)"}, {"abc", 10, `"abc"`}, {"abcdef", 3, `"abc"…(6 bytes)`},
		{"日本語", 4, `"日"…(9 bytes)`}, {"a\nb", 10, `"a\nb"`},
	} {
		if got := excerpt([]byte(tc.in), tc.n); got != tc.want {
			t.Errorf("excerpt(%q, %d) = %s, want %s", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestParseBig(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"0", true}, {"12", true}, {"18446744073709549568", true}, {"-5", true},
		{"", false}, {"1.0", false}, {"1e3", false}, {"012", false}, {"-0", false}, {"+1", false}, {"x", false},
	} {
		if _, ok := parseBig(json.Number(tc.in)); ok != tc.ok {
			t.Errorf("parseBig(%q) ok %v, want %v", tc.in, ok, tc.ok)
		}
	}
}

// closedURL is the URL of a port that nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

func TestRunCannotRun(t *testing.T) {
	if rep, err := Run(t.Context(), Target{URL: closedURL(t)}); err == nil || rep != nil || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("Run against a closed port = %v, %v; want no report and an error", rep, err)
	}
	if _, err := Run(t.Context(), Target{URL: "http://127.0.0.1:1", Only: []string{"nope"}}); err == nil {
		t.Fatal("Run with an unknown check id did not fail")
	}
}

// baselines is a server that answers only the two baselines; hello is its plaintext body.
func baselines(hello string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bench/plaintext", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "fake")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(hello))
	})
	mux.HandleFunc("GET /bench/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "fake")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"message":"Hello, World!"}`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "broken", http.StatusInternalServerError) })
	return httptest.NewServer(mux)
}

func TestRunReportsEveryVerdict(t *testing.T) {
	srv := baselines("Hello, World")
	defer srv.Close()
	rep, err := Run(t.Context(), Target{URL: srv.URL, Only: []string{"bench-plaintext", "bench-json", "account-create", "events-alerts"}})
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]Result)
	for _, r := range rep.Results {
		got[r.ID] = r
	}
	if len(rep.Results) != 4 || rep.Passed != 1 || rep.Failed != 2 || rep.Skipped != 1 {
		t.Fatalf("report %+v: want 1 passed (bench-json), 2 failed, 1 skipped", rep)
	}
	for _, w := range []struct {
		id     string
		status Status
		in     []string
	}{
		{"bench-json", StatusPass, nil},
		{"bench-plaintext", StatusFail, []string{"sent GET /bench/plaintext", `exactly the body "Hello, World!"`, `"Hello, World"`}},
		{"account-create", StatusFail, []string{"POST /api/accounts", "5xx", "500"}},
		{"events-alerts", StatusSkip, []string{"no broker given"}},
	} {
		r := got[w.id]
		if r.Status != w.status {
			t.Errorf("%s: %s (%s), want %s", w.id, r.Status, r.Err, w.status)
		}
		for _, s := range w.in {
			if !strings.Contains(r.Err, s) {
				t.Errorf("%s: reason %q does not mention %q", w.id, r.Err, s)
			}
		}
	}
	// Results come in the order of Checks.
	if rep.Results[0].ID != "bench-plaintext" || rep.Results[3].ID != "events-alerts" {
		t.Errorf("results in order %v", rep.Results)
	}
}

func TestTestWrapper(t *testing.T) {
	srv := baselines("Hello, World!")
	defer srv.Close()
	Test(t, Target{URL: srv.URL, Only: []string{"bench-plaintext", "bench-json"}})
}
