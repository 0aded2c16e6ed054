package compare_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"stacklab/results"
	"stacklab/results/compare"
	"stacklab/results/stats"
)

const stackA = "http=nethttp/store=sqlc/json=std/redis=goredis"

// find returns the row of a stack, workload and metric.
func find(t *testing.T, res *compare.Result, stack, workload, metric string) *compare.Row {
	t.Helper()
	for i := range res.Rows {
		r := &res.Rows[i]
		if r.Key.Stack == stack && r.Key.Workload == workload && r.Metric.Name == metric {
			return r
		}
	}
	t.Fatalf("no row for %s %s %s", stack, workload, metric)
	return nil
}

func text(t *testing.T, res *compare.Result, f compare.Format) string {
	t.Helper()
	var buf bytes.Buffer
	if err := res.Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestCompareVerdicts(t *testing.T) {
	slower := base("nethttp", "std")
	slower.rate = 800 // −20%
	slowTail := base("nethttp", "std")
	slowTail.p99 = 6.5e6 // +30%
	faster := base("nethttp", "std")
	faster.rate = 1200
	faster.cpu = 160
	nudged := base("nethttp", "std")
	nudged.noise, nudged.rate = 0.002, 970 // −3%: significant with little noise, below the 5% effect
	quiet := base("nethttp", "std")
	quiet.noise = 0.002

	tests := []struct {
		name      string
		base, new *results.Run
		regressed bool
		metric    string
		verdict   compare.Verdict
		inText    string
	}{
		{name: "throughput −20% over 8 rounds", base: synthRun("b", 1, 8, base("nethttp", "std")), new: synthRun("n", 2, 8, slower),
			regressed: true, metric: "throughput", verdict: compare.Regression,
			inText: "REGRESSION " + stackA + "/workload=transfer/op=all throughput"},
		{name: "p99 +30%", base: synthRun("b", 3, 8, base("nethttp", "std")), new: synthRun("n", 4, 8, slowTail),
			regressed: true, metric: "p99", verdict: compare.Regression, inText: "REGRESSION " + stackA + "/workload=transfer/op=all p99:"},
		{name: "same distribution, different seeds", base: synthRun("b", 5, 8, base("nethttp", "std")), new: synthRun("n", 6, 8, base("nethttp", "std")),
			metric: "throughput", verdict: compare.NoChange, inText: "0 regressions"},
		{name: "faster and cheaper", base: synthRun("b", 7, 8, base("nethttp", "std")), new: synthRun("n", 8, 8, faster),
			metric: "cpu/req", verdict: compare.Improvement, inText: "improvement"},
		{name: "too few samples", base: synthRun("b", 9, 3, base("nethttp", "std")), new: synthRun("n", 10, 3, slower),
			metric: "throughput", verdict: compare.Insufficient, inText: "3+3 samples, a verdict needs 6 per side"},
		{name: "significant but below the minimum effect", base: synthRun("b", 11, 8, quiet), new: synthRun("n", 12, 8, nudged),
			metric: "throughput", verdict: compare.BelowEffect, inText: "2 below the minimum effect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := compare.Compare(tt.base, tt.new, compare.Options{})
			if got := res.Regressed(); got != tt.regressed {
				t.Errorf("Regressed = %v, want %v\n%s", got, tt.regressed, text(t, res, compare.Text))
			}
			row := find(t, res, stackA, "transfer", tt.metric)
			if row.Verdict != tt.verdict {
				t.Errorf("%s verdict %q (p=%.4f, Δ%.2f%%), want %q", tt.metric, row.Verdict, row.Test.P, row.DeltaPct, tt.verdict)
			}
			if out := text(t, res, compare.Text); !strings.Contains(out, tt.inText) {
				t.Errorf("the table does not say %q:\n%s", tt.inText, out)
			}
		})
	}
}

