// Command benchsrv serves /bench/plaintext and /bench/json with net/http and known timing, as
// the common target when the load generator is compared with wrk and vegeta, and for trying
// the known-answer cases by hand:
//
//	benchsrv -addr 127.0.0.1:8090 [-delay 1ms] [-stall-every 2s -stall-for 200ms] [-chunked]
//	benchsrv -addr 127.0.0.1:8090 -canned [-delay 1ms]
//
// With -canned it skips net/http and writes the same plaintext answer for every request head
// it reads: the cheapest server there is, so that a client measured against it is the
// bottleneck.
// It serves until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"stacklab/loadgen/internal/testsrv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchsrv:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchsrv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address (loopback)")
	var opt testsrv.Options
	fs.DurationVar(&opt.Delay, "delay", 0, "delay added to every request")
	fs.DurationVar(&opt.StallEvery, "stall-every", 0, "stall period (0: no stalls)")
	fs.DurationVar(&opt.StallFor, "stall-for", 0, "stall length")
	fs.BoolVar(&opt.Chunked, "chunked", false, "answer with chunked encoding")
	canned := fs.Bool("canned", false, "answer every request with canned plaintext bytes instead of net/http")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	fmt.Fprintf(stdout, "benchsrv: serving on http://%s\n", ln.Addr())
	if *canned {
		errc := make(chan error, 1)
		go func() { errc <- testsrv.ServeCanned(ln, testsrv.CannedPlaintext, opt.Delay) }()
		select {
		case err := <-errc:
			return fmt.Errorf("serving: %w", err)
		case <-ctx.Done():
			ln.Close()
			return nil
		}
	}
	srv := &http.Server{Handler: testsrv.New(opt), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}
