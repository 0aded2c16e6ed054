package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"stacklab/harness/lab"
	"stacklab/harness/plan"
	"stacklab/results"
	"stacklab/results/compare"
	"stacklab/results/stats"
	"stacklab/stacks"
)

// gate is the CI regression gate: it builds the stacks at a base commit and at the working tree,
// runs both builds side by side, interleaved in one lab run (so machine drift hits both alike),
// and compares them. Exit status 1 when a judged metric of a stack regresses significantly beyond
// its minimum effect, or when a stack does not conform in the new build.
//
// Every metric is shown; by default only throughput, CPU per request and errors are judged. On the
// lab's shared 2-vCPU machines the A/A noise floor of tail latencies is wide (p99 differs by 18%
// at the median and 42% at p95 between identical twins), so with 6 rounds a gate on them would
// fail for nothing in about one run in seven; -judge all judges them too, for quieter hardware.
func gate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness gate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "HEAD~1", "the base commit (any git revision)")
	planFile := fs.String("plan", "", "plan file (default: the built-in gate plan)")
	out := fs.String("out", "lab-results", "folder for the spool, the reports and the work files")
	format := fs.String("format", "text", "text or markdown")
	effects := fs.String("min-effect", "", "minimum effects, e.g. throughput=3%,p99=8%")
	judge := fs.String("judge", "throughput,cpu/req,errors", "the metrics that fail the gate (comma-separated, or all)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	f, err := compare.ParseFormat(*format)
	if err != nil {
		return err
	}
	opt := compare.Options{}
	if *effects != "" {
		if opt.MinEffect, err = compare.ParseEffects(*effects); err != nil {
			return err
		}
	}
	p, err := plan.Builtin("gate")
	if *planFile != "" {
		p, err = plan.Load(*planFile)
	}
	if err != nil {
		return err
	}
	env, closeEnv, err := openLab(ctx, *out, stderr)
	if err != nil {
		return err
	}
	defer closeEnv()

	if p.Stacks, err = resolveTouched(ctx, env.repo, *base, p.Stacks, stderr); err != nil {
		return err
	}
	specs, err := lab.ResolveStacks(p.Stacks)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "gate: building the base (%s) and the new build\n", *base)
	builds, baseCommit, err := gateBuilds(ctx, env, *base, lab.Experiments(specs))
	if err != nil {
		return err
	}
	// Only stacks both builds have can be compared; the rest are named.
	baseStacks, err := listStacks(ctx, builds[0].Bins)
	if err != nil {
		return err
	}
	var common []string
	for _, s := range specs {
		if slices.Contains(baseStacks, s.Name()) {
			common = append(common, s.Name())
		} else {
			fmt.Fprintf(stderr, "gate: %s is new (no base to compare with)\n", s)
		}
	}
	if len(common) == 0 {
		return errors.New("gate: the base and the new build have no stack in common")
	}
	p.Stacks, p.AA = common, false

	cfg := env.config(p, stderr)
	cfg.Builds = builds
	run, runErr := lab.Run(ctx, cfg)
	if run == nil {
		return runErr
	}
	if err := env.keep(ctx, run, false, io.Discard, stderr); err != nil {
		return errors.Join(runErr, err)
	}
	if runErr != nil {
		return runErr
	}
	baseRun, newRun := wholeTrials(compare.SplitByLabel(run, "base")), wholeTrials(compare.SplitByLabel(run, "new"))
	baseRun.Env.GitCommit, baseRun.Env.GitDirty = baseCommit, false
	if err := compare.Compare(baseRun, newRun, opt).Write(stdout, f); err != nil {
		return err
	}
	judged := opt
	if judged.Metrics, err = metricsNamed(*judge); err != nil {
		return err
	}
	res := compare.Compare(baseRun, newRun, judged)
	failed := res.Regressed()
	fmt.Fprintf(stdout, "gate: judged %s: %d regressions, %d improvements, %d unchanged, %d with insufficient samples\n",
		*judge, res.Count(compare.Regression), res.Count(compare.Improvement), res.Count(compare.NoChange), res.Count(compare.Insufficient))
	for _, st := range run.Stacks {
		if st.Label == "new" && !st.Conformance.OK() {
			fmt.Fprintf(stdout, "gate: %s does not conform in the new build: %v\n", st.Name, st.Conformance.Failures)
			failed = true
		}
	}
	if failed {
		fmt.Fprintln(stdout, "gate: FAIL")
		return exitError(1)
	}
	fmt.Fprintln(stdout, "gate: pass")
	return nil
}

