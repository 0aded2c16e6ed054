package results

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// BenchPrefix starts every benchmark name of the lab; benchmark lines read "Benchmark" + the name.
const BenchPrefix = "Ledger"

// benchName is the record's benchmark name without the "Benchmark" that begins every benchmark
// line (benchfmt writes it, and strips it when reading).
func (r *Record) benchName() string {
	parts := []string{BenchPrefix}
	if key := StackKey(r.Stack, r.Label); key != "" {
		parts = append(parts, key)
	}
	parts = append(parts, "workload="+r.Workload, "op="+r.Op)
	if r.Step > 0 { // a sweep's steps differ by their requested rate
		parts = append(parts, "rate="+strconv.FormatFloat(r.RequestedRate, 'f', -1, 64))
	}
	return strings.Join(parts, "/")
}

// BenchName is the record's name on its benchmark line, e.g.
// BenchmarkLedger/http=nethttp/store=sqlc/json=std/redis=goredis/workload=transfer@1000/op=all. The
// stack's dimensions (and an A/A label) are sub-name keys, so `benchstat -col /json` compares the
// JSON codecs with everything else held fixed. Sweep steps (Step > 0) carry their requested rate.
func (r *Record) BenchName() string { return "Benchmark" + r.benchName() }

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

// BenchConfig is one file configuration line of the benchmark format ("key: value").
type BenchConfig struct{ Key, Value string }

// WriteBench is the one writer of the benchmark format view of records: the configuration lines,
// then one line per valid record, rounds in order (each round is one sample for benchstat), then
// a comment line per record left out (benchmark format readers skip comments): invalid trials
// with their reasons, and records exclude gives a reason for (exclude may be nil).
func WriteBench(w io.Writer, config []BenchConfig, recs []Record, exclude func(*Record) string) error {
	cfg := make([]benchfmt.Config, len(config))
	for i, c := range config {
		cfg[i] = benchfmt.Config{Key: c.Key, Value: []byte(c.Value), File: true}
	}
	keep := make([]*Record, 0, len(recs))
	var excluded []string
	for i := range recs {
		r := &recs[i]
		why := ""
		if exclude != nil {
			why = exclude(r)
		}
		switch {
		case why != "":
			excluded = append(excluded, fmt.Sprintf("%s round %d: %s", r.BenchName(), r.Round, why))
		case !r.Valid:
			excluded = append(excluded, fmt.Sprintf("%s round %d: invalid trial: %s", r.BenchName(), r.Round, strings.Join(r.InvalidReasons, "; ")))
		default:
			keep = append(keep, r)
		}
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].Round < keep[j].Round })
	bw := benchfmt.NewWriter(w)
	for _, r := range keep {
		res := &benchfmt.Result{Config: cfg, Name: benchfmt.Name(r.benchName()), Iters: int(r.Requests), Values: r.BenchValues()}
		if err := bw.Write(res); err != nil {
			return fmt.Errorf("writing the benchmark line of %s: %w", r.BenchName(), err)
		}
	}
	if len(keep) == 0 && len(cfg) > 0 { // no line to carry them: the configuration on its own
		for _, c := range config {
			if _, err := fmt.Fprintf(w, "%s: %s\n", c.Key, c.Value); err != nil {
				return fmt.Errorf("writing benchmark configuration: %w", err)
			}
		}
	}
	for _, e := range excluded {
		if _, err := fmt.Fprintf(w, "# excluded: %s\n", e); err != nil {
			return fmt.Errorf("writing benchmark comments: %w", err)
		}
	}
	return nil
}

// WriteBench writes the run in Go benchmark format (the package's WriteBench): the environment as
// file configuration, then the valid records of conforming stacks; records of stacks that do not
// conform are left out with a comment.
func (run *Run) WriteBench(w io.Writer) error {
	config := []BenchConfig{
		{"goos", "linux"},
		{"cpu", run.Env.CPUModel},
		{"run", run.ID},
		{"commit", run.Env.GitCommit},
		{"kernel", run.Env.Kernel},
		{"go", run.Env.GoVersion},
		{"gomaxprocs", strconv.Itoa(run.Env.GOMAXPROCS)},
	}
	return WriteBench(w, config, run.Records, func(r *Record) string {
		if !r.Conformant {
			return "the stack does not conform"
		}
		return ""
	})
}
