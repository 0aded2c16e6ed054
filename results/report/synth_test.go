package report_test

import (
	"fmt"
	"math"
	"time"

	"stacklab/results"
)

// stackSpec is one synthetic stack: its parts and how it performs relative to a baseline.
type stackSpec struct {
	http, json string
	speed      float64 // throughput factor (closed loop), 1 = baseline
	latency    float64 // latency factor, 1 = baseline
	cpu        float64 // CPU per request factor
	nonConform bool
	buildError string
	// invalid maps round → reason for the mix workload; weakClosed marks the closed-loop
	// workload invalid in rounds 0..3.
	invalid    map[int]string
	weakClosed bool
	sweepSteps int
}

func (s stackSpec) info() results.StackInfo {
	name := fmt.Sprintf("http=%s/store=sqlc/json=%s/redis=goredis", s.http, s.json)
	info := results.StackInfo{Name: name, Dims: results.MustParseDims(name),
		BinarySHA256: fmt.Sprintf("%064x", len(s.http)*31+len(s.json)),
		Modules:      map[string]string{"github.com/jackc/pgx/v5": "v5.12.0", "github.com/redis/go-redis/v9": "v9.23.0"},
		Conformance:  results.Conformance{Ran: true, Passed: 75}}
	if s.json == "sonic" {
		info.Modules["github.com/bytedance/sonic"] = "v1.15.5"
	}
	if s.http == "fiber" {
		info.Modules["github.com/gofiber/fiber/v2"] = "v2.52.15"
		info.Modules["github.com/jackc/pgx/v5"] = "v5.11.0" // an older driver in one binary
	}
	if s.nonConform {
		info.Conformance = results.Conformance{Ran: true, Passed: 73, Failed: 2,
			Failures: []string{"tx-idempotency: a replayed key created a second transfer", "list-paging: cursor skips an item"}}
	}
	if s.buildError != "" {
		info.Conformance = results.Conformance{}
		info.Error = s.buildError
		info.Modules, info.BinarySHA256 = nil, ""
	}
	return info
}

// wobble is a deterministic stand-in for noise: ±amp, different per round and salt.
func wobble(round, salt int, amp float64) float64 {
	return 1 + amp*math.Sin(float64(round*7+salt*13)+0.5)
}

