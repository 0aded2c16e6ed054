package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"stacklab/results"
	"stacklab/results/compare"
	"stacklab/results/stats"
)

// DimensionVerdict is the verdict on one dimension of a run: each of its parts other than the
// baseline's, measured in a stack that differs from the baseline in that dimension only.
type DimensionVerdict struct {
	Dim string
	// Label is the label the compared stacks share in an A/A or gate run ("" otherwise): each
	// label's stacks are judged against the baseline of the same label.
	Label string
	// Baseline is the baseline stack's key and BasePart its part in Dim; both "" when the run
	// has no baseline. Note says why there is no verdict, when there is none.
	Baseline, BasePart string
	Note               string
	Parts              []*PartVerdict
}

// PartVerdict is one part of a dimension against the baseline's part.
type PartVerdict struct {
	Part  string
	Stack string // the variant stack's key
	// Note says why the part is not judged (it does not conform, it was not measured).
	Note      string
	Workloads []*WorkloadVerdict
	Sweeps    []*SweepVerdict
}

// WorkloadVerdict is a part's verdict on one fixed-rate workload (op all) that it and the baseline
// ran.
type WorkloadVerdict struct {
	Workload      string
	Mode          string
	RequestedRate float64
	// NBase and NPart count the valid rounds of each side; MinSamples is the fewest a verdict
	// needs.
	NBase, NPart, MinSamples int
	Metrics                  []*MetricVerdict
}

// MetricVerdict is one metric of a workload: the variant's median over the baseline's, with its
// bootstrap interval, and the rule's verdict (Options.Rule).
type MetricVerdict struct {
	Metric       stats.Metric
	NBase, NPart int
	// Ratio is median(part)/median(baseline); its interval is a seeded percentile bootstrap,
	// HasCI false when a side has fewer than MinSamples values (or no ratio can be formed).
	Ratio stats.Ratio
	HasCI bool
	// Verdict is compare's on the part against the baseline: compare.Improvement (better),
	// compare.Regression (worse), or why there is no difference (compare.NoChange,
	// compare.BelowEffect, compare.WithinNoise, compare.Insufficient).
	Verdict compare.Verdict
	P       float64
	// Effect and Floor are the minimum effect and the noise floor the change had to exceed.
	Effect, Floor string
}

// SweepVerdict is how a part's sweep ended beside the baseline's.
type SweepVerdict struct {
	Workload   string
	Part, Base SweepEnd
}

// Outcome sorts a metric verdict: better, worse, no difference, or not judged.
type Outcome string

// Outcomes.
const (
	Better       Outcome = "better"
	Worse        Outcome = "worse"
	NoDifference Outcome = "no difference"
	NotJudged    Outcome = "not judged"
)

// Outcome is the verdict in plain words.
func (m *MetricVerdict) Outcome() Outcome {
	switch m.Verdict {
	case compare.Improvement:
		return Better
	case compare.Regression:
		return Worse
	case compare.Insufficient:
		return NotJudged
	}
	return NoDifference
}

// metricWords names a metric in a sentence.
func metricWords(m stats.Metric) string {
	switch m.Name {
	case stats.P99.Name:
		return "p99 latency"
	case stats.CPUPerRequest.Name:
		return "CPU per request"
	}
	return m.Name
}

// signedPct renders a ratio as a signed change, "+12%", "−3.5%" (a true minus sign).
func signedPct(r float64) string {
	p := (r - 1) * 100
	s := fmt.Sprintf("%.0f", math.Abs(p))
	if math.Abs(p) < 9.95 {
		s = fmt.Sprintf("%.1f", math.Abs(p))
	}
	switch {
	case s == "0" || s == "0.0":
		return "±0%"
	case p < 0:
		return "−" + s + "%"
	}
	return "+" + s + "%"
}

