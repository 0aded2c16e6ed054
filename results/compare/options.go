package compare

import (
	"fmt"
	"slices"
	"strings"

	"stacklab/results/stats"
)

// Effect is a minimum effect size: a change counts only when it is larger than both Rel (a
// fraction of the base median) and Abs (in the metric's unit). A zero part does not constrain.
type Effect struct {
	Rel float64
	Abs float64
}

// Format renders the effect for a metric: "5%", or "0.1pp" (percentage points) for an absolute
// effect on a ratio, else the absolute effect in the metric's unit.
func (e Effect) Format(m stats.Metric) string {
	var parts []string
	if e.Rel > 0 {
		parts = append(parts, fmt.Sprintf("%g%%", e.Rel*100))
	}
	if e.Abs > 0 {
		if m.Unit == stats.ErrorRate.Unit {
			parts = append(parts, fmt.Sprintf("%gpp", e.Abs*100))
		} else {
			parts = append(parts, m.Format(e.Abs))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " and ")
}

// exceeded reports whether going from base to new is beyond the effect.
func (e Effect) exceeded(base, new float64) bool {
	d := new - base
	if d < 0 {
		d = -d
	}
	if d == 0 || d <= e.Abs {
		return false
	}
	if e.Rel > 0 && base != 0 {
		abs := base
		if abs < 0 {
			abs = -abs
		}
		return d > e.Rel*abs
	}
	return true
}

// DefaultMinEffect holds the default minimum effects, by metric name.
//
// Throughput, p50 and CPU per request are stable across rounds (a median of many thousands of
// requests, a whole-trial CPU count): 5% is above their usual round-to-round spread and still
// small enough to catch a codec or driver change. p99 rests on the slowest 1% and moves with GC
// and scheduling on a shared 2-core machine: 10%. p99.9 rests on a few dozen requests per trial:
// 15%. The error rate is judged in absolute terms: 0.1 percentage point, the load generator's
// own SLO for a step (MaxErrorRate 0.001). These are starting points, to be calibrated with A/A
// runs (see AA): a threshold is right when the false-regression rate is near 0.
var DefaultMinEffect = map[string]Effect{
	stats.Throughput.Name:         {Rel: 0.05},
	stats.P50.Name:                {Rel: 0.05},
	stats.P99.Name:                {Rel: 0.10},
	stats.P999.Name:               {Rel: 0.15},
	stats.CPUPerRequest.Name:      {Rel: 0.05},
	stats.TotalCPUPerRequest.Name: {Rel: 0.05},
	stats.ErrorRate.Name:          {Abs: 0.001},
}

// Defaults of Options.
const (
	DefaultAlpha      = 0.05
	DefaultMinSamples = 6
)

// Options tune a comparison. The zero value means every default.
type Options struct {
	// Alpha is the significance level of the U test (default 0.05).
	Alpha float64
	// Confidence is the level of the medians' intervals (default 0.95).
	Confidence float64
	// MinSamples is the fewest values a side needs for a verdict (default 6: benchmath needs 6
	// values for a 95% interval of the median, and the U test 4 per side to reach p < 0.05).
	MinSamples int
	// MinEffect overrides the minimum effect of the metrics it names; the others keep
	// DefaultMinEffect.
	MinEffect map[string]Effect
	// Metrics are the metrics judged (default stats.Metrics()).
	Metrics []stats.Metric
	// NoiseFloor, when set, is the spread twins showed in an A/A run on the same machine
	// (AAResult.Floor): a significant change beyond the minimum effect is still WithinNoise when it
	// is no larger than the floor of its metric. Nil: no floor known.
	NoiseFloor *Floor
}

func (o Options) withDefaults() Options {
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	if o.Confidence == 0 {
		o.Confidence = stats.DefaultConfidence
	}
	if o.MinSamples == 0 {
		o.MinSamples = DefaultMinSamples
	}
	eff := make(map[string]Effect, len(DefaultMinEffect)+len(o.MinEffect))
	for k, v := range DefaultMinEffect {
		eff[k] = v
	}
	for k, v := range o.MinEffect {
		eff[k] = v
	}
	o.MinEffect = eff
	if len(o.Metrics) == 0 {
		o.Metrics = stats.Metrics()
	}
	return o
}

// Effect returns the minimum effect used for a metric.
func (o Options) Effect(metric string) Effect { return o.withDefaults().MinEffect[metric] }

// describe is one line naming the statistics and thresholds.
func (o Options) describe() string {
	o = o.withDefaults()
	var effs []string
	for _, m := range o.Metrics {
		effs = append(effs, m.Name+" "+o.MinEffect[m.Name].Format(m))
	}
	s := fmt.Sprintf("medians with %g%% CIs; Mann-Whitney U test, alpha %g; minimum effects: %s; at least %d samples per side",
		o.Confidence*100, o.Alpha, strings.Join(effs, ", "), o.MinSamples)
	if o.NoiseFloor != nil {
		s += "; " + o.NoiseFloor.Describe(o.Metrics)
	}
	return s
}

// ParseEffects reads overrides like "throughput=3%,p99=8%,errors=0.2pp" into an effect map.
func ParseEffects(s string) (map[string]Effect, error) {
	out := map[string]Effect{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	known := map[string]stats.Metric{}
	for _, m := range append(stats.Metrics(), stats.TotalCPUPerRequest) {
		known[m.Name] = m
	}
	for _, item := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return nil, fmt.Errorf("min effect %q: want metric=N%% or metric=Npp", item)
		}
		m, ok := known[name]
		if !ok {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			slices.Sort(names)
			return nil, fmt.Errorf("min effect %q: unknown metric %q (known: %s)", item, name, strings.Join(names, ", "))
		}
		var e Effect
		var f float64
		switch {
		case strings.HasSuffix(val, "%"):
			if _, err := fmt.Sscanf(strings.TrimSuffix(val, "%"), "%g", &f); err != nil {
				return nil, fmt.Errorf("min effect %q: %w", item, err)
			}
			e.Rel = f / 100
		case strings.HasSuffix(val, "pp") && m.Unit == stats.ErrorRate.Unit:
			if _, err := fmt.Sscanf(strings.TrimSuffix(val, "pp"), "%g", &f); err != nil {
				return nil, fmt.Errorf("min effect %q: %w", item, err)
			}
			e.Abs = f / 100
		default:
			return nil, fmt.Errorf("min effect %q: want N%% (or Npp for a ratio such as errors)", item)
		}
		if f < 0 {
			return nil, fmt.Errorf("min effect %q: negative", item)
		}
		out[name] = e
	}
	return out, nil
}
