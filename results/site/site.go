package site

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"stacklab/results"
	"stacklab/results/compare"
	"stacklab/results/report"
	"stacklab/results/stats"
)

// Options tune a site. The zero value means every default.
type Options struct {
	// Title heads every page (default "stacklab results").
	Title string
	// Report are the options of each run's report: the test's alpha, the minimum effects, the
	// baseline's name. Its NoiseFloor is ignored: each run gets the floor of the latest A/A run
	// on its machine among the site's runs.
	Report report.Options
	// DimensionTitles say what each dimension varies ("http": "HTTP transport"), when known.
	DimensionTitles map[string]string
	// Sources say where the runs came from, Notes what was left out; both are shown on the index.
	Sources []string
	Notes   []string
}

// Site is a built site: its runs, newest first, and its dimensions.
type Site struct {
	Options Options
	// Runs are the runs, newest first.
	Runs []*Run
	// Dimensions are the dimensions any run has a verdict on, in the order runs name them.
	Dimensions []*Dimension
	// Workloads are the workloads of any verdict, sorted.
	Workloads []string
}

// Run is one run of the site with its report.
type Run struct {
	Run    *results.Run
	Report *report.Report
	// Floor is the A/A noise floor the report used (nil: none known on the run's machine).
	Floor *compare.Floor
	// Counts are the run's metric verdicts by outcome.
	Counts map[report.Outcome]int
	// Dims and Workloads are the dimensions and workloads the run has part verdicts on.
	Dims, Workloads []string
	// Slug names the run's folder, runs/<slug>/.
	Slug string
}

// RunReport is the run's one report.
func (r *Run) RunReport() *report.RunReport { return r.Report.Runs[0] }

// Short is the run's date and commit, as an axis label: "2026-12-01 1a2b3c4".
func (r *Run) Short() string {
	c := r.Run.Env.GitCommit
	if len(c) > 7 {
		c = c[:7]
	}
	if r.Run.Env.GitDirty {
		c += "+"
	}
	return r.Run.Started.UTC().Format("2006-01-02") + " " + c
}

// Machine is the run's machine in one line.
func (r *Run) Machine() string {
	e := r.Run.Env
	return fmt.Sprintf("%s · %s · %d cores", e.Hostname, e.CPUModel, e.Cores)
}

// Dimension is one dimension's history: every verdict of its parts against the baseline, across
// runs.
type Dimension struct {
	Key, Title, Slug string
	// Parts are the parts judged against the baseline in some run, sorted; Workloads the
	// workloads they were judged on.
	Parts, Workloads []string
	// Points are the verdicts, oldest run first.
	Points []*Point
	// Runs are the runs with a point, oldest first.
	Runs []*Run
}

// Point is one metric verdict of one part in one run.
type Point struct {
	Run *Run
	Dim string
	// Label is the label of the compared stacks in an A/A or gate run ("" otherwise).
	Label               string
	Part, BasePart      string
	Stack, BaseStack    string
	Workload, WorkTitle string
	Verdict             *report.MetricVerdict
	// Modules are the modules whose version in the part's binary differs from the baseline's
	// ("path version", or "path version (baseline: other)").
	Modules []string
}

// Series names the point's line on a history chart: the part, with its label when it has one.
func (p *Point) Series() string {
	if p.Label != "" {
		return p.Part + " (" + p.Label + ")"
	}
	return p.Part
}

