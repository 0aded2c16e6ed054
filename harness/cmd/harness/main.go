// Command harness runs the lab.
//
//	harness serve [flags]          one stack on embedded defaults: conformance report, then serving
//	harness exec -- CMD [ARGS...]  run CMD with DATABASE_URL, REDIS_URL and KAFKA_BROKERS set to
//	                               running services (found or started), then stop what it started
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
  serve   one stack on embedded defaults: conformance report, then serving until Ctrl-C
  exec    exec -- CMD [ARGS...]: CMD with DATABASE_URL, REDIS_URL and KAFKA_BROKERS set
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
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
