package report_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"stacklab/results"
	"stacklab/results/report"
)

// fullRun is a run the size of the whole lab: 3×2×2×3 = 36 stacks, 8 rounds, a closed-loop
// workload, an open-loop mix (op all plus three ops) and a five-step sweep.
func fullRun() *results.Run {
	run := results.NewRun("full", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	run.Env = results.Env{CPUModel: "Test CPU", Cores: 2, GoVersion: "go1.26.8", GOMAXPROCS: 1}
	for _, h := range []string{"nethttp", "fiber", "uring"} {
		for _, st := range []string{"sqlc", "sqlboiler"} {
			for _, j := range []string{"std", "sonic"} {
				for _, r := range []string{"goredis", "rueidis", "redigo"} {
					name := fmt.Sprintf("http=%s/store=%s/json=%s/redis=%s", h, st, j, r)
					run.Stacks = append(run.Stacks, results.StackInfo{Name: name,
						Dims: results.MustParseDims(name), Conformance: results.Conformance{Ran: true, Passed: 75}})
				}
			}
		}
	}
	for round := range 8 {
		for si, st := range run.Stacks {
			f := 1 + float64(si%7)/20
			add := func(workload, op, mode string, step int, rate, lat float64) {
				w := wobble(round, si+step, 0.03)
				req := int64(rate * 10)
				run.Records = append(run.Records, results.Record{RunID: run.ID, Stack: st.Name, Dims: st.Dims, Workload: workload, Op: op,
					Round: round, Step: step, Mode: mode, RequestedRate: rate, Seconds: 10, Requests: req, Rate: rate * w,
					Corrected: results.Latency{Count: req, P50: int64(lat * w), P99: int64(4 * lat * w), P999: int64(9 * lat * w)},
					StackCPU:  150e-6 * float64(req) * w, Valid: true, Conformant: true})
			}
			add("transfer", "all", "closed", 0, 2000*f, 2e6/f)
			for _, op := range []string{"all", "read", "transfer", "post"} {
				add("ledger-mix@1000", op, "open", 0, 1000, 1.2e6/f)
			}
			for step := 1; step <= 5; step++ {
				add("read-sweep", "all", "open", step, 500*float64(step), 0.8e6*float64(step)/f)
			}
		}
	}
	return run
}

// BenchmarkBuild builds and writes the report of a full-size run (540 dimension pairs to
// bootstrap).
func BenchmarkBuild(b *testing.B) {
	run := fullRun()
	b.ReportAllocs()
	for b.Loop() {
		rep, err := report.Build([]*results.Run{run}, report.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := rep.WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
