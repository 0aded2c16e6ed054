package record

import (
	"testing"
	"time"
)

func TestCollectorWindowAndIntervals(t *testing.T) {
	c := NewCollector(2, 1, 3) // intervals 1 and 2 count in the totals
	go c.Run()
	r1, r2 := c.NewRecorder(), c.NewRecorder()
	for idx := int64(0); idx < 4; idx++ {
		for _, r := range []*Recorder{r1, r2} {
			s := r.Set(idx)
			s.Sent += 10
			for i := range 10 {
				s.Ops[0].Record(int64(1000*(idx+1)), 500)
				if i == 0 {
					s.Ops[1].Record(7, 7)
					s.Ops[1].Fail(ClassStatus5xx, func() string { return "status 500" })
				}
			}
			Add(s.Lag, 100)
		}
	}
	r1.Flush()
	r2.Flush()
	c.Close()
	sum := c.Summary()
	if len(sum.Intervals) != 4 {
		t.Fatalf("%d intervals, want 4", len(sum.Intervals))
	}
	for i, iv := range sum.Intervals {
		if iv.Index != int64(i) || iv.Requests[0] != 20 || iv.Requests[1] != 2 || iv.Errors[1] != 2 || iv.Sent != 20 {
			t.Errorf("interval %d: %+v", i, iv)
		}
		if got, want := iv.All.Corrected.ValueAtPercentile(50), int64(1000*(i+1)); got < want || got > want+want/1000 {
			t.Errorf("interval %d: corrected p50 %d, want %d within 0.1%%", i, got, want)
		}
	}
	if sum.Ops[0].Requests != 40 || sum.Ops[1].Requests != 4 || sum.All.Requests != 44 || sum.Sent != 40 {
		t.Errorf("totals: op0 %d, op1 %d, all %d, sent %d; want 40, 4, 44, 40", sum.Ops[0].Requests, sum.Ops[1].Requests, sum.All.Requests, sum.Sent)
	}
	if min, max := sum.Ops[0].Corrected.Min(), sum.Ops[0].Corrected.Max(); min != 2000 || max < 3000 || max > 3003 {
		t.Errorf("totals hold corrected %d…%d, want the window's 2000…3000", min, max)
	}
	if sum.Ops[1].Errors[ClassStatus5xx] != 4 || sum.Ops[1].FirstErr[ClassStatus5xx] != "status 500" {
		t.Errorf("errors %v, first %q", sum.Ops[1].Errors, sum.Ops[1].FirstErr[ClassStatus5xx])
	}
	if sum.Lag.TotalCount() != 4 {
		t.Errorf("lag holds %d values, want the window's 4", sum.Lag.TotalCount())
	}
}

func TestRecorderRecyclesSets(t *testing.T) {
	c := NewCollector(1, 0, 1000)
	go c.Run()
	r := c.NewRecorder()
	for idx := int64(0); idx < 50; idx++ {
		r.Set(idx).Ops[0].Record(10, 10)
		// Give the collector time to hand the previous set back.
		for deadline := time.Now().Add(time.Second); idx > 0 && len(r.spare) == 0 && time.Now().Before(deadline); {
			time.Sleep(100 * time.Microsecond)
		}
	}
	r.Flush()
	c.Close()
	if r.Allocated > 3 {
		t.Errorf("allocated %d sets for 50 intervals, want recycling (≤ 3)", r.Allocated)
	}
	if got := c.Summary().All.Requests; got != 50 {
		t.Errorf("%d requests, want 50", got)
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	c := NewCollector(1, 0, 1)
	r := c.NewRecorder()
	s := r.Set(0)
	v := int64(1)
	allocs := testing.AllocsPerRun(100_000, func() {
		v = v*6364136223846793005 + 1442695040888963407
		lat := (v >> 33) % 50_000_000 // up to 50 ms, spread over many buckets
		s.Ops[0].Record(lat, lat/2)
		Add(s.Lag, lat/100)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per record, want 0", allocs)
	}
}

func TestAddClamps(t *testing.T) {
	h := NewHistogram()
	Add(h, -5)
	Add(h, Highest*10)
	if h.TotalCount() != 2 || h.Min() != 0 || h.Max() < Highest {
		t.Errorf("count %d min %d max %d: want both values clamped into range", h.TotalCount(), h.Min(), h.Max())
	}
}

func BenchmarkRecord(b *testing.B) {
	c := NewCollector(1, 0, 1)
	s := c.NewRecorder().Set(0)
	v := int64(1)
	b.ReportAllocs()
	for b.Loop() {
		v = v*6364136223846793005 + 1442695040888963407
		lat := (v >> 33) % 50_000_000
		s.Ops[0].Record(lat, lat/2)
	}
}
