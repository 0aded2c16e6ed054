// Command loadgen drives a ledger stack with one of the lab's workloads and reports corrected and
// service-time latency percentiles, errors by class, and whether the generator itself could be
// trusted (see package stacklab/loadgen).
//
//	loadgen -url http://127.0.0.1:8080 -workload ledger-mix -rate 2000 -duration 30s -warmup 5s
//	loadgen -url http://127.0.0.1:8080 -workload plaintext -mode closed -conns 64 -duration 10s
//	loadgen -url http://127.0.0.1:8080 -workload transfer -sweep-start 500 -sweep-max 20000
//
// The human summary goes to stdout (or the file of -summary); -json writes the versioned JSON
// result and -bench the Go benchmark lines ("-" for stdout), written by the lab's one writer
// (results.WriteBench) from the run's records: BenchmarkLedger/[STACK/]workload=W/op=O, with
// /rate=R per sweep step, where -stack names the stack measured (e.g.
// http=nethttp/store=sqlc/json=std/redis=goredis, so that benchstat -col /json compares runs of
// two stacks). An invalid run's records are comment lines with the reasons. Progress goes to
// stderr.
// The exit status is 0 for a valid run, 1 for an error, 3 for a run marked invalid. Unless GOGC
// is set, the garbage collector's target is raised to 400 so that it pauses the generator less.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"stacklab/loadgen"
	"stacklab/results"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// The generator allocates little per request; a higher GC target means fewer
		// collections, hence fewer stop-the-world pauses, during a run.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		if errors.Is(err, errInvalid) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

var errInvalid = errors.New("the run is invalid (see the reasons above)")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		c                               loadgen.Config
		mode, arrival                   string
		jsonOut, benchOut, summaryOut   string
		stack                           string
		quiet, list                     bool
		sweepStart, sweepMax, sweepStep float64
		sweepFactor                     float64
		sloP99                          time.Duration
		sloErr, sloAchieved             float64
	)
	fs.StringVar(&c.Target, "url", "http://127.0.0.1:8080", "base URL of the stack")
	fs.StringVar(&c.Workload, "workload", "ledger-mix", "workload: "+strings.Join(loadgen.Workloads(), ", "))
	fs.StringVar(&mode, "mode", "open", "open (fixed schedule) or closed (as fast as possible)")
	fs.Float64Var(&c.Rate, "rate", 1000, "requested rate, requests/s (open loop)")
	fs.StringVar(&arrival, "arrival", "constant", "open-loop arrivals: constant or poisson")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "measured duration")
	fs.DurationVar(&c.Warmup, "warmup", 0, "warm-up before the measured duration (kept in the interval series only)")
	fs.DurationVar(&c.Interval, "interval", time.Second, "interval of the series")
	fs.IntVar(&c.Conns, "conns", 16, "connections opened at the start")
	fs.IntVar(&c.MaxConns, "max-conns", 0, "open loop: most connections when every one is busy (default: -conns)")
	fs.DurationVar(&c.Spin, "spin", 0, "open loop: wake this much before a request is due and spin (CPU for precision)")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the setup and of every random choice")
	fs.StringVar(&c.RunID, "run-id", "", "run id in created ids, 1–16 letters or digits (default: from the clock)")
	fs.IntVar(&c.Accounts, "accounts", 1000, "accounts created and funded by the setup")
	fs.StringVar(&c.Skew, "skew", "uniform", "account choice: uniform or zipf")
	fs.Float64Var(&c.ZipfS, "zipf-s", 1.1, "Zipf exponent (> 1)")
	fs.IntVar(&c.SampleEvery, "sample-every", 100, "validate one body in N per connection (1: all; -1: none)")
	fs.BoolVar(&c.SkipSetup, "skip-setup", false, "skip the setup (accounts exist from a run with the same seed)")
	fs.StringVar(&c.Name, "name", "", "the run's name in the JSON result (default BenchmarkLoadgen/workload=W)")
	fs.StringVar(&stack, "stack", "", "the stack measured, key=part per dimension joined by / (names the benchmark lines)")
	fs.DurationVar(&c.Limits.MaxLag, "max-lag", time.Millisecond, "validity: largest scheduler lag p99")
	fs.Float64Var(&c.Limits.MaxCPUFraction, "max-cpu", 0.9, "validity: largest share of its processors the generator may use")
	fs.StringVar(&jsonOut, "json", "", "write the JSON result to this file (- for stdout)")
	fs.StringVar(&benchOut, "bench", "", "write Go benchmark lines to this file (- for stdout)")
	fs.StringVar(&summaryOut, "summary", "-", "write the human summary to this file (- for stdout, empty: none)")
	fs.BoolVar(&quiet, "q", false, "no progress on stderr")
	fs.BoolVar(&list, "list", false, "list the workloads and exit")
	fs.Float64Var(&sweepStart, "sweep-start", 0, "rate sweep: first rate (enables the sweep)")
	fs.Float64Var(&sweepMax, "sweep-max", 0, "rate sweep: highest rate")
	fs.Float64Var(&sweepStep, "sweep-step", 0, "rate sweep: rate added per step (default: multiply by -sweep-factor)")
	fs.Float64Var(&sweepFactor, "sweep-factor", 1.25, "rate sweep: rate multiplier per step")
	fs.DurationVar(&sloP99, "slo-p99", 100*time.Millisecond, "rate sweep SLO: largest corrected p99")
	fs.Float64Var(&sloErr, "slo-errors", 0.001, "rate sweep SLO: largest error rate")
	fs.Float64Var(&sloAchieved, "slo-achieved", 0.95, "rate sweep SLO: smallest completed/requested")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if list {
		for _, n := range loadgen.Workloads() {
			fmt.Fprintln(stdout, n)
		}
		return nil
	}
	c.Mode, c.Arrival = loadgen.Mode(mode), loadgen.Arrival(arrival)
	base := results.Record{Stack: stack} // the generator does not judge conformance
	if stack != "" {
		dims, err := results.ParseDims(stack)
		if err != nil {
			return fmt.Errorf("-stack: %w", err)
		}
		base.Dims = dims
	}
	if !quiet {
		c.Progress = func(p loadgen.Progress) {
			line := fmt.Sprintf("%6.1fs %-7s sent %d done %d errors %d conns %d", p.Elapsed.Seconds(), p.Phase,
				p.Sent, p.Completed, p.Errors, p.Conns)
			if p.Last != nil {
				line += fmt.Sprintf(" | last interval: %d req, p99 %v (svc %v)", p.Last.Requests,
					time.Duration(p.Last.Corrected.P99), time.Duration(p.Last.Service.P99))
			}
			fmt.Fprintln(stderr, line)
		}
	}
	if sweepStart > 0 {
		if sweepMax == 0 {
			sweepMax = sweepStart * 100
		}
		sw := loadgen.SweepConfig{Start: sweepStart, Max: sweepMax, Step: sweepStep, Factor: sweepFactor,
			SLO: loadgen.SLO{P99: sloP99, MaxErrorRate: sloErr, MinAchieved: sloAchieved}}
		res, err := loadgen.Sweep(ctx, c, sw)
		if res != nil {
			bench := func(w io.Writer) error {
				var cfg *loadgen.Result
				if len(res.Runs) > 0 {
					cfg = res.Runs[0]
				}
				return results.WriteBench(w, benchConfig(cfg, true), res.Records(base), nil)
			}
			if werr := writeOutputs(res, res.WriteSummary, bench, jsonOut, benchOut, summaryOut, stdout); werr != nil {
				return errors.Join(err, werr)
			}
		}
		return err
	}
	res, err := loadgen.Run(ctx, c)
	if res != nil {
		bench := func(w io.Writer) error {
			return results.WriteBench(w, benchConfig(res, false), res.Records(base), nil)
		}
		if werr := writeOutputs(res, res.WriteSummary, bench, jsonOut, benchOut, summaryOut, stdout); werr != nil {
			return errors.Join(err, werr)
		}
	}
	if err != nil {
		return err
	}
	if !res.Valid {
		return errInvalid
	}
	return nil
}

