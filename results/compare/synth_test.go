package compare_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"stacklab/results"
)

// twin describes one stack of a synthetic run: its medians and relative noise.
type twin struct {
	http, json string
	label      string
	nonConform bool
	rate       float64 // req/s
	p50, p99   float64 // ns; p99.9 is 2×p99
	cpu        float64 // stack CPU µs per request
	noise      float64 // relative standard deviation of every metric
	invalid    map[int]string
	modules    map[string]string
}

func (t twin) info() results.StackInfo {
	name := fmt.Sprintf("http=%s/store=sqlc/json=%s/redis=goredis", t.http, t.json)
	d := results.MustParseDims(name)
	c := results.Conformance{Ran: true, Passed: 75}
	if t.nonConform {
		c.Passed, c.Failed, c.Failures = 74, 1, []string{"tx-create: 500 on a valid transfer"}
	}
	return results.StackInfo{Name: name, Dims: d, Label: t.label, Conformance: c, Modules: t.modules}
}

// synthRun builds a run: every stack runs two workloads (a closed-loop "transfer" with op all,
// an open-loop "read@500") once per round, with Gaussian noise from seed.
func synthRun(id string, seed uint64, rounds int, stacks ...twin) *results.Run {
	run := results.NewRun(id, time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	run.Env = results.Env{Hostname: "lab", CPUModel: "Test CPU", Cores: 2, Kernel: "6.18", OS: "Debian 12",
		GoVersion: "go1.26.8", GOAMD64: "v1", GOMAXPROCS: 1, GitCommit: "deadbeef",
		Services: map[string]string{"postgres": "PostgreSQL 15.20"}}
	rng := rand.New(rand.NewPCG(seed, 1))
	jitter := func(v, noise float64) float64 { return v * (1 + noise*rng.NormFloat64()) }
	for _, t := range stacks {
		run.Stacks = append(run.Stacks, t.info())
	}
	trial := 0
	for round := range rounds {
		for i, t := range stacks {
			st := run.Stacks[i]
			for _, wl := range []struct{ name, mode string }{{"transfer", "closed"}, {"read@500", "open"}} {
				rate := jitter(t.rate, t.noise)
				secs := 10.0
				req := int64(rate * secs)
				rec := results.Record{RunID: id, Stack: st.Name, Label: t.label, Dims: st.Dims,
					Workload: wl.name, WorkloadKind: wl.name, Op: "all", Round: round, Trial: trial, Mode: wl.mode,
					Seconds: secs, Requests: req, Rate: rate, StackCPU: jitter(t.cpu, t.noise) * float64(req) / 1e6,
					Corrected: results.Latency{Count: req, P50: int64(jitter(t.p50, t.noise)), P99: int64(jitter(t.p99, t.noise)),
						P999: int64(jitter(2*t.p99, t.noise))},
					Valid: true, Conformant: st.Conformance.OK()}
				if reason, bad := t.invalid[round]; bad {
					rec.Valid, rec.InvalidReasons = false, []string{reason}
				}
				run.Records = append(run.Records, rec)
				trial++
			}
		}
	}
	return run
}

func base(http, json string) twin {
	return twin{http: http, json: json, rate: 1000, p50: 1e6, p99: 5e6, cpu: 200, noise: 0.03}
}