// Build builds the site of runs (any order). Each run's report gets the options' report options
// and the noise floor of the latest A/A run on its machine (compare.LatestFloor over runs).
func Build(runs []*results.Run, opt Options) (*Site, error) {
	if opt.Title == "" {
		opt.Title = "stacklab results"
	}
	s := &Site{Options: opt}
	seen := map[string]bool{}
	slugs := map[string]bool{}
	copt := compare.Options{Alpha: opt.Report.Alpha, MinEffect: opt.Report.MinEffect}
	for i, run := range runs {
		if run == nil {
			return nil, fmt.Errorf("building the site: run %d is nil", i)
		}
		if seen[run.ID] {
			return nil, fmt.Errorf("building the site: run %q given twice", run.ID)
		}
		seen[run.ID] = true
		ropt := opt.Report
		ropt.NoiseFloor = compare.LatestFloor(runs, run, copt)
		if ropt.Title == "" {
			ropt.Title = "stacklab report"
		}
		rep, err := report.Build([]*results.Run{run}, ropt)
		if err != nil {
			return nil, fmt.Errorf("building the site: %w", err)
		}
		r := &Run{Run: run, Report: rep, Floor: ropt.NoiseFloor, Counts: rep.Runs[0].Counts(), Slug: Slug(run.ID)}
		if slugs[r.Slug] {
			return nil, fmt.Errorf("building the site: two runs share the folder name %q", r.Slug)
		}
		slugs[r.Slug] = true
		s.Runs = append(s.Runs, r)
	}
	if len(s.Runs) == 0 {
		return nil, errors.New("building the site: no runs (run `make run`, or give the spool holding runs)")
	}
	// Oldest first to gather the histories, newest first to list.
	slices.SortStableFunc(s.Runs, func(a, b *Run) int {
		if c := a.Run.Started.Compare(b.Run.Started); c != 0 {
			return c
		}
		return cmp.Compare(a.Run.ID, b.Run.ID)
	})
	dims := map[string]*Dimension{}
	workloads := map[string]bool{}
	for _, r := range s.Runs {
		rr := r.RunReport()
		stacks := map[string]*results.StackInfo{}
		for i := range r.Run.Stacks {
			stacks[r.Run.Stacks[i].Key()] = &r.Run.Stacks[i]
		}
		runDims, runWorkloads := map[string]bool{}, map[string]bool{}
		for _, dv := range rr.Verdicts {
			for _, pv := range dv.Parts {
				for _, wv := range pv.Workloads {
					for _, mv := range wv.Metrics {
						d := dims[dv.Dim]
						if d == nil {
							d = &Dimension{Key: dv.Dim, Title: opt.DimensionTitles[dv.Dim], Slug: Slug(dv.Dim)}
							dims[dv.Dim] = d
							s.Dimensions = append(s.Dimensions, d)
						}
						d.Points = append(d.Points, &Point{Run: r, Dim: dv.Dim, Label: dv.Label, Part: pv.Part, BasePart: dv.BasePart,
							Stack: pv.Stack, BaseStack: dv.Baseline, Workload: wv.Workload, WorkTitle: wv.Title(), Verdict: mv,
							Modules: moduleDiff(stacks[pv.Stack], stacks[dv.Baseline])})
						if len(d.Runs) == 0 || d.Runs[len(d.Runs)-1] != r {
							d.Runs = append(d.Runs, r)
						}
						runDims[dv.Dim], runWorkloads[wv.Workload], workloads[wv.Workload] = true, true, true
					}
				}
			}
		}
		r.Dims = order(rr.Dimensions, runDims)
		r.Workloads = slices.Sorted(maps.Keys(runWorkloads))
	}
	for _, d := range s.Dimensions {
		parts, wls := map[string]bool{}, map[string]bool{}
		for _, p := range d.Points {
			parts[p.Series()], wls[p.Workload] = true, true
		}
		d.Parts = slices.Sorted(maps.Keys(parts))
		d.Workloads = slices.Sorted(maps.Keys(wls))
	}
	s.Workloads = slices.Sorted(maps.Keys(workloads))
	slices.Reverse(s.Runs)
	return s, nil
}

// order lists the keys of set in the order of names.
func order(names []string, set map[string]bool) []string {
	var out []string
	for _, n := range names {
		if set[n] {
			out = append(out, n)
		}
	}
	return out
}

// moduleDiff lists the modules of part's binary whose version is not the baseline's.
func moduleDiff(part, base *results.StackInfo) []string {
	if part == nil {
		return nil
	}
	var baseMods map[string]string
	if base != nil {
		baseMods = base.Modules
	}
	var out []string
	for _, path := range slices.Sorted(maps.Keys(part.Modules)) {
		v := part.Modules[path]
		switch bv, ok := baseMods[path]; {
		case !ok:
			out = append(out, path+" "+v)
		case bv != v:
			out = append(out, fmt.Sprintf("%s %s (baseline: %s)", path, v, bv))
		}
	}
	return out
}

// Slug turns a name into a file name: letters, digits, '.', '-' and '_' stay, '=' becomes '-',
// anything else '_'.
func Slug(name string) string {
	var b strings.Builder
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
			b.WriteRune(c)
		case c == '=':
			b.WriteByte('-')
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || strings.Trim(b.String(), ".") == "" {
		return "_"
	}
	return b.String()
}

// latest returns the dimension's points of its latest run.
func (d *Dimension) latest() []*Point {
	if len(d.Runs) == 0 {
		return nil
	}
	last := d.Runs[len(d.Runs)-1]
	var out []*Point
	for _, p := range d.Points {
		if p.Run == last {
			out = append(out, p)
		}
	}
	return out
}

// metrics lists the metrics the points of a workload judge, in report.EffectMetrics order.
func (d *Dimension) metrics(workload string) []stats.Metric {
	var out []stats.Metric
	for _, m := range report.EffectMetrics {
		for _, p := range d.Points {
			if p.Workload == workload && p.Verdict.Metric.Name == m.Name {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