// benchConfig are the file configuration lines of a run's benchmark output: how the generator
// ran (the first step's settings for a sweep, whose rate each line names).
func benchConfig(r *loadgen.Result, sweep bool) []results.BenchConfig {
	if r == nil {
		return nil
	}
	cfg := []results.BenchConfig{
		{Key: "loadgen-schema", Value: strconv.Itoa(loadgen.SchemaVersion)},
		{Key: "loadgen-workload", Value: r.Config.Workload},
		{Key: "loadgen-mode", Value: string(r.Mode)},
	}
	if r.Mode == loadgen.ModeOpen {
		cfg = append(cfg, results.BenchConfig{Key: "loadgen-arrival", Value: string(r.Arrival)})
		if !sweep {
			cfg = append(cfg, results.BenchConfig{Key: "loadgen-rate", Value: strconv.FormatFloat(r.RequestedRate, 'g', -1, 64)})
		}
	}
	cfg = append(cfg, results.BenchConfig{Key: "loadgen-conns", Value: strconv.Itoa(r.Config.Conns)})
	if !sweep {
		cfg = append(cfg, results.BenchConfig{Key: "loadgen-valid", Value: strconv.FormatBool(r.Valid)})
	}
	return cfg
}

func writeOutputs(v any, summary, bench func(io.Writer) error, jsonOut, benchOut, summaryOut string, stdout io.Writer) error {
	if summaryOut != "" {
		if err := toFile(summaryOut, stdout, summary); err != nil {
			return err
		}
	}
	if benchOut != "" {
		if err := toFile(benchOut, stdout, bench); err != nil {
			return err
		}
	}
	if jsonOut != "" {
		return toFile(jsonOut, stdout, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			if err := enc.Encode(v); err != nil {
				return fmt.Errorf("encoding JSON result: %w", err)
			}
			return nil
		})
	}
	return nil
}

func toFile(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", path, err)
	}
	return nil
}
