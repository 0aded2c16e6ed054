package resultstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"stacklab/results"
)

// Histogram records n latencies drawn from rng and returns them as a Latency with its encoded
// histogram; the percentiles are the histogram's own.
func Histogram(t testing.TB, rng *rand.Rand, n int, scale float64) results.Latency {
	h := hdrhistogram.New(1, 60_000_000_000, 3)
	for range n {
		v := int64(scale * (1 + rng.ExpFloat64()))
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	return results.Latency{Count: h.TotalCount(), Min: h.Min(), Mean: h.Mean(), P50: h.ValueAtQuantile(50),
		P90: h.ValueAtQuantile(90), P99: h.ValueAtQuantile(99), P999: h.ValueAtQuantile(99.9), P9999: h.ValueAtQuantile(99.99), Max: h.Max(), HDR: string(enc)}
}

// Run is a run using every field of the model: stacks with modules, an A/A label, one that fails
// conformance and one that failed to build; records of two rounds, two ops and a sweep step, with
// histograms, errors by class, invalid reasons and times in a zone other than UTC. The same id,
// start and seed give the same run.
func Run(t testing.TB, id string, started time.Time, seed uint64) *results.Run {
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	zone := time.FixedZone("CET", 3600)
	run := results.NewRun(id, started)
	run.Started = run.Started.Add(123456789 * time.Nanosecond).In(zone)
	run.Finished = run.Started.Add(9*time.Minute + 987654321*time.Nanosecond)
	run.PlanName = "default"
	run.Plan = json.RawMessage(`{
  "name": "default",
  "rounds": 2,
  "workloads": [{"name": "transfer@1000", "rate": 1000, "duration": "10s"}, {"name": "sweep", "rates": [500, 1000]}],
  "gomaxprocs": 1
}`)
	run.Env = results.Env{Hostname: "lab-1", CPUModel: "AMD EPYC 7B13 (it's \"quoted\")", Cores: 2, MemoryMiB: 24576,
		Kernel: "6.18.0-1-amd64", OS: "Debian GNU/Linux 12 (bookworm)", GoVersion: "go1.26.8", GOAMD64: "v3",
		GOMAXPROCS: 1, GitCommit: "8c1f1f4", GitDirty: true,
		Services: map[string]string{"postgres": "PostgreSQL 15.20 (standard-port)", "redis": "7.0.15 (embedded)"},
		Tools:    map[string]string{"loadgen": "v0.0.0-dev"}}
	run.Notes = []string{"stack http=uring/store=sqlc/json=std/redis=goredis: build failed", "a note with 'quotes' and \\ backslash"}
	base := results.StackInfo{Name: "http=nethttp/store=sqlc/json=std/redis=goredis",
		Dims:         results.MustParseDims("http=nethttp/store=sqlc/json=std/redis=goredis"),
		Modules:      map[string]string{"github.com/jackc/pgx/v5": "v5.12.0", "stacklab/stacks": "(devel)"},
		BinarySHA256: fmt.Sprintf("%064x", seed), Conformance: results.Conformance{Ran: true, Passed: 75, Skipped: 2}}
	aa := base
	aa.Label = "b"
	// A stack with a dimension the others lack: dimensions are whatever a stack's name lists.
	bad := results.StackInfo{Name: "http=fiber/store=sqlboiler/json=sonic/redis=rueidis/events=franz",
		Dims:        results.MustParseDims("http=fiber/store=sqlboiler/json=sonic/redis=rueidis/events=franz"),
		Conformance: results.Conformance{Ran: true, Passed: 73, Failed: 2, Failures: []string{"tx-create: want 201, got 500", "list-paging: cursor repeats"}}}
	broken := results.StackInfo{Name: "http=uring/store=sqlc/json=std/redis=goredis",
		Dims:  results.MustParseDims("http=uring/store=sqlc/json=std/redis=goredis"),
		Error: "go build: exit status 1"}
	run.Stacks = []results.StackInfo{base, aa, bad, broken}
	trial := 0
	for round := range 2 {
		for _, st := range run.Stacks[:3] {
			for _, op := range []string{"all", "transfer"} {
				for step := range 2 {
					rate := 1000.0
					workload := "transfer@1000"
					if step > 0 {
						rate, workload = 500*float64(step+1), "sweep"
					}
					corr := Histogram(t, rng, 2000, 1e6)
					rec := results.Record{RunID: id, Stack: st.Name, Label: st.Label, Dims: st.Dims,
						Workload: workload, WorkloadKind: "transfer", Op: op, Round: round, Trial: trial, Step: step,
						Mode: "open", RequestedRate: rate,
						Started: run.Started.Add(time.Duration(trial)*11*time.Second + time.Duration(rng.IntN(1e9))),
						Seconds: 10.000123, Conns: 64, Requests: corr.Count, Errors: int64(rng.IntN(5)),
						Rate:      float64(corr.Count) / 10.000123,
						Corrected: corr, Service: Histogram(t, rng, int(corr.Count), 8e5),
						StackCPU: 1.25 + rng.Float64(), StackRSSPeak: 50<<20 + int64(rng.IntN(1<<20)),
						StackCtxVol: int64(rng.IntN(10000)), StackCtxInvol: int64(rng.IntN(100)),
						PostgresCPU: 0.5, RedisCPU: 0.1, KafkaCPU: 0, LoadgenCPU: 0.7, ResourcesMeter: "procfs",
						Valid: true, Conformant: st.Conformance.OK(),
						GenLagP99: int64(rng.IntN(3e6)), GenLateFraction: rng.Float64() / 50}
					if step > 0 {
						rec.SLOMet = step < 2
						if !rec.SLOMet {
							rec.SLOBreaks = []string{"p99 140ms over 100ms"}
						}
					}
					if rec.Errors > 0 {
						rec.ByClass = map[string]int64{"http-5xx": rec.Errors - 1, "timeout": 1}
					}
					if trial%5 == 4 {
						rec.Valid, rec.InvalidReasons = false, []string{"achieved rate 83% of requested", "generator lagged 12 ms"}
					}
					run.Records = append(run.Records, rec)
					trial++
				}
			}
		}
	}
	if err := run.Check(); err != nil {
		t.Fatal(err)
	}
	return run
}

// Diff lists the fields where got differs from want: times compare by instant, JSON by content,
// and nil and empty slices and maps are the same.
func Diff(want, got *results.Run) []string {
	var out []string
	diffValue("run", reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem(), &out)
	return out
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

func diffValue(path string, a, b reflect.Value, out *[]string) {
	if len(*out) > 20 {
		return
	}
	switch {
	case a.Type() == timeType:
		if ta, tb := a.Interface().(time.Time), b.Interface().(time.Time); !ta.Equal(tb) {
			*out = append(*out, fmt.Sprintf("%s: %v ≠ %v", path, ta, tb))
		}
	case a.Type() == rawType:
		var ca, cb bytes.Buffer
		_ = json.Compact(&ca, a.Bytes())
		_ = json.Compact(&cb, b.Bytes())
		if ca.String() != cb.String() {
			*out = append(*out, fmt.Sprintf("%s: %s ≠ %s", path, ca.String(), cb.String()))
		}
	case a.Kind() == reflect.Struct:
		for i := range a.NumField() {
			diffValue(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), out)
		}
	case a.Kind() == reflect.Slice:
		if a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s: %d elements ≠ %d", path, a.Len(), b.Len()))
			return
		}
		for i := range a.Len() {
			diffValue(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), out)
		}
	case a.Kind() == reflect.Map:
		if a.Len() == 0 && b.Len() == 0 {
			return
		}
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: %v ≠ %v", path, a.Interface(), b.Interface()))
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: %s ≠ %s", path, short(a.Interface()), short(b.Interface())))
		}
	}
}

// short prints v, eliding the middle of a long value (an encoded histogram).
func short(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 60 {
		return fmt.Sprintf("%s…%s (%d bytes)", s[:24], s[len(s)-24:], len(s))
	}
	return s
}