func TestCompareRowContent(t *testing.T) {
	slower := base("nethttp", "std")
	slower.rate = 800
	res := compare.Compare(synthRun("b", 1, 8, base("nethttp", "std")), synthRun("n", 2, 8, slower), compare.Options{})
	row := find(t, res, stackA, "transfer", "throughput")
	if math.Abs(row.Base.Center-1000) > 30 || math.Abs(row.New.Center-800) > 30 {
		t.Errorf("medians %v → %v, want about 1000 → 800", row.Base.Center, row.New.Center)
	}
	if !row.Base.HasCI() || !row.New.HasCI() || row.Base.Lo > row.Base.Center || row.Base.Hi < row.Base.Center {
		t.Errorf("confidence intervals %+v / %+v", row.Base, row.New)
	}
	if math.Abs(row.DeltaPct+20) > 4 || row.Test.P >= 0.05 || row.Test.N1 != 8 || row.Test.N2 != 8 {
		t.Errorf("delta %.2f%%, p %v, n %d+%d", row.DeltaPct, row.Test.P, row.Test.N1, row.Test.N2)
	}
	// The closed-loop throughput drop was made on every workload.
	if find(t, res, stackA, "read@500", "throughput").Verdict != compare.Regression {
		t.Error("the second workload's drop was not flagged")
	}
	// Error rates are 0 on both sides: compared, unchanged, and no "all samples equal" noise.
	if e := find(t, res, stackA, "transfer", "errors"); e.Verdict != compare.NoChange || len(e.Notes) != 0 {
		t.Errorf("error rate: %q, notes %q", e.Verdict, e.Notes)
	}
	md := text(t, res, compare.Markdown)
	for _, want := range []string{"❌ 2 regressions", "| `" + stackA + "/workload=transfer/op=all` | throughput |", "REGRESSION"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "no change |") {
		t.Errorf("markdown lists unchanged rows:\n%s", md)
	}
}