// wholeTrials keeps a run's op=all records: the gate judges whole trials. The operations of a mix
// have a few dozen requests per trial each, too few for their tails to decide anything.
func wholeTrials(run *results.Run) *results.Run {
	run.Records = slices.DeleteFunc(slices.Clone(run.Records), func(r results.Record) bool { return r.Op != "all" })
	return run
}

// resolveTouched replaces "touched" among a plan's stacks by the variants whose part's code differs
// between base and the working tree (stacks.Touched), so the gate measures what a change can move:
// the baseline (for the app and everything shared) and the variants of the parts it touched.
func resolveTouched(ctx context.Context, repo, base string, names []string, stderr io.Writer) ([]string, error) {
	i := slices.Index(names, "touched")
	if i < 0 {
		return names, nil
	}
	out, err := exec.CommandContext(ctx, "git", "-C", repo, "diff", "--name-only", base).Output()
	if err != nil {
		return nil, fmt.Errorf("gate: the files changed since %s: %w", base, err)
	}
	var touched []string
	for _, s := range stacks.Touched(strings.Fields(string(out))) {
		touched = append(touched, s.Name())
	}
	if len(touched) == 0 {
		fmt.Fprintf(stderr, "gate: no part's code changed since %s\n", base)
	} else {
		fmt.Fprintf(stderr, "gate: parts changed since %s: measuring %s\n", base, strings.Join(touched, ", "))
	}
	return slices.Concat(names[:i], touched, names[i+1:]), nil
}

// gateBuilds builds the stack binaries at base (in a temporary git worktree) and in the working
// tree, one per experiment, and resolves base to its commit.
func gateBuilds(ctx context.Context, env *labEnv, base string, experiments []string) (builds []lab.Build, commit string, err error) {
	rev, err := exec.CommandContext(ctx, "git", "-C", env.repo, "rev-parse", "--verify", base+"^{commit}").Output()
	if err != nil {
		return nil, "", fmt.Errorf("gate: the base %q is not a commit here: %w", base, err)
	}
	commit = strings.TrimSpace(string(rev))
	src := filepath.Join(env.work, "base-src")
	if out, err := exec.CommandContext(ctx, "git", "-C", env.repo, "worktree", "add", "--detach", src, commit).CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("gate: checking out the base %q: %w\n%s", base, err, out)
	}
	defer func() {
		_ = exec.Command("git", "-C", env.repo, "worktree", "remove", "--force", src).Run()
	}()
	baseBins, err := lab.BuildStacks(ctx, src, filepath.Join(env.work, "stack-base"), experiments)
	if err != nil {
		return nil, "", fmt.Errorf("gate: the base: %w", err)
	}
	newBins, err := lab.BuildStacks(ctx, env.repo, filepath.Join(env.work, "stack-new"), experiments)
	if err != nil {
		return nil, "", fmt.Errorf("gate: the new build: %w", err)
	}
	return []lab.Build{{Label: "base", Bins: baseBins}, {Label: "new", Bins: newBins}}, commit, nil
}

// metricsNamed reads a comma-separated list of metric names ("all": every metric).
func metricsNamed(list string) ([]stats.Metric, error) {
	if list == "all" {
		return stats.Metrics(), nil
	}
	var out []stats.Metric
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(stats.Metrics(), func(m stats.Metric) bool { return m.Name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("gate: unknown metric %q (known: %v)", name, metricNames())
		}
		out = append(out, stats.Metrics()[i])
	}
	return out, nil
}

func metricNames() []string {
	var names []string
	for _, m := range stats.Metrics() {
		names = append(names, m.Name)
	}
	return names
}

// listStacks asks a build's binaries which stacks they can run.
func listStacks(ctx context.Context, bins map[string]string) ([]string, error) {
	var names []string
	for _, bin := range bins {
		out, err := exec.CommandContext(ctx, bin, "-list").Output()
		if err != nil {
			return nil, fmt.Errorf("gate: %s -list: %w", bin, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				names = append(names, s)
			}
		}
	}
	return names, nil
}
