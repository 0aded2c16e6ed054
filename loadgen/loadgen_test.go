package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"golang.org/x/perf/benchfmt"

	"stacklab/loadgen"
	"stacklab/loadgen/internal/testsrv"
	"stacklab/results"
)

func TestClosedLoopIsLabelled(t *testing.T) {
	res := run(t, loadgen.Config{Target: canned(t, 0), Workload: "plaintext", Mode: loadgen.ModeClosed,
		Duration: time.Second, Conns: 4, Name: "BenchmarkX/http=canned"})
	if res.Mode != loadgen.ModeClosed || res.Arrival != "" || res.RequestedRate != 0 {
		t.Errorf("mode %q arrival %q requested %v: want closed, no arrival, no requested rate", res.Mode, res.Arrival, res.RequestedRate)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "closed loop") {
		t.Errorf("warnings %q do not label the closed loop", res.Warnings)
	}
	var sum bytes.Buffer
	res.WriteSummary(&sum)
	if !strings.Contains(sum.String(), "CLOSED LOOP") {
		t.Errorf("the summary does not label the closed loop:\n%s", sum.String())
	}
	for _, r := range res.Records(results.Record{}) {
		if r.Mode != "closed" || r.RequestedRate != 0 {
			t.Errorf("record %s: mode %q, requested rate %v; want closed and none", r.Op, r.Mode, r.RequestedRate)
		}
	}
	if res.All.Requests < 1000 || res.All.ErrorCount != 0 {
		t.Errorf("%d requests, %d errors: want ≥ 1000 and none", res.All.Requests, res.All.ErrorCount)
	}
	if res.All.Corrected.P99 != res.All.Service.P99 {
		t.Errorf("closed loop: corrected p99 %d ≠ service p99 %d (both measure from the send)", res.All.Corrected.P99, res.All.Service.P99)
	}
}

// The generator's hot path (schedule, request building, round trip, recording) does not
// allocate. Against the canned server (which allocates nothing either), the process's
// allocations between the end of the second interval and the end of the fifth, divided by the
// requests completed in between, are per-interval bookkeeping (collector, monitor), far below
// one per request.
func TestHotPathAllocations(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  loadgen.Config
	}{
		{"closed", loadgen.Config{Mode: loadgen.ModeClosed, Conns: 4}},
		{"open", loadgen.Config{Rate: 5000, Conns: 8}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Target, cfg.Workload, cfg.SampleEvery = canned(t, 0), "plaintext", -1
			cfg.Interval, cfg.Duration = 500*time.Millisecond, 3*time.Second
			var mallocs, completed []uint64
			cfg.Progress = func(p loadgen.Progress) {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms) // exact: flushes the per-processor counts
				mallocs = append(mallocs, ms.Mallocs)
				completed = append(completed, uint64(p.Completed))
			}
			res := run(t, cfg)
			if len(mallocs) < 5 {
				t.Fatalf("%d progress reports, want ≥ 5", len(mallocs))
			}
			allocs, reqs := mallocs[4]-mallocs[1], completed[4]-completed[1]
			perReq := float64(allocs) / float64(reqs)
			t.Logf("steady state: %d allocations for %d requests (%.4f per request); whole run %.4f", allocs, reqs, perReq, res.Self.AllocsPerReq)
			if reqs < 5000 || perReq > 0.05 {
				t.Errorf("%.4f allocations per request over %d requests, want < 0.05", perReq, reqs)
			}
		})
	}
}

// The generator counts exactly the requests the server served, in both modes.
func TestCountsMatchTheServer(t *testing.T) {
	for _, mode := range []loadgen.Mode{loadgen.ModeClosed, loadgen.ModeOpen} {
		t.Run(string(mode), func(t *testing.T) {
			srv := testsrv.New(testsrv.Options{})
			hs := httptest.NewServer(srv)
			defer hs.Close()
			res := run(t, loadgen.Config{Target: hs.URL, Workload: "plaintext", Mode: mode, Rate: 3000,
				Duration: time.Second, Conns: 8})
			if served := srv.Requests.Load(); res.All.Requests != served || served < 1000 {
				t.Errorf("the generator counted %d requests, the server served %d", res.All.Requests, served)
			}
			if got := res.CompletedRate * res.WindowSeconds; int64(got+0.5) != res.All.Requests {
				t.Errorf("completed rate %.1f/s over %vs is not %d requests", res.CompletedRate, res.WindowSeconds, res.All.Requests)
			}
		})
	}
}

