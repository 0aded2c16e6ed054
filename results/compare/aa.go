package compare

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	moremath "github.com/aclements/go-moremath/stats"

	"stacklab/results"
	"stacklab/results/stats"
)

// Pair is two labels of one stack in an A/A run: identical builds, told apart only by label.
type Pair struct {
	Stack string
	A, B  string // labels; A is the base side
}

func (p Pair) String() string {
	return fmt.Sprintf("%s: %s vs %s", p.Stack, labelName(p.A), labelName(p.B))
}

func labelName(l string) string {
	if l == "" {
		return `""`
	}
	return l
}

// AARow is one comparison between twins.
type AARow struct {
	Pair Pair
	Row
}

// NoiseFloor is what twins show for one metric.
type NoiseFloor struct {
	Metric stats.Metric
	// Comparisons have enough samples for a verdict; Insufficient do not.
	Comparisons  int
	Insufficient int
	// The spread between twins: |new/base - 1| in percent over the comparisons (for the error
	// rate, |new - base| in percentage points).
	MedianAbsDelta, P95AbsDelta, MaxAbsDelta float64
	// MedianCIWidth is the median width of the twins' confidence intervals, in percent of the
	// median.
	MedianCIWidth float64
	// Significant counts the comparisons with p < alpha; FalseRegressions and
	// FalseImprovements those Compare flags, though nothing differs.
	Significant       int
	FalseRegressions  int
	FalseImprovements int
}

// FalseRegressionRate is FalseRegressions/Comparisons (0 without comparisons).
func (n *NoiseFloor) FalseRegressionRate() float64 {
	if n.Comparisons == 0 {
		return 0
	}
	return float64(n.FalseRegressions) / float64(n.Comparisons)
}

// AAResult is the noise floor of one A/A run.
type AAResult struct {
	RunID string
	// Env and Started are the A/A run's: the machine whose noise floor this is, and when.
	Env     results.Env
	Started time.Time
	Rounds  int
	Options Options
	Pairs   []Pair
	// Metrics are per metric, in Options.Metrics order; Rows every comparison.
	Metrics []NoiseFloor
	Rows    []AARow
	// Excluded are the twins' records left out (invalid trials, stacks that do not conform).
	Excluded []Excluded
}

// Comparisons counts the comparisons with enough samples over all metrics.
func (a *AAResult) Comparisons() int {
	n := 0
	for i := range a.Metrics {
		n += a.Metrics[i].Comparisons
	}
	return n
}

// FalseRegressions counts the regressions flagged between twins over all metrics.
func (a *AAResult) FalseRegressions() int {
	n := 0
	for i := range a.Metrics {
		n += a.Metrics[i].FalseRegressions
	}
	return n
}

// FalseRegressionRate is the fraction of (pair, workload/op/step, metric) comparisons with
// enough samples that Compare flags as a regression.
func (a *AAResult) FalseRegressionRate() float64 {
	if c := a.Comparisons(); c > 0 {
		return float64(a.FalseRegressions()) / float64(c)
	}
	return 0
}

// Twins returns the A/A pairs of a run: every two labels under which one stack name appears,
// labels in sorted order (the first is the base side).
func Twins(run *results.Run) []Pair {
	labels := map[string][]string{}
	for i := range run.Stacks {
		st := &run.Stacks[i]
		if !slices.Contains(labels[st.Name], st.Label) {
			labels[st.Name] = append(labels[st.Name], st.Label)
		}
	}
	names := make([]string, 0, len(labels))
	for n := range labels {
		names = append(names, n)
	}
	slices.Sort(names)
	var pairs []Pair
	for _, n := range names {
		ls := labels[n]
		slices.Sort(ls)
		for i := range ls {
			for j := i + 1; j < len(ls); j++ {
				pairs = append(pairs, Pair{Stack: n, A: ls[i], B: ls[j]})
			}
		}
	}
	return pairs
}

// AA measures the noise floor of a run whose stacks appear under several labels (see Twins):
// each pair is compared as Compare would (label A as base, B as new) and the spread and the
// flags are gathered per metric.
func AA(run *results.Run, opt Options) *AAResult {
	opt = opt.withDefaults()
	res := &AAResult{RunID: run.ID, Env: run.Env, Started: run.Started, Rounds: stats.Rounds(run), Options: opt, Pairs: Twins(run)}
	samples, excluded := usable(run, "run")
	res.Excluded = excluded
	byStack := map[string][]*stats.Sample{}
	for _, s := range samples {
		byStack[s.Key.StackKey()] = append(byStack[s.Key.StackKey()], s)
	}
	for _, p := range res.Pairs {
		as := byStack[results.StackKey(p.Stack, p.A)]
		slices.SortFunc(as, func(x, y *stats.Sample) int { return stats.CompareKeys(x.Key, y.Key) })
		for _, a := range as {
			bk := a.Key
			bk.Label = p.B
			b := samples[bk]
			if b == nil {
				continue
			}
			for _, row := range compareSamples(a.Key, a, b, opt) {
				res.Rows = append(res.Rows, AARow{Pair: p, Row: row})
			}
		}
	}
	for _, m := range opt.Metrics {
		nf := NoiseFloor{Metric: m}
		var deltas, widths []float64
		for i := range res.Rows {
			row := &res.Rows[i].Row
			if row.Metric.Name != m.Name {
				continue
			}
			if row.Verdict == Insufficient {
				nf.Insufficient++
				continue
			}
			nf.Comparisons++
			if row.Test.P < opt.Alpha {
				nf.Significant++
			}
			switch row.Verdict {
			case Regression:
				nf.FalseRegressions++
			case Improvement:
				nf.FalseImprovements++
			}
			if m.Unit == stats.ErrorRate.Unit {
				deltas = append(deltas, math.Abs(row.Delta)*100)
			} else if !math.IsNaN(row.DeltaPct) {
				deltas = append(deltas, math.Abs(row.DeltaPct))
			}
			for _, s := range []stats.Summary{row.Base, row.New} {
				if w := s.RelWidth(); !math.IsNaN(w) {
					widths = append(widths, w*100)
				}
			}
		}
		nf.MedianAbsDelta, nf.P95AbsDelta, nf.MaxAbsDelta = quantile(deltas, 0.5), quantile(deltas, 0.95), quantile(deltas, 1)
		nf.MedianCIWidth = quantile(widths, 0.5)
		res.Metrics = append(res.Metrics, nf)
	}
	return res
}

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := moremath.Sample{Xs: slices.Clone(xs)}
	return s.Sort().Quantile(q)
}

