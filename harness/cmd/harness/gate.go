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
)

// gate is the CI regression gate: it builds the stacks at a base commit and at the working tree,
// runs both builds side by side, interleaved in one lab run (so machine drift hits both alike),
// and compares them. Exit status 1 when a stack regresses significantly beyond the minimum effect,
// or when a stack that conformed at the base does not conform any more.
func gate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness gate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "HEAD~1", "the base commit (any git revision)")
	planFile := fs.String("plan", "", "plan file (default: the built-in gate plan)")
	out := fs.String("out", "lab-results", "folder for the spool, the reports and the work files")
	format := fs.String("format", "text", "text or markdown")
	effects := fs.String("min-effect", "", "minimum effects, e.g. throughput=3%,p99=8%")
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

	fmt.Fprintf(stderr, "gate: building the base (%s) and the new build\n", *base)
	builds, err := gateBuilds(ctx, env, *base)
	if err != nil {
		return err
	}
	// Only stacks both builds have can be compared; the rest are named.
	baseStacks, err := listStacks(ctx, builds[0].Bin)
	if err != nil {
		return err
	}
	newStacks, err := listStacks(ctx, builds[1].Bin)
	if err != nil {
		return err
	}
	var common []string
	for _, s := range newStacks {
		if slices.Contains(baseStacks, s) {
			common = append(common, s)
		} else {
			fmt.Fprintf(stderr, "gate: %s is new (no base to compare with)\n", s)
		}
	}
	if len(common) == 0 {
		return errors.New("gate: the base and the new build have no stack in common")
	}
	if !slices.Equal(p.Stacks, []string{"all"}) {
		common = slices.DeleteFunc(common, func(s string) bool { return !slices.Contains(p.Stacks, s) })
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
	res := compare.Compare(wholeTrials(compare.SplitByLabel(run, "base")), wholeTrials(compare.SplitByLabel(run, "new")), opt)
	if err := res.Write(stdout, f); err != nil {
		return err
	}
	failed := res.Regressed()
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

// gateBuilds builds the stack binary at base (in a temporary git worktree) and in the working tree.
func gateBuilds(ctx context.Context, env *labEnv, base string) ([]lab.Build, error) {
	src := filepath.Join(env.work, "base-src")
	if out, err := exec.CommandContext(ctx, "git", "-C", env.repo, "worktree", "add", "--detach", src, base).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gate: checking out the base %q: %w\n%s", base, err, out)
	}
	defer func() {
		_ = exec.Command("git", "-C", env.repo, "worktree", "remove", "--force", src).Run()
	}()
	builds := []lab.Build{{Label: "base", Bin: filepath.Join(env.work, "stack-base")}, {Label: "new", Bin: filepath.Join(env.work, "stack-new")}}
	if err := lab.BuildStack(ctx, src, builds[0].Bin); err != nil {
		return nil, fmt.Errorf("gate: the base: %w", err)
	}
	if err := lab.BuildStack(ctx, env.repo, builds[1].Bin); err != nil {
		return nil, fmt.Errorf("gate: the new build: %w", err)
	}
	return builds, nil
}

// listStacks asks a stack binary which stacks it can run.
func listStacks(ctx context.Context, bin string) ([]string, error) {
	out, err := exec.CommandContext(ctx, bin, "-list").Output()
	if err != nil {
		return nil, fmt.Errorf("gate: %s -list: %w", bin, err)
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			names = append(names, s)
		}
	}
	return names, nil
}
