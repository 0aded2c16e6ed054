package serve

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"stacklab/ledgerspec"
	"stacklab/stacks/transport"
)

// mux is the reference: net/http's ServeMux with the contract's patterns, as the nethttp
// transport routes (a catch-all for the rest, non-canonical paths not routed).
type mux struct{ m *http.ServeMux }

func newMux() *mux {
	m := http.NewServeMux()
	for _, r := range ledgerspec.Routes {
		m.HandleFunc(r.Method+" "+r.Pattern, func(w http.ResponseWriter, hr *http.Request) {
			w.Header().Set("X-Route", string(r.ID))
			if r.Param != "" {
				w.Header().Set("X-Param", url.QueryEscape(hr.PathValue(r.Param)))
			}
		})
	}
	m.HandleFunc("/", func(http.ResponseWriter, *http.Request) {})
	return &mux{m: m}
}

// route returns what ServeMux makes of method and the escaped path; ok is false for a path
// net/http would not route as sent (it cannot be parsed, or re-escaping it changes it).
func (m *mux) route(method, path string) (ledgerspec.RouteID, string, bool) {
	u, err := url.ParseRequestURI(path)
	if err != nil || !strings.HasPrefix(path, "/") || u.EscapedPath() != path {
		return "", "", false
	}
	if !transport.CanonicalPath(path) {
		return "", "", true
	}
	w := httptest.NewRecorder()
	m.m.ServeHTTP(w, &http.Request{Method: method, URL: u, RequestURI: path, Host: "x", Header: http.Header{}})
	param, _ := url.QueryUnescape(w.Header().Get("X-Param"))
	return ledgerspec.RouteID(w.Header().Get("X-Route")), param, true
}

// routerCorpus is built from the contract's patterns: parameters plain, escaped, with an escaped
// slash, dot segments; extra and missing segments; case and trailing slashes.
func routerCorpus() []string {
	values := []string{"acc-1", "a%2Fb", "%61cc", "a%20b", ".", "..", "%2E%2E", "htmx.min.js", "a+b", "x;y", "%7E"}
	paths := []string{"/", "//", "/api", "/api/", "/API/accounts", "/api/accounts/", "/api//accounts", "/api/./accounts",
		"/bench/plaintext/", "/bench/%70laintext", "/bench/plaintext%2F", "/static/", "/ledgers/", "/accounts/x/rows/"}
	for _, r := range ledgerspec.Routes {
		paths = append(paths, r.Pattern+"/", r.Pattern+"/x", strings.ToUpper(r.Pattern))
		for _, v := range values {
			paths = append(paths, strings.NewReplacer("{"+r.Param+"}", v, "{"+r.Param+"...}", v).Replace(r.Pattern))
		}
	}
	return paths
}

// TestRouterMatchesServeMux: the router picks the route and parameter ServeMux picks, for every
// method, on the corpus.
func TestRouterMatchesServeMux(t *testing.T) {
	rt, err := newRouter(ledgerspec.Routes)
	if err != nil {
		t.Fatal(err)
	}
	m := newMux()
	compared := 0
	for _, path := range routerCorpus() {
		for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE"} {
			wantID, wantParam, ok := m.route(method, path)
			if !ok {
				continue
			}
			compared++
			got, param := rt.match([]byte(method), []byte(path))
			if got.ID != wantID || param != wantParam {
				t.Errorf("%s %s: router %q %q, ServeMux %q %q", method, path, got.ID, param, wantID, wantParam)
			}
		}
	}
	if compared < 300 {
		t.Errorf("only %d comparisons", compared)
	}
}

func TestRouterRejectsBadPatterns(t *testing.T) {
	for _, routes := range [][]ledgerspec.Route{
		{{ID: "a", Method: "GET", Pattern: "x"}},
		{{ID: "a", Method: "GET", Pattern: "/x/{id}", Param: "other"}},
		{{ID: "a", Method: "GET", Pattern: "/x/{id...}/y", Param: "id"}},
		{{ID: "a", Method: "GET", Pattern: "/x//y"}},
		{{ID: "a", Method: "GET", Pattern: "/x/{id}", Param: ""}},
		{{ID: "a", Method: "GET", Pattern: "/x", Param: "id"}},
	} {
		if _, err := newRouter(routes); err == nil {
			t.Errorf("%+v was accepted", routes)
		}
	}
}

// FuzzRouter compares the router with ServeMux on any method and path.
func FuzzRouter(f *testing.F) {
	for _, p := range routerCorpus() {
		f.Add("GET", p)
	}
	f.Add("POST", "/api/accounts")
	rt, err := newRouter(ledgerspec.Routes)
	if err != nil {
		f.Fatal(err)
	}
	m := newMux()
	f.Fuzz(func(t *testing.T, method, path string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n/") {
			return
		}
		wantID, wantParam, ok := m.route(method, path)
		if !ok {
			return
		}
		got, param := rt.match([]byte(method), []byte(path))
		if got.ID != wantID || param != wantParam {
			t.Errorf("%s %q: router %q %q, ServeMux %q %q", method, path, got.ID, param, wantID, wantParam)
		}
	})
}