func TestErrorsAreCountedByClass(t *testing.T) {
	wrongBody := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "Hello, Wrong!")
	}))
	defer wrongBody.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer failing.Close()
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()

	for _, tt := range []struct {
		name, url, class string
		every            int
		min, max         int64 // errors of the class, as a share in ‰ of requests
	}{
		{"wrong body, 1 in 10 sampled", wrongBody.URL, "body", 10, 95, 105},
		{"wrong body, all sampled", wrongBody.URL, "body", 1, 1000, 1000},
		{"5xx", failing.URL, "status_5xx", 100, 1000, 1000},
		{"404", notFound.URL, "status_4xx", 100, 1000, 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, loadgen.Config{Target: tt.url, Workload: "plaintext", Rate: 1000, Duration: time.Second,
				Conns: 4, SampleEvery: tt.every})
			op := res.Ops[0]
			got := op.Errors[tt.class] * 1000 / op.Requests
			if got < tt.min || got > tt.max || op.ErrorCount != op.Errors[tt.class] {
				t.Errorf("errors %v of %d requests: want %s at %d…%d‰ and nothing else", op.Errors, op.Requests, tt.class, tt.min, tt.max)
			}
			if op.FirstErrors[tt.class] == "" {
				t.Errorf("no first error message for %s", tt.class)
			}
		})
	}
}

func TestConnectErrors(t *testing.T) {
	srv := httptest.NewServer(testsrv.New(testsrv.Options{}))
	url := srv.URL
	srv.Close()
	_, err := loadgen.Run(context.Background(), loadgen.Config{Target: url, Workload: "plaintext", Rate: 100, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "no connection") {
		t.Fatalf("Run against a closed port: %v, want a no-connection error", err)
	}
}

func TestChunkedAnswersAreValidated(t *testing.T) {
	res := run(t, loadgen.Config{Target: server(t, testsrv.Options{Chunked: true}), Workload: "json", Rate: 1000,
		Duration: time.Second, Conns: 4, SampleEvery: 1})
	if res.All.ErrorCount != 0 || res.All.Validated != res.All.Requests || res.All.Requests < 500 {
		t.Errorf("%d requests, %d validated, errors %v: want every chunked body validated", res.All.Requests, res.All.Validated, res.All.Errors)
	}
}

func TestPoissonArrivals(t *testing.T) {
	res := run(t, loadgen.Config{Target: canned(t, 0), Workload: "plaintext", Rate: 2000, Arrival: loadgen.ArrivalPoisson,
		Duration: 2 * time.Second, Conns: 8, Seed: 7})
	// 4000 expected arrivals; a Poisson count has a standard deviation of √4000 ≈ 63.
	if res.Arrival != loadgen.ArrivalPoisson || res.All.Requests < 3750 || res.All.Requests > 4250 {
		t.Errorf("arrival %q, %d requests: want poisson and 4000 ± 250", res.Arrival, res.All.Requests)
	}
}

func TestWarmupIsOutOfTheTotals(t *testing.T) {
	res := run(t, loadgen.Config{Target: canned(t, 0), Workload: "plaintext", Rate: 500, Warmup: time.Second,
		Duration: time.Second, Conns: 4})
	if len(res.Intervals) != 2 {
		t.Fatalf("%d intervals, want 2", len(res.Intervals))
	}
	// A busy machine may leave the last few requests unsent; the warm-up's 500 never count.
	if res.All.Requests < 450 || res.All.Requests > 500 || res.All.Requests != res.Intervals[1].Requests {
		t.Errorf("%d requests in the totals, want those of the measured second (≤ 500)", res.All.Requests)
	}
	if !res.Intervals[0].Warmup || res.Intervals[1].Warmup ||
		res.Intervals[0].Requests != 500 || res.Intervals[1].Start != time.Second {
		t.Errorf("intervals %+v: want a warm-up second of 500 requests, then the measured second", res.Intervals)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	res, err := loadgen.Run(ctx, loadgen.Config{Target: canned(t, 0), Workload: "plaintext", Rate: 100, Duration: time.Minute})
	if !errors.Is(err, context.DeadlineExceeded) || res == nil || res.Valid {
		t.Fatalf("Run cancelled: result %v, err %v; want an invalid partial result and the context's error", res != nil, err)
	}
	if el := time.Since(t0); el > 2*time.Second {
		t.Errorf("cancel took %v", el)
	}
}

// generous limits keep a busy test machine from invalidating runs whose point is elsewhere.
var generous = loadgen.Limits{MaxLag: 100 * time.Millisecond, MaxLateFraction: 0.5, MaxCPUFraction: 1,
	MaxSchedLatency: 100 * time.Millisecond, MaxGCPause: 100 * time.Millisecond}

func TestSweepFindsTheKnee(t *testing.T) {
	// 4 connections to a server that holds each request 2 ms: capacity is about 2,000 req/s.
	url := canned(t, 2*time.Millisecond)
	sw, err := loadgen.Sweep(context.Background(), loadgen.Config{Target: url, Workload: "plaintext", Duration: time.Second,
		Conns: 4, MaxConns: 4, Limits: generous},
		loadgen.SweepConfig{Start: 500, Factor: 2, Max: 16000, SLO: loadgen.SLO{P99: 500 * time.Millisecond}})
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	var b strings.Builder
	sw.WriteSummary(&b)
	t.Logf("\n%s", b.String())
	if sw.MaxRate < 500 || sw.MaxRate > 2000 {
		t.Errorf("highest rate meeting the SLO %v, want 500…2000", sw.MaxRate)
	}
	last := sw.Points[len(sw.Points)-1]
	if len(sw.Points) < 2 || (last.MeetsSLO && last.Valid) || sw.Stopped == "" {
		t.Errorf("%d points, last %+v, stopped %q: want a final step that breaks the SLO", len(sw.Points), last, sw.Stopped)
	}
	if len(sw.Runs) != len(sw.Points) {
		t.Errorf("%d runs for %d points", len(sw.Runs), len(sw.Points))
	}
}

// A run's records, written by the lab's benchmark writer, parse as Go benchmark lines named from
// the stack given and the workload, with the run's measurements.
func TestBenchLinesParse(t *testing.T) {
	res := run(t, loadgen.Config{Target: canned(t, 0), Workload: "plaintext", Rate: 1000, Duration: time.Second})
	const stack = "http=canned/store=none/json=none/redis=none"
	recs := res.Records(results.Record{Stack: stack, Dims: results.MustParseDims(stack)})
	for i := range recs {
		// Whether the generator kept up is this machine's business (an invalid trial is a comment
		// line, tested in stacklab/results); the lines' names and values are checked here.
		recs[i].Valid = true
	}
	var out bytes.Buffer
	if err := results.WriteBench(&out, nil, recs, nil); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&out, "loadgen.txt")
	n := 0
	for r.Scan() {
		rec, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("unexpected record %v", r.Result())
		}
		n++
		if got := string(rec.Name.Full()); got != "Ledger/"+stack+"/workload=plaintext/op=all" {
			t.Errorf("name %q", got)
		}
		if rec.Iters != int(res.All.Requests) {
			t.Errorf("iterations %d, want %d", rec.Iters, res.All.Requests)
		}
		if v, ok := rec.Value("p99-sec"); !ok || math.Abs(v-float64(res.All.Corrected.P99)/1e9) > 1e-12 {
			t.Errorf("p99-sec = %v (%t), want %v", v, ok, float64(res.All.Corrected.P99)/1e9)
		}
		if v, ok := rec.Value("req/s"); !ok || v != res.All.Rate {
			t.Errorf("req/s = %v (%t), want %v", v, ok, res.All.Rate)
		}
	}
	if err := r.Err(); err != nil || n != 1 {
		t.Errorf("read %d results, err %v; want 1", n, err)
	}
}

