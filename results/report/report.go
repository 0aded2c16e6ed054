package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"stacklab/results"
	"stacklab/results/stats"
)

// Options tune a report. The zero value means every default.
type Options struct {
	// Title heads the report (default "stacklab report").
	Title string
	// Confidence is the level of every interval (default 0.95).
	Confidence float64
	// MinSamples is the fewest valid rounds for a median to count as solid (default 6, the
	// fewest for which benchmath gives a 95% interval of the median) and for a dimension pair
	// to get a bootstrap interval.
	MinSamples int
	// BootstrapIterations is the number of resamples per ratio (default 2000).
	BootstrapIterations int
	// Seed seeds the bootstrap (default 1). Each pair's stream is derived from the seed and the
	// pair's names, so adding a stack does not change the other pairs' intervals.
	Seed uint64
	// MarkdownTop is how many stacks per workload the Markdown summary lists (default 10).
	MarkdownTop int
}

func (o Options) withDefaults() Options {
	if o.Title == "" {
		o.Title = "stacklab report"
	}
	if o.Confidence == 0 {
		o.Confidence = stats.DefaultConfidence
	}
	if o.MinSamples == 0 {
		o.MinSamples = 6
	}
	if o.BootstrapIterations == 0 {
		o.BootstrapIterations = 2000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.MarkdownTop == 0 {
		o.MarkdownTop = 10
	}
	return o
}

// Report is the built report over one or more runs.
type Report struct {
	Options Options
	Runs    []*RunReport
}

// RunReport is everything the report shows about one run.
type RunReport struct {
	Run    *results.Run
	Rounds int
	// Dimensions are the run's dimensions in the order its stacks name them.
	Dimensions []string
	Stacks     []StackRow
	// Modules are the module versions across the stacks' binaries.
	Modules []ModuleRow
	// Cases are the fixed-rate measurements (Step 0), one table per workload, op.
	Cases []*CaseTable
	// Sweeps are the rate sweeps (records with Step > 0), one per workload and op.
	Sweeps []*Sweep
	// Effects are the per-dimension effects, by dimension then metric.
	Effects []*Effect
	// Invalid lists every invalid trial with its reasons.
	Invalid []InvalidTrial
}

// StackRow is one stack of a run.
type StackRow struct {
	Info       results.StackInfo
	Conformant bool
	// Status is "conforms", "does not conform", "not judged" or "not measured".
	Status string
}

// ModuleRow is one module and the versions the stacks' binaries hold.
type ModuleRow struct {
	Path string
	// Versions maps each version to the stacks holding it; one entry when all agree.
	Versions []ModuleVersion
}

// ModuleVersion is one version of a module and how many stacks carry it.
type ModuleVersion struct {
	Version string
	Stacks  []string
}

// CaseTable is one workload/op at a fixed rate: a row per stack.
type CaseTable struct {
	Case          stats.Case
	Mode          string
	RequestedRate float64
	// RankedBy is the metric ranks follow: throughput in closed loop, p99 in open loop (where
	// the rate is fixed, so latency is the result).
	RankedBy stats.Metric
	Rows     []*CaseRow
}

// CaseRow is one stack in a CaseTable.
type CaseRow struct {
	Stack      string // the stack's key (name, with label in A/A runs)
	Conformant bool
	// Rank is 1 for the best conforming stack; 0 for no rank (not conforming, or no valid
	// rounds).
	Rank         int
	Valid, Total int
	Throughput   stats.Summary
	P50          stats.Summary
	P99          stats.Summary
	P999         stats.Summary
	CPU          stats.Summary // the stack's CPU per request, µs
	TotalCPU     stats.Summary // with PostgreSQL, Redis and Kafka, µs
	ErrorRate    stats.Summary
	Errors       int64 // summed over the valid rounds
	// Weak is true when there are fewer valid rounds than MinSamples: no interval.
	Weak bool
}

// Sweep is one rate sweep: per stack, its points in step order.
type Sweep struct {
	Workload, Op string
	Lines        []*SweepLine
}

// SweepLine is one stack's curve.
type SweepLine struct {
	Stack      string
	Conformant bool
	Points     []SweepPoint
}

// SweepPoint is one step: medians across the rounds that reached it.
type SweepPoint struct {
	Step          int
	RequestedRate float64
	Valid, Total  int
	// SLOMet counts the valid rounds in which the step met the sweep's SLO.
	SLOMet   int
	Rate     stats.Summary
	P50, P99 stats.Summary
}

// Stop says why the line ends where MaxRate says: at the first step where a round was invalid (the
// load generator could not keep up, so the stack's limit is not known beyond it), where a round
// broke the SLO, or nowhere (every step met it).
func (l *SweepLine) Stop() string {
	for _, p := range l.Points {
		switch {
		case p.Valid == 0 || p.Valid < p.Total:
			return fmt.Sprintf("a trial at %g req/s was invalid", p.RequestedRate)
		case p.SLOMet < p.Valid:
			return fmt.Sprintf("the SLO broke at %g req/s", p.RequestedRate)
		}
	}
	return "every step met the SLO"
}

// MaxRate is the highest requested rate of a step that every round reached validly and within the
// SLO, with all the steps below it also within it (0 when the first step already broke it).
func (l *SweepLine) MaxRate() float64 {
	best := 0.0
	for _, p := range l.Points {
		if p.Valid == 0 || p.Valid < p.Total || p.SLOMet < p.Valid {
			break
		}
		best = p.RequestedRate
	}
	return best
}

// Effect is what one dimension's choices do to one metric, with the other dimensions fixed.
type Effect struct {
	Dim    string
	Metric stats.Metric
	// Pairs are the pairs of stacks differing in Dim only, per case.
	Pairs []EffectPair
	// Choices sum the pairs up per choice of Dim.
	Choices []ChoiceSummary
}

// EffectPair is two conforming stacks differing in one dimension only, measured in one case.
type EffectPair struct {
	Case stats.Case
	// Context names the fixed dimensions, e.g. "store=sqlc json=std redis=goredis".
	Context string
	// A and B are the two choices (A < B); Ratio is median(B)/median(A).
	A, B   string
	NA, NB int
	Ratio  stats.Ratio
	// Solid is false when a side has fewer than MinSamples values: no interval then.
	Solid bool
	Err   string
}

// ChoiceSummary sums up one choice against the alternatives.
type ChoiceSummary struct {
	Choice string
	// GeoMean is the geometric mean of median(this)/median(other) over the pairs.
	GeoMean float64
	Pairs   int
	// Better and Worse count pairs whose interval lies wholly on one side of 1 (in the metric's
	// good or bad direction); the others are unclear.
	Better, Worse int
}

// InvalidTrial is one invalid record.
type InvalidTrial struct {
	Key     stats.Key
	Round   int
	Reasons []string
}

// Build builds the report of the runs, in their order.
func Build(runs []*results.Run, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	if len(runs) == 0 {
		return nil, errors.New("building a report: no runs")
	}
	seen := map[string]bool{}
	rep := &Report{Options: opt}
	for i, run := range runs {
		if run == nil {
			return nil, fmt.Errorf("building a report: run %d is nil", i)
		}
		if err := run.Check(); err != nil {
			return nil, fmt.Errorf("building a report: %w", err)
		}
		if seen[run.ID] {
			return nil, fmt.Errorf("building a report: run %q given twice", run.ID)
		}
		seen[run.ID] = true
		rep.Runs = append(rep.Runs, buildRun(run, opt))
	}
	return rep, nil
}

func buildRun(run *results.Run, opt Options) *RunReport {
	rr := &RunReport{Run: run, Rounds: stats.Rounds(run), Dimensions: run.Dimensions()}
	dims := map[string]results.Dims{}
	for _, st := range run.Stacks {
		row := StackRow{Info: st, Conformant: st.Conformance.OK() && st.Error == ""}
		switch {
		case st.Error != "":
			row.Status = "not measured"
		case !st.Conformance.Ran:
			row.Status = "not judged"
		case st.Conformance.Failed > 0:
			row.Status = "does not conform"
		default:
			row.Status = "conforms"
		}
		rr.Stacks = append(rr.Stacks, row)
		dims[st.Key()] = st.Dims
	}
	slices.SortFunc(rr.Stacks, func(a, b StackRow) int { return cmp.Compare(a.Info.Key(), b.Info.Key()) })
	rr.Modules = modules(run)

	samples := stats.Samples(run)
	for _, s := range samples {
		for _, r := range s.Invalid {
			rr.Invalid = append(rr.Invalid, InvalidTrial{Key: s.Key, Round: r.Round, Reasons: r.InvalidReasons})
		}
	}
	rr.Cases = cases(samples, opt)
	rr.Sweeps = sweeps(samples, opt)
	rr.Effects = effects(samples, rr.Dimensions, dims, opt)
	return rr
}

func modules(run *results.Run) []ModuleRow {
	byPath := map[string]map[string][]string{}
	for _, st := range run.Stacks {
		for path, v := range st.Modules {
			if byPath[path] == nil {
				byPath[path] = map[string][]string{}
			}
			byPath[path][v] = append(byPath[path][v], st.Key())
		}
	}
	var out []ModuleRow
	for path, vs := range byPath {
		row := ModuleRow{Path: path}
		for v, stacks := range vs {
			slices.Sort(stacks)
			row.Versions = append(row.Versions, ModuleVersion{Version: v, Stacks: stacks})
		}
		slices.SortFunc(row.Versions, func(a, b ModuleVersion) int { return cmp.Compare(a.Version, b.Version) })
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b ModuleRow) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

func summarize(s *stats.Sample, m stats.Metric, opt Options) stats.Summary {
	return s.Summary(m, opt.Confidence)
}

func cases(samples []*stats.Sample, opt Options) []*CaseTable {
	byCase := map[stats.Case]*CaseTable{}
	var order []stats.Case
	for _, s := range samples {
		c := s.Key.Case()
		if c.Step > 0 {
			continue
		}
		t := byCase[c]
		if t == nil {
			t = &CaseTable{Case: c, Mode: s.Mode, RequestedRate: s.RequestedRate, RankedBy: stats.P99}
			if s.Mode == "closed" {
				t.RankedBy = stats.Throughput
			}
			byCase[c] = t
			order = append(order, c)
		}
		row := &CaseRow{Stack: s.Key.StackKey(), Conformant: s.Conformant, Valid: len(s.Valid), Total: len(s.Valid) + len(s.Invalid),
			Throughput: summarize(s, stats.Throughput, opt), P50: summarize(s, stats.P50, opt), P99: summarize(s, stats.P99, opt),
			P999: summarize(s, stats.P999, opt), CPU: summarize(s, stats.CPUPerRequest, opt),
			TotalCPU: summarize(s, stats.TotalCPUPerRequest, opt), ErrorRate: summarize(s, stats.ErrorRate, opt)}
		for _, r := range s.Valid {
			row.Errors += r.Errors
		}
		row.Weak = row.Valid < opt.MinSamples
		t.Rows = append(t.Rows, row)
	}
	slices.SortFunc(order, stats.CompareCases)
	out := make([]*CaseTable, 0, len(order))
	for _, c := range order {
		t := byCase[c]
		rank(t)
		out = append(out, t)
	}
	return out
}

// rank numbers the conforming stacks with valid rounds by the table's metric, best first; the
// rows are sorted by rank, then the unranked by name.
func rank(t *CaseTable) {
	value := func(r *CaseRow) float64 {
		if t.RankedBy.Name == stats.Throughput.Name {
			return r.Throughput.Center
		}
		return r.P99.Center
	}
	rankable := func(r *CaseRow) bool { return r.Conformant && r.Valid > 0 && !math.IsNaN(value(r)) }
	slices.SortStableFunc(t.Rows, func(a, b *CaseRow) int {
		ra, rb := rankable(a), rankable(b)
		switch {
		case ra && !rb:
			return -1
		case !ra && rb:
			return 1
		case ra && rb:
			va, vb := value(a), value(b)
			if t.RankedBy.Better == stats.HigherIsBetter {
				va, vb = vb, va
			}
			if c := cmp.Compare(va, vb); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Stack, b.Stack)
	})
	n := 0
	for _, r := range t.Rows {
		if rankable(r) {
			n++
			r.Rank = n
		}
	}
}

func sweeps(samples []*stats.Sample, opt Options) []*Sweep {
	type wo struct{ workload, op string }
	bySweep := map[wo]*Sweep{}
	lines := map[wo]map[string]*SweepLine{}
	for _, s := range samples {
		if s.Key.Step == 0 {
			continue
		}
		k := wo{s.Key.Workload, s.Key.Op}
		if bySweep[k] == nil {
			bySweep[k] = &Sweep{Workload: k.workload, Op: k.op}
			lines[k] = map[string]*SweepLine{}
		}
		stack := s.Key.StackKey()
		line := lines[k][stack]
		if line == nil {
			line = &SweepLine{Stack: stack, Conformant: true}
			lines[k][stack] = line
			bySweep[k].Lines = append(bySweep[k].Lines, line)
		}
		line.Conformant = line.Conformant && s.Conformant
		met := 0
		for _, r := range s.Valid {
			if r.SLOMet {
				met++
			}
		}
		line.Points = append(line.Points, SweepPoint{Step: s.Key.Step, RequestedRate: s.RequestedRate,
			Valid: len(s.Valid), Total: len(s.Valid) + len(s.Invalid), SLOMet: met,
			Rate: summarize(s, stats.Throughput, opt), P50: summarize(s, stats.P50, opt), P99: summarize(s, stats.P99, opt)})
	}
	out := make([]*Sweep, 0, len(bySweep))
	for _, sw := range bySweep {
		slices.SortFunc(sw.Lines, func(a, b *SweepLine) int { return cmp.Compare(a.Stack, b.Stack) })
		for _, l := range sw.Lines {
			slices.SortFunc(l.Points, func(a, b SweepPoint) int { return cmp.Compare(a.Step, b.Step) })
		}
		out = append(out, sw)
	}
	slices.SortFunc(out, func(a, b *Sweep) int {
		return stats.CompareCases(stats.Case{Workload: a.Workload, Op: a.Op}, stats.Case{Workload: b.Workload, Op: b.Op})
	})
	return out
}

// EffectMetrics are the metrics the dimension effects are given for. Throughput only counts in
// closed loop: in open loop the rate is fixed by the plan.
var EffectMetrics = []stats.Metric{stats.Throughput, stats.P99, stats.CPUPerRequest}

func effects(samples []*stats.Sample, dimensions []string, dims map[string]results.Dims, opt Options) []*Effect {
	// Conforming fixed-rate samples, op "all", by case and label.
	type group struct {
		c     stats.Case
		label string
	}
	groups := map[group][]*stats.Sample{}
	var order []group
	for _, s := range samples {
		if !s.Conformant || s.Key.Step != 0 || s.Key.Op != "all" || len(s.Valid) == 0 {
			continue
		}
		g := group{s.Key.Case(), s.Key.Label}
		if groups[g] == nil {
			order = append(order, g)
		}
		groups[g] = append(groups[g], s)
	}
	dimsOf := func(s *stats.Sample) results.Dims {
		if d, ok := dims[s.Key.StackKey()]; ok {
			return d
		}
		return s.Valid[0].Dims
	}
	var out []*Effect
	for _, dim := range dimensions {
		for _, m := range EffectMetrics {
			e := &Effect{Dim: dim, Metric: m}
			for _, g := range order {
				ss := groups[g]
				for i := range ss {
					for j := range ss {
						if i == j {
							continue
						}
						da, db := dimsOf(ss[i]), dimsOf(ss[j])
						if !onlyDiffer(dimensions, da, db, dim) || da.Get(dim) >= db.Get(dim) {
							continue // not a pair, or the pair seen the other way round
						}
						if m.Name == stats.Throughput.Name && ss[i].Mode != "closed" {
							continue
						}
						e.Pairs = append(e.Pairs, pair(g.c, dimensions, dim, m, da, db, ss[i], ss[j], opt))
					}
				}
			}
			if len(e.Pairs) == 0 {
				continue
			}
			slices.SortFunc(e.Pairs, func(a, b EffectPair) int {
				if c := stats.CompareCases(a.Case, b.Case); c != 0 {
					return c
				}
				if c := cmp.Compare(a.Context, b.Context); c != 0 {
					return c
				}
				if c := cmp.Compare(a.A, b.A); c != 0 {
					return c
				}
				return cmp.Compare(a.B, b.B)
			})
			e.Choices = summarizeChoices(e)
			out = append(out, e)
		}
	}
	return out
}

// onlyDiffer reports whether a and b differ in dim and in none of the other dimensions.
func onlyDiffer(dimensions []string, a, b results.Dims, dim string) bool {
	for _, d := range dimensions {
		if (a.Get(d) != b.Get(d)) != (d == dim) {
			return false
		}
	}
	return true
}

// context names the parts of d in the dimensions other than dim.
func context(dimensions []string, d results.Dims, dim string) string {
	var parts []string
	for _, o := range dimensions {
		if o != dim {
			parts = append(parts, o+"="+d.Get(o))
		}
	}
	return strings.Join(parts, " ")
}

func pair(c stats.Case, dimensions []string, dim string, m stats.Metric, da, db results.Dims, a, b *stats.Sample, opt Options) EffectPair {
	va, vb := a.Values(m), b.Values(m)
	p := EffectPair{Case: c, Context: context(dimensions, da, dim), A: da.Get(dim), B: db.Get(dim), NA: len(va), NB: len(vb)}
	p.Solid = len(va) >= opt.MinSamples && len(vb) >= opt.MinSamples
	if len(va) == 0 || len(vb) == 0 {
		p.Err = "not measured"
		return p
	}
	if !p.Solid {
		ma := stats.Median(va)
		if ma == 0 {
			p.Err = "median of " + p.A + " is 0"
			return p
		}
		r := stats.Median(vb) / ma
		p.Ratio = stats.Ratio{Center: r, Lo: math.Inf(-1), Hi: math.Inf(1)}
		return p
	}
	seed := stats.Seed(opt.Seed, dim, m.Name, c.String(), a.Key.StackKey(), b.Key.StackKey())
	r, err := stats.BootstrapRatio(vb, va, opt.Confidence, opt.BootstrapIterations, seed)
	if err != nil {
		p.Err = err.Error()
		p.Solid = false
	}
	p.Ratio = r
	return p
}

// summarizeChoices sums up each choice: the geometric mean of its ratio against the
// alternatives, and how many solid pairs are clearly better or worse for it.
func summarizeChoices(e *Effect) []ChoiceSummary {
	type acc struct {
		logSum        float64
		n             int
		better, worse int
	}
	accs := map[string]*acc{}
	get := func(c string) *acc {
		if accs[c] == nil {
			accs[c] = &acc{}
		}
		return accs[c]
	}
	for _, p := range e.Pairs {
		if p.Err != "" || p.Ratio.Center <= 0 || math.IsNaN(p.Ratio.Center) {
			continue
		}
		a, b := get(p.A), get(p.B)
		l := math.Log(p.Ratio.Center) // B over A
		b.logSum += l
		a.logSum -= l
		a.n++
		b.n++
		if !p.Solid {
			continue
		}
		dir := p.Ratio.Direction() // +1: B is higher
		if e.Metric.Better == stats.LowerIsBetter {
			dir = -dir
		}
		switch dir {
		case 1:
			b.better++
			a.worse++
		case -1:
			a.better++
			b.worse++
		}
	}
	out := make([]ChoiceSummary, 0, len(accs))
	for c, a := range accs {
		out = append(out, ChoiceSummary{Choice: c, GeoMean: math.Exp(a.logSum / float64(a.n)), Pairs: a.n, Better: a.better, Worse: a.worse})
	}
	slices.SortFunc(out, func(a, b ChoiceSummary) int { return cmp.Compare(a.Choice, b.Choice) })
	return out
}
