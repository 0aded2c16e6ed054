//go:build !linux

package sched

import (
	"runtime"
	"time"
)

// Sleeper waits with a reused time.Timer. It is not safe for concurrent use.
type Sleeper struct {
	t *time.Timer
}

// NewSleeper creates a sleeper.
func NewSleeper() (*Sleeper, error) {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &Sleeper{t: t}, nil
}

// Sleep waits for d. Waits under SpinBelow are spun (yielding the processor) instead.
func (s *Sleeper) Sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if d < SpinBelow {
		t0 := time.Now()
		for time.Since(t0) < d {
			runtime.Gosched()
		}
		return nil
	}
	s.t.Reset(d)
	<-s.t.C
	return nil
}

// Close releases the timer.
func (s *Sleeper) Close() error {
	s.t.Stop()
	return nil
}
