package results

import (
	"fmt"
	"io"
	"sort"
	"strconv"

	"golang.org/x/perf/benchfmt"
)

// BenchName is a record's name in Go benchmark format. The stack's dimensions are sub-name keys, so
// `benchstat -col /json` compares the JSON codecs with everything else held fixed. Sweep steps
// (Step > 0) carry their requested rate.
func (r *Record) BenchName() string {
	name := "BenchmarkLedger/" + StackKey(r.Stack, r.Label) + "/workload=" + r.Workload + "/op=" + r.Op
	if r.Step > 0 { // a sweep's steps differ by their requested rate
		name += "/rate=" + strconv.FormatFloat(r.RequestedRate, 'f', -1, 64)
	}
	return name
}

// Units of the benchmark format view. Latencies are the corrected ones unless prefixed svc-.
const (
	UnitRate      = "req/s"
	UnitP50       = "p50-ns"
	UnitP99       = "p99-ns"
	UnitP999      = "p99.9-ns"
	UnitMax       = "max-ns"
	UnitSvcP50    = "svc-p50-ns"
	UnitSvcP99    = "svc-p99-ns"
	UnitCPU       = "cpu-ns/req"
	UnitTotalCPU  = "total-cpu-ns/req"
	UnitErrorRate = "errors/op"
)

// BenchValues are the record's measurements in benchmark units.
func (r *Record) BenchValues() []benchfmt.Value {
	v := []benchfmt.Value{
		{Value: r.Rate, Unit: UnitRate},
		{Value: float64(r.Corrected.P50), Unit: UnitP50},
		{Value: float64(r.Corrected.P99), Unit: UnitP99},
		{Value: float64(r.Corrected.P999), Unit: UnitP999},
		{Value: float64(r.Corrected.Max), Unit: UnitMax},
		{Value: float64(r.Service.P50), Unit: UnitSvcP50},
		{Value: float64(r.Service.P99), Unit: UnitSvcP99},
	}
	if c := r.CPUPerRequest(); c > 0 {
		v = append(v, benchfmt.Value{Value: c * 1e3, Unit: UnitCPU})
	}
	if c := r.TotalCPUPerRequest(); c > 0 {
		v = append(v, benchfmt.Value{Value: c * 1e3, Unit: UnitTotalCPU})
	}
	return append(v, benchfmt.Value{Value: r.ErrorRate(), Unit: UnitErrorRate})
}

// WriteBench writes the run in Go benchmark format: the environment as file configuration, then one
// line per valid record of a conforming stack, rounds in order (each round is one sample for
// benchstat). Records left out (invalid trials, stacks that do not conform) are listed in comment
// lines, which benchmark format readers skip.
func (run *Run) WriteBench(w io.Writer) error {
	cfg := []benchfmt.Config{
		{Key: "goos", Value: []byte("linux"), File: true},
		{Key: "cpu", Value: []byte(run.Env.CPUModel), File: true},
		{Key: "run", Value: []byte(run.ID), File: true},
		{Key: "commit", Value: []byte(run.Env.GitCommit), File: true},
		{Key: "kernel", Value: []byte(run.Env.Kernel), File: true},
		{Key: "go", Value: []byte(run.Env.GoVersion), File: true},
		{Key: "gomaxprocs", Value: []byte(strconv.Itoa(run.Env.GOMAXPROCS)), File: true},
	}
	recs := make([]*Record, 0, len(run.Records))
	var excluded []string
	for i := range run.Records {
		r := &run.Records[i]
		switch {
		case !r.Conformant:
			excluded = append(excluded, fmt.Sprintf("%s round %d: the stack does not conform", r.BenchName(), r.Round))
		case !r.Valid:
			excluded = append(excluded, fmt.Sprintf("%s round %d: invalid trial: %v", r.BenchName(), r.Round, r.InvalidReasons))
		default:
			recs = append(recs, r)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Round < recs[j].Round })
	bw := benchfmt.NewWriter(w)
	for _, r := range recs {
		res := &benchfmt.Result{Config: cfg, Name: benchfmt.Name(r.BenchName()), Iters: int(r.Requests), Values: r.BenchValues()}
		if err := bw.Write(res); err != nil {
			return fmt.Errorf("writing benchmark line for %s: %w", r.BenchName(), err)
		}
	}
	for _, e := range excluded {
		if _, err := fmt.Fprintf(w, "# excluded: %s\n", e); err != nil {
			return fmt.Errorf("writing benchmark comments: %w", err)
		}
	}
	return nil
}
