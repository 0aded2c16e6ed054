package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"stacklab/results"
	"stacklab/results/compare"
	"stacklab/results/report"
	"stacklab/results/resultstest"
)

// variants is a run of the baseline and five variants over three dimensions.
func variants(t *testing.T) *results.Run {
	return resultstest.VariantRun(t, "20261201T100000Z-var001", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), "1111111aaaa", 7, 8,
		resultstest.Variant{Dim: "http", Part: "fiber", Throughput: 1.3, CPU: 0.62, Latency: 0.8},
		resultstest.Variant{Dim: "http", Part: "fasthttp"}, // no effect: noise only
		resultstest.Variant{Dim: "http", Part: "uring", NonConform: true},
		resultstest.Variant{Dim: "json", Part: "sonic", Throughput: 1.02, CPU: 0.85, GeneratorLimit: 200},
		resultstest.Variant{Dim: "redis", Part: "rueidis", Latency: 1.5})
}

func verdictOf(t *testing.T, rr *report.RunReport, dim, part, workload, metric string) *report.MetricVerdict {
	t.Helper()
	for _, d := range rr.Verdicts {
		if d.Dim != dim {
			continue
		}
		for _, p := range d.Parts {
			if p.Part != part {
				continue
			}
			for _, w := range p.Workloads {
				for _, m := range w.Metrics {
					if w.Workload == workload && m.Metric.Name == metric {
						return m
					}
				}
			}
		}
	}
	t.Fatalf("no verdict on %s=%s %s %s", dim, part, workload, metric)
	return nil
}

