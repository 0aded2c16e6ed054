package compare_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"stacklab/results"
	"stacklab/results/compare"
	"stacklab/results/stats"
)

func TestFloorFromAA(t *testing.T) {
	run := synthRun("aa-floor", 11, 10, twinsOf(base("nethttp", "std"), base("fiber", "std"))...)
	f := compare.AA(run, compare.Options{}).Floor()
	if f == nil {
		t.Fatal("no floor from an A/A run with 10 rounds")
	}
	if f.RunID != "aa-floor" || f.Host != "lab" || f.Comparisons != 2*2*6 {
		t.Errorf("floor %+v", f)
	}
	// 3% noise, medians of 10 rounds: the twins' p95 spread is a few percent, never 0.
	tp, ok := f.Effects["throughput"]
	if !ok || tp.Rel <= 0 || tp.Rel > 0.08 || tp.Abs != 0 {
		t.Errorf("throughput floor %+v", tp)
	}
	if e, ok := f.Effects["errors"]; !ok || e.Rel != 0 {
		t.Errorf("the error rate's floor is absolute: %+v", e)
	}
	if got := f.Source(); got != "A/A run aa-floor (lab, 2026-11-24)" {
		t.Errorf("source %q", got)
	}
	if (*compare.Floor)(nil).Source() != "no A/A noise floor known" {
		t.Error("a nil floor does not say it is unknown")
	}
	// An A/A run without enough rounds judges nothing: no floor.
	if f := compare.AA(synthRun("aa-short", 1, 3, twinsOf(base("nethttp", "std"))...), compare.Options{}).Floor(); f != nil {
		t.Errorf("a floor from 3 rounds: %+v", f)
	}
}

// TestFloorJudges checks that a significant change beyond the minimum effect that the machine's
// twins also showed is not a regression.
func TestFloorJudges(t *testing.T) {
	slow := base("nethttp", "std")
	slow.rate = 800 // 20% slower, far beyond the 5% minimum effect
	b := synthRun("base", 1, 8, base("nethttp", "std"))
	n := synthRun("new", 2, 8, slow)
	if row := find(t, compare.Compare(b, n, compare.Options{}), stackA, "transfer", "throughput"); row.Verdict != compare.Regression {
		t.Fatalf("without a floor: %s, want a regression", row.Verdict)
	}
	floor := &compare.Floor{RunID: "aa", Host: "lab", Started: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Effects: map[string]compare.Effect{"throughput": {Rel: 0.25}}}
	res := compare.Compare(b, n, compare.Options{NoiseFloor: floor})
	if row := find(t, res, stackA, "transfer", "throughput"); row.Verdict != compare.WithinNoise {
		t.Errorf("a 20%% change under a 25%% floor: %s, want %s", row.Verdict, compare.WithinNoise)
	}
	if row := find(t, res, stackA, "transfer", "p99"); row.Verdict == compare.WithinNoise {
		t.Error("the floor of one metric constrained another")
	}
	var buf bytes.Buffer
	if err := res.Write(&buf, compare.Text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A/A noise floor (p95 |Δ| between twins) from A/A run aa (lab, 2026-11-20): throughput 25%", "2 within the A/A noise floor"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
	// Judge is the same decision on bare values.
	row := compare.Judge(stats.Throughput, []float64{100, 101, 99, 100, 102, 98}, []float64{80, 81, 79, 80, 82, 78}, compare.Options{NoiseFloor: floor})
	if row.Verdict != compare.WithinNoise || row.Test.P >= 0.05 {
		t.Errorf("Judge: %s, p %v", row.Verdict, row.Test.P)
	}
}

func TestLatestFloor(t *testing.T) {
	at := func(r *results.Run, day int) *results.Run {
		r.Started = time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC)
		return r
	}
	older := at(synthRun("aa-old", 1, 8, twinsOf(base("nethttp", "std"))...), 20)
	newer := at(synthRun("aa-new", 2, 8, twinsOf(base("nethttp", "std"))...), 22)
	elsewhere := at(synthRun("aa-elsewhere", 3, 8, twinsOf(base("nethttp", "std"))...), 23)
	elsewhere.Env.Hostname = "other"
	plain := at(synthRun("plain", 4, 8, base("nethttp", "std"), base("fiber", "std")), 24)
	f := compare.LatestFloor([]*results.Run{older, plain, newer, elsewhere}, plain, compare.Options{})
	if f == nil || f.RunID != "aa-new" {
		t.Fatalf("latest floor %+v, want the one of aa-new", f)
	}
	plain.Env.Hostname = "third"
	if f := compare.LatestFloor([]*results.Run{older, newer, elsewhere}, plain, compare.Options{}); f != nil {
		t.Errorf("a floor from another machine: %s", f.Source())
	}
}
