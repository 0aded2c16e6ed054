package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"stacklab/results"
	"stacklab/results/clickhouse"
	"stacklab/results/compare"
	"stacklab/results/spool"
)

// publish uploads every spooled run not yet in the ClickHouse of CLICKHOUSE_URL, exactly once.
func publish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "lab-results", "the folder holding the spool")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, ok, err := clickhouse.ConfigFromEnv()
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("set CLICKHOUSE_URL (e.g. 127.0.0.1:9000, or clickhouse://user:password@host:9000/stacklab) to publish to")
	}
	sp, err := spool.Open(filepath.Join(*out, "spool"))
	if err != nil {
		return err
	}
	sink, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("%w (the runs stay in the spool)", err)
	}
	defer sink.Close()
	n, err := clickhouse.PublishPending(ctx, sp, sink, func(id string, published bool) {
		state := "already there"
		if published {
			state = "published"
		}
		fmt.Fprintf(stdout, "%s: %s\n", id, state)
	})
	fmt.Fprintf(stdout, "%d runs published to %s\n", n, sink)
	return err
}

// loadRuns reads runs from the spool by id, by path, or "latest" / "previous".
func loadRuns(sp *spool.Spool, refs []string) ([]*results.Run, error) {
	var runs []*results.Run
	for _, ref := range refs {
		run, err := loadRun(sp, ref)
		if err != nil {
			return nil, err
		}
		runs = append(runs, run)
	}
	return runs, nil
}

func loadRun(sp *spool.Spool, ref string) (*results.Run, error) {
	if ref != "latest" && ref != "previous" {
		return sp.Load(ref)
	}
	list, err := sp.List()
	if err != nil {
		return nil, err
	}
	var ok []spool.Entry
	for _, e := range list {
		if e.Err == nil {
			ok = append(ok, e)
		}
	}
	i := len(ok) - 1 // List is oldest first
	if ref == "previous" {
		i--
	}
	if i < 0 {
		return nil, fmt.Errorf("the spool %s has no %s run", sp.Dir(), ref)
	}
	return sp.Load(ok[i].ID)
}

// reportCmd rebuilds the report of spooled runs (default: the latest).
func reportCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "lab-results", "the folder holding the spool; reports go to OUT/<run id>/")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	sp, err := spool.Open(filepath.Join(*out, "spool"))
	if err != nil {
		return err
	}
	refs := fs.Args()
	if len(refs) == 0 {
		refs = []string{"latest"}
	}
	runs, err := loadRuns(sp, refs)
	if err != nil {
		return err
	}
	return writeReports(*out, sp, runs, stdout, stderr)
}

// compareCmd compares two runs (exit status 1 on a significant regression beyond the minimum
// effect), or with -aa the twins of one A/A run.
func compareCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "lab-results", "the folder holding the spool")
	aa := fs.Bool("aa", false, "A/A: compare the a and b twins of one run (the lab's noise floor)")
	format := fs.String("format", "text", "text or markdown")
	effects := fs.String("min-effect", "", "minimum effects, e.g. throughput=3%,p99=8%,errors=0.2pp")
	alpha := fs.Float64("alpha", 0, "significance level (default 0.05)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: harness compare [flags] BASE NEW   (runs: spool ids, .json paths, latest, previous)")
		fmt.Fprintln(stderr, "       harness compare -aa [flags] RUN")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	f, err := compare.ParseFormat(*format)
	if err != nil {
		return err
	}
	opt := compare.Options{Alpha: *alpha}
	if *effects != "" {
		if opt.MinEffect, err = compare.ParseEffects(*effects); err != nil {
			return err
		}
	}
	sp, err := spool.Open(filepath.Join(*out, "spool"))
	if err != nil {
		return err
	}
	want := 2
	if *aa {
		want = 1
	}
	if fs.NArg() != want {
		fs.Usage()
		return errUsage
	}
	runs, err := loadRuns(sp, fs.Args())
	if err != nil {
		return err
	}
	if *aa {
		return compare.AA(runs[0], opt).Write(stdout, f)
	}
	res := compare.Compare(runs[0], runs[1], opt)
	if err := res.Write(stdout, f); err != nil {
		return err
	}
	if res.Regressed() {
		return exitError(1)
	}
	return nil
}
