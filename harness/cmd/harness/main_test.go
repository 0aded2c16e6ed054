package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"stacklab/harness/lab"
	"stacklab/harness/plan"
	"stacklab/stacks"

	"stacklab/harness/services"
	"stacklab/results"
	"stacklab/results/clickhouse"
	"stacklab/results/spool"
)

// TestMain lets the test binary stand in for the harness when it starts itself as a child
// (`harness kafka`), as the real binary does.
func TestMain(m *testing.M) {
	if os.Getenv("STACKLAB_HARNESS_AS_MAIN") == "1" {
		main()
		return
	}
	os.Setenv("STACKLAB_HARNESS_AS_MAIN", "1") // inherited by the children this test starts
	code := m.Run()
	os.Unsetenv("STACKLAB_HARNESS_AS_MAIN")
	os.Exit(code)
}

// A whole lab run of a tiny plan, on real services: both stacks are judged, measured, spooled and
// reported, and every record of a conforming stack is valid and carries its CPU.
func TestRunTinyPlan(t *testing.T) {
	plan := filepath.Join(t.TempDir(), "tiny.json")
	if err := os.WriteFile(plan, []byte(`{"name":"tiny","rounds":1,
		"stacks":["baseline","http=nethttp/store=sqlc/json=sonic/redis=goredis"],
		"limits":{"max_lag":"5ms","max_late_fraction":0.05,"max_sched_latency":"3ms","max_gc_pause":"3ms"},
		"workloads":[{"name":"json","workload":"json","mode":"closed","conns":4,"warmup":"1s","duration":"1s"},
		             {"name":"transfer@50","workload":"transfer","rate":50,"warmup":"1s","duration":"1s","accounts":20}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	chdir(t, "../../..") // the harness builds the stacks from the repository
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, []string{"run", "-plan", plan, "-out", out, "-clickhouse", "off"}, &stdout, &stderr); err != nil {
		t.Fatalf("harness run: %v\n%s", err, stderr.String())
	}
	sp, err := spool.Open(filepath.Join(out, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := sp.Latest()
	if err != nil {
		t.Fatalf("no run in the spool: %v\n%s", err, stderr.String())
	}
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	if len(r.Stacks) < 2 {
		t.Fatalf("%d stacks", len(r.Stacks))
	}
	for _, st := range r.Stacks {
		if !st.Conformance.OK() || st.Conformance.Passed < 45 || st.BinarySHA256 == "" || st.Modules["github.com/jackc/pgx/v5"] == "" {
			t.Errorf("stack %s: %+v", st.Name, st.Conformance)
		}
	}
	if r.Env.GitCommit == "" || r.Env.GOMAXPROCS != 1 || r.Env.Services["postgres"] == "" || r.Env.Services["kafka"] == "" {
		t.Errorf("env: %+v", r.Env)
	}
	alls := 0
	for _, rec := range r.Records {
		if rec.Op != "all" {
			continue
		}
		alls++
		if rec.Requests == 0 || rec.Corrected.HDR == "" {
			t.Errorf("%s %s: %d requests, histogram %q", rec.Stack, rec.Workload, rec.Requests, rec.Corrected.HDR)
		}
		if rec.StackCPU <= 0 || strings.Contains(rec.ResourcesMeter, "not measured: [stack") {
			t.Errorf("%s %s: stack CPU %v (%s)", rec.Stack, rec.Workload, rec.StackCPU, rec.ResourcesMeter)
		}
		if rec.WorkloadKind == "transfer" && rec.PostgresCPU <= 0 {
			t.Errorf("%s transfers used no PostgreSQL CPU: %s", rec.Stack, rec.ResourcesMeter)
		}
		if !rec.Valid && len(rec.Wrong) > 0 {
			t.Errorf("%s %s: the ledger's invariants broke: %v", rec.Stack, rec.Workload, rec.Wrong)
		}
		if runtime.NumCPU() > 1 && (rec.CPUs == "" || r.Env.Pinning == "") {
			t.Errorf("%s %s: not pinned (cpus %q, env %q)", rec.Stack, rec.Workload, rec.CPUs, r.Env.Pinning)
		}
	}
	if alls != 2*len(r.Stacks) {
		t.Errorf("%d op=all records, want %d", alls, 2*len(r.Stacks))
	}
	for _, f := range []string{"report.html", "report.md", "bench.txt"} {
		if st, err := os.Stat(filepath.Join(out, r.ID, f)); err != nil || st.Size() == 0 {
			t.Errorf("report file %s: %v", f, err)
		}
	}
	// The benchmark text names its lines BenchmarkLedger/<stack>/workload=…/op=…, once "Benchmark".
	bench, err := os.ReadFile(filepath.Join(out, r.ID, "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for line := range strings.Lines(string(bench)) {
		if strings.HasPrefix(line, "Benchmark") {
			lines++
			if !strings.HasPrefix(line, "BenchmarkLedger/http=") || !strings.Contains(line, "/workload=") {
				t.Errorf("bench.txt line %q", line)
			}
		}
	}
	if lines == 0 {
		t.Errorf("bench.txt has no benchmark line:\n%s", bench)
	}
	if !strings.Contains(stdout.String(), "stacklab report") {
		t.Errorf("the Markdown summary is not on stdout:\n%s", stdout.String())
	}
}

// The gate builds the base in a worktree and the working tree, measures both under their labels in
// one run and compares them. With one round there are too few samples for any verdict, so it
// passes; what is checked is that both builds ran as separate, conforming stacks.
func TestGatePlumbing(t *testing.T) {
	plan := filepath.Join(t.TempDir(), "tiny-gate.json")
	if err := os.WriteFile(plan, []byte(`{"name":"tiny-gate","rounds":1,"stacks":["http=nethttp/store=sqlc/json=std/redis=goredis"],
		"limits":{"max_lag":"5ms","max_late_fraction":0.05,"max_sched_latency":"3ms","max_gc_pause":"3ms"},
		"workloads":[{"name":"json","workload":"json","mode":"closed","conns":4,"warmup":"1s","duration":"1s"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	chdir(t, "../../..")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, []string{"gate", "-base", "HEAD", "-plan", plan, "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("harness gate: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "gate: pass") || !strings.Contains(stdout.String(), "gate: judged throughput,cpu/req,errors") {
		t.Errorf("no verdict:\n%s", stdout.String())
	}
	sp, err := spool.Open(filepath.Join(out, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := sp.Latest()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]bool{}
	for _, st := range r.Stacks {
		labels[st.Label] = st.Conformance.OK()
	}
	if !labels["base"] || !labels["new"] || len(labels) != 2 {
		t.Errorf("stacks by label (conforming): %v", labels)
	}
	for _, rec := range r.Records {
		if rec.Label != "base" && rec.Label != "new" {
			t.Errorf("a record with label %q", rec.Label)
		}
	}
}

func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chdir(old) })
}

// compare exits 1 on a regression and 0 without one, reading runs from the spool.
func TestCompareExitStatus(t *testing.T) {
	out := t.TempDir()
	sp, err := spool.Open(filepath.Join(out, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	base := synthetic("20261124T100000Z-aaaaaa", 1.0)
	same := synthetic("20261124T110000Z-bbbbbb", 1.0)
	slower := synthetic("20261124T120000Z-cccccc", 0.7)
	for _, r := range []*results.Run{base, same, slower} {
		if _, err := sp.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		new  string
		want error
	}{{same.ID, nil}, {slower.ID, exitError(1)}, {"latest", exitError(1)}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"compare", "-out", out, base.ID, tc.new}, &stdout, &stderr)
		if err != tc.want {
			t.Errorf("compare %s %s = %v, want %v\n%s%s", base.ID, tc.new, err, tc.want, stdout.String(), stderr.String())
		}
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"compare", "-out", out, base.ID}, &bytes.Buffer{}, &stderr); err != errUsage {
		t.Errorf("compare with one run = %v, want a usage error", err)
	}
}

// synthetic is a run of one stack over 8 rounds whose throughput is scaled by speed.
func synthetic(id string, speed float64) *results.Run {
	started, _ := time.Parse("20060102T150405Z", id[:16])
	r := results.NewRun(id, started)
	r.Plan = json.RawMessage(`{}`)
	st := results.StackInfo{Name: "http=nethttp/store=sqlc/json=std/redis=goredis",
		Dims: results.MustParseDims("http=nethttp/store=sqlc/json=std/redis=goredis"), Conformance: results.Conformance{Ran: true, Passed: 76}}
	r.Stacks = []results.StackInfo{st}
	for round := range 8 {
		wobble := 1 + 0.01*float64(round%3-1)
		rate := 20000 * speed * wobble
		r.Records = append(r.Records, results.Record{RunID: id, Stack: st.Name, Dims: st.Dims, Workload: "json", WorkloadKind: "json",
			Op: "all", Round: round, Mode: "closed", Seconds: 5, Requests: int64(rate * 5), Rate: rate, Valid: true, Conformant: true,
			Corrected: results.Latency{P50: int64(200e3 / speed * wobble), P99: int64(2e6 / speed * wobble), P999: int64(4e6 / speed)},
			StackCPU:  5 * 0.9})
	}
	return r
}

func TestMetricsNamed(t *testing.T) {
	ms, err := metricsNamed("throughput, cpu/req")
	if err != nil || len(ms) != 2 || ms[0].Name != "throughput" || ms[1].Name != "cpu/req" {
		t.Errorf("metricsNamed = %v, %v", ms, err)
	}
	if all, err := metricsNamed("all"); err != nil || len(all) < 6 {
		t.Errorf("all = %v, %v", all, err)
	}
	if _, err := metricsNamed("throughput,speed"); err == nil || !strings.Contains(err.Error(), "speed") {
		t.Errorf("an unknown metric: %v", err)
	}
}

// `harness exec` gives its command a ClickHouse (make test runs the tests this way): without
// CLICKHOUSE_URL, an embedded one, answering while the command runs and gone after it.
func TestExecExportsClickHouse(t *testing.T) {
	if !services.ClickHouseInstalled() {
		t.Fatal("clickhouse-server is not installed (apt-get install -y clickhouse-server clickhouse-client; make test does it)")
	}
	t.Setenv(clickhouse.EnvURL, "")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	script := `echo "$CLICKHOUSE_URL"; clickhouse-client --host 127.0.0.1 --port "${CLICKHOUSE_URL##*:}" --query "SELECT 40 + 2"`
	if err := run(ctx, []string{"exec", "--", "sh", "-c", script}, &stdout, &stderr); err != nil {
		t.Fatalf("harness exec: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "clickhouse://127.0.0.1:") || lines[1] != "42" {
		t.Fatalf("the command saw %q, want an embedded ClickHouse's URL and its answer 42\n%s", lines, stderr.String())
	}
	if !strings.Contains(stderr.String(), "service clickhouse") || !strings.Contains(stderr.String(), "embedded") {
		t.Errorf("exec did not say which ClickHouse it used:\n%s", stderr.String())
	}
	cfg, err := clickhouse.ParseURL(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	pctx, pcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer pcancel()
	if v, err := clickhouse.Ping(pctx, cfg); err == nil {
		t.Errorf("the embedded ClickHouse (%s) still answers after exec ended", v)
	}
}

// A stack whose store acknowledges writes it never committed (built only with -tags labfault)
// conforms, gets measured, and its trial is invalid for wrong answers: the lab's check of the
// ledger after the trial finds the acknowledged transactions missing.
func TestWrongAnswersInvalidateATrial(t *testing.T) {
	const broken = "sqlc-loses-writes"
	stacks.Stores[broken] = nil // this process only parses the name; the binary has the part
	defer delete(stacks.Stores, broken)
	chdir(t, "../../..")
	out := t.TempDir()
	bin := filepath.Join(out, "stack-labfault")
	build := exec.Command("go", "build", "-tags", "labfault", "-ldflags=-checklinkname=0", "-o", bin, "./stacks/cmd/stack")
	build.Env = append(os.Environ(), "GOEXPERIMENT=")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the stack with the test-only fault: %v\n%s", err, b)
	}
	spec := stacks.Baseline().With("store", broken)
	p, err := plan.Parse([]byte(`{"name":"wrong","rounds":1,"stacks":["`+spec.Name()+`"],
		"limits":{"max_lag":"50ms","max_late_fraction":0.5,"max_sched_latency":"50ms","max_gc_pause":"50ms"},
		"workloads":[{"name":"transfer@50","workload":"transfer","rate":50,"warmup":"1s","duration":"2s","accounts":20}]}`), "wrong.json")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	env, closeEnv, err := openLab(ctx, out, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer closeEnv()
	cfg := env.config(p, &stderr)
	cfg.Builds = []lab.Build{{Bins: map[string]string{"": bin}}}
	r, err := lab.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("lab run: %v\n%s", err, stderr.String())
	}
	if len(r.Stacks) != 1 || !r.Stacks[0].Conformance.OK() {
		t.Fatalf("the broken stack should conform (it breaks only under load): %+v", r.Stacks)
	}
	var all *results.Record
	for i := range r.Records {
		if r.Records[i].Op == "all" {
			all = &r.Records[i]
		}
	}
	if all == nil {
		t.Fatalf("no op=all record:\n%s", stderr.String())
	}
	if all.Valid || len(all.Wrong) == 0 || !strings.Contains(strings.Join(all.Wrong, " "), "acknowledged writes lost") {
		t.Errorf("trial of the broken store: valid %v, wrong %v, reasons %v", all.Valid, all.Wrong, all.InvalidReasons)
	}
	t.Logf("wrong answers: %v", all.Wrong)
}
