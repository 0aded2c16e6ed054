package compare_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"stacklab/results/compare"
)

// twinsOf gives each stack two labels, "a" and "b".
func twinsOf(stacks ...twin) []twin {
	var out []twin
	for _, s := range stacks {
		a, b := s, s
		a.label, b.label = "a", "b"
		out = append(out, a, b)
	}
	return out
}

func TestAAFalseRegressionRate(t *testing.T) {
	const seeds = 60
	var comparisons, flagged, significant int
	for seed := range uint64(seeds) {
		run := synthRun(fmt.Sprintf("aa-%d", seed), 1000+seed, 8, twinsOf(base("nethttp", "std"), base("fiber", "sonic"))...)
		if err := run.Check(); err != nil {
			t.Fatal(err)
		}
		aa := compare.AA(run, compare.Options{})
		if len(aa.Pairs) != 2 {
			t.Fatalf("%d pairs, want 2: %v", len(aa.Pairs), aa.Pairs)
		}
		comparisons += aa.Comparisons()
		flagged += aa.FalseRegressions()
		for _, m := range aa.Metrics {
			significant += m.Significant
		}
	}
	// 2 pairs × 2 workloads × 6 metrics (the error rate is 0 on both sides) per seed.
	if want := seeds * 2 * 2 * 6; comparisons != want {
		t.Errorf("%d comparisons, want %d", comparisons, want)
	}
	rate := float64(flagged) / float64(comparisons)
	t.Logf("A/A over %d seeds: %d of %d comparisons significant at alpha 0.05 (%.1f%%), %d flagged as regressions (%.2f%%)",
		seeds, significant, comparisons, 100*float64(significant)/float64(comparisons), flagged, 100*rate)
	if rate >= 0.10 {
		t.Errorf("false-regression rate %.1f%% at the default threshold, want < 10%%", 100*rate)
	}
	// The U test alone flags about alpha/2 as regressions; the minimum effect should remove almost all.
	if flagged*4 > significant {
		t.Errorf("the minimum effect kept %d of %d significant differences between twins", flagged, significant)
	}
}

func TestAANoiseFloor(t *testing.T) {
	run := synthRun("aa", 42, 10, twinsOf(base("nethttp", "std"))...)
	aa := compare.AA(run, compare.Options{})
	if aa.Rounds != 10 || len(aa.Pairs) != 1 || aa.Pairs[0] != (compare.Pair{Stack: stackA, A: "a", B: "b"}) {
		t.Fatalf("rounds %d, pairs %v", aa.Rounds, aa.Pairs)
	}
	tp := aa.Metrics[0]
	if tp.Metric.Name != "throughput" || tp.Comparisons != 2 {
		t.Fatalf("first metric %s with %d comparisons", tp.Metric.Name, tp.Comparisons)
	}
	// 3% noise, medians of 10: the twins land within a few percent and the CIs are a few percent wide.
	if tp.MedianAbsDelta <= 0 || tp.MaxAbsDelta > 6 || tp.MedianCIWidth <= 0 || tp.MedianCIWidth > 12 {
		t.Errorf("throughput noise floor: median |Δ| %.2f%%, max %.2f%%, CI width %.2f%%", tp.MedianAbsDelta, tp.MaxAbsDelta, tp.MedianCIWidth)
	}
	var buf bytes.Buffer
	if err := aa.Write(&buf, compare.Text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A/A noise floor: run aa", "10 rounds, 1 twin pairs", "false-regression rate: 0 of 12 comparisons (0.0%)", "throughput  5%",
		"the noise floor reports of runs on lab take from this run: A/A noise floor (p95 |Δ| between twins) from A/A run aa (lab, 2026-11-24): throughput "} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	if err := aa.Write(&buf, compare.Markdown); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "| throughput | 5% | 2 |") {
		t.Errorf("markdown:\n%s", buf.String())
	}
}

// TestAADetectsDifference checks that AA can fail: twins that are not identical are flagged.
func TestAADetectsDifference(t *testing.T) {
	a, b := base("nethttp", "std"), base("nethttp", "std")
	a.label, b.label = "a", "b"
	b.rate = 800
	aa := compare.AA(synthRun("aa", 7, 8, a, b), compare.Options{})
	if aa.FalseRegressions() == 0 || aa.Metrics[0].FalseRegressions != 2 {
		t.Errorf("a 20%% throughput gap between 'twins' was not flagged: %+v", aa.Metrics[0])
	}
	var buf bytes.Buffer
	if err := aa.Write(&buf, compare.Text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "flagged between twins") || !strings.Contains(buf.String(), stackA+`: a vs b workload=transfer/op=all/throughput`) {
		t.Errorf("output:\n%s", buf.String())
	}
}

func TestSplitByLabel(t *testing.T) {
	run := synthRun("aa", 3, 8, twinsOf(base("nethttp", "std"), base("fiber", "std"))...)
	a, b := compare.SplitByLabel(run, "a"), compare.SplitByLabel(run, "b")
	for _, part := range []*struct {
		id  string
		run interface{ Check() error }
	}{{"aa#a", a}, {"aa#b", b}} {
		if err := part.run.Check(); err != nil {
			t.Errorf("%s: %v", part.id, err)
		}
	}
	if a.ID != "aa#a" || len(a.Stacks) != 2 || len(a.Records) != len(run.Records)/2 || a.Stacks[0].Label != "" {
		t.Fatalf("split: id %s, %d stacks, %d of %d records", a.ID, len(a.Stacks), len(a.Records), len(run.Records))
	}
	if len(run.Records) == 0 || run.Records[0].Label == "" {
		t.Fatal("SplitByLabel changed the run it split")
	}
	res := compare.Compare(a, b, compare.Options{})
	if res.Regressed() || len(res.EnvDiffs) != 0 || len(res.Unmatched) != 0 || len(res.Rows) != 2*2*6 {
		t.Errorf("A/A split: regressed %v, env diffs %q, unmatched %q, %d rows", res.Regressed(), res.EnvDiffs, res.Unmatched, len(res.Rows))
	}
	if got := compare.Twins(a); len(got) != 0 {
		t.Errorf("a split run still has twins: %v", got)
	}
}