// SplitByLabel returns the part of a run measured under one label, with the label removed, so
// that Compare(SplitByLabel(run, "a"), SplitByLabel(run, "b"), opt) compares the twins of an A/A
// run like two runs. The run's ID gets "#label" appended.
func SplitByLabel(run *results.Run, label string) *results.Run {
	out := *run
	out.ID = run.ID + "#" + labelName(label)
	out.Stacks, out.Records = nil, nil
	for _, st := range run.Stacks {
		if st.Label == label {
			st.Label = ""
			out.Stacks = append(out.Stacks, st)
		}
	}
	for _, r := range run.Records {
		if r.Label == label {
			r.Label = ""
			r.RunID = out.ID
			out.Records = append(out.Records, r)
		}
	}
	return &out
}

// Write writes the noise floor: one line per metric, then the flagged comparisons.
func (a *AAResult) Write(w io.Writer, f Format) error {
	bw := bufio.NewWriter(w)
	md := f == Markdown
	if md {
		fmt.Fprintf(bw, "### A/A noise floor: run `%s`\n\n", a.RunID)
	} else {
		fmt.Fprintf(bw, "A/A noise floor: run %s\n", a.RunID)
	}
	fmt.Fprintf(bw, "%d rounds, %d twin pairs; %s\n", a.Rounds, len(a.Pairs), a.Options.describe())
	fmt.Fprintf(bw, "false-regression rate: %d of %d comparisons (%.1f%%)\n", a.FalseRegressions(), a.Comparisons(), 100*a.FalseRegressionRate())
	if f := a.Floor(); f != nil {
		fmt.Fprintf(bw, "the noise floor reports of runs on %s take from this run: %s\n", f.Host, f.Describe(a.Options.Metrics))
	}
	fmt.Fprintln(bw)
	head := []string{"metric", "min effect", "comparisons", "median |Δ|", "p95 |Δ|", "max |Δ|", "median CI width", "p<alpha", "false regressions", "false improvements", "insufficient"}
	var tw *tabwriter.Writer
	if md {
		fmt.Fprintf(bw, "| %s |\n|", strings.Join(head, " | "))
		for range head {
			fmt.Fprint(bw, "--:|")
		}
		fmt.Fprintln(bw)
	} else {
		tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(head, "\t"))
	}
	for i := range a.Metrics {
		nf := &a.Metrics[i]
		unit := "%"
		if nf.Metric.Unit == stats.ErrorRate.Unit {
			unit = "pp"
		}
		cells := []string{nf.Metric.Name, a.Options.MinEffect[nf.Metric.Name].Format(nf.Metric), fmt.Sprint(nf.Comparisons),
			pct(nf.MedianAbsDelta, unit), pct(nf.P95AbsDelta, unit), pct(nf.MaxAbsDelta, unit), pct(nf.MedianCIWidth, "%"),
			fmt.Sprint(nf.Significant), fmt.Sprintf("%d (%.1f%%)", nf.FalseRegressions, 100*nf.FalseRegressionRate()),
			fmt.Sprint(nf.FalseImprovements), fmt.Sprint(nf.Insufficient)}
		if md {
			fmt.Fprintf(bw, "| %s |\n", strings.Join(cells, " | "))
		} else {
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
	}
	if tw != nil {
		tw.Flush()
	}
	var flagged []*AARow
	for i := range a.Rows {
		if v := a.Rows[i].Verdict; v == Regression || v == Improvement {
			flagged = append(flagged, &a.Rows[i])
		}
	}
	if len(flagged) > 0 {
		fmt.Fprintf(bw, "\nflagged between twins (false alarms):\n")
		for _, r := range flagged {
			fmt.Fprintf(bw, "- %s %s/%s: %s → %s (%s, p=%.3f) %s\n", r.Pair, r.Key.Case(), r.Metric.Name,
				r.Metric.Format(r.Base.Center), r.Metric.Format(r.New.Center), delta(&r.Row), r.Test.P, verdict(&r.Row))
		}
	}
	if len(a.Excluded) > 0 {
		fmt.Fprintf(bw, "\nexcluded: %d samples or trials (invalid trials, stacks that do not conform)\n", len(a.Excluded))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing A/A result: %w", err)
	}
	return nil
}

func pct(v float64, unit string) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.2f%s", v, unit)
}
