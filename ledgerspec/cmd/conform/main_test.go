package main

import (
	"errors"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"stacklab/ledgerspec/conformance"
)

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errChecksFailed, 1},
		{errors.New("the target does not answer"), 1},
		{&usageError{errors.New("-url is required")}, 2},
		{flag.ErrHelp, 2},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-url"},
		{"-nope"},
		{"-url", "http://127.0.0.1:1", "extra"},
		{"-url", "http://127.0.0.1:1", "-only", "bank,nope"},
		{"-url", "http://127.0.0.1:1", "-timeout", "0s"},
		{"-url", "http://127.0.0.1:1", "-wire", "loud"},
		{"-url", "http://127.0.0.1:1", "-parallel", "x"},
		{"-url", "http://127.0.0.1:1", "-velocity-limit", "100000"},
		{"-url", "127.0.0.1:8080"},
	} {
		var out, errOut strings.Builder
		err := run(t.Context(), args, &out, &errOut)
		if exitCode(err) != 2 {
			t.Errorf("run(%q) = %v (exit %d), want a usage error (exit 2)", args, err, exitCode(err))
		}
	}
}

func TestList(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), []string{"-list"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(conformance.Checks()) || !strings.HasPrefix(lines[0], conformance.Checks()[0].ID+" ") {
		t.Fatalf("-list printed %d lines starting %q; want one per check", len(lines), lines[0])
	}
}

func TestTargetDoesNotAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	var out, errOut strings.Builder
	err = run(t.Context(), []string{"-url", url}, &out, &errOut)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("run against a closed port = %v, want exit 1 saying the target does not answer", err)
	}
}

func TestReportAndExitStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "fake")
		if r.URL.Path == "/bench/plaintext" {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("Hello, World!"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		only     string
		wantExit int
		wantOut  []string
	}{
		{"bench-plaintext", 0, []string{"PASS bench-plaintext (", "1 passed, 0 failed\n"}},
		{"bench-plaintext,events-alerts", 0, []string{"SKIP events-alerts: no broker given", "1 passed, 0 failed, 1 skipped\n"}},
		{"bench-plaintext,bench-json", 1, []string{"FAIL bench-json: sent GET /bench/json", "1 passed, 1 failed\n"}},
	} {
		var out, errOut strings.Builder
		err := run(t.Context(), []string{"-url", srv.URL, "-only", tc.only, "-timeout", "5s"}, &out, &errOut)
		if got := exitCode(err); got != tc.wantExit {
			t.Errorf("-only %s: exit %d (%v), want %d", tc.only, got, err, tc.wantExit)
		}
		for _, s := range tc.wantOut {
			if !strings.Contains(out.String(), s) {
				t.Errorf("-only %s: the report\n%s\ndoes not hold %q", tc.only, out.String(), s)
			}
		}
	}
}
