package stats_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"stacklab/results"
	"stacklab/results/stats"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name       string
		values     []float64
		center     float64
		bounded    bool
		lo, hi     float64
		warnSubstr string
	}{
		{name: "eight values", values: []float64{8, 1, 7, 2, 6, 3, 5, 4}, center: 4.5, bounded: true, lo: 1, hi: 7},
		{name: "ten values", values: []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, center: 5.5, bounded: true, lo: 2, hi: 9},
		{name: "too few", values: []float64{3, 1, 2}, center: 2, bounded: false, warnSubstr: "need >= 6 samples"},
		{name: "none", values: nil, bounded: false, warnSubstr: "no values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]float64(nil), tt.values...)
			s := stats.Summarize(tt.values, 0)
			if len(tt.values) > 0 && s.Center != tt.center {
				t.Errorf("center = %v, want %v", s.Center, tt.center)
			}
			if s.HasCI() != tt.bounded {
				t.Errorf("HasCI = %v, want %v (lo %v hi %v)", s.HasCI(), tt.bounded, s.Lo, s.Hi)
			}
			if tt.bounded && (s.Lo != tt.lo || s.Hi != tt.hi) {
				t.Errorf("CI = [%v, %v], want [%v, %v]", s.Lo, s.Hi, tt.lo, tt.hi)
			}
			if tt.bounded && s.Confidence < 0.95 {
				t.Errorf("confidence %v < 0.95", s.Confidence)
			}
			if got := strings.Join(s.Warnings, "; "); !strings.Contains(got, tt.warnSubstr) || (tt.warnSubstr == "" && got != "") {
				t.Errorf("warnings %q, want %q", got, tt.warnSubstr)
			}
			for i := range before { // the caller's slice is left as it was
				if before[i] != tt.values[i] {
					t.Fatalf("Summarize reordered its input: %v", tt.values)
				}
			}
		})
	}
}

func TestSummaryPctRange(t *testing.T) {
	tests := []struct {
		s    stats.Summary
		want string
	}{
		{stats.Summary{N: 8, Center: 100, Lo: 97, Hi: 105}, "± 5%"},
		{stats.Summary{N: 8, Center: 100, Lo: 90, Hi: 101}, "± 10%"},
		{stats.Summary{N: 3, Center: 100, Lo: math.Inf(-1), Hi: math.Inf(1)}, "± ∞"},
		{stats.Summary{N: 8}, "± 0%"},
		{stats.Summary{}, ""},
	}
	for _, tt := range tests {
		if got := tt.s.PctRange(); got != tt.want {
			t.Errorf("%+v: PctRange = %q, want %q", tt.s, got, tt.want)
		}
	}
	if w := (stats.Summary{N: 8, Center: 100, Lo: 95, Hi: 105}).RelWidth(); math.Abs(w-0.1) > 1e-12 {
		t.Errorf("RelWidth = %v, want 0.1", w)
	}
}

func TestMannWhitney(t *testing.T) {
	low := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	high := []float64{11, 12, 13, 14, 15, 16, 17, 18}
	mixed := []float64{1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5}
	tests := []struct {
		name      string
		a, b      []float64
		maxP      float64
		minP      float64
		wantWarns bool
	}{
		{name: "separated", a: low, b: high, maxP: 0.001, minP: 0},
		{name: "interleaved", a: low, b: mixed, maxP: 1, minP: 0.5},
		{name: "all equal", a: []float64{0, 0, 0, 0, 0, 0}, b: []float64{0, 0, 0, 0, 0, 0}, maxP: 1, minP: 1},
		{name: "too few to ever be significant", a: []float64{1, 2, 3}, b: []float64{4, 5, 6}, maxP: 1, minP: 0.05, wantWarns: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := stats.MannWhitney(tt.a, tt.b, 0.05)
			if res.P > tt.maxP || res.P < tt.minP {
				t.Errorf("p = %v, want in [%v, %v]", res.P, tt.minP, tt.maxP)
			}
			if (len(res.Warnings) > 0) != tt.wantWarns {
				t.Errorf("warnings %q, want some: %v", res.Warnings, tt.wantWarns)
			}
			if res.N1 != len(tt.a) || res.N2 != len(tt.b) {
				t.Errorf("n = %d+%d", res.N1, res.N2)
			}
		})
	}
}