func TestVerdicts(t *testing.T) {
	rep, err := report.Build([]*results.Run{variants(t)}, report.Options{}) // no baseline given: inferred
	if err != nil {
		t.Fatal(err)
	}
	rr := rep.Runs[0]
	if rr.Baseline != resultstest.Baseline || rr.BaselineFrom != "inferred" {
		t.Fatalf("baseline %q (%s), want %s inferred", rr.Baseline, rr.BaselineFrom, resultstest.Baseline)
	}
	if len(rr.Verdicts) != 4 { // every dimension, with or without variants
		t.Fatalf("%d dimension verdicts, want 4", len(rr.Verdicts))
	}
	tests := []struct {
		dim, part, workload, metric string
		want                        report.Outcome
		verdict                     compare.Verdict
	}{
		{"http", "fiber", "json", "throughput", report.Better, compare.Improvement},
		{"http", "fiber", "json", "cpu/req", report.Better, compare.Improvement},
		{"http", "fiber", "mix@100", "p99", report.Better, compare.Improvement},
		{"http", "fasthttp", "json", "throughput", report.NoDifference, ""},
		{"http", "fasthttp", "mix@100", "cpu/req", report.NoDifference, ""},
		{"json", "sonic", "json", "throughput", report.NoDifference, ""}, // 2%: below the 5% minimum effect
		{"json", "sonic", "json", "cpu/req", report.Better, compare.Improvement},
		{"redis", "rueidis", "mix@100", "p99", report.Worse, compare.Regression},
	}
	for _, tt := range tests {
		m := verdictOf(t, rr, tt.dim, tt.part, tt.workload, tt.metric)
		if m.Outcome() != tt.want || (tt.verdict != "" && m.Verdict != tt.verdict) {
			t.Errorf("%s=%s %s %s: %s (%s), want %s", tt.dim, tt.part, tt.workload, tt.metric, m.Outcome(), m.Verdict, tt.want)
		}
		if !m.HasCI || m.Ratio.Lo > m.Ratio.Center || m.Ratio.Hi < m.Ratio.Center {
			t.Errorf("%s=%s %s %s: interval %+v", tt.dim, tt.part, tt.workload, tt.metric, m.Ratio)
		}
	}
	if m := verdictOf(t, rr, "http", "fiber", "json", "cpu/req"); m.Ratio.Center > 0.7 || m.Ratio.Center < 0.55 {
		t.Errorf("fiber's CPU per request ratio %v, want about 0.62", m.Ratio.Center)
	}
	counts := rr.Counts()
	if counts[report.Better] < 4 || counts[report.Worse] < 1 || counts[report.NoDifference] < 3 {
		t.Errorf("counts %v", counts)
	}

	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"### Verdicts",
		"Each part against the baseline `" + resultstest.Baseline + "` (inferred)",
		"no A/A noise floor known",
		"- **http**: fiber vs nethttp: json (closed loop): +",
		"% throughput (95% CI +",
		"- **http**: fasthttp vs nethttp: json (closed loop): no difference in throughput (",
		"- **http**: uring vs nethttp: does not conform: not judged",
		"- **json**: sonic vs std: json (closed loop): no difference in throughput (",
		"below the 5% minimum effect",
		"- **store**: no variant of store in this run.",
		"sweep mix-sweep: the lab could not resolve beyond 100 req/s (std: highest rate within the SLO: 400 req/s)",
		"- **redis**: rueidis vs goredis: json (closed loop): no difference in throughput (",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, out)
		}
	}
	// The sweep that ended invalid is never a maximum.
	for _, sw := range rr.Sweeps {
		for _, l := range sw.Lines {
			if strings.Contains(l.Stack, "json=sonic") && (l.End().Kind != report.Unresolved || l.MaxRate() != 0) {
				t.Errorf("sonic's sweep: %v, MaxRate %v", l.End(), l.MaxRate())
			}
		}
	}

	var h bytes.Buffer
	if err := rep.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<h3 id="run1-verdicts">Verdicts</h3>`, `<div class="verdict" data-dim="http">`,
		`<li data-part="fiber"><b>fiber</b> vs nethttp:`, `<h4>Forest plots: json (closed loop)</h4>`, `"coordinateSystem":"cartesian2d"`,
		`"markLine":{"data":[{"xAxis":1}]`} {
		if !strings.Contains(h.String(), want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
}

// TestNoiseFloorTies checks that a known A/A noise floor turns differences within it into ties,
// in ranks and in verdicts, and that the report says where the floor came from.
func TestNoiseFloorTies(t *testing.T) {
	run := variants(t)
	floor := &compare.Floor{RunID: "20261130T100000Z-aa0001", Host: "lab-1", Started: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
		Effects: map[string]compare.Effect{"throughput": {Rel: 0.5}, "p99": {Rel: 0.6}, "cpu/req": {Rel: 0.5}}}
	rep, err := report.Build([]*results.Run{run}, report.Options{NoiseFloor: floor})
	if err != nil {
		t.Fatal(err)
	}
	rr := rep.Runs[0]
	for _, c := range rr.Cases {
		for _, row := range c.Rows {
			if row.Conformant && row.Rank != 1 {
				t.Errorf("%s %s: rank %d under a 50%% noise floor, want all tied at 1", c.Case, row.Stack, row.Rank)
			}
		}
	}
	m := verdictOf(t, rr, "http", "fiber", "json", "throughput")
	if m.Verdict != compare.WithinNoise || !strings.Contains(m.Text(), "within the A/A noise floor, 50%") {
		t.Errorf("fiber throughput under the floor: %s, %q", m.Verdict, m.Text())
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "A/A noise floor (p95 |Δ| between twins) from A/A run 20261130T100000Z-aa0001 (lab-1, 2026-11-30)") {
		t.Errorf("the Markdown does not say where the floor came from:\n%s", md.String())
	}
	// Without the floor the same run ranks fiber alone first in the closed loop.
	plain, err := report.Build([]*results.Run{run}, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	closed := findCase(t, plain.Runs[0], "json", "all")
	if first := closed.Rows[0]; !strings.Contains(first.Stack, "http=fiber") || first.Rank != 1 || first.Tied {
		t.Errorf("without a floor, first %s rank %d tied %v", first.Stack, first.Rank, first.Tied)
	}
}

func TestBaselineInference(t *testing.T) {
	stacks := func(names ...string) *results.Run {
		run := results.NewRun("r", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		for _, n := range names {
			run.Stacks = append(run.Stacks, results.StackInfo{Name: n, Dims: results.MustParseDims(n), Conformance: results.Conformance{Ran: true, Passed: 1}})
		}
		return run
	}
	tests := []struct {
		name     string
		run      *results.Run
		given    string
		want     string
		wantFrom string
	}{
		{"a star", stacks("a=1/b=1", "a=2/b=1", "a=1/b=2", "a=3/b=1"), "", "a=1/b=1", "inferred"},
		{"two stacks: ambiguous", stacks("a=1/b=1", "a=2/b=1"), "", "", ""},
		{"two stacks, given", stacks("a=1/b=1", "a=2/b=1"), "a=2/b=1", "a=2/b=1", "given"},
		{"given but absent: inferred", stacks("a=1/b=1", "a=2/b=1", "a=1/b=2"), "a=9/b=9", "a=1/b=1", "inferred"},
		{"one dimension only: ambiguous", stacks("a=1/b=1", "a=2/b=1", "a=3/b=1"), "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := report.Build([]*results.Run{tt.run}, report.Options{Baseline: tt.given})
			if err != nil {
				t.Fatal(err)
			}
			if rr := rep.Runs[0]; rr.Baseline != tt.want || rr.BaselineFrom != tt.wantFrom {
				t.Errorf("baseline %q (%s), want %q (%s)", rr.Baseline, rr.BaselineFrom, tt.want, tt.wantFrom)
			}
		})
	}
}
