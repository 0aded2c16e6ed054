package fasthttp

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"stacklab/ledgerspec"
	"stacklab/stacks/transport"
)

// serveMux routes like the nethttp transport: a ServeMux with the contract's patterns, a
// catch-all, and non-canonical paths sent to the catch-all. It reports the route and parameter.
type serveMux struct{ mux *http.ServeMux }

type muxMatch struct {
	route ledgerspec.RouteID
	param string
}

func newServeMux() *serveMux {
	m := http.NewServeMux()
	for _, r := range ledgerspec.Routes {
		m.HandleFunc(r.Method+" "+r.Pattern, func(w http.ResponseWriter, hr *http.Request) {
			w.Header().Set("X-Route", string(r.ID))
			w.Header().Set("X-Param", url.PathEscape(hr.PathValue(r.Param)))
		})
	}
	m.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("X-Route", "") })
	return &serveMux{mux: m}
}

// match returns ok false when net/http would refuse the request line before routing.
func (m *serveMux) match(method, path string) (muxMatch, bool) {
	u, err := url.ParseRequestURI(path)
	if err != nil || !strings.HasPrefix(path, "/") {
		return muxMatch{}, false
	}
	if raw, _, _ := strings.Cut(path, "?"); u.EscapedPath() != raw {
		// A byte that is not valid in a URL path (a space, a quote): net/http re-escapes the
		// decoded path, turning an escaped slash into a separator. Such a path cannot come on
		// the wire to net/http (a space ends the target); the router keeps the wire's segments.
		return muxMatch{}, false
	}
	req := &http.Request{Method: method, URL: u, Host: "example", RequestURI: path, Header: http.Header{}}
	if !transport.CanonicalPath(u.EscapedPath()) {
		return muxMatch{}, true
	}
	w := httptest.NewRecorder()
	m.mux.ServeHTTP(w, req)
	param, _ := url.PathUnescape(w.Header().Get("X-Param"))
	return muxMatch{ledgerspec.RouteID(w.Header().Get("X-Route")), param}, true
}

// routerPaths is a corpus built from the contract's own patterns: each parameter replaced by
// plain, escaped, invalidly escaped and dot values, with slashes, case and extra segments varied.
func routerPaths() []string {
	values := []string{"acc-1", "a%2Fb", "%61cc", "a%zz", "a b", "a%20b", ".", "..", "%2E%2E", "ü", "htmx.min.js", "a+b", "x;y"}
	paths := []string{"/", "//", "/api", "/api/", "/API/accounts", "/api/accounts/", "/api//accounts", "/api/./accounts",
		"/api/accounts/x/../y", "/bench/plaintext/", "/bench/%70laintext", "/bench/plaintext%2F", "*", "/static/"}
	for _, r := range ledgerspec.Routes {
		paths = append(paths, r.Pattern, r.Pattern+"/", r.Pattern+"/x", strings.ToUpper(r.Pattern))
		if r.Param == "" {
			continue
		}
		for _, v := range values {
			p := strings.Replace(r.Pattern, "{"+r.Param+"}", v, 1)
			paths = append(paths, p, p+"/", p+"/x", strings.Replace(p, "/", "//", 1), strings.Replace(r.Pattern, "{"+r.Param+"}", v+"/"+v, 1))
		}
	}
	return paths
}

var routerMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "get", "PATCH"}

// TestRouterAgreesWithServeMux: the router gives every request of the corpus the route and
// parameter the nethttp transport's ServeMux gives it.
func TestRouterAgreesWithServeMux(t *testing.T) {
	r, err := newRouter(ledgerspec.Routes)
	if err != nil {
		t.Fatal(err)
	}
	mux := newServeMux()
	matched := map[ledgerspec.RouteID]bool{}
	for _, p := range routerPaths() {
		for _, m := range routerMethods {
			want, ok := mux.match(m, p)
			if !ok {
				continue
			}
			route, param := r.match([]byte(m), []byte(p))
			if route.ID != want.route || param != want.param {
				t.Errorf("%s %s: router gives (%q, %q), ServeMux (%q, %q)", m, p, route.ID, param, want.route, want.param)
			}
			matched[route.ID] = true
		}
	}
	for _, rt := range ledgerspec.Routes {
		if !matched[rt.ID] {
			t.Errorf("route %s was never matched by the corpus", rt.ID)
		}
	}
}

func FuzzRouter(f *testing.F) {
	for _, p := range routerPaths() {
		f.Add("GET", p)
	}
	f.Add("POST", "/api/accounts")
	r, err := newRouter(ledgerspec.Routes)
	if err != nil {
		f.Fatal(err)
	}
	mux := newServeMux()
	f.Fuzz(func(t *testing.T, method, path string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		want, ok := mux.match(method, path)
		if !ok {
			return
		}
		raw, _, _ := strings.Cut(path, "?") // fasthttp hands over the path without the query
		route, param := r.match([]byte(method), []byte(raw))
		if route.ID != want.route || param != want.param {
			t.Errorf("%s %s: router gives (%q, %q), ServeMux (%q, %q)", method, path, route.ID, param, want.route, want.param)
		}
	})
}

func TestRouterRefusesBadPatterns(t *testing.T) {
	for _, rt := range []ledgerspec.Route{
		{ID: "a", Method: "GET", Pattern: "x"},
		{ID: "b", Method: "GET", Pattern: "/x/"},
		{ID: "c", Method: "GET", Pattern: "/x/{id}", Param: "other"},
		{ID: "d", Method: "GET", Pattern: "/x/{a}/{b}", Param: "a"},
		{ID: "e", Method: "GET", Pattern: "/x/{rest...}/y", Param: "rest"},
		{ID: "f", Method: "GET", Pattern: "/x//y"},
		{ID: "g", Method: "GET", Pattern: "/x", Param: "id"},
	} {
		if _, err := newRouter([]ledgerspec.Route{rt}); err == nil {
			t.Errorf("pattern %q with Param %q: no error", rt.Pattern, rt.Param)
		}
	}
}

// TestRouterRest: a {name...} pattern, which the contract does not use today, matches as in
// ServeMux.
func TestRouterRest(t *testing.T) {
	routes := []ledgerspec.Route{{ID: "files", Method: "GET", Pattern: "/files/{path...}", Param: "path"},
		{ID: "one", Method: "GET", Pattern: "/files/{name}/info", Param: "name"}}
	r, err := newRouter(routes)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, route, param string
	}{
		{"/files/a/b%2Fc", "files", "a/b/c"},
		{"/files/", "files", ""},
		{"/files/x/info", "one", "x"},
		{"/files", "", ""},
	} {
		route, param := r.match([]byte("GET"), []byte(tc.path))
		if string(route.ID) != tc.route || param != tc.param {
			t.Errorf("%s: got (%q, %q), want (%q, %q)", tc.path, route.ID, param, tc.route, tc.param)
		}
	}
}

func BenchmarkRouter(b *testing.B) {
	r, err := newRouter(ledgerspec.Routes)
	if err != nil {
		b.Fatal(err)
	}
	method, path := []byte("GET"), []byte("/api/accounts/acc-1/transactions")
	b.ReportAllocs()
	for b.Loop() {
		if route, _ := r.match(method, path); route.ID != ledgerspec.RouteAccountTransactions {
			b.Fatal(route.ID)
		}
	}
}
