package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"stacklab/results"
	"stacklab/results/compare"
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

	// Alpha is the significance level of the Mann-Whitney U test that ranks and verdicts rest on
	// (default compare.DefaultAlpha, 0.05).
	Alpha float64
	// MinEffect overrides the minimum effect of the metrics it names; the others keep
	// compare.DefaultMinEffect.
	MinEffect map[string]compare.Effect
	// NoiseFloor is the A/A noise floor of the run's machine (compare.LatestFloor), when known:
	// a difference no larger than it is not a difference. Nil: the report says no floor is known.
	NoiseFloor *compare.Floor
	// Baseline names the stack the variants are measured against (stacks.Baseline's name). When
	// it is empty or not in a run, the run's baseline is inferred: the one stack that differs in
	// exactly one dimension from more stacks than any other does.
	Baseline string
}

// compareOptions are the options of the comparisons behind ranks and verdicts.
func (o Options) compareOptions() compare.Options {
	return compare.Options{Alpha: o.Alpha, Confidence: o.Confidence, MinSamples: o.MinSamples, MinEffect: o.MinEffect,
		NoiseFloor: o.NoiseFloor}
}

// Rule describes in one sentence when the report counts a difference: the test, the minimum
// effects of the judged metrics and the noise floor, or that none is known.
func (o Options) Rule() string {
	o = o.withDefaults()
	c := o.compareOptions()
	var effs []string
	for _, m := range EffectMetrics {
		effs = append(effs, m.Name+" "+c.Effect(m.Name).Format(m))
	}
	return fmt.Sprintf("a difference counts only when it is significant (Mann-Whitney U, p < %g, at least %d valid rounds a side), "+
		"beyond the metric's minimum effect (%s) and beyond the A/A noise floor: %s; otherwise the stacks are equal (≈)",
		o.Alpha, o.MinSamples, strings.Join(effs, ", "), o.NoiseFloor.Describe(EffectMetrics))
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
	if o.Alpha == 0 {
		o.Alpha = compare.DefaultAlpha
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
	// Baseline is the stack the variants are measured against ("" when the run has none) and
	// BaselineFrom says how it was found ("given", "inferred").
	Baseline, BaselineFrom string
	// Verdicts are the plain-words verdicts, one per dimension of the run, in its order.
	Verdicts []*DimensionVerdict
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
	// Rank is 1 + the number of stacks significantly better (Ranks); 0 for no rank, NoRank says
	// why (not conforming, too few valid rounds).
	Rank   int
	NoRank string
	// Tied is set when another stack has the same rank; TiedWith lists the ranked stacks this one
	// is not told apart from (whatever their rank).
	Tied         bool
	TiedWith     []string
	sample       *stats.Sample
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
	// Wrong lists the ledger invariants the stack broke in a trial of the workload: such a stack
	// gets no rank, whatever its numbers.
	Wrong []string
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
	// SLOMet counts the valid rounds in which the step met the sweep's SLO; SLOBreaks and
	// InvalidReasons are the distinct breaks of the valid rounds and reasons of the invalid ones.
	SLOMet         int
	SLOBreaks      []string
	InvalidReasons []string
	Rate           stats.Summary
	P50, P99       stats.Summary
}

// SweepEndKind is how a sweep line ended.
type SweepEndKind int

// Ways a sweep ends.
const (
	// SLOBreak: a step that every round ran validly broke the SLO in some round; the steps
	// below it met it. Rate is the highest rate within the SLO.
	SLOBreak SweepEndKind = iota + 1
	// Unresolved: a step was invalid in some round (the load generator was the limit, or the
	// trial failed) before the SLO broke. Rate is how far the lab could resolve, never a maximum.
	Unresolved
	// AllMet: every step met the SLO, up to the sweep's last; the stack's limit is above Rate.
	AllMet
)

// SweepEnd is how and where a sweep line ended.
type SweepEnd struct {
	Kind SweepEndKind
	// Rate is the highest requested rate of a step every round ran validly and within the SLO,
	// all the steps below it too (0 when the first step already failed).
	Rate float64
	// At is the requested rate of the step that ended the line (SLOBreak, Unresolved; 0 when a
	// failed trial did not record it); Why its SLO breaks or invalid reasons.
	At  float64
	Why []string
}

// Short is the ending in a few words: "highest rate within the SLO: 400 req/s", "the lab could
// not resolve beyond 400 req/s", "within the SLO up to the last step, 800 req/s".
func (e SweepEnd) Short() string {
	switch e.Kind {
	case SLOBreak:
		return fmt.Sprintf("highest rate within the SLO: %g req/s", e.Rate)
	case Unresolved:
		return fmt.Sprintf("the lab could not resolve beyond %g req/s", e.Rate)
	}
	return fmt.Sprintf("within the SLO up to the sweep's last step, %g req/s", e.Rate)
}

// String is Short with the step that ended the line and why.
func (e SweepEnd) String() string {
	at := "the next step"
	if e.At > 0 {
		at = fmt.Sprintf("%g req/s", e.At)
	}
	why := ""
	if len(e.Why) > 0 {
		why = ": " + strings.Join(e.Why, "; ")
	}
	switch e.Kind {
	case SLOBreak:
		return fmt.Sprintf("%s (the SLO broke at %s%s)", e.Short(), at, why)
	case Unresolved:
		return fmt.Sprintf("%s (a trial at %s was invalid%s)", e.Short(), at, why)
	}
	return e.Short() + " (the stack's limit is higher)"
}

// End says how the line ended: at the first step where a round was invalid (the load generator
// could not keep up, or the trial failed: the stack's limit is not known beyond the step below), at
// the first where a valid round broke the SLO, or at the last step with every step met.
func (l *SweepLine) End() SweepEnd {
	e := SweepEnd{Kind: AllMet}
	for _, p := range l.Points {
		switch {
		case p.Valid == 0 || p.Valid < p.Total:
			return SweepEnd{Kind: Unresolved, Rate: e.Rate, At: p.RequestedRate, Why: p.InvalidReasons}
		case p.SLOMet < p.Valid:
			return SweepEnd{Kind: SLOBreak, Rate: e.Rate, At: p.RequestedRate, Why: p.SLOBreaks}
		}
		e.Rate = p.RequestedRate
	}
	return e
}

// MaxRate is the highest rate within the SLO when the line ended at the SLO (or met it at every
// step); 0 when the line ended unresolved: such a rate is never a maximum.
func (l *SweepLine) MaxRate() float64 {
	if e := l.End(); e.Kind != Unresolved {
		return e.Rate
	}
	return 0
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
	// Verdict is the rule's (Options.Rule) on B against A: compare.Improvement or
	// compare.Regression when they differ, else why not.
	Verdict compare.Verdict
}

// Differs reports whether the rule tells the pair apart.
func (p EffectPair) Differs() bool {
	return p.Verdict == compare.Improvement || p.Verdict == compare.Regression
}

// ChoiceSummary sums up one choice against the alternatives.
type ChoiceSummary struct {
	Choice string
	// GeoMean is the geometric mean of median(this)/median(other) over the pairs.
	GeoMean float64
	Pairs   int
	// Better and Worse count the pairs the rule (Options.Rule) tells apart, in the metric's good
	// or bad direction; the others are equal.
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
	verdicts(run, rr, samples, opt)
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
		var wrong []string
		for _, r := range s.Invalid {
			wrong = appendNew(wrong, r.Wrong...)
		}
		row := &CaseRow{Stack: s.Key.StackKey(), Conformant: s.Conformant, sample: s, Valid: len(s.Valid), Total: len(s.Valid) + len(s.Invalid), Wrong: wrong,
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
		rank(t, opt)
		out = append(out, t)
	}
	return out
}

// rank ranks the conforming stacks with at least MinSamples valid rounds by the table's metric
// (Ranks: 1 + the number of stacks significantly better, by the rule of Options.Rule); the rows
// are sorted by rank, then by median, then by name; the unranked follow by name.
func rank(t *CaseTable, opt Options) {
	value := func(r *CaseRow) float64 {
		if t.RankedBy.Name == stats.Throughput.Name {
			return r.Throughput.Center
		}
		return r.P99.Center
	}
	var ranked []*CaseRow
	for _, r := range t.Rows {
		switch {
		case !r.Conformant:
			r.NoRank = "does not conform"
		case len(r.Wrong) > 0:
			r.NoRank = "wrong answers: " + strings.Join(r.Wrong, "; ")
		case r.Valid < opt.MinSamples || math.IsNaN(value(r)):
			r.NoRank = fmt.Sprintf("%d valid rounds, a rank needs %d", r.Valid, opt.MinSamples)
		default:
			ranked = append(ranked, r)
		}
	}
	copt := opt.compareOptions()
	values := make([][]float64, len(ranked))
	for i, r := range ranked {
		values[i] = r.sample.Values(t.RankedBy)
	}
	// verdict[i][j]: j judged against i as the base.
	differs := make([][]compare.Verdict, len(ranked))
	for i := range ranked {
		differs[i] = make([]compare.Verdict, len(ranked))
		for j := range ranked {
			if i != j {
				differs[i][j] = compare.Judge(t.RankedBy, values[i], values[j], copt).Verdict
			}
		}
	}
	ranks := Ranks(len(ranked), func(i, j int) bool { return differs[j][i] == compare.Improvement })
	count := map[int]int{}
	for i, r := range ranked {
		r.Rank = ranks[i]
		count[r.Rank]++
		for j, o := range ranked {
			if v := differs[i][j]; i != j && v != compare.Improvement && v != compare.Regression {
				r.TiedWith = append(r.TiedWith, o.Stack)
			}
		}
		slices.Sort(r.TiedWith)
	}
	for _, r := range ranked {
		r.Tied = count[r.Rank] > 1
	}
	slices.SortStableFunc(t.Rows, func(a, b *CaseRow) int {
		ra, rb := a.Rank > 0, b.Rank > 0
		switch {
		case ra && !rb:
			return -1
		case !ra && rb:
			return 1
		case ra && rb:
			if c := cmp.Compare(a.Rank, b.Rank); c != 0 {
				return c
			}
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
		var breaks, reasons []string
		for _, r := range s.Valid {
			if r.SLOMet {
				met++
			}
			breaks = appendNew(breaks, r.SLOBreaks...)
		}
		for _, r := range s.Invalid {
			reasons = appendNew(reasons, r.InvalidReasons...)
		}
		line.Points = append(line.Points, SweepPoint{Step: s.Key.Step, RequestedRate: s.RequestedRate,
			Valid: len(s.Valid), Total: len(s.Valid) + len(s.Invalid), SLOMet: met, SLOBreaks: breaks, InvalidReasons: reasons,
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

// appendNew appends the values not yet in list.
func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
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
	p.Verdict = compare.Judge(m, va, vb, opt.compareOptions()).Verdict
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
// alternatives, and how many pairs the rule finds better or worse for it.
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
		switch p.Verdict { // of B against A
		case compare.Improvement:
			b.better++
			a.worse++
		case compare.Regression:
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