func synthRun() *results.Run {
	specs := []stackSpec{
		{http: "nethttp", json: "std", speed: 1, latency: 1, cpu: 1, sweepSteps: 4},
		{http: "nethttp", json: "sonic", speed: 1.05, latency: 0.95, cpu: 0.9, sweepSteps: 4},
		{http: "fiber", json: "std", speed: 1.2, latency: 0.8, cpu: 0.85, weakClosed: true, sweepSteps: 4},
		{http: "fiber", json: "sonic", speed: 1.25, latency: 0.78, cpu: 0.8, sweepSteps: 3,
			invalid: map[int]string{3: "loadgen fell behind: send lag p99 40ms > 10ms"}},
		{http: "uring", json: "std", speed: 1.6, latency: 0.6, cpu: 0.5, nonConform: true, sweepSteps: 4},
		{http: "uring", json: "sonic", buildError: "go build: link: giouring needs -checklinkname=0"},
	}
	run := results.NewRun("20261124T100000Z-5eed01", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	run.Finished = run.Started.Add(14*time.Minute + 30*time.Second)
	run.PlanName = "default"
	run.Plan = []byte(`{"rounds":8}`)
	run.Env = results.Env{Hostname: "lab-1", CPUModel: "Intel(R) Xeon(R) CPU @ 2.20GHz", Cores: 2, MemoryMiB: 24096,
		Kernel: "6.18.0", OS: "Debian GNU/Linux 12 (bookworm)", GoVersion: "go1.26.8", GOAMD64: "v1", GOMAXPROCS: 1,
		GitCommit: "8c1f1f4a2b3c4d5e6f708192a3b4c5d6e7f80912", Services: map[string]string{
			"postgres": "PostgreSQL 15.20 (standard-port)", "redis": "Redis 7.0.15 (standard-port)", "kafka": "kfake (embedded)"},
		Tools: map[string]string{"loadgen": "devel"}}
	run.Notes = []string{"stack http=uring/store=sqlc/json=sonic/redis=goredis: build failed, not measured"}
	for _, s := range specs {
		run.Stacks = append(run.Stacks, s.info())
	}
	trial := 0
	rec := func(si int, s stackSpec, round int, workload, kind, op, mode string, step int, reqRate, rate, lat float64) results.Record {
		info := run.Stacks[si]
		secs := 10.0
		req := int64(rate * secs)
		r := results.Record{RunID: run.ID, Stack: info.Name, Dims: info.Dims, Workload: workload, WorkloadKind: kind, Op: op,
			Round: round, Trial: trial, Step: step, Mode: mode, RequestedRate: reqRate, Seconds: secs, Conns: 64,
			Started: run.Started.Add(time.Duration(trial) * 15 * time.Second), Requests: req, Errors: int64(round % 2), Rate: rate,
			Corrected: results.Latency{Count: req, P50: int64(lat), P99: int64(lat * 4), P999: int64(lat * 9), Max: int64(lat * 20)},
			Service:   results.Latency{Count: req, P50: int64(lat * 0.9), P99: int64(lat * 3)},
			StackCPU:  s.cpu * 150e-6 * float64(req) * wobble(round, si+5, 0.02), PostgresCPU: 100e-6 * float64(req), RedisCPU: 10e-6 * float64(req),
			Valid: true, Conformant: info.Conformance.OK(), ResourcesMeter: "rusage+procfs"}
		return r
	}
	for round := range 8 {
		for si, s := range specs {
			if s.buildError != "" {
				continue
			}
			// Closed loop: throughput is the result.
			w := wobble(round, si, 0.03)
			r := rec(si, s, round, "transfer", "transfer", "all", "closed", 0, 0, 2000*s.speed*w, 2e6*s.latency/w)
			if s.weakClosed && round < 4 {
				r.Valid, r.InvalidReasons = false, []string{"warm-up did not settle"}
			}
			run.Records = append(run.Records, r)
			trial++
			// Open loop mix at 1000 req/s: one record per op plus "all".
			for oi, op := range []string{"all", "read", "transfer"} {
				w := wobble(round, si*3+oi, 0.03)
				share := map[string]float64{"all": 1, "read": 0.7, "transfer": 0.3}[op]
				r := rec(si, s, round, "ledger-mix@1000", "ledger-mix", op, "open", 0, 1000*share, 1000*share*(1+0.002*(w-1)), 1.2e6*s.latency*w)
				if reason, bad := s.invalid[round]; bad {
					r.Valid, r.InvalidReasons = false, []string{reason}
				}
				run.Records = append(run.Records, r)
			}
			trial++
			// A sweep: the rate steps up until the stack saturates.
			for step := 1; step <= s.sweepSteps; step++ {
				req := 500 * math.Pow(2, float64(step-1))
				capacity := 5000 * s.speed
				achieved := math.Min(req, capacity) * wobble(round, si+step, 0.01)
				load := req / capacity
				lat := 0.8e6 * s.latency / math.Max(0.05, 1-math.Min(load, 0.95)) * wobble(round, si*5+step, 0.03)
				r := rec(si, s, round, "read-sweep", "read", "all", "open", step, req, achieved, lat)
				// The SLO (p99 under 20 ms) holds until the stack nears saturation.
				if r.SLOMet = r.Corrected.P99 < 20e6; !r.SLOMet {
					r.SLOBreaks = []string{"p99 over 20ms"}
				}
				run.Records = append(run.Records, r)
			}
			trial++
		}
	}
	return run
}
