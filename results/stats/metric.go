package stats

import (
	"fmt"
	"math"

	"stacklab/results"
)

// Direction tells which way a metric improves.
type Direction int

// Directions.
const (
	LowerIsBetter Direction = iota + 1
	HigherIsBetter
)

// String names the direction.
func (d Direction) String() string {
	switch d {
	case LowerIsBetter:
		return "lower is better"
	case HigherIsBetter:
		return "higher is better"
	}
	return "unknown direction"
}

// Metric is one number taken from a record.
type Metric struct {
	// Name identifies the metric (and keys per-metric options).
	Name string
	// Unit is the unit of Value.
	Unit string
	// Better is the metric's good direction.
	Better Direction
	// Value returns the record's value; ok is false when the record does not measure it.
	Value func(r *results.Record) (v float64, ok bool)
	// Format renders a value in its unit, short.
	Format func(v float64) string
}

// Values returns the metric's values over records, leaving out the ones that do not measure it.
func (m Metric) Values(recs []*results.Record) []float64 {
	vs := make([]float64, 0, len(recs))
	for _, r := range recs {
		if v, ok := m.Value(r); ok {
			vs = append(vs, v)
		}
	}
	return vs
}

// Worse reports whether going from base to new goes the wrong way.
func (m Metric) Worse(base, new float64) bool {
	if m.Better == HigherIsBetter {
		return new < base
	}
	return new > base
}

func served(r *results.Record) bool { return r.Requests > 0 }

func latency(get func(r *results.Record) int64) func(r *results.Record) (float64, bool) {
	return func(r *results.Record) (float64, bool) { return float64(get(r)), served(r) }
}

// The metrics. Latencies are the corrected ones (from the intended send time), in nanoseconds;
// CPU per request is in microseconds and unknown (left out) when the harness could not meter it.
var (
	Throughput = Metric{Name: "throughput", Unit: "req/s", Better: HigherIsBetter,
		Value:  func(r *results.Record) (float64, bool) { return r.Rate, true },
		Format: FormatRate}
	P50 = Metric{Name: "p50", Unit: "ns", Better: LowerIsBetter,
		Value: latency(func(r *results.Record) int64 { return r.Corrected.P50 }), Format: FormatNanos}
	P99 = Metric{Name: "p99", Unit: "ns", Better: LowerIsBetter,
		Value: latency(func(r *results.Record) int64 { return r.Corrected.P99 }), Format: FormatNanos}
	P999 = Metric{Name: "p99.9", Unit: "ns", Better: LowerIsBetter,
		Value: latency(func(r *results.Record) int64 { return r.Corrected.P999 }), Format: FormatNanos}
	CPUPerRequest = Metric{Name: "cpu/req", Unit: "µs", Better: LowerIsBetter,
		Value: func(r *results.Record) (float64, bool) {
			v := r.CPUPerRequest()
			return v, v > 0
		}, Format: FormatMicros}
	TotalCPUPerRequest = Metric{Name: "total-cpu/req", Unit: "µs", Better: LowerIsBetter,
		Value: func(r *results.Record) (float64, bool) {
			v := r.TotalCPUPerRequest()
			return v, v > 0
		}, Format: FormatMicros}
	ErrorRate = Metric{Name: "errors", Unit: "ratio", Better: LowerIsBetter,
		Value:  func(r *results.Record) (float64, bool) { return r.ErrorRate(), served(r) },
		Format: FormatRatio}
)

// Metrics are the metrics a comparison judges, in display order.
func Metrics() []Metric {
	return []Metric{Throughput, P50, P99, P999, CPUPerRequest, ErrorRate}
}

// FormatRate renders a rate in requests per second with SI prefixes.
func FormatRate(v float64) string {
	switch a := math.Abs(v); {
	case math.IsInf(v, 0) || math.IsNaN(v):
		return fmt.Sprint(v)
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.4gk", v/1e3)
	default:
		return fmt.Sprintf("%.4g", v)
	}
}

// FormatNanos renders nanoseconds as a duration with three significant digits.
func FormatNanos(v float64) string {
	switch a := math.Abs(v); {
	case math.IsInf(v, 0) || math.IsNaN(v):
		return fmt.Sprint(v)
	case a >= 1e9:
		return fmt.Sprintf("%.3gs", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gms", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.3gµs", v/1e3)
	default:
		return fmt.Sprintf("%.3gns", v)
	}
}

// FormatMicros renders microseconds as a duration.
func FormatMicros(v float64) string { return FormatNanos(v * 1e3) }

// FormatRatio renders a ratio in [0, 1] as a percentage.
func FormatRatio(v float64) string {
	if v == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.3g%%", v*100)
}
