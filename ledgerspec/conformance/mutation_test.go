//go:build conformstack

// The mutation tests prove that the suite fails wrong ledgers. They need a running stack (and, for
// the events mutations, its broker) and run only with the build tag:
//
//	CONFORM_URL=http://127.0.0.1:8080 CONFORM_BROKERS=127.0.0.1:9092 \
//	  go test -tags conformstack -run Mutation -count=1 ./conformance
//
// A reverse proxy in front of the stack injects one fault at a time (a dropped header, a wrong code,
// a stale read, an unescaped name, a lost event, …); each must make the checks that guard against it
// fail, while the same checks pass through an honest proxy.
package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/ledgerspec/conformance"
	"stacklab/ledgerspec/conformance/kafkalog"
)

// mutation rewrites one response of the stack (body already read; the proxy fixes Content-Length).
type mutation struct {
	name string
	// checks must include at least one that fails with the fault, and all must pass without it.
	checks []string
	resp   func(req *http.Request, resp *http.Response, body []byte) []byte
	// events, when set, wraps the event log instead.
	events func(conformance.EventLog) conformance.EventLog
}

func stackURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("CONFORM_URL")
	if u == "" {
		t.Fatal("CONFORM_URL is not set: the mutation tests need a running stack (see the comment at the top of mutation_test.go)")
	}
	resp, err := http.Get(u + ledgerspec.PathBenchPlaintext)
	if err != nil {
		t.Fatalf("the stack at CONFORM_URL=%s does not answer: %v", u, err)
	}
	resp.Body.Close()
	return u
}

// proxy serves the stack at target through m.
func proxy(t *testing.T, target string, m func(*http.Request, *http.Response, []byte) []byte) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if m == nil {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("reading the stack's body: %w", err)
		}
		body = m(resp.Request, resp, body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv
}

