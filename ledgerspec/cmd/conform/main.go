package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"stacklab/ledgerspec/conformance"
	"stacklab/ledgerspec/conformance/kafkalog"
	"stacklab/ledgerspec/conformance/wire"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errChecksFailed) && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "conform:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errChecksFailed is returned when the suite ran and at least one check failed.
var errChecksFailed = errors.New("a check failed")

// usageError is a mistake in the command line.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitCode maps run's error to the exit status: 0, 1 (a check failed, or the suite could not run)
// or 2 (usage).
func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue), errors.Is(err, flag.ErrHelp):
		return 2
	default:
		return 1
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		target   = fs.String("url", "", "base URL of the stack under test, e.g. http://127.0.0.1:8080 (required)")
		brokers  = fs.String("brokers", "", "comma-separated Kafka brokers the stack publishes to (empty: skip the events checks)")
		only     = fs.String("only", "", "comma-separated check ids to run (empty: all; see -list)")
		parallel = fs.Int("parallel", 0, "checks run at once (0: 4)")
		velocity = fs.Int("velocity-limit", 0, "the stack's LEDGER_VELOCITY_LIMIT (0: the contract default)")
		large    = fs.Int64("large-amount", 0, "the stack's LEDGER_LARGE_AMOUNT (0: the contract default)")
		timeout  = fs.Duration("timeout", conformance.DefaultRequestTimeout, "timeout of every HTTP request")
		list     = fs.Bool("list", false, "print the checks and exit")
		wireMode = fs.String("wire", "off", "the HTTP/1.1 wire suite: off, report (run it after the checks; deviations are listed, not failed) or strict (a deviation fails)")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err}
	}
	if *list {
		for _, c := range conformance.Checks() {
			if _, err := fmt.Fprintf(stdout, "%-32s %s\n", c.ID, c.Title); err != nil {
				return fmt.Errorf("printing the checks: %w", err)
			}
		}
		return nil
	}
	switch {
	case fs.NArg() > 0:
		return &usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	case *target == "":
		return &usageError{errors.New("-url is required")}
	case *timeout <= 0:
		return &usageError{fmt.Errorf("-timeout %s: want a positive duration", *timeout)}
	case *wireMode != "off" && *wireMode != "report" && *wireMode != "strict":
		return &usageError{fmt.Errorf("-wire %q: want off, report or strict", *wireMode)}
	}
	t := conformance.Target{
		URL:           *target,
		HTTPClient:    conformance.DefaultHTTPClient(*timeout),
		VelocityLimit: *velocity,
		LargeAmount:   *large,
		Parallel:      *parallel,
		Only:          splitList(*only),
	}
	if err := t.Validate(); err != nil {
		return &usageError{err}
	}
	if bs := splitList(*brokers); len(bs) > 0 {
		log, err := kafkalog.Open(bs)
		if err != nil {
			return fmt.Errorf("opening the brokers %s: %w", *brokers, err)
		}
		defer log.Close()
		t.Events = log
	}
	start := time.Now()
	rep, err := conformance.Run(ctx, t)
	if rep != nil {
		if werr := rep.Write(stdout); werr != nil {
			return werr
		}
	}
	if err != nil {
		return fmt.Errorf("running the suite against %s: %w", *target, err)
	}
	var failed error
	if !rep.OK() {
		failed = fmt.Errorf("%d of %d checks failed against %s in %s: %w", rep.Failed, len(rep.Results), *target, time.Since(start).Round(time.Millisecond), errChecksFailed)
	}
	if *wireMode == "off" {
		return failed
	}
	u, err := url.Parse(*target)
	if err != nil {
		return &usageError{err}
	}
	wrep, err := wire.Run(ctx, wire.Target{Addr: u.Host, Timeout: *timeout / 3})
	if err != nil {
		return errors.Join(failed, fmt.Errorf("running the wire suite against %s: %w", u.Host, err))
	}
	fmt.Fprintln(stdout, "\nHTTP/1.1 wire suite:")
	if err := wrep.WriteText(stdout); err != nil {
		return err
	}
	if n := len(wrep.Deviations()); n > 0 && *wireMode == "strict" {
		failed = errors.Join(failed, fmt.Errorf("%d wire cases deviate: %w", n, errChecksFailed))
	}
	return failed
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
