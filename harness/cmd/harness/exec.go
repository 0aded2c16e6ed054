package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"stacklab/harness/services"
)

// execWithServices runs a command with the lab's services in its environment (DATABASE_URL,
// REDIS_URL, KAFKA_BROKERS and CLICKHOUSE_URL: the one set, else an embedded ClickHouse when one is
// installed, else none, and the tests that need it fail saying so). Services it had to start are
// stopped when the command ends; the command's exit status becomes the harness's.
func execWithServices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: harness exec -- CMD [ARGS...]")
		return errUsage
	}
	cfg := services.ConfigFromEnv()
	cfg.ClickHouse = cfg.ClickHouseURL != "" || services.ClickHouseInstalled()
	svc, err := startServicesWith(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeServices(svc, stderr)
	if !cfg.ClickHouse {
		fmt.Fprintln(stderr, "service clickhouse: none (no CLICKHOUSE_URL and no clickhouse-server installed): what needs it will fail")
	}

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.Env = append(os.Environ(), svc.Env()...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", args[0], err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err = <-waited:
	case <-ctx.Done(): // pass the interrupt on and give the command time to clean up
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err = <-waited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			err = <-waited
		}
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitError(exitErr.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("running %s: %w", args[0], err)
	}
	return nil
}

// startServices finds or starts PostgreSQL, Redis and Kafka, saying which it used.
func startServices(ctx context.Context, log io.Writer) (*services.Services, error) {
	return startServicesWith(ctx, services.ConfigFromEnv(), log)
}

// startServicesWith finds or starts the services cfg asks for, saying which it used.
func startServicesWith(ctx context.Context, cfg services.Config, log io.Writer) (*services.Services, error) {
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	svc, err := services.Start(sctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("starting services: %w", err)
	}
	for _, e := range []services.Endpoint{svc.Postgres, svc.Redis, svc.Kafka, svc.ClickHouse} {
		if e.URL != "" {
			fmt.Fprintf(log, "service %-10s %-13s %s (%s)\n", e.Service, e.Source, e.URL, e.Version)
		}
	}
	return svc, nil
}

func closeServices(svc *services.Services, log io.Writer) {
	if err := svc.Close(); err != nil {
		fmt.Fprintln(log, "harness: stopping services:", err)
	}
}