// ci renders the interval of a ratio as changes, "95% CI −41…−35%".
func (m *MetricVerdict) ci() string {
	if !m.HasCI {
		return ""
	}
	return fmt.Sprintf("%.0f%% CI %s…%s", m.Ratio.Confidence*100, strings.TrimSuffix(signedPct(m.Ratio.Lo), "%"), signedPct(m.Ratio.Hi))
}

// Reason says why there is no difference (or no verdict), "" when there is one.
func (m *MetricVerdict) Reason() string {
	switch m.Verdict {
	case compare.NoChange:
		return fmt.Sprintf("not significant, p = %.2f", m.P)
	case compare.BelowEffect:
		return "below the " + m.Effect + " minimum effect"
	case compare.WithinNoise:
		return "within the A/A noise floor, " + m.Floor
	case compare.Insufficient:
		return fmt.Sprintf("%d+%d valid rounds", m.NBase, m.NPart)
	}
	return ""
}

// Text is the metric's verdict in words: "−38% CPU per request (95% CI −41…−35%)", or "no
// difference in p99 latency (+2.1%, 95% CI −3.0…+6.5%; not significant, p = 0.41)".
func (m *MetricVerdict) Text() string {
	words := metricWords(m.Metric)
	switch m.Outcome() {
	case Better, Worse:
		if ci := m.ci(); ci != "" {
			return fmt.Sprintf("%s %s (%s)", signedPct(m.Ratio.Center), words, ci)
		}
		return signedPct(m.Ratio.Center) + " " + words
	case NotJudged:
		if m.NBase == 0 || m.NPart == 0 {
			return words + " not judged (not measured on both)"
		}
		return fmt.Sprintf("%s not judged (%s; %s%s)", words, m.Reason(), signedPct(m.Ratio.Center), " without an interval")
	}
	detail := signedPct(m.Ratio.Center)
	if ci := m.ci(); ci != "" {
		detail += ", " + ci
	}
	return fmt.Sprintf("no difference in %s (%s; %s)", words, detail, m.Reason())
}

// Title names the workload as the verdict line does: "json (closed loop)", "mix@100 (open loop
// at 100.0 req/s)".
func (w *WorkloadVerdict) Title() string {
	if w.Mode == "closed" || w.RequestedRate == 0 {
		return fmt.Sprintf("%s (%s loop)", w.Workload, w.Mode)
	}
	return fmt.Sprintf("%s (%s loop at %s req/s)", w.Workload, w.Mode, stats.FormatRate(w.RequestedRate))
}

// Text is the workload's verdicts: "json (closed loop): +12% throughput (…), no difference in CPU
// per request (…)".
func (w *WorkloadVerdict) Text() string {
	if w.NBase < w.MinSamples || w.NPart < w.MinSamples {
		return fmt.Sprintf("%s: not judged (%d+%d valid rounds, a verdict needs %d a side)", w.Title(), w.NBase, w.NPart, w.MinSamples)
	}
	parts := make([]string, len(w.Metrics))
	for i, m := range w.Metrics {
		parts[i] = m.Text()
	}
	return w.Title() + ": " + strings.Join(parts, ", ")
}

// Text says how both sweeps ended: "sweep mix-sweep: highest rate within the SLO: 400 req/s
// (nethttp: highest rate within the SLO: 200 req/s)".
func (s *SweepVerdict) Text(basePart string) string {
	return fmt.Sprintf("sweep %s: %s (%s: %s)", s.Workload, s.Part.Short(), basePart, s.Base.Short())
}

// Line is the part's whole verdict in one line: "fiber vs nethttp: json (closed loop): …; mix@100
// (…): …".
func (p *PartVerdict) Line(basePart string) string {
	head := p.Part + " vs " + basePart + ": "
	if p.Note != "" {
		return head + p.Note
	}
	var clauses []string
	for _, w := range p.Workloads {
		clauses = append(clauses, w.Text())
	}
	for _, s := range p.Sweeps {
		clauses = append(clauses, s.Text(basePart))
	}
	if len(clauses) == 0 {
		return head + "no workload measured both"
	}
	return head + strings.Join(clauses, "; ")
}

