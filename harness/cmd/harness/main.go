// Command harness runs the lab.
//
//	harness run [-plan FILE | -quick] [-aa]  the lab's main job: build, judge and measure every stack
//	                               of a plan, spool the run, publish it to ClickHouse, write the report
//	harness publish                upload spooled runs to CLICKHOUSE_URL, exactly once
//	harness report [RUN...]        rebuild the report of spooled runs (default: the latest)
//	harness compare BASE NEW       compare two runs; exit status 1 on a significant regression
//	harness compare -aa RUN        the noise floor of an A/A run
//	harness site [-spool DIR] [-out DIR]  the results site: every spooled (and published) run,
//	                               verdicts per dimension and their history, static and self-contained
//	harness gate [-base REF]       the CI regression gate: base and new builds side by side in one
//	                               run, compared; exit status 1 on a regression
//	harness serve [flags]          one stack on embedded defaults: conformance report, then serving
//	harness exec -- CMD [ARGS...]  run CMD with DATABASE_URL, REDIS_URL, KAFKA_BROKERS and CLICKHOUSE_URL set to
//	                               running services (found or started), then stop what it started
//	harness kafka                  host an embedded Kafka (kfake) until SIGTERM (used by run)
//
// Services come from DATABASE_URL, REDIS_URL and KAFKA_BROKERS when set, else from the standard
// loopback ports, else are started from the installed binaries (kfake, in-process, for Kafka).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var exit exitError
	switch {
	case errors.As(err, &exit):
		os.Exit(int(exit))
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

// exitError carries a child's exit status through to main.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

var errUsage = errors.New("usage")

const usage = `usage: harness <command> [flags]

commands:
  run      the lab's main job: build, judge and measure a plan's stacks; spool, publish, report
  publish  upload spooled runs to CLICKHOUSE_URL, exactly once
  report   rebuild the report of spooled runs (default: the latest)
  compare  compare two runs (exit 1 on a regression), or -aa the twins of one run
  site     write the results site (lab-results/site): runs, verdicts per dimension, their history
  gate     the regression gate: -base REF and the working tree side by side, compared
  serve    one stack on embedded defaults: conformance report, then serving until Ctrl-C
  exec     exec -- CMD [ARGS...]: CMD with DATABASE_URL, REDIS_URL, KAFKA_BROKERS and CLICKHOUSE_URL set
  kafka    host an embedded Kafka (kfake) until SIGTERM
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		return runLab(ctx, rest, stdout, stderr)
	case "publish":
		return publish(ctx, rest, stdout, stderr)
	case "report":
		return reportCmd(ctx, rest, stdout, stderr)
	case "compare":
		return compareCmd(ctx, rest, stdout, stderr)
	case "site":
		return siteCmd(ctx, rest, stdout, stderr)
	case "gate":
		return gate(ctx, rest, stdout, stderr)
	case "kafka":
		return hostKafka(ctx, rest, stderr)
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "exec":
		return execWithServices(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "harness: unknown command %q\n%s", cmd, usage)
		return errUsage
	}
}
