package loadgen_test

import (
	"context"
	"math"
	"net"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stacklab/loadgen"
	"stacklab/loadgen/internal/testsrv"
)

// The known-answer tests run the generator against servers whose timing is known and check
// that the numbers come out as they must. They take most of this package's test time.

func server(t *testing.T, opt testsrv.Options) string {
	t.Helper()
	s := httptest.NewServer(testsrv.New(opt))
	t.Cleanup(s.Close)
	return s.URL
}

func canned(t testing.TB, delay time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go testsrv.ServeCanned(ln, testsrv.CannedPlaintext, delay)
	return "http://" + ln.Addr().String()
}

func run(t *testing.T, cfg loadgen.Config) *loadgen.Result {
	t.Helper()
	res, err := loadgen.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var b strings.Builder
	res.WriteSummary(&b)
	t.Logf("\n%s", b.String())
	return res
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

// A server that stalls 200 ms every 2 s: latency from the intended send time shows the stall at
// p99, latency from the actual send time does not, because with a fixed set of connections
// only the few requests in flight when a stall begins see it — the rest wait unsent.
func TestKnownAnswerStall(t *testing.T) {
	url := server(t, testsrv.Options{StallEvery: 2 * time.Second, StallFor: 200 * time.Millisecond})
	res := run(t, loadgen.Config{Target: url, Workload: "plaintext", Rate: 1000, Duration: 6 * time.Second, Conns: 8})
	corr, svc := res.All.Corrected, res.All.Service
	if corr.P99 < int64(100*time.Millisecond) || corr.Max < int64(150*time.Millisecond) {
		t.Errorf("corrected p99 %.1fms, max %.1fms: the 200ms stalls do not show (want p99 ≥ 100ms, max ≥ 150ms)", ms(corr.P99), ms(corr.Max))
	}
	if svc.P99 > int64(50*time.Millisecond) {
		t.Errorf("service-time p99 %.1fms: want under 50ms, a quarter of the stall (only 8 requests per stall are in flight)", ms(svc.P99))
	}
	if svc.Max < int64(150*time.Millisecond) {
		t.Errorf("service-time max %.1fms: the requests in flight during a stall took ≥ 150ms", ms(svc.Max))
	}
	// Requests due during a stall found every connection busy: the generator says so.
	if res.Self.Queued < 300 || res.Self.ConnsNeeded <= int64(res.Self.ConnsOpened) || res.Valid {
		t.Errorf("queued %d, needed %d, opened %d, valid %t: want ≥ 300 queued, more connections needed than opened, invalid",
			res.Self.Queued, res.Self.ConnsNeeded, res.Self.ConnsOpened, res.Valid)
	}
	if !hasReason(res, "no connection was free") {
		t.Errorf("invalid reasons %q do not name the busy connections", res.InvalidReasons)
	}
	if res.All.ErrorCount != 0 {
		t.Errorf("%d errors, want 0", res.All.ErrorCount)
	}
}

// With room to open connections, the same stalls reach the server as scheduled: the generator
// opens more connections and the requests sent during a stall wait in flight, so service
// time shows the stall as well.
func TestKnownAnswerStallWithGrowth(t *testing.T) {
	url := server(t, testsrv.Options{StallEvery: 2 * time.Second, StallFor: 200 * time.Millisecond})
	res := run(t, loadgen.Config{Target: url, Workload: "plaintext", Rate: 1000, Duration: 4 * time.Second,
		Conns: 8, MaxConns: 400})
	if res.Self.ConnsOpened <= 8 {
		t.Errorf("opened %d connections: want more than the initial 8", res.Self.ConnsOpened)
	}
	if res.All.Corrected.P99 < int64(100*time.Millisecond) || res.All.Service.P99 < int64(100*time.Millisecond) {
		t.Errorf("corrected p99 %.1fms, service p99 %.1fms: want both ≥ 100ms", ms(res.All.Corrected.P99), ms(res.All.Service.P99))
	}
}

// A server with a fixed 1 ms delay: p50 is 1 ms within 10%. What the generator must get right is
// the delay the server adds, so the same canned server answers first without the delay: the
// loopback round trip (60–100µs on this VM) is measured, and the difference of the medians is
// held to 1 ms ± 10%. Workers wake 200µs early and spin, so the timer's wake-up lag stays out of
// the corrected latency.
func TestKnownAnswerDelay(t *testing.T) {
	cfg := loadgen.Config{Workload: "plaintext", Rate: 500, Duration: 3 * time.Second, Conns: 8, Spin: 200 * time.Microsecond}
	cfg.Target = canned(t, 0)
	base := run(t, cfg)
	cfg.Target = canned(t, time.Millisecond)
	res := run(t, cfg)
	for _, c := range []struct {
		name      string
		p50, base int64
	}{{"service", res.All.Service.P50, base.All.Service.P50}, {"corrected", res.All.Corrected.P50, base.All.Corrected.P50}} {
		added := ms(c.p50 - c.base)
		t.Logf("%s p50 %.3fms with the delay, %.3fms without: the server added %.3fms", c.name, ms(c.p50), ms(c.base), added)
		if math.Abs(added-1) > 0.1 {
			t.Errorf("%s: the server added %.3fms at p50 (%.3fms − %.3fms), want 1ms ± 10%%", c.name, added, ms(c.p50), ms(c.base))
		}
	}
	if res.All.Service.Min < int64(time.Millisecond) {
		t.Errorf("service min %.3fms is below the server's delay", ms(res.All.Service.Min))
	}
}

// At a requested 2,000 req/s for 10 s the achieved rate is within 1%.
func TestKnownAnswerRate(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s run; -short skips it")
	}
	url := server(t, testsrv.Options{})
	res := run(t, loadgen.Config{Target: url, Workload: "plaintext", Rate: 2000, Duration: 10 * time.Second, Conns: 16})
	for _, r := range []struct {
		name string
		rate float64
	}{{"sent", res.SentRate}, {"completed", res.CompletedRate}} {
		if math.Abs(r.rate-2000)/2000 > 0.01 {
			t.Errorf("%s rate %.1f req/s, want 2000 ± 1%%", r.name, r.rate)
		}
	}
	if res.All.Requests < 19800 || res.All.Requests > 20000 {
		t.Errorf("%d requests in the window, want 19800…20000", res.All.Requests)
	}
	if n := len(res.Intervals); n != 10 {
		t.Errorf("%d intervals, want 10", n)
	}
	for _, iv := range res.Intervals {
		if iv.Requests < 1900 || iv.Requests > 2000 {
			t.Errorf("interval at %v holds %d requests, want 1900…2000", iv.Start, iv.Requests)
		}
	}
}

