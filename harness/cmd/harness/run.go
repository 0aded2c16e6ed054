package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"stacklab/harness/lab"
	"stacklab/harness/plan"
	"stacklab/harness/services"
	"stacklab/results"
	"stacklab/results/clickhouse"
	"stacklab/results/compare"
	"stacklab/results/report"
	"stacklab/results/spool"
	"stacklab/stacks"
)

// runLab runs a plan and keeps its results: the spool first, then ClickHouse, then the report.
func runLab(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planFile := fs.String("plan", "", "plan file, or the name of a built-in plan (default, quick, full, gate, …; default: default)")
	quick := fs.Bool("quick", false, "run the built-in quick plan (a short smoke run)")
	aa := fs.Bool("aa", false, "A/A: run every stack twice (labels a and b) to measure the lab's noise floor")
	out := fs.String("out", "lab-results", "folder for the spool, the reports and the work files")
	chMode := fs.String("clickhouse", "auto", "auto (CLICKHOUSE_URL, else an embedded server when installed) or off")
	dimension := fs.String("dimension", "", "study one dimension in depth (http, store, …): the baseline and that dimension's variants, its workloads and sweeps, at least 10 rounds")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	p, err := choosePlan(*planFile, *quick)
	if err != nil {
		return err
	}
	if *dimension != "" {
		if p, err = lab.InDepth(p, *dimension); err != nil {
			return err
		}
	}
	if *aa {
		p.AA = true
	}
	env, closeEnv, err := openLab(ctx, *out, stderr)
	if err != nil {
		return err
	}
	defer closeEnv()
	run, runErr := lab.Run(ctx, env.config(p, stderr))
	if run == nil {
		return runErr
	}
	return errors.Join(runErr, env.keep(ctx, run, *chMode != "off", stdout, stderr))
}

// labEnv is what a lab run works in: the repository, the output folder and its spool, a work
// folder, the services and the Kafka broker.
type labEnv struct {
	repo, out, work string
	sp              *spool.Spool
	svc             *services.Services
	kafka           lab.Kafka
}

// openLab prepares a lab run: folders, Kafka in its own process (unless KAFKA_BROKERS is set), and
// the other services. The returned function releases them all.
func openLab(ctx context.Context, out string, stderr io.Writer) (env *labEnv, closeAll func(), err error) {
	// The load generator runs in this process: collect garbage less often, as cmd/loadgen does,
	// so its own GC pauses do not invalidate trials.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	env = &labEnv{}
	if env.repo, err = repoRoot(); err != nil {
		return nil, nil, err
	}
	if env.out, err = filepath.Abs(out); err != nil {
		return nil, nil, fmt.Errorf("output folder: %w", err)
	}
	if env.sp, err = spool.Open(filepath.Join(env.out, "spool")); err != nil {
		return nil, nil, err
	}
	if env.work, err = os.MkdirTemp(mkdir(env.out), "work-"); err != nil {
		return nil, nil, fmt.Errorf("making a work folder: %w", err)
	}
	var closers []func()
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	closers = append(closers, func() { os.RemoveAll(env.work) })
	cfg := services.ConfigFromEnv()
	if len(cfg.KafkaBrokers) == 0 {
		b, err := startBroker(env.work)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, b.close)
		env.kafka = lab.Kafka{Brokers: []string{b.addr}, PIDs: []int{b.pid()}, Version: services.KfakeVersion() + " (embedded, own process)",
			Restart: b.restart, PIDsNow: func() []int { return []int{b.pid()} }}
		cfg.KafkaBrokers = env.kafka.Brokers
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	env.svc, err = services.Start(sctx, cfg)
	cancel()
	if err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("starting services: %w", err)
	}
	closers = append(closers, func() { closeServices(env.svc, stderr) })
	for _, e := range []services.Endpoint{env.svc.Postgres, env.svc.Redis, env.svc.Kafka} {
		fmt.Fprintf(stderr, "service %-8s %-13s %s\n", e.Service, e.Source, e.URL)
	}
	if env.kafka.Brokers == nil {
		env.kafka = lab.Kafka{Brokers: env.svc.Brokers, PIDs: env.svc.Kafka.PIDs, Version: env.svc.Kafka.Version}
	}
	return env, closeAll, nil
}

// config is the lab configuration of a plan in this environment.
func (env *labEnv) config(p *plan.Plan, stderr io.Writer) lab.Config {
	fmt.Fprintf(stderr, "plan %q: %s\n", p.Name, p.Description)
	return lab.Config{Plan: p, RepoDir: env.repo, WorkDir: env.work, Services: env.svc, Kafka: env.kafka,
		Report: lab.NewReporter(stderr)}
}