func TestBootstrapRatio(t *testing.T) {
	base := []float64{100, 101, 99, 102, 98, 100.5, 99.5, 101.5}
	double := make([]float64, len(base))
	for i, v := range base {
		double[i] = 2 * v
	}
	r, err := stats.BootstrapRatio(double, base, 0.95, 2000, 42)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Center-2) > 1e-9 || r.Lo > 2 || r.Hi < 2 || r.Direction() != 1 {
		t.Errorf("ratio %+v: want center 2 inside a CI above 1", r)
	}
	again, _ := stats.BootstrapRatio(double, base, 0.95, 2000, 42)
	if again != r {
		t.Errorf("same seed, different result: %+v vs %+v", again, r)
	}
	same, _ := stats.BootstrapRatio(base, base, 0.95, 2000, 7)
	if same.Direction() != 0 || same.Center != 1 {
		t.Errorf("a sample against itself: %+v, want a CI holding 1", same)
	}
	if _, err := stats.BootstrapRatio(base, []float64{0, 0, 0}, 0.95, 100, 1); err == nil {
		t.Error("a zero denominator gave no error")
	}
	if _, err := stats.BootstrapRatio(nil, base, 0.95, 100, 1); err == nil {
		t.Error("an empty numerator gave no error")
	}
	if stats.Seed(1, "a", "bc") == stats.Seed(1, "ab", "c") {
		t.Error("Seed does not separate names")
	}
}

func TestMetrics(t *testing.T) {
	r := &results.Record{Requests: 1000, Errors: 5, Rate: 500, StackCPU: 0.25, PostgresCPU: 0.25,
		Corrected: results.Latency{P50: 1e6, P99: 5e6, P999: 9e6}}
	want := map[string]float64{"throughput": 500, "p50": 1e6, "p99": 5e6, "p99.9": 9e6, "cpu/req": 250, "errors": 0.005}
	for _, m := range stats.Metrics() {
		v, ok := m.Value(r)
		if !ok || math.Abs(v-want[m.Name]) > 1e-9 {
			t.Errorf("%s = %v (%v), want %v", m.Name, v, ok, want[m.Name])
		}
	}
	if v, _ := stats.TotalCPUPerRequest.Value(r); v != 500 {
		t.Errorf("total cpu/req = %v, want 500", v)
	}
	unmetered := &results.Record{Requests: 1000, Rate: 500}
	if _, ok := stats.CPUPerRequest.Value(unmetered); ok {
		t.Error("CPU per request of an unmetered record counted")
	}
	if got := stats.CPUPerRequest.Values([]*results.Record{r, unmetered}); len(got) != 1 {
		t.Errorf("Values kept %d values, want 1", len(got))
	}
	if !stats.Throughput.Worse(100, 90) || stats.Throughput.Worse(100, 110) || !stats.P99.Worse(100, 110) {
		t.Error("Worse ignores the metric's direction")
	}
	formats := []struct {
		got, want string
	}{
		{stats.FormatRate(12345), "12.35k"}, {stats.FormatRate(999.5), "999.5"}, {stats.FormatRate(1000.4), "1.000k"},
		{stats.FormatRate(800), "800.0"}, {stats.FormatRate(2.5e6), "2.500M"}, {stats.FormatRate(0), "0"},
		{stats.FormatNanos(1.5e6), "1.50ms"}, {stats.FormatNanos(2500), "2.50µs"}, {stats.FormatMicros(250), "250µs"},
		{stats.FormatNanos(999.7e3), "1.00ms"}, {stats.FormatNanos(42), "42.0ns"}, {stats.FormatNanos(3e9), "3.00s"},
		{stats.FormatRatio(0.001), "0.1%"}, {stats.FormatRatio(5e-5), "0.005%"}, {stats.FormatRatio(0.1234), "12.3%"}, {stats.FormatRatio(0), "0%"},
	}
	for _, f := range formats {
		if f.got != f.want {
			t.Errorf("formatted %q, want %q", f.got, f.want)
		}
	}
}

