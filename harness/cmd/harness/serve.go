package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"stacklab/ledgerspec"
	"stacklab/ledgerspec/conformance"
	"stacklab/ledgerspec/conformance/kafkalog"
	"stacklab/stacks"
)

// serve runs one stack in this process on a fresh database, judges it with the conformance suite,
// adds a small demo ledger, and serves until ctx ends.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specOf := stacks.SpecFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (loopback)")
	conform := fs.Bool("conform", true, "run the conformance suite before serving")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	spec, err := specOf()
	if err != nil {
		return err
	}
	svc, err := startServices(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeServices(svc, stderr)
	dsn, drop, err := svc.NewDatabase(ctx, "serve")
	if err != nil {
		return err
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := drop(dctx); err != nil {
			fmt.Fprintln(stderr, "harness:", err)
		}
	}()

	logCfg := zap.NewDevelopmentConfig()
	logCfg.Level = zap.NewAtomicLevelAt(zapcore.WarnLevel)
	logCfg.OutputPaths, logCfg.ErrorOutputPaths = []string{"stderr"}, []string{"stderr"}
	log, err := logCfg.Build()
	if err != nil {
		return fmt.Errorf("building logger: %w", err)
	}
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := stacks.Open(octx, spec, stacks.Config{DatabaseURL: dsn, RedisURL: svc.Redis.URL, KafkaBrokers: svc.Brokers, Log: log})
	cancel()
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Name(), err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		st.Close()
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	runCtx, stopStack := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStack()
	ran := make(chan error, 1)
	go func() { ran <- st.Run(runCtx, ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "%s serving on %s\n", spec.Name(), base)

	var conformErr error
	if *conform {
		conformErr = judge(ctx, base, svc.Brokers, stdout)
	}
	if err := seedDemo(ctx, ledgerspec.NewClient(base, nil)); err != nil {
		fmt.Fprintln(stderr, "harness: seeding the demo ledger:", err)
	}
	fmt.Fprintf(stdout, "\nThe ledger UI: %s%s (accounts alice, bob, bank; post a transfer with the form)\n", base, ledgerspec.LedgerPagePath(demoLedger))
	fmt.Fprintf(stdout, "Create accounts with the JSON API, e.g.\n  curl -X POST %s%s -H 'Content-Type: application/json' -d '{\"id\":\"carol\",\"ledger\":\"%s\",\"name\":\"Carol\"}'\n", base, ledgerspec.PathAccounts, demoLedger)
	fmt.Fprintln(stdout, "Serving until Ctrl-C.")

	select {
	case <-ctx.Done():
		stopStack()
		err = <-ran
	case err = <-ran:
	}
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Name(), err)
	}
	return conformErr
}

// judge runs the conformance suite against base and prints its report.
func judge(ctx context.Context, base string, brokers []string, stdout io.Writer) error {
	events, err := kafkalog.Open(brokers)
	if err != nil {
		return fmt.Errorf("opening the event log: %w", err)
	}
	defer events.Close()
	fmt.Fprintln(stdout, "\nconformance suite:")
	rep, err := conformance.Run(ctx, conformance.Target{URL: base, Events: events})
	if err != nil {
		return fmt.Errorf("conformance suite: %w", err)
	}
	if err := rep.Write(stdout); err != nil {
		return err
	}
	if !rep.OK() {
		return errors.New("the stack does not conform; its numbers would not count")
	}
	return nil
}

const demoLedger = "DEMO"

// seedDemo creates a small ledger for a person to try the UI on: a bank, and alice funded from it.
func seedDemo(ctx context.Context, c *ledgerspec.Client) error {
	for _, a := range []ledgerspec.NewAccount{
		{ID: "bank", Ledger: demoLedger, Name: "The bank"},
		{ID: "alice", Ledger: demoLedger, Name: "Alice", Flags: ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true}},
		{ID: "bob", Ledger: demoLedger, Name: "Bob", Flags: ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true}},
	} {
		if _, _, err := c.CreateAccount(ctx, a); err != nil {
			return fmt.Errorf("creating %s: %w", a.ID, err)
		}
	}
	if _, _, err := c.Transfer(ctx, "demo-funding", "bank", "alice", 100_000); err != nil {
		return fmt.Errorf("funding alice: %w", err)
	}
	return nil
}