func TestResultJSON(t *testing.T) {
	res := run(t, loadgen.Config{Target: canned(t, 0), Workload: "plaintext", Rate: 1000, Duration: time.Second})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Schema        string   `json:"schema"`
		SchemaVersion int      `json:"schema_version"`
		Valid         *bool    `json:"valid"`
		Reasons       []string `json:"invalid_reasons"`
		Ops           []struct {
			Corrected struct {
				Count int64  `json:"count"`
				P99   int64  `json:"p99_ns"`
				HDR   string `json:"hdr"`
			} `json:"corrected"`
		} `json:"ops"`
		Intervals []json.RawMessage `json:"intervals"`
		Self      map[string]any    `json:"self"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != loadgen.Schema || back.SchemaVersion != loadgen.SchemaVersion || back.Valid == nil || back.Reasons == nil ||
		len(back.Ops) != 1 || len(back.Intervals) != 1 || back.Self["sched_lag"] == nil {
		t.Fatalf("JSON lacks parts of the result: %.400s", b)
	}
	h, err := hdr.DecodePacked([]byte(back.Ops[0].Corrected.HDR))
	if err != nil {
		t.Fatalf("decoding the corrected histogram: %v", err)
	}
	if h.TotalCount() != back.Ops[0].Corrected.Count || h.ValueAtPercentile(99) != back.Ops[0].Corrected.P99 {
		t.Errorf("decoded histogram: %d values, p99 %d; want %d, %d", h.TotalCount(), h.ValueAtPercentile(99),
			back.Ops[0].Corrected.Count, back.Ops[0].Corrected.P99)
	}
}

func TestConfigIsChecked(t *testing.T) {
	ok := loadgen.Config{Target: "http://127.0.0.1:1", Workload: "plaintext", Rate: 10}
	for _, tt := range []struct {
		name string
		edit func(*loadgen.Config)
		want string
	}{
		{"no rate", func(c *loadgen.Config) { c.Rate = 0 }, "positive rate"},
		{"bad workload", func(c *loadgen.Config) { c.Workload = "nope" }, "unknown workload"},
		{"bad target", func(c *loadgen.Config) { c.Target = "https://x/y" }, "want http://host:port"},
		{"bad mode", func(c *loadgen.Config) { c.Mode = "half" }, "mode"},
		{"bad arrival", func(c *loadgen.Config) { c.Arrival = "bursty" }, "arrival"},
		{"duration not a multiple", func(c *loadgen.Config) { c.Duration = 1500 * time.Millisecond }, "multiples"},
		{"cap under conns", func(c *loadgen.Config) { c.Conns, c.MaxConns = 8, 4 }, "max conns"},
		{"bad run id", func(c *loadgen.Config) { c.RunID = "a-b" }, "run id"},
		{"bad skew", func(c *loadgen.Config) { c.Skew = "pareto" }, "skew"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			_, err := loadgen.Run(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run: %v, want an error about %q", err, tt.want)
			}
		})
	}
}
