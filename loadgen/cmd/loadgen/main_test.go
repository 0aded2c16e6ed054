package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"stacklab/loadgen/internal/testsrv"
)

// The command's benchmark lines come from the lab's one writer: named from -stack and the
// workload, configuration lines saying how the generator ran, an invalid run as comments.
func TestBenchOutput(t *testing.T) {
	srv := httptest.NewServer(testsrv.New(testsrv.Options{}))
	defer srv.Close()
	const stack = "http=canned/store=none/json=none/redis=none"
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-workload", "json", "-rate", "200", "-duration", "1s",
		"-conns", "4", "-max-lag", "5ms", "-stack", stack, "-bench", "-", "-summary", "", "-q"}, &stdout, &stderr)
	out := stdout.String()
	for _, want := range []string{"loadgen-mode: open", "loadgen-rate: 200", "loadgen-workload: json"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("no %q line in:\n%s", want, out)
		}
	}
	const name = "Ledger/" + stack + "/workload=json/op=all"
	switch {
	case errors.Is(err, errInvalid): // a loaded machine: the run says so, and its line is a comment
		if !strings.Contains(out, "# excluded: Benchmark"+name+" round 0: invalid trial: ") {
			t.Errorf("an invalid run without its excluded comment:\n%s", out)
		}
		t.Logf("the run was invalid on this machine; checked its comment:\n%s", out)
	case err != nil:
		t.Fatalf("loadgen: %v\n%s", err, stderr.String())
	default:
		rd := benchfmt.NewReader(strings.NewReader(out), "bench.txt")
		n := 0
		for rd.Scan() {
			if r, ok := rd.Result().(*benchfmt.Result); ok {
				n++
				if string(r.Name.Full()) != name || r.Iters < 150 || r.GetConfig("loadgen-valid") != "true" {
					t.Errorf("line %s, %d iterations, valid %q", r.Name.Full(), r.Iters, r.GetConfig("loadgen-valid"))
				}
			}
		}
		if n != 1 || !strings.Contains(out, "\nBenchmark"+name+" ") {
			t.Errorf("%d benchmark lines, want one named Benchmark%s:\n%s", n, name, out)
		}
	}

	// A malformed -stack is refused before anything runs.
	if err := run(context.Background(), []string{"-url", srv.URL, "-stack", "http", "-q"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "-stack") {
		t.Errorf("a malformed -stack: %v", err)
	}
}
