package resultstest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"stacklab/results"
)

// Baseline is the baseline stack of VariantRun's runs.
const Baseline = "http=nethttp/store=sqlc/json=std/redis=goredis"

// Variant is one stack of a synthetic run of variants: the baseline with one part changed, and
// what the change does to the numbers (factors: 1 is the baseline's).
type Variant struct {
	// Dim and Part are the dimension changed and its part; both "" for the baseline itself.
	Dim, Part string
	// Throughput multiplies the closed-loop rate and the sweep's capacity; Latency the
	// latencies; CPU the stack's CPU per request. Zero means 1.
	Throughput, Latency, CPU float64
	// NonConform makes the stack fail two conformance checks.
	NonConform bool
	// GeneratorLimit makes the sweep's steps from this requested rate on invalid (the load
	// generator was the limit); 0: never.
	GeneratorLimit float64
	// Module is a module the part's binary holds beside the baseline's, "path@version".
	Module string
}

// Name is the variant's stack name.
func (v Variant) Name() string {
	if v.Dim == "" {
		return Baseline
	}
	d := results.MustParseDims(Baseline)
	for i := range d {
		if d[i].Key == v.Dim {
			d[i].Part = v.Part
		}
	}
	return d.String()
}

func one(f float64) float64 {
	if f == 0 {
		return 1
	}
	return f
}

// SweepRates are the requested rates of VariantRun's sweep "mix-sweep"; its SLO is p99 ≤ 50 ms.
var SweepRates = []float64{100, 200, 400, 800}

// VariantRun is a run of the plan of variants the lab runs: the baseline and each variant, rounds
// rounds of a closed-loop workload "json" and an open-loop "mix@100" (op all and two operations),
// then one rate sweep "mix-sweep" (in round 0). Numbers carry 3% Gaussian noise drawn from seed;
// every record holds HDR histograms (small ones). The baseline is always included, first; the
// same arguments give the same run.
func VariantRun(t testing.TB, id string, started time.Time, commit string, seed uint64, rounds int, variants ...Variant) *results.Run {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	noise := func() float64 { return 1 + 0.03*rng.NormFloat64() }
	run := results.NewRun(id, started)
	run.Finished = run.Started.Add(time.Duration(rounds)*2*time.Minute + 3*time.Minute)
	run.PlanName = "default"
	run.Plan = json.RawMessage(fmt.Sprintf(`{"name":"default","stacks":["variants"],"rounds":%d,"seed":%d}`, rounds, seed))
	run.Env = results.Env{Hostname: "lab-1", CPUModel: "AMD EPYC 7B13", Cores: 2, MemoryMiB: 24105, Kernel: "6.18.44",
		OS: "Debian GNU/Linux 12 (bookworm)", GoVersion: "go1.26.8", GOAMD64: "v1", GOMAXPROCS: 1, GitCommit: commit,
		Services: map[string]string{"postgres": "PostgreSQL 15.20 (standard-port)", "redis": "7.0.15 (standard-port)",
			"kafka": "kfake (embedded, own process)"},
		Tools: map[string]string{"loadgen": "schema 1", "conformance checks": "76"}}
	all := append([]Variant{{}}, variants...)
	for i, v := range all {
		name := v.Name()
		info := results.StackInfo{Name: name, Dims: results.MustParseDims(name), BinarySHA256: fmt.Sprintf("%064x", seed*100+uint64(i)),
			Modules: map[string]string{"github.com/jackc/pgx/v5": "v5.12.0", "github.com/redis/go-redis/v9": "v9.23.0",
				"stacklab/stacks": "(devel)"},
			Conformance: results.Conformance{Ran: true, Passed: 76}}
		if path, version, ok := strings.Cut(v.Module, "@"); ok {
			info.Modules[path] = version
		}
		if v.NonConform {
			info.Conformance = results.Conformance{Ran: true, Passed: 74, Failed: 2,
				Failures: []string{"tx-idempotency: a replayed key created a second transfer", "fragment-escape: markup not escaped"}}
		}
		run.Stacks = append(run.Stacks, info)
	}
	trial := 0
	record := func(st results.StackInfo, round, step int, workload, kind, op, mode string, requested, rate, latency, cpuPerReq float64) results.Record {
		secs := 10.0
		n := int64(rate * secs)
		corr := Histogram(t, rng, 200, latency)
		svc := Histogram(t, rng, 200, latency*0.8)
		r := results.Record{RunID: id, Stack: st.Name, Dims: st.Dims, Workload: workload, WorkloadKind: kind, Op: op,
			Round: round, Trial: trial, Step: step, Mode: mode, RequestedRate: requested,
			Started: run.Started.Add(time.Duration(trial) * 12 * time.Second), Seconds: secs, Conns: 16,
			Requests: n, Rate: rate, Corrected: corr, Service: svc, Valid: true, Conformant: st.Conformance.OK(),
			GenLagP99: 400_000, GenLateFraction: 0.001}
		if op == "all" {
			r.StackCPU = cpuPerReq * float64(n) / 1e6
			r.PostgresCPU, r.RedisCPU = 0.4, 0.05
			r.LoadgenCPU = 0.3
			r.StackRSSPeak = 40 << 20
			r.ResourcesMeter = "/proc sampled every 200 ms"
		}
		return r
	}
	for round := range rounds {
		for i, v := range all {
			st := run.Stacks[i]
			tp, lat, cpu := one(v.Throughput), one(v.Latency), one(v.CPU)
			run.Records = append(run.Records, record(st, round, 0, "json", "json", "all", "closed", 0,
				12000*tp*noise(), 600_000*lat*noise(), 35*cpu*noise()))
			trial++
			l := 3_000_000 * lat * noise()
			run.Records = append(run.Records, record(st, round, 0, "mix@100", "ledger-mix", "all", "open", 100, 100*(1+0.001*rng.NormFloat64()), l, 900*cpu*noise()))
			for _, op := range []string{"get_account", "transfer"} {
				run.Records = append(run.Records, record(st, round, 0, "mix@100", "ledger-mix", op, "open", 50, 50, l*noise(), 0))
			}
			trial++
		}
	}
	// One round of the sweep: the SLO breaks past the stack's capacity, or the generator gives up.
	for i, v := range all {
		st := run.Stacks[i]
		capacity := 500 * one(v.Throughput)
		for si, req := range SweepRates {
			load := math.Min(req/capacity, 0.99)
			lat := 2_000_000 * one(v.Latency) / (1 - load)
			r := record(st, 0, si+1, "mix-sweep", "ledger-mix", "all", "open", req, math.Min(req, capacity), lat, 900*one(v.CPU))
			r.Corrected.P99 = int64(lat * 4)
			if v.GeneratorLimit > 0 && req >= v.GeneratorLimit {
				r.Valid = false
				r.InvalidReasons = []string{fmt.Sprintf("scheduler lag p99 %dms exceeds 5ms: the generator sent late although a connection was free", 8+si)}
			}
			r.SLOMet = r.Corrected.P99 <= 50_000_000 && r.Rate >= 0.95*req
			if !r.SLOMet {
				r.SLOBreaks = []string{fmt.Sprintf("p99 %v over 50ms", time.Duration(r.Corrected.P99).Round(time.Millisecond))}
			}
			run.Records = append(run.Records, r)
			trial++
			if !r.Valid || !r.SLOMet {
				break // the lab's sweep stops at the first invalid step or SLO break
			}
		}
	}
	if err := run.Check(); err != nil {
		t.Fatal(err)
	}
	return run
}
