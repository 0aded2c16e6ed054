package stats

import (
	"fmt"
	"math"
	"strconv"

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

// sig renders v with n significant digits, keeping trailing zeros ("1.000", "800.0").
func sig(v float64, n int) string {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Sprint(v)
	}
	rounded, err := strconv.ParseFloat(strconv.FormatFloat(v, 'e', n-1, 64), 64)
	if err != nil { // cannot happen: FormatFloat's output parses
		rounded = v
	}
	digits := int(math.Floor(math.Log10(math.Abs(rounded)))) + 1
	return strconv.FormatFloat(rounded, 'f', max(0, n-digits), 64)
}

// FormatRate renders a rate in requests per second with four significant digits and SI
// prefixes, as benchstat does ("1.000k", "800.0").
func FormatRate(v float64) string {
	switch a := math.Abs(v); {
	case a >= 999.95e3:
		return sig(v/1e6, 4) + "M"
	case a >= 999.95:
		return sig(v/1e3, 4) + "k"
	default:
		return sig(v, 4)
	}
}

// FormatNanos renders nanoseconds as a duration with three significant digits ("5.00ms").
func FormatNanos(v float64) string {
	switch a := math.Abs(v); {
	case a >= 999.5e6:
		return sig(v/1e9, 3) + "s"
	case a >= 999.5e3:
		return sig(v/1e6, 3) + "ms"
	case a >= 999.5:
		return sig(v/1e3, 3) + "µs"
	default:
		return sig(v, 3) + "ns"
	}
}

// FormatMicros renders microseconds as a duration.
func FormatMicros(v float64) string { return FormatNanos(v * 1e3) }

// FormatRatio renders a ratio in [0, 1] as a percentage with up to three significant digits
// ("0.1%", "0.005%").
func FormatRatio(v float64) string {
	if v == 0 {
		return "0%"
	}
	return strconv.FormatFloat(v*100, 'g', 3, 64) + "%"
}
