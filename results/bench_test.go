package results_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"stacklab/results"
)

func sampleRun() *results.Run {
	run := results.NewRun("20261124T100000Z-abc123", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	run.Env = results.Env{CPUModel: "Test CPU", GitCommit: "deadbeef", Kernel: "6.18", GoVersion: "go1.26.8", GOMAXPROCS: 1}
	ok := results.StackInfo{Name: "http=nethttp/store=sqlc/json=std/redis=goredis", Conformance: results.Conformance{Ran: true, Passed: 75}}
	ok.Dims = results.MustParseDims(ok.Name)
	bad := ok
	bad.Name, bad.Conformance.Failed = "http=nethttp/store=sqlc/json=sonic/redis=goredis", 1
	bad.Dims = results.MustParseDims(bad.Name)
	run.Stacks = []results.StackInfo{ok, bad}
	for round := range 2 {
		for _, st := range run.Stacks {
			run.Records = append(run.Records, results.Record{RunID: run.ID, Stack: st.Name, Dims: st.Dims,
				Workload: "transfer@1000", WorkloadKind: "transfer", Op: "all", Round: round, Mode: "open",
				RequestedRate: 1000, Requests: 10000, Errors: 10, Rate: 999.5, StackCPU: 2.5,
				Corrected: results.Latency{P50: 1e6, P99: 5e6, P999: 9e6, Max: 2e7}, Service: results.Latency{P50: 9e5, P99: 4e6},
				Valid: round == 0 || st.Name != ok.Name, Conformant: st.Conformance.OK()})
		}
	}
	return run
}

func TestWriteBench(t *testing.T) {
	run := sampleRun()
	if err := run.Check(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := run.WriteBench(&buf); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "run.txt")
	var got []*benchfmt.Result
	for rd.Scan() {
		switch r := rd.Result().(type) {
		case *benchfmt.Result:
			got = append(got, r.Clone())
		case *benchfmt.SyntaxError:
			t.Errorf("the output does not parse: %v", r)
		}
	}
	// Only the valid record of the conforming stack is a benchmark line; three are excluded.
	if len(got) != 1 {
		t.Fatalf("got %d benchmark results, want 1:\n%s", len(got), buf.String())
	}
	r := got[0]
	// benchfmt reads a line's name without the "Benchmark" every line starts with.
	const name = "Ledger/http=nethttp/store=sqlc/json=std/redis=goredis/workload=transfer@1000/op=all"
	if string(r.Name) != name {
		t.Errorf("name = %s, want %s", r.Name, name)
	}
	lines := 0
	for line := range strings.Lines(buf.String()) {
		if strings.HasPrefix(line, "Benchmark") {
			lines++
			if !strings.HasPrefix(line, "Benchmark"+name+" ") {
				t.Errorf("benchmark line %q, want it to start with Benchmark%s", line, name)
			}
		}
	}
	if lines != 1 {
		t.Errorf("%d benchmark lines, want 1:\n%s", lines, buf.String())
	}
	if r.Iters != 10000 || r.GetConfig("commit") != "deadbeef" {
		t.Errorf("iters %d, commit %q", r.Iters, r.GetConfig("commit"))
	}
	want := map[string]float64{"req/s": 999.5, "p99-ns": 5e6, "cpu-ns/req": 250000, "errors/op": 0.001}
	for _, v := range r.Values { // the reader tidies units (ns → sec); compare what was written
		unit, value := v.OrigUnit, v.OrigValue
		if unit == "" {
			unit, value = v.Unit, v.Value
		}
		if w, ok := want[unit]; ok && value != w {
			t.Errorf("%s = %v, want %v", unit, value, w)
		}
		delete(want, unit)
	}
	if len(want) > 0 {
		t.Errorf("units missing: %v", want)
	}
	if n := strings.Count(buf.String(), "# excluded:"); n != 3 {
		t.Errorf("%d excluded comments, want 3:\n%s", n, buf.String())
	}
}

func TestCheck(t *testing.T) {
	run := sampleRun()
	run.Records[0].RunID = "other"
	if err := run.Check(); err == nil || !strings.Contains(err.Error(), "belongs to run") {
		t.Errorf("Check = %v, want a foreign record error", err)
	}
	run = sampleRun()
	run.Records[0].Stack = "http=x/store=y/json=z/redis=w"
	if err := run.Check(); err == nil {
		t.Error("Check accepted a record of an unlisted stack")
	}
	run = sampleRun()
	run.SchemaVersion = results.SchemaVersion + 1
	if err := run.Check(); err == nil {
		t.Error("Check accepted a newer schema")
	}
}

// The writer on its own, as the load generator's command uses it: records without a stack name,
// sweep steps with their rates, an invalid trial as a comment, the configuration given.
func TestWriteBenchRecords(t *testing.T) {
	recs := []results.Record{
		{Workload: "transfer", Op: "all", Step: 1, RequestedRate: 500, Requests: 5000, Rate: 499, Valid: true},
		{Workload: "transfer", Op: "all", Step: 2, RequestedRate: 625.5, Requests: 6000, Rate: 600, Valid: true},
		{Workload: "transfer", Op: "all", Step: 3, RequestedRate: 800, Requests: 10, Valid: false, InvalidReasons: []string{"lag", "shortfall"}},
	}
	var buf bytes.Buffer
	if err := results.WriteBench(&buf, []results.BenchConfig{{Key: "loadgen-mode", Value: "open"}}, recs, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"loadgen-mode: open",
		"BenchmarkLedger/workload=transfer/op=all/rate=500 5000 ",
		"BenchmarkLedger/workload=transfer/op=all/rate=625.5 6000 ",
		"# excluded: BenchmarkLedger/workload=transfer/op=all/rate=800 round 0: invalid trial: lag; shortfall",
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var got []string
	for _, l := range lines {
		if l != "" {
			got = append(got, l)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(got), len(want), buf.String())
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("line %d = %q, want it to start with %q", i, got[i], want[i])
		}
	}

	// Nothing valid: the configuration still heads the comments.
	buf.Reset()
	if err := results.WriteBench(&buf, []results.BenchConfig{{Key: "loadgen-valid", Value: "false"}}, recs[2:], nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "loadgen-valid: false\n# excluded: ") {
		t.Errorf("an invalid run alone:\n%s", buf.String())
	}
}
