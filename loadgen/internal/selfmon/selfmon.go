package selfmon

import (
	"math"
	"runtime"
	"runtime/metrics"
	"time"
)

// Metric names read from runtime/metrics.
const (
	mGCCycles     = "/gc/cycles/total:gc-cycles"
	mGCPauses     = "/sched/pauses/total/gc:seconds"
	mSchedLat     = "/sched/latencies:seconds"
	mAllocBytes   = "/gc/heap/allocs:bytes"
	mAllocObjects = "/gc/heap/allocs:objects"
	mGCCPU        = "/cpu/classes/gc/total:cpu-seconds"
)

// Snapshot is the generator's own counters at one moment.
type Snapshot struct {
	At           time.Time
	User, System time.Duration
	GCCycles     uint64
	AllocBytes   uint64
	AllocObjects uint64
	GCCPU        float64
	gcPauses     *metrics.Float64Histogram
	schedLat     *metrics.Float64Histogram
}

var names = []string{mGCCycles, mGCPauses, mSchedLat, mAllocBytes, mAllocObjects, mGCCPU}

// Take reads the counters now.
func Take() Snapshot {
	s := Snapshot{At: time.Now()}
	s.User, s.System = rusage()
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	metrics.Read(samples)
	for _, sm := range samples {
		v := sm.Value
		switch sm.Name {
		case mGCCycles:
			if v.Kind() == metrics.KindUint64 {
				s.GCCycles = v.Uint64()
			}
		case mAllocBytes:
			if v.Kind() == metrics.KindUint64 {
				s.AllocBytes = v.Uint64()
			}
		case mAllocObjects:
			if v.Kind() == metrics.KindUint64 {
				s.AllocObjects = v.Uint64()
			}
		case mGCCPU:
			if v.Kind() == metrics.KindFloat64 {
				s.GCCPU = v.Float64()
			}
		case mGCPauses:
			if v.Kind() == metrics.KindFloat64Histogram {
				s.gcPauses = v.Float64Histogram()
			}
		case mSchedLat:
			if v.Kind() == metrics.KindFloat64Histogram {
				s.schedLat = v.Float64Histogram()
			}
		}
	}
	return s
}

// Flush publishes the allocation counts the runtime still holds per processor, so that the
// next Take counts every allocation made so far. It stops the world briefly (runtime.
// ReadMemStats): call it outside the measured part of a run.
func Flush() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
}

// Dist summarises a distribution of durations from a runtime/metrics histogram. Values are the
// upper bounds of the histogram's buckets, so they overstate by at most one bucket width.
type Dist struct {
	Count int64
	Total time.Duration // estimated from bucket midpoints
	P50   time.Duration
	P99   time.Duration
	Max   time.Duration
}

// Usage is what the generator used between two snapshots.
type Usage struct {
	Wall         time.Duration
	User, System time.Duration
	// Cores is CPU time over wall time (1.0 = one core busy the whole time).
	Cores float64
	// Fraction is Cores over GOMAXPROCS: 1.0 means the generator had no processor to spare.
	Fraction     float64
	GOMAXPROCS   int
	NumCPU       int
	GCCycles     uint64
	GCCPU        time.Duration
	GCPauses     Dist
	SchedLatency Dist
	AllocBytes   uint64
	AllocObjects uint64
}

// Diff is the usage from a to b.
func Diff(a, b Snapshot) Usage {
	u := Usage{Wall: b.At.Sub(a.At), User: b.User - a.User, System: b.System - a.System,
		GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU(),
		GCCycles: b.GCCycles - a.GCCycles, AllocBytes: b.AllocBytes - a.AllocBytes,
		AllocObjects: b.AllocObjects - a.AllocObjects,
		GCCPU:        time.Duration((b.GCCPU - a.GCCPU) * 1e9)}
	if u.Wall > 0 {
		u.Cores = float64(u.User+u.System) / float64(u.Wall)
		u.Fraction = u.Cores / float64(u.GOMAXPROCS)
	}
	u.GCPauses = distDiff(a.gcPauses, b.gcPauses)
	u.SchedLatency = distDiff(a.schedLat, b.schedLat)
	return u
}

func distDiff(a, b *metrics.Float64Histogram) Dist {
	var d Dist
	if b == nil {
		return d
	}
	counts := make([]uint64, len(b.Counts))
	copy(counts, b.Counts)
	if a != nil && len(a.Counts) == len(b.Counts) {
		for i := range counts {
			counts[i] -= a.Counts[i]
		}
	}
	var total uint64
	var sum float64
	for i, c := range counts {
		total += c
		if c > 0 {
			sum += float64(c) * mid(b.Buckets[i], b.Buckets[i+1])
		}
	}
	d.Count = int64(total)
	d.Total = seconds(sum)
	if total == 0 {
		return d
	}
	p50 := uint64(math.Ceil(0.50 * float64(total)))
	p99 := uint64(math.Ceil(0.99 * float64(total)))
	var cum uint64
	for i, c := range counts {
		if c == 0 {
			continue
		}
		cum += c
		up := upper(b.Buckets[i], b.Buckets[i+1])
		if d.P50 == 0 && cum >= p50 {
			d.P50 = up
		}
		if d.P99 == 0 && cum >= p99 {
			d.P99 = up
		}
		d.Max = up
	}
	return d
}

func upper(lo, hi float64) time.Duration {
	if math.IsInf(hi, 1) {
		return seconds(lo)
	}
	return seconds(hi)
}

func mid(lo, hi float64) float64 {
	switch {
	case math.IsInf(lo, -1):
		return max(hi, 0)
	case math.IsInf(hi, 1):
		return lo
	}
	return (lo + hi) / 2
}

func seconds(s float64) time.Duration { return time.Duration(s * 1e9) }
