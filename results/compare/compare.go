package compare

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"stacklab/results"
	"stacklab/results/stats"
)

// Verdict is the outcome of one comparison.
type Verdict string

// Verdicts.
const (
	Regression  Verdict = "regression"
	Improvement Verdict = "improvement"
	BelowEffect Verdict = "below min effect" // significant, but smaller than the minimum effect
	// WithinNoise is a significant change beyond the minimum effect that twins of an A/A run on
	// the same machine also showed (Options.NoiseFloor): not told apart from noise.
	WithinNoise  Verdict = "within A/A noise"
	NoChange     Verdict = "no change" // not significant
	Insufficient Verdict = "insufficient samples"
)

// RunInfo names one side of a comparison.
type RunInfo struct {
	ID     string
	Commit string
	Dirty  bool
	Rounds int
}

func (ri RunInfo) String() string {
	commit := ri.Commit
	if commit == "" {
		commit = "unknown"
	} else if len(commit) > 12 {
		commit = commit[:12]
	}
	if ri.Dirty {
		commit += "+dirty"
	}
	return fmt.Sprintf("%s (commit %s, %d rounds)", ri.ID, commit, ri.Rounds)
}

// Row is one metric of one matched key.
type Row struct {
	Key    stats.Key
	Metric stats.Metric
	Base   stats.Summary
	New    stats.Summary
	// Test is the U test; P is 1 when there was no test (insufficient samples).
	Test stats.Test
	// Delta is New.Center - Base.Center; DeltaPct the same in percent of Base.Center (NaN when
	// the base median is 0).
	Delta    float64
	DeltaPct float64
	Verdict  Verdict
	// Notes are benchmath's warnings and why there is no verdict.
	Notes []string
}

// Name is the row's benchmark-style name (stack/workload=W/op=O[/step=N]).
func (r *Row) Name() string { return r.Key.String() }

// Excluded is a sample, or part of one, left out of the comparison.
type Excluded struct {
	Side   string // "base" or "new"
	What   string // the key, or the stack
	Reason string
}

// Result is a whole comparison.
type Result struct {
	Base, New RunInfo
	Options   Options
	// EnvDiffs are the differences between the two environments, "kernel: A → B".
	EnvDiffs []string
	Rows     []Row
	Excluded []Excluded
	// Unmatched are keys measured on one side only.
	Unmatched []string
}

// Regressed reports whether any row is a regression.
func (r *Result) Regressed() bool {
	for i := range r.Rows {
		if r.Rows[i].Verdict == Regression {
			return true
		}
	}
	return false
}

// Count returns how many rows have the verdict.
func (r *Result) Count(v Verdict) int {
	n := 0
	for i := range r.Rows {
		if r.Rows[i].Verdict == v {
			n++
		}
	}
	return n
}

