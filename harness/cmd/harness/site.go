package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"stacklab/results/clickhouse"
	"stacklab/results/report"
	"stacklab/results/site"
	"stacklab/results/spool"
	"stacklab/stacks"
)

// siteCmd writes the results site: every run of the spool, and of the ClickHouse of
// CLICKHOUSE_URL when it is set (the runs the spool lacks), judged against the registry's
// baseline under the latest A/A noise floor of each run's machine.
func siteCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness site", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spoolDir := fs.String("spool", filepath.Join("lab-results", "spool"), "the spool holding the runs")
	out := fs.String("out", filepath.Join("lab-results", "site"), "the folder to write the site into (replaced whole when it is a site written before)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: harness site [-spool DIR] [-out DIR]   (adds the runs of CLICKHOUSE_URL when it is set)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	sp, err := spool.Open(*spoolDir)
	if err != nil {
		return err
	}
	opt := site.Options{Report: report.Options{Baseline: stacks.Baseline().Name()}, DimensionTitles: map[string]string{},
		Sources: []string{"spool " + *spoolDir}}
	for _, d := range stacks.Dimensions {
		opt.DimensionTitles[d.Key] = d.Title
	}
	var src site.Source
	cfg, ok, err := clickhouse.ConfigFromEnv()
	if err != nil {
		return err
	}
	if ok {
		sink, err := clickhouse.Open(ctx, cfg)
		if err != nil {
			return fmt.Errorf("%w (unset %s to build the site from the spool alone)", err, clickhouse.EnvURL)
		}
		defer sink.Close()
		src = sink
		opt.Sources = append(opt.Sources, sink.String())
	}
	runs, notes, err := site.Collect(ctx, sp, src)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(stderr, "site:", n)
	}
	opt.Notes = notes
	s, err := site.Build(runs, opt)
	if err != nil {
		return err
	}
	if err := s.Write(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "site: %s (%s, %s)\n", filepath.Join(*out, "index.html"), count(len(s.Runs), "run"), count(len(s.Dimensions), "dimension"))
	return nil
}

// count renders "1 run", "3 runs".
func count(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