func hasReason(res *loadgen.Result, sub string) bool {
	for _, r := range res.InvalidReasons {
		if strings.Contains(r, sub) {
			return true
		}
	}
	return false
}

// Starved of CPU (one processor shared with spinning goroutines), the generator cannot keep its
// schedule and must say so.
func TestInvalidWhenStarved(t *testing.T) {
	url := canned(t, 0)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var stop atomic.Bool
	var hogs sync.WaitGroup
	for range 2 {
		hogs.Add(1)
		go func() {
			defer hogs.Done()
			x := 0
			for !stop.Load() {
				x++
			}
			_ = x
		}()
	}
	res, err := loadgen.Run(context.Background(), loadgen.Config{Target: url, Workload: "plaintext", Rate: 2000,
		Duration: 2 * time.Second, Conns: 8})
	stop.Store(true)
	hogs.Wait()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("invalid reasons: %q", res.InvalidReasons)
	if res.Valid {
		t.Fatalf("a starved run is valid: lag p99 %v, goroutine wait p99 %v, CPU %.0f%%",
			time.Duration(res.Self.SchedLag.P99), time.Duration(res.Self.SchedLatP99), 100*res.Self.CPUFraction)
	}
	if !hasReason(res, "waited p99") || !hasReason(res, "scheduler lag") {
		t.Errorf("reasons %q: want the goroutine wait and the scheduler lag named", res.InvalidReasons)
	}
}

// Asked for far more than it can send, the generator reports the shortfall.
func TestInvalidWhenRateUnreachable(t *testing.T) {
	url := canned(t, 0)
	res := run(t, loadgen.Config{Target: url, Workload: "plaintext", Rate: 2_000_000, Duration: time.Second, Conns: 4})
	if res.Valid || !hasReason(res, "of the requested") {
		t.Fatalf("valid %t, reasons %q: want invalid for the rate shortfall", res.Valid, res.InvalidReasons)
	}
	if res.SentRate > 0.5*res.RequestedRate || res.Self.Unsent == 0 {
		t.Errorf("sent %.0f of %.0f req/s, %d unsent: want a large shortfall", res.SentRate, res.RequestedRate, res.Self.Unsent)
	}
}
