package stats

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchmath"
)

// DefaultConfidence is the confidence level of the intervals (95%).
const DefaultConfidence = 0.95

// Summary is a sample's median with its confidence interval (benchmath.AssumeNothing: the
// interval is bounded by order statistics, so it is exact for any distribution). With too few
// values for the level, a bound is infinite and Warnings says how many are needed.
type Summary struct {
	N          int
	Center     float64
	Lo, Hi     float64
	Confidence float64
	Warnings   []string
}

// Summarize returns the median of values and its confidence interval at the given level
// (DefaultConfidence when 0). It does not modify values.
func Summarize(values []float64, confidence float64) Summary {
	if confidence == 0 {
		confidence = DefaultConfidence
	}
	if len(values) == 0 {
		return Summary{Center: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1), Warnings: []string{"no values"}}
	}
	thr := benchmath.DefaultThresholds
	s := benchmath.NewSample(slices.Clone(values), &thr)
	sum := benchmath.AssumeNothing.Summary(s, confidence)
	return Summary{N: len(values), Center: sum.Center, Lo: sum.Lo, Hi: sum.Hi, Confidence: sum.Confidence,
		Warnings: errStrings(sum.Warnings)}
}

// HasCI reports whether both bounds of the interval are finite.
func (s Summary) HasCI() bool {
	return s.N > 0 && !math.IsInf(s.Lo, 0) && !math.IsInf(s.Hi, 0)
}

// RelWidth is the interval's width relative to the median (0.1 for ±5%), NaN when the interval
// is unbounded or the median is 0.
func (s Summary) RelWidth() float64 {
	if !s.HasCI() || s.Center == 0 {
		return math.NaN()
	}
	return (s.Hi - s.Lo) / math.Abs(s.Center)
}

// Interval renders the interval's bounds with a formatter, "[lo, hi]" ("[-∞, ∞]" when unbounded).
func (s Summary) Interval(format func(float64) string) string {
	lo, hi := "-∞", "∞"
	if !math.IsInf(s.Lo, 0) {
		lo = format(s.Lo)
	}
	if !math.IsInf(s.Hi, 0) {
		hi = format(s.Hi)
	}
	return "[" + lo + ", " + hi + "]"
}

// Spread renders the interval for a metric: PctRange, or for a ratio metric (the error rate,
// often 0, where a relative range says nothing) the bounds, "[0%, 0.2%]".
func (s Summary) Spread(m Metric) string {
	if m.Unit == ErrorRate.Unit && s.HasCI() {
		return s.Interval(m.Format)
	}
	return s.PctRange()
}

// PctRange is the interval as benchstat shows it, "± 3%" ("± ∞" when unbounded).
func (s Summary) PctRange() string {
	switch {
	case s.N == 0:
		return ""
	case !s.HasCI():
		return "± ∞"
	case s.Center == 0:
		if s.Lo == 0 && s.Hi == 0 {
			return "± 0%"
		}
		return "± ?"
	}
	v := math.Max(s.Hi/s.Center-1, 1-s.Lo/s.Center)
	if v < 0 { // the bounds straddle zero the wrong way round; cannot be a percentage
		return "± ?"
	}
	return fmt.Sprintf("± %.0f%%", 100*v)
}

// Test is the result of a Mann-Whitney U test of two samples.
type Test struct {
	P        float64
	N1, N2   int
	Warnings []string
}

// MannWhitney tests whether a and b come from the same distribution (benchmath.AssumeNothing's
// two-sided Mann-Whitney U test). When the test cannot run (every value equal, an empty sample),
// P is 1. "All samples are equal" is not reported as a warning: it is the expected answer for,
// say, an error rate that is 0 on both sides.
func MannWhitney(a, b []float64, alpha float64) Test {
	if alpha == 0 {
		alpha = benchmath.DefaultThresholds.CompareAlpha
	}
	thr := benchmath.Thresholds{CompareAlpha: alpha}
	c := benchmath.AssumeNothing.Compare(benchmath.NewSample(slices.Clone(a), &thr), benchmath.NewSample(slices.Clone(b), &thr))
	var warns []error
	for _, w := range c.Warnings {
		if !errors.Is(w, stats.ErrSamplesEqual) {
			warns = append(warns, w)
		}
	}
	return Test{P: c.P, N1: c.N1, N2: c.N2, Warnings: errStrings(warns)}
}

func errStrings(errs []error) []string {
	if len(errs) == 0 {
		return nil
	}
	s := make([]string, len(errs))
	for i, e := range errs {
		s[i] = e.Error()
	}
	return s
}

// Median is the sample median as benchmath computes it (go-moremath's quantile, definition R8).
func Median(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	s := stats.Sample{Xs: slices.Clone(values)}
	return s.Sort().Quantile(0.5)
}

// sortedMedian sorts a scratch slice in place and returns its median (as Median does).
func sortedMedian(xs []float64) float64 {
	slices.Sort(xs)
	return stats.Sample{Xs: xs, Sorted: true}.Quantile(0.5)
}

// Ratio is a ratio of two medians with its confidence interval.
type Ratio struct {
	Center, Lo, Hi float64
	Confidence     float64
	Iterations     int
}

// Direction returns +1 when the whole interval lies above 1, -1 when below, 0 when it holds 1.
func (r Ratio) Direction() int {
	switch {
	case r.Lo > 1:
		return 1
	case r.Hi < 1:
		return -1
	}
	return 0
}

// BootstrapRatio returns median(num)/median(den) with a percentile bootstrap confidence interval:
// iterations times, each sample is resampled with replacement and the ratio of the medians
// taken; the interval is the (1-confidence)/2 and (1+confidence)/2 quantiles of those ratios. The
// random source is PCG seeded with seed, so the same input gives the same interval. Resamples
// whose denominator median is 0 are dropped; an error says when no ratio can be formed.
func BootstrapRatio(num, den []float64, confidence float64, iterations int, seed uint64) (Ratio, error) {
	if confidence == 0 {
		confidence = DefaultConfidence
	}
	if iterations <= 0 {
		return Ratio{}, fmt.Errorf("bootstrap with %d iterations", iterations)
	}
	if len(num) == 0 || len(den) == 0 {
		return Ratio{}, fmt.Errorf("ratio of medians of %d and %d values", len(num), len(den))
	}
	d := Median(den)
	if d == 0 {
		return Ratio{}, errors.New("ratio of medians: the denominator's median is 0")
	}
	rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
	ratios := make([]float64, 0, iterations)
	rn, rd := make([]float64, len(num)), make([]float64, len(den))
	for range iterations {
		for i := range rn {
			rn[i] = num[rng.IntN(len(num))]
		}
		for i := range rd {
			rd[i] = den[rng.IntN(len(den))]
		}
		if md := sortedMedian(rd); md != 0 {
			ratios = append(ratios, sortedMedian(rn)/md)
		}
	}
	if len(ratios) == 0 {
		return Ratio{}, errors.New("ratio of medians: every resampled denominator has median 0")
	}
	s := stats.Sample{Xs: ratios}
	s.Sort()
	tail := (1 - confidence) / 2
	return Ratio{Center: Median(num) / d, Lo: s.Quantile(tail), Hi: s.Quantile(1 - tail),
		Confidence: confidence, Iterations: iterations}, nil
}

// Seed derives a bootstrap seed from a base seed and names, so that each comparison's random
// stream depends only on what is compared, not on the order comparisons are made in.
func Seed(base uint64, names ...string) uint64 {
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return h.Sum64() ^ base
}
