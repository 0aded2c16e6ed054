package resultstest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

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
// then one rate sweep "mix-sweep" (in round 0). Numbers carry 3% Gaussian noise drawn from seed.
// The baseline is always included, first; the same arguments give the same run. The records of op
// "all" carry their encoded HDR histograms (small ones), the per-operation records only their
// percentiles.
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
		corr := smallHistogram(t, rng, latency, op == "all")
		svc := smallHistogram(t, rng, latency*0.8, op == "all")
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

// AARun is an A/A run: the baseline twice, labelled "a" and "b", measured as VariantRun measures
// (the twins' numbers differ by noise only).
func AARun(t testing.TB, id string, started time.Time, commit string, seed uint64, rounds int) *results.Run {
	t.Helper()
	a := VariantRun(t, id, started, commit, seed, rounds)
	b := VariantRun(t, id, started, commit, seed+1, rounds)
	run := *a
	run.PlanName = "default (A/A)"
	run.Stacks, run.Records = nil, nil
	for _, twin := range []struct {
		label string
		run   *results.Run
	}{{"a", a}, {"b", b}} {
		for _, st := range twin.run.Stacks {
			st.Label = twin.label
			run.Stacks = append(run.Stacks, st)
		}
		for _, r := range twin.run.Records {
			r.Label = twin.label
			run.Records = append(run.Records, r)
		}
	}
	if err := run.Check(); err != nil {
		t.Fatal(err)
	}
	return &run
}

// SiteRuns are the runs of a small results site: three runs of variants a day apart on one
// machine, at three commits (fiber's CPU per request improves from one to the next; sonic's
// sweep is cut short by the load generator; rueidis is slower at p99), and an A/A run before them
// on the same machine, which gives the others their noise floor.
func SiteRuns(t testing.TB) []*results.Run {
	t.Helper()
	day := func(d int) time.Time { return time.Date(2026, 12, d, 9, 30, 0, 0, time.UTC) }
	runs := []*results.Run{AARun(t, "20261130T093000Z-aa0001", day(0), "0a0a0a0a0a0a", 100, 8)}
	commits := []string{"3f9a2c1d4e5f", "7b1e0d9c8a76", "c4d2e6f80912"}
	for i, commit := range commits {
		runs = append(runs, VariantRun(t, fmt.Sprintf("202612%02dT093000Z-%s", i+1, commit[:6]), day(i+1), commit, uint64(10+i), 8,
			Variant{Dim: "http", Part: "fiber", Throughput: 1.25, CPU: 0.75 - 0.05*float64(i), Latency: 0.85,
				Module: "github.com/gofiber/fiber/v2@v2.52.15"},
			Variant{Dim: "http", Part: "fasthttp", Throughput: 1.02, Module: "github.com/valyala/fasthttp@v1.78.0"},
			Variant{Dim: "store", Part: "pgx"},
			Variant{Dim: "json", Part: "sonic", CPU: 0.88, GeneratorLimit: 400, Module: "github.com/bytedance/sonic@v1.15.5"},
			Variant{Dim: "redis", Part: "rueidis", Latency: 1.4, Module: "github.com/redis/rueidis@v1.0.79"}))
	}
	return runs
}

// smallHistogram is Histogram at a coarser resolution (2 significant digits, from 1 µs), 200
// values, encoded only when encode is set (encoding is the costly part): cheap enough for runs of
// thousands of records.
func smallHistogram(t testing.TB, rng *rand.Rand, scale float64, encode bool) results.Latency {
	h := hdrhistogram.New(1000, 100_000_000_000, 2)
	for range 200 {
		if err := h.RecordValue(int64(scale * (1 + rng.ExpFloat64()) / 2)); err != nil {
			t.Fatal(err)
		}
	}
	l := results.Latency{Count: h.TotalCount(), Min: h.Min(), Mean: h.Mean(), P50: h.ValueAtQuantile(50),
		P90: h.ValueAtQuantile(90), P99: h.ValueAtQuantile(99), P999: h.ValueAtQuantile(99.9), P9999: h.ValueAtQuantile(99.99), Max: h.Max()}
	if encode {
		enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			t.Fatal(err)
		}
		l.HDR = string(enc)
	}
	return l
}