func TestSamples(t *testing.T) {
	run := results.NewRun("r1", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	good := results.StackInfo{Name: "http=a/store=b/json=c/redis=d", Conformance: results.Conformance{Ran: true, Passed: 3}}
	bad := results.StackInfo{Name: "http=x/store=b/json=c/redis=d", Conformance: results.Conformance{Ran: true, Passed: 2, Failed: 1}}
	run.Stacks = []results.StackInfo{good, bad}
	for round := 3; round >= 0; round-- { // out of order on purpose
		for _, st := range run.Stacks {
			for _, op := range []string{"read", "all"} {
				run.Records = append(run.Records, results.Record{RunID: run.ID, Stack: st.Name, Workload: "mix", Op: op,
					Round: round, Rate: float64(100 + round), Requests: 100, Valid: round != 2, Conformant: st.Conformance.OK(),
					InvalidReasons: map[bool][]string{true: {"loadgen fell behind"}}[round == 2]})
			}
		}
	}
	got := stats.Samples(run)
	if len(got) != 4 {
		t.Fatalf("%d samples, want 4", len(got))
	}
	wantOrder := []string{
		good.Name + "/workload=mix/op=all", bad.Name + "/workload=mix/op=all",
		good.Name + "/workload=mix/op=read", bad.Name + "/workload=mix/op=read",
	}
	for i, s := range got {
		if s.Key.String() != wantOrder[i] {
			t.Errorf("sample %d = %s, want %s", i, s.Key, wantOrder[i])
		}
		if len(s.Valid) != 3 || len(s.Invalid) != 1 {
			t.Errorf("%s: %d valid, %d invalid", s.Key, len(s.Valid), len(s.Invalid))
		}
		if s.Valid[0].Round != 0 || s.Valid[2].Round != 3 {
			t.Errorf("%s: records not in round order", s.Key)
		}
		if want := s.Key.Stack == good.Name; s.Conformant != want {
			t.Errorf("%s: conformant %v, want %v", s.Key, s.Conformant, want)
		}
		if r := s.InvalidReasons(); len(r) != 1 || r[0] != "round 2: loadgen fell behind" {
			t.Errorf("%s: invalid reasons %q", s.Key, r)
		}
	}
	if v := got[0].Values(stats.Throughput); len(v) != 3 || v[0] != 100 || v[2] != 103 {
		t.Errorf("values %v", v)
	}
	if n := stats.Rounds(run); n != 4 {
		t.Errorf("Rounds = %d, want 4", n)
	}
	// A record can declare its stack non-conforming even when the stack list does not.
	run.Records[0].Conformant = false
	for _, s := range stats.Samples(run) {
		if s.Key.Stack == good.Name && s.Key.Op == run.Records[0].Op && s.Conformant {
			t.Error("a non-conforming record left its sample conformant")
		}
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		s    stats.Summary
		m    stats.Metric
		want string
	}{
		{stats.Summary{N: 8, Center: 100, Lo: 97, Hi: 105}, stats.Throughput, "± 5%"},
		{stats.Summary{N: 8, Center: 0, Lo: 0, Hi: 0.002}, stats.ErrorRate, "[0%, 0.2%]"},
		{stats.Summary{N: 3, Center: 0, Lo: math.Inf(-1), Hi: math.Inf(1)}, stats.ErrorRate, "± ∞"},
	}
	for _, tt := range tests {
		if got := tt.s.Spread(tt.m); got != tt.want {
			t.Errorf("Spread(%+v, %s) = %q, want %q", tt.s, tt.m.Name, got, tt.want)
		}
	}
}