// Counts counts the metric verdicts of the run by outcome.
func (rr *RunReport) Counts() map[Outcome]int {
	out := map[Outcome]int{}
	for _, d := range rr.Verdicts {
		for _, p := range d.Parts {
			for _, w := range p.Workloads {
				for _, m := range w.Metrics {
					out[m.Outcome()]++
				}
			}
		}
	}
	return out
}

// findBaseline picks the baseline among stacks (one label's): the stack named want when there is
// one, else the one stack that differs in exactly one dimension from more stacks than any other
// stack does. In a plan of variants the baseline differs so from every variant, a variant only
// from the baseline and the other parts of its own dimension. It returns -1 when no stack stands
// out (two stacks, or the parts of a single dimension only).
func findBaseline(dimensions []string, stacks []results.StackInfo, want string) (int, string) {
	if want != "" {
		for i := range stacks {
			if stacks[i].Name == want {
				return i, "given"
			}
		}
	}
	best, bestN, second := -1, 0, 0
	for i := range stacks {
		n := 0
		for j := range stacks {
			if i != j && differIn(dimensions, stacks[i].Dims, stacks[j].Dims) != "" {
				n++
			}
		}
		switch {
		case n > bestN:
			best, second, bestN = i, bestN, n
		case n > second:
			second = n
		}
	}
	if best < 0 || bestN == second {
		return -1, ""
	}
	return best, "inferred"
}

// differIn returns the one dimension a and b differ in, "" when they differ in none or in several.
func differIn(dimensions []string, a, b results.Dims) string {
	dim := ""
	for _, d := range dimensions {
		if a.Get(d) != b.Get(d) {
			if dim != "" {
				return ""
			}
			dim = d
		}
	}
	return dim
}

func verdicts(run *results.Run, rr *RunReport, samples []*stats.Sample, opt Options) {
	byLabel := map[string][]results.StackInfo{}
	var labels []string
	for _, st := range run.Stacks {
		if _, ok := byLabel[st.Label]; !ok {
			labels = append(labels, st.Label)
		}
		byLabel[st.Label] = append(byLabel[st.Label], st)
	}
	slices.Sort(labels)
	bySample := map[stats.Key]*stats.Sample{}
	for _, s := range samples {
		bySample[s.Key] = s
	}
	sweepLines := map[string]*SweepLine{} // by workload + "\x00" + stack key, op all
	for _, sw := range rr.Sweeps {
		if sw.Op == "all" {
			for _, l := range sw.Lines {
				sweepLines[sw.Workload+"\x00"+l.Stack] = l
			}
		}
	}
	var cases []stats.Case // fixed-rate, op all
	for _, t := range rr.Cases {
		if t.Case.Op == "all" {
			cases = append(cases, t.Case)
		}
	}
	var sweepNames []string
	for _, sw := range rr.Sweeps {
		if sw.Op == "all" {
			sweepNames = append(sweepNames, sw.Workload)
		}
	}
	copt := opt.compareOptions()
	type found struct {
		i    int
		from string
	}
	baselines := map[string]found{}
	for _, label := range labels {
		i, from := findBaseline(rr.Dimensions, byLabel[label], opt.Baseline)
		baselines[label] = found{i, from}
		if i >= 0 && rr.Baseline == "" {
			rr.Baseline, rr.BaselineFrom = byLabel[label][i].Key(), from
		}
	}
	for _, dim := range rr.Dimensions {
		for _, label := range labels {
			stacks := byLabel[label]
			dv := &DimensionVerdict{Dim: dim, Label: label}
			rr.Verdicts = append(rr.Verdicts, dv)
			bi := baselines[label].i
			if bi < 0 {
				dv.Note = "no baseline: no stack of the run is the one every variant differs from in one dimension"
				continue
			}
			base := stacks[bi]
			dv.Baseline, dv.BasePart = base.Key(), base.Dims.Get(dim)
			if !base.Conformance.OK() || base.Error != "" {
				dv.Note = "the baseline does not conform: no verdict"
				continue
			}
			for _, st := range stacks {
				if differIn(rr.Dimensions, base.Dims, st.Dims) != dim {
					continue
				}
				pv := &PartVerdict{Part: st.Dims.Get(dim), Stack: st.Key()}
				dv.Parts = append(dv.Parts, pv)
				switch {
				case st.Error != "":
					pv.Note = "not measured: " + st.Error
					continue
				case !st.Conformance.OK():
					pv.Note = "does not conform: not judged"
					continue
				}
				for _, c := range cases {
					bs := bySample[stats.Key{Stack: base.Name, Label: label, Workload: c.Workload, Op: c.Op, Step: c.Step}]
					ps := bySample[stats.Key{Stack: st.Name, Label: label, Workload: c.Workload, Op: c.Op, Step: c.Step}]
					if bs == nil || ps == nil {
						continue
					}
					wv := &WorkloadVerdict{Workload: c.Workload, Mode: ps.Mode, RequestedRate: ps.RequestedRate,
						NBase: len(bs.Valid), NPart: len(ps.Valid), MinSamples: opt.MinSamples}
					judged := stats.P99
					if ps.Mode == "closed" {
						judged = stats.Throughput
					}
					for _, m := range []stats.Metric{judged, stats.CPUPerRequest} {
						if mv := metricVerdict(m, bs, ps, dim, opt, copt); mv != nil {
							wv.Metrics = append(wv.Metrics, mv)
						}
					}
					pv.Workloads = append(pv.Workloads, wv)
				}
				for _, w := range sweepNames {
					bl, pl := sweepLines[w+"\x00"+base.Key()], sweepLines[w+"\x00"+st.Key()]
					if bl != nil && pl != nil {
						pv.Sweeps = append(pv.Sweeps, &SweepVerdict{Workload: w, Part: pl.End(), Base: bl.End()})
					}
				}
				if len(pv.Workloads) == 0 && len(pv.Sweeps) == 0 {
					pv.Note = "no workload measured on both"
				}
			}
			slices.SortFunc(dv.Parts, func(a, b *PartVerdict) int { return cmp.Compare(a.Part, b.Part) })
			if len(dv.Parts) == 0 {
				dv.Note = "no variant of " + dim + " in this run"
			}
		}
	}
}