// keep stores a run: the spool first (always), then ClickHouse, then the report.
func (env *labEnv) keep(ctx context.Context, run *results.Run, toClickHouse bool, stdout, stderr io.Writer) error {
	path, err := env.sp.Write(run)
	if err != nil {
		return fmt.Errorf("spooling the run: %w", err)
	}
	fmt.Fprintf(stderr, "spooled %s\n", path)
	if toClickHouse {
		publishRun(ctx, env.sp, run, stderr)
	}
	return writeReports(env.out, env.sp, []*results.Run{run}, stdout, stderr)
}

func choosePlan(file string, quick bool) (*plan.Plan, error) {
	switch {
	case file != "" && quick:
		return nil, errors.New("-plan and -quick: choose one")
	case file != "":
		if _, err := os.Stat(file); err != nil && !strings.ContainsAny(file, "/.") {
			return plan.Builtin(file) // a built-in plan's name: -plan full
		}
		return plan.Load(file)
	case quick:
		return plan.Builtin("quick")
	}
	return plan.Builtin("default")
}

// repoRoot is the folder holding go.work, looked for from the working folder upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the repository: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.work in %s or above: run the harness from the repository", dir)
		}
	}
}

func mkdir(dir string) string {
	_ = os.MkdirAll(dir, 0o755) // MkdirTemp reports the failure, if any
	return dir
}

// publishRun puts a spooled run into ClickHouse: CLICKHOUSE_URL, else an embedded server when one
// is installed (its data is gone when the run ends: the spool keeps the run), else nowhere. A
// failure is reported; the run stays in the spool for `harness publish`.
func publishRun(ctx context.Context, sp *spool.Spool, run *results.Run, stderr io.Writer) {
	cfg, ok, err := clickhouse.ConfigFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, "clickhouse:", err)
		return
	}
	if !ok {
		if !services.ClickHouseInstalled() {
			fmt.Fprintln(stderr, "clickhouse: no CLICKHOUSE_URL and no clickhouse-server installed: the run is in the spool only")
			return
		}
		srv, err := services.StartClickHouse(ctx, "")
		if err != nil {
			fmt.Fprintln(stderr, "clickhouse: starting the embedded server:", err, "(the run is in the spool)")
			return
		}
		defer srv.Close()
		cfg = srv.Config("")
		fmt.Fprintf(stderr, "clickhouse: embedded %s at %s (temporary: set CLICKHOUSE_URL to keep results)\n", srv.Version(), srv.Addr())
	}
	sink, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "clickhouse:", err, "(the run stays in the spool; `harness publish` uploads it later)")
		return
	}
	defer sink.Close()
	published, err := sink.Publish(ctx, run)
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "clickhouse: publishing:", err, "(the run stays in the spool)")
	case sink.Name() != "":
		if err := sp.MarkPublished(run.ID, sink.Name()); err != nil {
			fmt.Fprintln(stderr, "spool:", err)
		}
		fallthrough
	default:
		fmt.Fprintf(stderr, "clickhouse: run %s published to %s (new: %v, %d records)\n", run.ID, sink, published, len(run.Records))
	}
}

// writeReports writes the HTML and Markdown reports and the benchmark text of runs into
// out/<last run id>/, and the Markdown summary to stdout.
func writeReports(out string, sp *spool.Spool, runs []*results.Run, stdout, stderr io.Writer) error {
	last := runs[len(runs)-1]
	floor := latestFloor(sp, last)
	rep, err := report.Build(runs, report.Options{Baseline: stacks.Baseline().Name(), NoiseFloor: floor})
	if err != nil {
		return fmt.Errorf("building the report: %w", err)
	}
	dir := filepath.Join(out, runs[len(runs)-1].ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report folder: %w", err)
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"report.html", rep.WriteHTML}, {"report.md", rep.WriteMarkdown}, {"bench.txt", rep.WriteBench}} {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "report: %s (also report.md, bench.txt)\n", filepath.Join(dir, "report.html"))
	if err := rep.WriteMarkdown(stdout); err != nil {
		return fmt.Errorf("writing the summary: %w", err)
	}
	return nil
}

// latestFloor is the A/A noise floor of the newest A/A run in the spool made on run's machine
// (compare.LatestFloor), nil when there is none. It reads the spool newest first and stops at the
// first A/A run of that machine.
func latestFloor(sp *spool.Spool, run *results.Run) *compare.Floor {
	entries, err := sp.List()
	if err != nil {
		return nil
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Err != nil || e.ID == run.ID {
			continue
		}
		c, err := sp.Load(e.ID)
		if err != nil {
			continue
		}
		if f := compare.LatestFloor([]*results.Run{c}, run, compare.Options{}); f != nil {
			return f
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
