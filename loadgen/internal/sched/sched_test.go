package sched

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestConstant(t *testing.T) {
	tests := []struct {
		rate float64
		d    time.Duration
		n    int64
		at   map[int64]time.Duration
		due  map[time.Duration]int64
	}{
		{rate: 1000, d: time.Second, n: 1000,
			at:  map[int64]time.Duration{0: 0, 1: time.Millisecond, 999: 999 * time.Millisecond},
			due: map[time.Duration]int64{-1: 0, 0: 1, time.Millisecond - 1: 1, time.Millisecond: 2, time.Hour: 1000}},
		{rate: 3, d: time.Second, n: 3,
			at:  map[int64]time.Duration{1: 333333333, 2: 666666666},
			due: map[time.Duration]int64{333333332: 1, 333333334: 2}},
		{rate: 2000, d: 10 * time.Second, n: 20000, at: map[int64]time.Duration{19999: 9999500 * time.Microsecond}},
	}
	for _, tt := range tests {
		c, err := NewConstant(tt.rate, tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if c.Len() != tt.n {
			t.Errorf("rate %v for %v: Len %d, want %d", tt.rate, tt.d, c.Len(), tt.n)
		}
		for i, want := range tt.at {
			if got := c.At(i); got != want {
				t.Errorf("rate %v: At(%d) = %v, want %v", tt.rate, i, got, want)
			}
		}
		for at, want := range tt.due {
			if got := c.DueBy(at); got != want {
				t.Errorf("rate %v: DueBy(%v) = %d, want %d", tt.rate, at, got, want)
			}
		}
	}
}

func TestBadSchedules(t *testing.T) {
	for _, rate := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := NewConstant(rate, time.Second); err == nil {
			t.Errorf("NewConstant(%v) accepted", rate)
		}
		if _, err := NewPoisson(rate, time.Second, 1); err == nil {
			t.Errorf("NewPoisson(%v) accepted", rate)
		}
	}
	if _, err := NewConstant(1, 0); err == nil {
		t.Error("NewConstant with no duration accepted")
	}
	if _, err := NewPoisson(1e9, time.Minute, 1); err == nil {
		t.Error("a Poisson schedule of 6e10 requests was accepted")
	}
}

func TestPoisson(t *testing.T) {
	p, err := NewPoisson(10_000, 10*time.Second, 42)
	if err != nil {
		t.Fatal(err)
	}
	n := p.Len()
	// 100,000 expected arrivals, standard deviation ≈ 316.
	if n < 98_500 || n > 101_500 {
		t.Errorf("%d arrivals, want 100000 ± 1500", n)
	}
	if !slices.IsSorted(p.at) || p.At(0) < 0 || p.At(n-1) >= 10*time.Second {
		t.Error("arrivals not sorted within [0, 10s)")
	}
	// Exponential gaps: mean 100µs and standard deviation equal to the mean.
	var sum, sq float64
	for i := int64(1); i < n; i++ {
		g := float64(p.At(i) - p.At(i-1))
		sum += g
		sq += g * g
	}
	mean := sum / float64(n-1)
	sd := math.Sqrt(sq/float64(n-1) - mean*mean)
	if math.Abs(mean-100e3) > 2e3 || math.Abs(sd/mean-1) > 0.03 {
		t.Errorf("gaps: mean %.0fns, sd/mean %.3f; want 100000ns and 1", mean, sd/mean)
	}
	for _, i := range []int64{0, 1, n / 2, n - 1} {
		if got := p.DueBy(p.At(i)); got != i+1 {
			t.Errorf("DueBy(At(%d)) = %d, want %d", i, got, i+1)
		}
	}
	q, _ := NewPoisson(10_000, 10*time.Second, 42)
	r, _ := NewPoisson(10_000, 10*time.Second, 43)
	if !slices.Equal(p.at, q.at) || slices.Equal(p.at, r.at) {
		t.Error("the schedule does not follow the seed")
	}
}

func TestSleeperSleeps(t *testing.T) {
	s, err := NewSleeper()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, d := range []time.Duration{0, 5 * time.Microsecond, 300 * time.Microsecond, 3 * time.Millisecond} {
		t0 := time.Now()
		if err := s.Sleep(d); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(t0); el < d {
			t.Errorf("Sleep(%v) returned after %v", d, el)
		}
	}
}

// BenchmarkWakeLag compares how late a goroutine wakes for a due time 500µs ahead, with this
// package's Sleeper and with time.Sleep. lag-p50-ns and lag-p99-ns are the figures; ns/op is
// dominated by the sleep itself.
func BenchmarkWakeLag(b *testing.B) {
	s, err := NewSleeper()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, bb := range []struct {
		name  string
		sleep func(time.Duration)
	}{
		{"sleeper", func(d time.Duration) { s.Sleep(d) }},
		{"time.Sleep", time.Sleep},
	} {
		b.Run(bb.name, func(b *testing.B) {
			var lags []time.Duration
			for b.Loop() {
				due := time.Now().Add(500 * time.Microsecond)
				bb.sleep(time.Until(due))
				lags = append(lags, time.Since(due))
			}
			slices.Sort(lags)
			b.ReportMetric(float64(lags[len(lags)/2]), "lag-p50-ns")
			b.ReportMetric(float64(lags[len(lags)*99/100]), "lag-p99-ns")
		})
	}
}
