// Command stack runs one stack of the lab: the ledger served by the chosen parts.
//
//	stack -http nethttp -store sqlc -json sonic -redis goredis -addr 127.0.0.1:8080
//
// Services come from DATABASE_URL (required; the stack applies its schema there), REDIS_URL
// (default redis://127.0.0.1:6379/0) and KAFKA_BROKERS (comma-separated; empty leaves events in the
// outbox). LEDGER_VELOCITY_LIMIT and LEDGER_LARGE_AMOUNT tune the fraud rules. SIGINT or SIGTERM
// shut it down gracefully: in-flight requests finish and the outbox drains.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"stacklab/ledgerspec"
	"stacklab/stacks"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "stack:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specOf := stacks.SpecFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	listenFD := fs.Int("listen-fd", 0, "serve on an inherited listening socket, file descriptor N (e.g. 3), instead of -addr")
	dbConns := fs.Int("db-conns", 0, "PostgreSQL pool size (0: 4 × GOMAXPROCS, at least 8)")
	redisConns := fs.Int("redis-conns", 0, "Redis pool size (0: the client's default)")
	prefix := fs.String("redis-prefix", "", "Redis key prefix (default: derived from the database name)")
	logRequests := fs.Bool("log-requests", false, "log every request (off the hot path by default)")
	list := fs.Bool("list", false, "print every stack name and exit")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this loopback address (e.g. 127.0.0.1:6060); off by default")
	if err := fs.Parse(args); err != nil {
		return err
	}
	spec, err := specOf()
	if err != nil {
		return err
	}
	if *list {
		for _, s := range stacks.All() {
			fmt.Fprintln(stdout, s.Name())
		}
		return nil
	}
	cfg := stacks.Config{
		DatabaseURL: getenv("DATABASE_URL"), RedisURL: getenv("REDIS_URL"), RedisPrefix: *prefix,
		DBConns: int32(*dbConns), RedisConns: *redisConns, LogRequests: *logRequests,
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/ledger?sslmode=disable)")
	}
	if cfg.RedisURL == "" {
		cfg.RedisURL = "redis://127.0.0.1:6379/0"
	}
	if b := strings.TrimSpace(getenv("KAFKA_BROKERS")); b != "" {
		cfg.KafkaBrokers = strings.Split(b, ",")
	}
	if cfg.VelocityLimit, err = envInt(getenv, ledgerspec.EnvVelocityLimit); err != nil {
		return err
	}
	large, err := envInt(getenv, ledgerspec.EnvLargeAmount)
	if err != nil {
		return err
	}
	cfg.LargeAmount = int64(large)

	logCfg := zap.NewProductionConfig()
	logCfg.OutputPaths, logCfg.ErrorOutputPaths = []string{"stderr"}, []string{"stderr"}
	log, err := logCfg.Build()
	if err != nil {
		return fmt.Errorf("building logger: %w", err)
	}
	defer func() { _ = log.Sync() }()
	cfg.Log = log

	if *pprofAddr != "" {
		if err := servePprof(*pprofAddr, log); err != nil {
			return err
		}
	}
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := stacks.Open(openCtx, spec, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Name(), err)
	}
	ln, err := listen(*addr, *listenFD)
	if err != nil {
		st.Close()
		return err
	}
	log.Info("serving", zap.String("stack", spec.Name()), zap.String("addr", ln.Addr().String()))
	fmt.Fprintf(stdout, "serving %s on http://%s\n", spec.Name(), ln.Addr())
	err = st.Run(ctx, ln)
	log.Info("stopped", zap.String("stack", spec.Name()), zap.Error(err))
	return err
}

// listen opens the stack's listener: the inherited socket fd when it is set (the harness makes the
// socket, so it knows the address before the stack starts), else addr.
func listen(addr string, fd int) (net.Listener, error) {
	if fd == 0 {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listening on %s: %w", addr, err)
		}
		return ln, nil
	}
	if fd < 3 {
		return nil, fmt.Errorf("-listen-fd %d: want an inherited descriptor, 3 or more", fd)
	}
	f := os.NewFile(uintptr(fd), "listener")
	defer f.Close() // FileListener keeps its own duplicate
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("-listen-fd %d: not a listening socket: %w", fd, err)
	}
	return ln, nil
}

func envInt(getenv func(string) string, name string) (int, error) {
	v := getenv(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive integer", name, v)
	}
	return n, nil
}

// servePprof serves the runtime profiles on a loopback address, apart from the stack's own
// transport, so profiling never shares the port being measured.
func servePprof(addr string, log *zap.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || (host != "127.0.0.1" && host != "localhost" && host != "::1") {
		return fmt.Errorf("-pprof %q: want a loopback host:port", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		if err := srv.Serve(ln); err != nil {
			log.Warn("pprof server stopped", zap.Error(err))
		}
	}()
	return nil
}
