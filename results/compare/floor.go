package compare

import (
	"fmt"
	"math"
	"strings"
	"time"

	"stacklab/results"
	"stacklab/results/stats"
)

// Floor is the noise floor of one machine, measured by an A/A run: per metric, how far apart
// identical twins landed. A difference between two stacks on that machine counts only when it is
// larger (Options.NoiseFloor).
type Floor struct {
	// RunID names the A/A run; Host, CPUModel and Cores its machine; Started when it ran.
	RunID    string
	Host     string
	CPUModel string
	Cores    int
	Started  time.Time
	// Comparisons counts the twin comparisons with enough samples the floor rests on.
	Comparisons int
	// Effects maps a metric's name to the spread twins showed: the 95th percentile of their
	// |new/base - 1| as Rel, and for the error rate of |new - base| as Abs. A metric the A/A run
	// could not judge is absent and not constrained.
	Effects map[string]Effect
}

// exceeded reports whether going from base to new is beyond the floor of the metric; a nil floor,
// or one without the metric, does not constrain.
func (f *Floor) exceeded(metric string, base, new float64) bool {
	if f == nil {
		return true
	}
	e, ok := f.Effects[metric]
	if !ok {
		return true
	}
	return e.exceeded(base, new)
}

// Source says where the floor comes from: "A/A run ID (host, date)".
func (f *Floor) Source() string {
	if f == nil {
		return "no A/A noise floor known"
	}
	return fmt.Sprintf("A/A run %s (%s, %s)", f.RunID, f.Host, f.Started.UTC().Format("2006-01-02"))
}

// Describe is one line naming the floor's source and its value for each of the metrics.
func (f *Floor) Describe(metrics []stats.Metric) string {
	if f == nil {
		return "no A/A noise floor known"
	}
	var parts []string
	for _, m := range metrics {
		if e, ok := f.Effects[m.Name]; ok {
			parts = append(parts, m.Name+" "+e.Format(m))
		}
	}
	return fmt.Sprintf("A/A noise floor (p95 |Δ| between twins) from %s: %s", f.Source(), strings.Join(parts, ", "))
}

// Floor turns the A/A result into a noise floor: per metric, the 95th percentile of the twins'
// spread. It is nil when no comparison had enough samples.
func (a *AAResult) Floor() *Floor {
	if a.Comparisons() == 0 {
		return nil
	}
	f := &Floor{RunID: a.RunID, Host: a.Env.Hostname, CPUModel: a.Env.CPUModel, Cores: a.Env.Cores, Started: a.Started,
		Comparisons: a.Comparisons(), Effects: map[string]Effect{}}
	for _, nf := range a.Metrics {
		if nf.Comparisons == 0 || math.IsNaN(nf.P95AbsDelta) {
			continue
		}
		if nf.Metric.Unit == stats.ErrorRate.Unit {
			f.Effects[nf.Metric.Name] = Effect{Abs: nf.P95AbsDelta / 100} // the spread is in percentage points
		} else {
			f.Effects[nf.Metric.Name] = Effect{Rel: nf.P95AbsDelta / 100}
		}
	}
	return f
}

// SameMachine reports whether two environments are the same machine: host name, CPU model and
// core count.
func SameMachine(a, b results.Env) bool {
	return a.Hostname == b.Hostname && a.CPUModel == b.CPUModel && a.Cores == b.Cores
}

// LatestFloor is the noise floor of the latest A/A run (a run with twins, see Twins) among
// candidates that ran on the machine of run; nil when there is none or it judged nothing.
func LatestFloor(candidates []*results.Run, run *results.Run, opt Options) *Floor {
	var latest *results.Run
	for _, c := range candidates {
		if c == nil || !SameMachine(c.Env, run.Env) || len(Twins(c)) == 0 {
			continue
		}
		if latest == nil || c.Started.After(latest.Started) || (c.Started.Equal(latest.Started) && c.ID > latest.ID) {
			latest = c
		}
	}
	if latest == nil {
		return nil
	}
	opt.NoiseFloor = nil // the floor is measured, not judged against another
	return AA(latest, opt).Floor()
}