// Compare compares new against base; see the package comment. A nil run counts as an empty one.
func Compare(base, new *results.Run, opt Options) *Result {
	opt = opt.withDefaults()
	if base == nil {
		base = &results.Run{ID: "(none)"}
	}
	if new == nil {
		new = &results.Run{ID: "(none)"}
	}
	res := &Result{Base: info(base), New: info(new), Options: opt, EnvDiffs: EnvDiffs(base, new)}
	bs, bex := usable(base, "base")
	ns, nex := usable(new, "new")
	res.Excluded = append(bex, nex...)
	keys := make([]stats.Key, 0, len(bs)+len(ns))
	for k := range bs {
		keys = append(keys, k)
	}
	for k := range ns {
		if _, ok := bs[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, stats.CompareKeys)
	for _, k := range keys {
		b, n := bs[k], ns[k]
		switch {
		case n == nil:
			res.Unmatched = append(res.Unmatched, "only in base: "+k.String())
		case b == nil:
			res.Unmatched = append(res.Unmatched, "only in new: "+k.String())
		default:
			res.Rows = append(res.Rows, compareSamples(k, b, n, opt)...)
		}
	}
	return res
}

func info(run *results.Run) RunInfo {
	return RunInfo{ID: run.ID, Commit: run.Env.GitCommit, Dirty: run.Env.GitDirty, Rounds: stats.Rounds(run)}
}

// usable returns the samples of conforming stacks (with their valid records) and lists what is
// left out.
func usable(run *results.Run, side string) (map[stats.Key]*stats.Sample, []Excluded) {
	out := map[stats.Key]*stats.Sample{}
	var ex []Excluded
	failed := map[string]string{}
	for i := range run.Stacks {
		st := &run.Stacks[i]
		switch {
		case st.Error != "":
			ex = append(ex, Excluded{Side: side, What: st.Key(), Reason: "not measured: " + st.Error})
			failed[st.Key()] = "not measured"
		case !st.Conformance.Ran:
			failed[st.Key()] = "the conformance suite did not run"
		case st.Conformance.Failed > 0:
			failed[st.Key()] = fmt.Sprintf("the stack does not conform (%d of %d checks failed)",
				st.Conformance.Failed, st.Conformance.Passed+st.Conformance.Failed)
		}
	}
	for _, s := range stats.Samples(run) {
		if !s.Conformant {
			reason := failed[s.Key.StackKey()]
			if reason == "" {
				reason = "the stack does not conform (by its records)"
			}
			ex = append(ex, Excluded{Side: side, What: s.Key.String(), Reason: reason})
			continue
		}
		for _, r := range s.InvalidReasons() {
			ex = append(ex, Excluded{Side: side, What: s.Key.String(), Reason: "invalid trial, " + r})
		}
		out[s.Key] = s
	}
	return out, ex
}

func compareSamples(k stats.Key, b, n *stats.Sample, opt Options) []Row {
	var rows []Row
	for _, m := range opt.Metrics {
		bv, nv := b.Values(m), n.Values(m)
		if len(bv) == 0 && len(nv) == 0 {
			continue // neither side measures it (e.g. CPU without a meter)
		}
		row := judge(m, bv, nv, opt)
		row.Key = k
		rows = append(rows, row)
	}
	return rows
}

// Judge compares two samples of one metric (base values bv, new values nv) as Compare does: the
// medians with their intervals, the U test and the verdict. The options' defaults apply.
func Judge(m stats.Metric, bv, nv []float64, opt Options) Row {
	return judge(m, bv, nv, opt.withDefaults())
}

// judge compares two samples of one metric; opt has its defaults.
func judge(m stats.Metric, bv, nv []float64, opt Options) Row {
	row := Row{Metric: m, Base: stats.Summarize(bv, opt.Confidence), New: stats.Summarize(nv, opt.Confidence),
		Test: stats.Test{P: 1, N1: len(bv), N2: len(nv)}}
	row.Delta = row.New.Center - row.Base.Center
	row.DeltaPct = math.NaN()
	if row.Base.Center != 0 && len(bv) > 0 && len(nv) > 0 {
		row.DeltaPct = (row.New.Center/row.Base.Center - 1) * 100
	} else if row.Delta == 0 {
		row.DeltaPct = 0
	}
	if len(bv) < opt.MinSamples || len(nv) < opt.MinSamples {
		row.Verdict = Insufficient
		row.Notes = append(row.Notes, fmt.Sprintf("%d+%d samples, a verdict needs %d per side", len(bv), len(nv), opt.MinSamples))
		return row
	}
	row.Test = stats.MannWhitney(bv, nv, opt.Alpha)
	row.Notes = append(row.Notes, row.Test.Warnings...)
	for _, w := range append(row.Base.Warnings, row.New.Warnings...) {
		if !slices.Contains(row.Notes, w) {
			row.Notes = append(row.Notes, w)
		}
	}
	switch {
	case row.Test.P >= opt.Alpha:
		row.Verdict = NoChange
	case !opt.MinEffect[m.Name].exceeded(row.Base.Center, row.New.Center):
		row.Verdict = BelowEffect
	case !opt.NoiseFloor.exceeded(m.Name, row.Base.Center, row.New.Center):
		row.Verdict = WithinNoise
	case m.Worse(row.Base.Center, row.New.Center):
		row.Verdict = Regression
	default:
		row.Verdict = Improvement
	}
	return row
}

// EnvDiffs lists what differs between the environments of two runs (machine, kernel, Go,
// GOMAXPROCS, commit, services, tools) and the module versions of stacks present in both.
func EnvDiffs(base, new *results.Run) []string {
	var out []string
	diff := func(what, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s: %s → %s", what, orNone(a), orNone(b)))
		}
	}
	be, ne := base.Env, new.Env
	diff("hostname", be.Hostname, ne.Hostname)
	diff("cpu", be.CPUModel, ne.CPUModel)
	diff("cores", fmt.Sprint(be.Cores), fmt.Sprint(ne.Cores))
	diff("memory MiB", fmt.Sprint(be.MemoryMiB), fmt.Sprint(ne.MemoryMiB))
	diff("os", be.OS, ne.OS)
	diff("kernel", be.Kernel, ne.Kernel)
	diff("go", be.GoVersion, ne.GoVersion)
	diff("GOAMD64", be.GOAMD64, ne.GOAMD64)
	diff("GOMAXPROCS", fmt.Sprint(be.GOMAXPROCS), fmt.Sprint(ne.GOMAXPROCS))
	diff("commit", commit(be), commit(ne))
	mapDiff := func(prefix string, a, b map[string]string) {
		for _, k := range unionKeys(a, b) {
			diff(prefix+k, a[k], b[k])
		}
	}
	mapDiff("service ", be.Services, ne.Services)
	mapDiff("tool ", be.Tools, ne.Tools)

	// Module versions: one line per (module, old, new), naming how many common stacks differ.
	type change struct{ mod, a, b string }
	count := map[change]int{}
	newStacks := map[string]*results.StackInfo{}
	for i := range new.Stacks {
		newStacks[new.Stacks[i].Key()] = &new.Stacks[i]
	}
	for i := range base.Stacks {
		bs := &base.Stacks[i]
		ns := newStacks[bs.Key()]
		if ns == nil {
			continue
		}
		for _, mod := range unionKeys(bs.Modules, ns.Modules) {
			if a, b := bs.Modules[mod], ns.Modules[mod]; a != b {
				count[change{mod, a, b}]++
			}
		}
	}
	changes := make([]change, 0, len(count))
	for c := range count {
		changes = append(changes, c)
	}
	slices.SortFunc(changes, func(x, y change) int {
		return strings.Compare(x.mod+"\x00"+x.a+"\x00"+x.b, y.mod+"\x00"+y.a+"\x00"+y.b)
	})
	for _, c := range changes {
		out = append(out, fmt.Sprintf("module %s: %s → %s (%d stacks)", c.mod, orNone(c.a), orNone(c.b), count[c]))
	}
	return out
}

func commit(e results.Env) string {
	if e.GitDirty {
		return e.GitCommit + "+dirty"
	}
	return e.GitCommit
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func unionKeys(a, b map[string]string) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
