package wire

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ledgerHandler answers the few routes the suite uses, like a stack would.
func ledgerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bench/plaintext", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "Hello, World!")
	})
	mux.HandleFunc("GET /bench/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"Hello, World!"}`)
	})
	mux.HandleFunc("POST /api/accounts", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 65537))
		switch {
		case err != nil:
			w.WriteHeader(400)
		case len(b) > 65536:
			w.WriteHeader(413)
		case r.Header.Get("Content-Type") != "application/json":
			w.WriteHeader(415)
		default:
			w.WriteHeader(201)
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "wire-test")
		mux.ServeHTTP(w, r)
	})
}

func run(t *testing.T, addr string) *Report {
	t.Helper()
	rep, err := Run(context.Background(), Target{Addr: addr, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func verdicts(rep *Report) map[string]bool {
	m := map[string]bool{}
	for _, r := range rep.Results {
		m[r.ID] = r.Pass
	}
	return m
}

// Against net/http: the suite runs every case, and what any HTTP/1.1 server does right (keep-alive,
// pipelining, chunked bodies, absolute-form) passes. Its deviations are logged, not judged here.
func TestNetHTTP(t *testing.T) {
	srv := httptest.NewServer(ledgerHandler())
	defer srv.Close()
	rep := run(t, srv.Listener.Addr().String())
	if len(rep.Results) != len(Cases()) {
		t.Fatalf("%d results for %d cases", len(rep.Results), len(Cases()))
	}
	v := verdicts(rep)
	for _, id := range []string{"te-chunked", "chunk-many", "chunk-extension", "chunk-trailer", "conn-keep-alive",
		"conn-pipelining", "conn-pipelining-bodies", "conn-close", "rl-absolute-form", "host-missing",
		"host-twice", "cl-duplicate-different", "hdr-space-before-colon", "env-ok", "chunk-body-too-large",
		"limit-target-4k", "conn-head-no-body", "rl-http10"} {
		if !v[id] {
			t.Errorf("net/http deviates on %s", id)
		}
	}
	var sb strings.Builder
	if err := rep.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	t.Logf("net/http:\n%s", sb.String())
}

// lenient is a server that frames requests by Content-Length only, ignores Transfer-Encoding and
// answers every request 200 without Date: every smuggling case must catch it.
func lenient(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
					cl := 0
					line, err := br.ReadString('\n')
					if err != nil || !strings.Contains(line, "HTTP/") {
						return
					}
					for {
						h, err := br.ReadString('\n')
						if err != nil {
							return
						}
						if strings.TrimSpace(h) == "" {
							break
						}
						if name, value, ok := strings.Cut(h, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "content-length") {
							cl, _ = strconv.Atoi(strings.TrimSpace(value))
						}
					}
					if cl > 0 {
						if _, err := io.CopyN(io.Discard, br, int64(min(cl, 1<<20))); err != nil {
							return
						}
					}
					io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// The suite can fail: a server that ignores Transfer-Encoding deviates on the smuggling cases and
// on the envelope.
func TestLenientServerDeviates(t *testing.T) {
	rep := run(t, lenient(t))
	v := verdicts(rep)
	for _, id := range []string{"cl-and-te", "te-and-cl", "cl-te-smuggled-request", "te-cl-smuggled-request",
		"cl-duplicate-different", "te-identity", "host-missing", "env-ok", "te-chunked", "chunk-body-too-large",
		"rl-http2", "hdr-space-before-colon", "conn-close"} {
		if v[id] {
			t.Errorf("the lenient server passes %s", id)
		}
	}
	if len(rep.Deviations()) < len(rep.Results)/2 {
		t.Errorf("only %d deviations of %d for a server that ignores most rules", len(rep.Deviations()), len(rep.Results))
	}
}

func TestCasesWellFormed(t *testing.T) {
	if n := len(Cases()); n < 80 {
		t.Errorf("%d cases, want at least 80", n)
	}
	seen := map[string]bool{}
	for _, c := range Cases() {
		if seen[c.ID] {
			t.Errorf("duplicate case id %s", c.ID)
		}
		seen[c.ID] = true
		if !slices.Contains(Sections, c.Section) || c.Title == "" || c.Rule == "" || c.run == nil ||
			(c.Level != MUST && c.Level != SHOULD && c.Level != Contract) {
			t.Errorf("case %s is incomplete: %+v", c.ID, c)
		}
	}
	for _, s := range Sections {
		n := 0
		for _, c := range Cases() {
			if c.Section == s {
				n++
			}
		}
		if n < 3 {
			t.Errorf("section %s has %d cases", s, n)
		}
	}
}

func TestRunErrors(t *testing.T) {
	if _, err := Run(context.Background(), Target{}); err == nil {
		t.Error("an empty address was accepted")
	}
	if _, err := Run(context.Background(), Target{Addr: "127.0.0.1:1"}); err == nil {
		t.Error("a closed port was accepted")
	}
	srv := httptest.NewServer(ledgerHandler())
	defer srv.Close()
	if _, err := Run(context.Background(), Target{Addr: srv.Listener.Addr().String(), Only: []string{"nope"}}); err == nil {
		t.Error("an unknown case id was accepted")
	}
	rep, err := Run(context.Background(), Target{Addr: srv.Listener.Addr().String(), Only: []string{"env-ok", "conn-pipelining"}})
	if err != nil || len(rep.Results) != 2 || !rep.Results[0].Pass {
		t.Errorf("Only: %v, %+v", err, rep)
	}
	var sb strings.Builder
	if err := WriteTable(&sb, []TableRow{{"nethttp", rep}}); err != nil || !strings.Contains(sb.String(), "| nethttp |") {
		t.Errorf("WriteTable: %v\n%s", err, sb.String())
	}
	_ = os.Stdout
}
