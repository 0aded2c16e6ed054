package selfmon

import (
	"math"
	"runtime"
	"sync"
	"testing"
	"time"
)

var sink []byte

func TestDiffSeesCPUAndGC(t *testing.T) {
	a := Take()
	// Burn 100ms of CPU (however long that takes on a busy machine), allocate, and force two
	// collections.
	u0, s0 := rusage()
	for x := 0; ; x++ {
		if x%100_000 == 0 {
			if u, s := rusage(); u+s-u0-s0 >= 100*time.Millisecond {
				break
			}
		}
	}
	for range 1000 {
		sink = make([]byte, 1024)
	}
	runtime.GC()
	runtime.GC()
	b := Take()
	u := Diff(a, b)
	if cpu := u.User + u.System; cpu < 100*time.Millisecond || u.Wall < 100*time.Millisecond ||
		math.Abs(u.Cores-float64(cpu)/float64(u.Wall)) > 1e-9 {
		t.Errorf("CPU %v over %v (%.2f cores): want the 100ms burnt", cpu, u.Wall, u.Cores)
	}
	if u.GCCycles < 2 || u.GCPauses.Count < 2 || u.GCPauses.Max <= 0 {
		t.Errorf("GC cycles %d, pauses %+v: want the two forced collections", u.GCCycles, u.GCPauses)
	}
	if u.AllocObjects < 1000 || u.AllocBytes < 1000*1024 {
		t.Errorf("allocated %d objects, %d bytes: want ≥ 1000 and ≥ 1 MiB", u.AllocObjects, u.AllocBytes)
	}
	if u.GOMAXPROCS != runtime.GOMAXPROCS(0) || u.Fraction != u.Cores/float64(u.GOMAXPROCS) {
		t.Errorf("GOMAXPROCS %d, fraction %v", u.GOMAXPROCS, u.Fraction)
	}
}

// With one processor and goroutines that never block, runnable goroutines wait for the
// scheduler's time slice: the scheduling latency shows it.
func TestSchedLatencyShowsStarvation(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	a := Take()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := 0; i < 1e6; i++ {
				}
			}
		}()
	}
	// A goroutine that wakes every millisecond has to wait behind the spinners.
	for range 50 {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	u := Diff(a, Take())
	if u.SchedLatency.P99 < time.Millisecond {
		t.Errorf("scheduling latency p99 %v with three spinning goroutines on one processor, want ≥ 1ms", u.SchedLatency.P99)
	}
}