// editJSON decodes a JSON object body, lets f change it, and encodes it again.
func editJSON(body []byte, f func(m map[string]any)) []byte {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return body
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

func isPost(r *http.Request, path string) bool { return r.Method == "POST" && r.URL.Path == path }

// staleCache serves GET /api/accounts/{id} from a copy up to 300 ms old.
type staleCache struct {
	mu   sync.Mutex
	body map[string][]byte
	at   map[string]time.Time
}

func (c *staleCache) mutate(req *http.Request, resp *http.Response, body []byte) []byte {
	if req.Method != "GET" || !strings.HasPrefix(req.URL.Path, ledgerspec.PathAccounts+"/") || strings.Count(req.URL.Path, "/") != 3 || resp.StatusCode != 200 {
		return body
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.body[req.URL.Path]; ok && time.Since(c.at[req.URL.Path]) < 300*time.Millisecond {
		return b
	}
	c.body[req.URL.Path], c.at[req.URL.Path] = body, time.Now()
	return body
}

// dropEvents hides the records of every third key.
type dropEvents struct{ conformance.EventLog }

func (d dropEvents) Records(ctx context.Context, topic string) ([]conformance.Event, error) {
	evs, err := d.EventLog.Records(ctx, topic)
	var out []conformance.Event
	for i, ev := range evs {
		if i%3 != 0 {
			out = append(out, ev)
		}
	}
	return out, err
}

// flipAlertValue reports every alert with its risk flags emptied.
type flipAlertValue struct{ conformance.EventLog }

func (f flipAlertValue) Records(ctx context.Context, topic string) ([]conformance.Event, error) {
	evs, err := f.EventLog.Records(ctx, topic)
	if topic != ledgerspec.TopicAlerts {
		return evs, err
	}
	for i := range evs {
		evs[i].Value = editJSON(evs[i].Value, func(m map[string]any) { m["risk_flags"] = []any{} })
	}
	return evs, err
}

func mutations() []mutation {
	cache := &staleCache{body: map[string][]byte{}, at: map[string]time.Time{}}
	return []mutation{
		{name: "no Server header", checks: []string{"headers"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte { resp.Header.Del("Server"); return b }},
		{name: "plaintext with a newline", checks: []string{"bench-plaintext"},
			resp: func(r *http.Request, _ *http.Response, b []byte) []byte {
				if r.URL.Path == ledgerspec.PathBenchPlaintext {
					return append(b, '\n')
				}
				return b
			}},
		{name: "replays without Idempotent-Replayed", checks: []string{"tx-replay", "concurrent-duplicates", "tx-failed-stays-failed"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte {
				resp.Header.Del(ledgerspec.HeaderReplayed)
				return b
			}},
		{name: "Idempotent-Replayed on the 201", checks: []string{"tx-create"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if resp.StatusCode == 201 && isPost(r, ledgerspec.PathTransactions) {
					resp.Header.Set(ledgerspec.HeaderReplayed, "true")
				}
				return b
			}},
		{name: "replay body re-encoded", checks: []string{"tx-replay"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if resp.StatusCode == 200 && isPost(r, ledgerspec.PathTransactions) {
					return append([]byte(" "), b...)
				}
				return b
			}},
		{name: "exceeds_credits reported as exceeds_debits", checks: []string{"rule-exceeds-credits", "hot-account"},
			resp: func(_ *http.Request, _ *http.Response, b []byte) []byte {
				return bytes.ReplaceAll(b, []byte("exceeds_credits"), []byte("exceeds_debits"))
			}},
		{name: "posting_index off by one", checks: []string{"rule-same-ledger", "precedence-rule2-before-rule3"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte {
				if resp.StatusCode != 422 {
					return b
				}
				return editJSON(b, func(m map[string]any) {
					if n, ok := m["posting_index"].(json.Number); ok {
						i, _ := n.Int64()
						m["posting_index"] = i + 1
					}
				})
			}},
		{name: "rule 2 in reverse posting order", checks: []string{"precedence-posting-order"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if resp.StatusCode != 422 || !isPost(r, ledgerspec.PathTransactions) {
					return b
				}
				// A stack that checks the last posting first answers the code of posting 1.
				return editJSON(b, func(m map[string]any) {
					if m["code"] == string(ledgerspec.CodeCreditAccountNotFound) {
						m["code"], m["type"], m["title"] = string(ledgerspec.CodeAccountsMustBeDifferent), "/problems/accounts_must_be_different", "x"
						m["posting_index"] = 1
					}
				})
			}},
		{name: "400 answered as 422", checks: []string{"malformed-syntax", "malformed-amounts"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte {
				if resp.StatusCode == 400 {
					resp.StatusCode = 422
				}
				return b
			}},
		{name: "problem status member missing", checks: []string{"problem-bodies"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte {
				if resp.StatusCode < 400 {
					return b
				}
				return editJSON(b, func(m map[string]any) { delete(m, "status") })
			}},
		{name: "risk_flags null", checks: []string{"tx-create"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if resp.StatusCode != 201 {
					return b
				}
				return bytes.ReplaceAll(b, []byte(`"risk_flags":[]`), []byte(`"risk_flags":null`))
			}},
		{name: "velocity flag lost", checks: []string{"risk-velocity"},
			resp: func(_ *http.Request, _ *http.Response, b []byte) []byte {
				b = bytes.ReplaceAll(b, []byte(`"velocity",`), nil)
				return bytes.ReplaceAll(b, []byte(`["velocity"]`), []byte(`[]`))
			}},
		{name: "list in descending order", checks: []string{"list-same-account-twice"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if r.Method != "GET" || !strings.HasSuffix(r.URL.Path, "/transactions") || resp.StatusCode != 200 {
					return b
				}
				return editJSON(b, func(m map[string]any) {
					items, _ := m["items"].([]any)
					for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
						items[i], items[j] = items[j], items[i]
					}
				})
			}},
		{name: "a cursor off by one skips an item", checks: []string{"pagination-concurrent"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if r.Method != "GET" || !strings.HasSuffix(r.URL.Path, "/transactions") || r.URL.Query().Get("limit") != "5" ||
					r.URL.Query().Get("after") == "0" {
					return b
				}
				// As if the stack read seq > after+1: the item right after the cursor is skipped.
				return editJSON(b, func(m map[string]any) {
					if items, _ := m["items"].([]any); len(items) > 1 {
						m["items"] = items[1:]
					}
				})
			}},
		{name: "balances shift one unit between accounts", checks: []string{"bank", "balances-sorted"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if r.URL.Path != ledgerspec.PathBalances || resp.StatusCode != 200 {
					return b
				}
				return editJSON(b, func(m map[string]any) {
					accs, _ := m["accounts"].([]any)
					if len(accs) < 2 {
						return
					}
					a0, a1 := accs[0].(map[string]any), accs[1].(map[string]any)
					bump := func(a map[string]any, k string, d int64) {
						n, _ := a[k].(json.Number).Int64()
						a[k] = n + d
					}
					bump(a0, "credits_posted", 1)
					bump(a0, "balance", 1)
					bump(a1, "credits_posted", -1)
					bump(a1, "balance", -1)
				})
			}},
		{name: "as_of_seq lags the snapshot", checks: []string{"bank", "balances-sorted"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if r.URL.Path != ledgerspec.PathBalances || resp.StatusCode != 200 {
					return b
				}
				return editJSON(b, func(m map[string]any) {
					if n, _ := m["as_of_seq"].(json.Number).Int64(); n > 0 {
						m["as_of_seq"] = n - 1
					}
				})
			}},
		{name: "stale account cache", checks: []string{"read-your-writes"}, resp: cache.mutate},
		{name: "an occasional 503", checks: []string{"bank", "malformed-types"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if r.Method == "POST" && len(b)%7 == 0 {
					resp.StatusCode = 503
				}
				return b
			}},
		{name: "names unescaped in HTML", checks: []string{"html-escaping"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte {
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					return b
				}
				return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("&lt;"), []byte("<")), []byte("&gt;"), []byte(">"))
			}},
		{name: "HTML double-escaped", checks: []string{"html-escaping"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte {
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					return b
				}
				return bytes.ReplaceAll(b, []byte("&amp;"), []byte("&amp;amp;"))
			}},
		{name: "no Vary on HTML", checks: []string{"html-ledger-page", "html-fragments"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte { resp.Header.Del("Vary"); return b }},
		{name: "amounts without the leading zero", checks: []string{"html-amounts"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte {
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					return b
				}
				return bytes.ReplaceAll(b, []byte(">0.05<"), []byte(">.05<"))
			}},
		{name: "fragments wrapped in a body", checks: []string{"html-fragments", "html-account-rows"},
			resp: func(r *http.Request, resp *http.Response, b []byte) []byte {
				if r.Header.Get(ledgerspec.HeaderHXRequest) != "true" || resp.StatusCode != 200 {
					return b
				}
				return append(append([]byte("<body>"), b...), "</body>"...)
			}},
		{name: "no HX-Trigger after a form post", checks: []string{"html-form-htmx"},
			resp: func(_ *http.Request, resp *http.Response, b []byte) []byte {
				resp.Header.Del(ledgerspec.HeaderHXTrigger)
				return b
			}},
		{name: "events lost", checks: []string{"tx-create", "hot-account", "bank", "events-transactions"},
			events: func(l conformance.EventLog) conformance.EventLog { return dropEvents{l} }},
		{name: "alerts altered", checks: []string{"events-alerts"},
			events: func(l conformance.EventLog) conformance.EventLog { return flipAlertValue{l} }},
	}
}

func TestMutations(t *testing.T) {
	base := stackURL(t)
	var events conformance.EventLog
	if b := os.Getenv("CONFORM_BROKERS"); b != "" {
		l, err := kafkalog.Open(strings.Split(b, ","))
		if err != nil {
			t.Fatalf("opening CONFORM_BROKERS=%s: %v", b, err)
		}
		defer l.Close()
		events = l
	}
	for _, m := range mutations() {
		t.Run(m.name, func(t *testing.T) {
			if m.events != nil && events == nil {
				t.Fatal("this mutation needs CONFORM_BROKERS, the stack's broker")
			}
			// Without the fault, the checks pass.
			honest, err := conformance.Run(t.Context(), conformance.Target{URL: proxy(t, base, nil).URL, Only: m.checks, Events: events})
			if err != nil {
				t.Fatal(err)
			}
			if !honest.OK() {
				var b strings.Builder
				_ = honest.Write(&b)
				t.Fatalf("without the fault the checks fail already:\n%s", b.String())
			}
			target := conformance.Target{URL: proxy(t, base, m.resp).URL, Only: m.checks, Events: events}
			if m.events != nil {
				target.URL, target.Events = base, m.events(events)
			}
			rep, err := conformance.Run(t.Context(), target)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failed == 0 {
				t.Fatalf("the fault %q went unnoticed by %v", m.name, m.checks)
			}
			for _, r := range rep.Results {
				if r.Status == conformance.StatusFail {
					t.Logf("%s caught it: %s", r.ID, strings.SplitN(r.Err, "\n", 2)[0])
				}
			}
		})
	}
}
