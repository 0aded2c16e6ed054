package stats_test

import (
	"testing"

	"stacklab/results/stats"
)

// BenchmarkBootstrapRatio is one dimension pair of a report: 8 rounds a side, 2000 resamples.
func BenchmarkBootstrapRatio(b *testing.B) {
	num := []float64{101, 99, 103, 98, 100, 102, 97, 100.5}
	den := []float64{91, 89, 93, 88, 90, 92, 87, 90.5}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := stats.BootstrapRatio(num, den, 0.95, 2000, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}
