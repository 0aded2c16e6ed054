package sched

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// MaxPoissonRequests bounds the precomputed Poisson schedule (8 bytes per request).
const MaxPoissonRequests = 50_000_000

// Schedule gives the intended send times of an open-loop run.
type Schedule interface {
	// At is the time request i is due, as an offset from the start. i < Len().
	At(i int64) time.Duration
	// Len is the number of requests due before the end of the run.
	Len() int64
	// DueBy is the number of requests due at or before t.
	DueBy(t time.Duration) int64
}

// Constant is a schedule with one request every 1/rate seconds, the first at 0.
type Constant struct {
	periodNs float64
	n        int64
}

// NewConstant returns the constant-rate schedule of a run of duration d.
func NewConstant(rate float64, d time.Duration) (*Constant, error) {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return nil, fmt.Errorf("constant schedule: rate %v must be a positive number", rate)
	}
	if d <= 0 {
		return nil, fmt.Errorf("constant schedule: duration %v must be positive", d)
	}
	p := 1e9 / rate
	return &Constant{periodNs: p, n: int64(math.Ceil(float64(d) / p))}, nil
}

// At implements Schedule.
func (c *Constant) At(i int64) time.Duration { return time.Duration(float64(i) * c.periodNs) }

// Len implements Schedule.
func (c *Constant) Len() int64 { return c.n }

// DueBy implements Schedule.
func (c *Constant) DueBy(t time.Duration) int64 {
	if t < 0 {
		return 0
	}
	return min(int64(float64(t)/c.periodNs)+1, c.n)
}

// Poisson is a schedule whose gaps are exponentially distributed with mean 1/rate: the
// arrivals of a Poisson process, drawn once from a seed so a run can be repeated exactly.
type Poisson struct {
	at []time.Duration
}

// NewPoisson draws the Poisson schedule of a run of duration d.
func NewPoisson(rate float64, d time.Duration, seed uint64) (*Poisson, error) {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return nil, fmt.Errorf("poisson schedule: rate %v must be a positive number", rate)
	}
	if d <= 0 {
		return nil, fmt.Errorf("poisson schedule: duration %v must be positive", d)
	}
	want := rate * d.Seconds()
	if want > MaxPoissonRequests {
		return nil, fmt.Errorf("poisson schedule: %.0f requests is more than %d", want, MaxPoissonRequests)
	}
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	at := make([]time.Duration, 0, int(want+6*math.Sqrt(want)+16))
	t := 0.0
	for {
		t += r.ExpFloat64() / rate * 1e9
		if t >= float64(d) {
			break
		}
		at = append(at, time.Duration(t))
	}
	return &Poisson{at: at}, nil
}

// At implements Schedule.
func (p *Poisson) At(i int64) time.Duration { return p.at[i] }

// Len implements Schedule.
func (p *Poisson) Len() int64 { return int64(len(p.at)) }

// DueBy implements Schedule.
func (p *Poisson) DueBy(t time.Duration) int64 {
	return int64(sort.Search(len(p.at), func(i int) bool { return p.at[i] > t }))
}