// metricVerdict judges one metric of a variant's sample against the baseline's; nil when neither
// side measures it.
func metricVerdict(m stats.Metric, base, part *stats.Sample, dim string, opt Options, copt compare.Options) *MetricVerdict {
	vb, vp := base.Values(m), part.Values(m)
	if len(vb) == 0 && len(vp) == 0 {
		return nil
	}
	row := compare.Judge(m, vb, vp, copt)
	mv := &MetricVerdict{Metric: m, NBase: len(vb), NPart: len(vp), Verdict: row.Verdict, P: row.Test.P,
		Effect: copt.Effect(m.Name).Format(m), Floor: "none known"}
	if f := opt.NoiseFloor; f != nil {
		mv.Floor = "unknown for " + m.Name
		if e, ok := f.Effects[m.Name]; ok {
			mv.Floor = e.Format(m)
		}
	}
	if len(vb) == 0 || len(vp) == 0 {
		mv.Ratio = stats.Ratio{Center: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1)}
		return mv
	}
	if len(vb) >= opt.MinSamples && len(vp) >= opt.MinSamples {
		seed := stats.Seed(opt.Seed, "verdict", dim, m.Name, base.Key.String(), part.Key.String())
		r, err := stats.BootstrapRatio(vp, vb, opt.Confidence, opt.BootstrapIterations, seed)
		if err == nil {
			mv.Ratio, mv.HasCI = r, true
			return mv
		}
	}
	mb := stats.Median(vb)
	mv.Ratio = stats.Ratio{Center: stats.Median(vp) / mb, Lo: math.Inf(-1), Hi: math.Inf(1)}
	if mb == 0 {
		mv.Ratio.Center = math.NaN()
	}
	return mv
}