func TestCompareExcluded(t *testing.T) {
	bad := base("fiber", "std")
	bad.nonConform = true
	worse := bad
	worse.rate = 500
	flaky := base("nethttp", "std")
	flaky.invalid = map[int]string{2: "loadgen fell behind (send lag 40ms)"}
	b := synthRun("b", 1, 8, base("nethttp", "std"), bad)
	n := synthRun("n", 2, 8, flaky, worse)
	res := compare.Compare(b, n, compare.Options{})
	if res.Regressed() {
		t.Errorf("a non-conforming stack's drop counted:\n%s", text(t, res, compare.Text))
	}
	for i := range res.Rows {
		if strings.Contains(res.Rows[i].Key.Stack, "fiber") {
			t.Fatalf("a non-conforming stack was compared: %s", res.Rows[i].Name())
		}
	}
	if r := find(t, res, stackA, "transfer", "throughput"); r.New.N != 7 || r.Base.N != 8 {
		t.Errorf("samples %d+%d, want 8+7 (one invalid trial left out)", r.Base.N, r.New.N)
	}
	out := text(t, res, compare.Text)
	for _, want := range []string{
		"base: http=fiber/store=sqlc/json=std/redis=goredis/workload=transfer/op=all: the stack does not conform (1 of 75 checks failed)",
		"new: " + stackA + "/workload=transfer/op=all: invalid trial, round 2: loadgen fell behind (send lag 40ms)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A key on one side only is listed, not compared.
	n2 := synthRun("n", 2, 8, base("nethttp", "std"), base("nethttp", "sonic"))
	res = compare.Compare(synthRun("b", 1, 8, base("nethttp", "std")), n2, compare.Options{})
	if len(res.Unmatched) != 2 || !strings.HasPrefix(res.Unmatched[0], "only in new: http=nethttp/store=sqlc/json=sonic") {
		t.Errorf("unmatched %q", res.Unmatched)
	}
}

func TestCompareEnvironmentWarnings(t *testing.T) {
	mods := func(v string) map[string]string {
		return map[string]string{"github.com/bytedance/sonic": "v1.15.5", "github.com/jackc/pgx/v5": v}
	}
	ba, na := base("nethttp", "std"), base("nethttp", "std")
	ba.modules, na.modules = mods("v5.11.0"), mods("v5.12.0")
	b, n := synthRun("b", 1, 8, ba), synthRun("n", 2, 8, na)
	n.Env.Kernel, n.Env.GoVersion, n.Env.GOMAXPROCS, n.Env.GitCommit, n.Env.GitDirty = "6.19", "go1.27.0", 2, "cafef00d", true
	n.Env.CPUModel = "Other CPU"
	n.Env.Services = map[string]string{"postgres": "PostgreSQL 16.1"}
	res := compare.Compare(b, n, compare.Options{})
	want := []string{
		"cpu: Test CPU → Other CPU",
		"kernel: 6.18 → 6.19",
		"go: go1.26.8 → go1.27.0",
		"GOMAXPROCS: 1 → 2",
		"commit: deadbeef → cafef00d+dirty",
		"service postgres: PostgreSQL 15.20 → PostgreSQL 16.1",
		"module github.com/jackc/pgx/v5: v5.11.0 → v5.12.0 (1 stacks)",
	}
	if strings.Join(res.EnvDiffs, "\n") != strings.Join(want, "\n") {
		t.Errorf("env diffs:\n%s\nwant:\n%s", strings.Join(res.EnvDiffs, "\n"), strings.Join(want, "\n"))
	}
	out := text(t, res, compare.Text)
	warn := strings.Index(out, "WARNING: the environments differ")
	table := strings.Index(out, "benchmark ")
	if warn < 0 || table < 0 || warn > table {
		t.Errorf("the warnings are not above the table:\n%s", out)
	}
	if md := text(t, res, compare.Markdown); !strings.Contains(md, "> - kernel: 6.18 → 6.19") {
		t.Errorf("markdown lacks the warning:\n%s", md)
	}
	if same := compare.Compare(b, synthRun("n", 2, 8, ba), compare.Options{}); len(same.EnvDiffs) != 0 {
		t.Errorf("identical environments differ: %q", same.EnvDiffs)
	}
}

func TestOptions(t *testing.T) {
	slower := base("nethttp", "std")
	slower.rate = 800
	b, n := synthRun("b", 1, 8, base("nethttp", "std")), synthRun("n", 2, 8, slower)
	// A 25% minimum effect on throughput lets a 20% drop through.
	res := compare.Compare(b, n, compare.Options{MinEffect: map[string]compare.Effect{"throughput": {Rel: 0.25}}})
	if got := find(t, res, stackA, "transfer", "throughput").Verdict; got != compare.BelowEffect {
		t.Errorf("verdict %q with a 25%% threshold, want %q", got, compare.BelowEffect)
	}
	// The other metrics keep their defaults.
	if e := (compare.Options{MinEffect: map[string]compare.Effect{"throughput": {Rel: 0.25}}}).Effect("p99"); e != compare.DefaultMinEffect["p99"] {
		t.Errorf("p99 effect %+v, want the default", e)
	}
	// More samples required than there are: no verdict.
	res = compare.Compare(b, n, compare.Options{MinSamples: 10})
	if res.Regressed() || res.Count(compare.Insufficient) != len(res.Rows) {
		t.Errorf("MinSamples 10 over 8 rounds still judged: %s", text(t, res, compare.Text))
	}
	// Judging only p99 ignores the throughput drop.
	res = compare.Compare(b, n, compare.Options{Metrics: []stats.Metric{stats.P99}})
	if res.Regressed() {
		t.Error("a metric not asked for was judged")
	}
}

func TestParseEffects(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]compare.Effect
		wantErr string
	}{
		{in: "", want: map[string]compare.Effect{}},
		{in: "throughput=3%, p99=8%", want: map[string]compare.Effect{"throughput": {Rel: 0.03}, "p99": {Rel: 0.08}}},
		{in: "errors=0.2pp", want: map[string]compare.Effect{"errors": {Abs: 0.002}}},
		{in: "p99=8", wantErr: "want N%"},
		{in: "p99=2pp", wantErr: "want N%"},
		{in: "latency=5%", wantErr: `unknown metric "latency"`},
		{in: "p99", wantErr: "want metric="},
		{in: "p99=-5%", wantErr: "negative"},
	}
	for _, tt := range tests {
		got, err := compare.ParseEffects(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseEffects(%q) error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseEffects(%q): %v", tt.in, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("ParseEffects(%q) = %v, want %v", tt.in, got, tt.want)
		}
		for k, v := range tt.want {
			if math.Abs(got[k].Rel-v.Rel) > 1e-12 || math.Abs(got[k].Abs-v.Abs) > 1e-12 {
				t.Errorf("ParseEffects(%q)[%s] = %+v, want %+v", tt.in, k, got[k], v)
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]compare.Format{"text": compare.Text, "": compare.Text, "md": compare.Markdown, "Markdown": compare.Markdown} {
		if got, err := compare.ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := compare.ParseFormat("html"); err == nil {
		t.Error("ParseFormat accepted html")
	}
}
