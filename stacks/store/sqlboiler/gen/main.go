package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"stacklab/stacks/store/schema"
)

// defaultAdminURL is the server used when DATABASE_URL is not set.
const defaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "store/sqlboiler/models", "output folder of the models, relative to the stacks module")
	if err := fs.Parse(args); err != nil {
		return err
	}
	moduleDir, err := stacksModule(ctx)
	if err != nil {
		return err
	}
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		admin = defaultAdminURL
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		return fmt.Errorf("parsing DATABASE_URL: %w", err)
	}
	cfg.ConnectTimeout = 5 * time.Second

	name, drop, err := createDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if derr := drop(); derr != nil && err == nil {
			err = derr
		}
	}()
	if err := applySchema(ctx, cfg, name); err != nil {
		return err
	}

	tmp, err := os.MkdirTemp("", "sqlboiler-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	configFile := filepath.Join(tmp, "sqlboiler.toml")
	if err := os.WriteFile(configFile, []byte(config(filepath.Join(moduleDir, *out), cfg, name)), 0o600); err != nil {
		return err
	}
	// sqlboiler runs its driver as a separate program, named sqlboiler-<driver>; go tool -n
	// builds the tracked one and prints its path.
	driver, err := goOutput(ctx, moduleDir, "tool", "-n", "sqlboiler-psql")
	if err != nil {
		return fmt.Errorf("building the sqlboiler-psql driver: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "tool", "sqlboiler", "--config", configFile, driver)
	cmd.Dir, cmd.Stdout, cmd.Stderr = moduleDir, stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("running sqlboiler: %w", err)
	}
	// sqlboiler wipes the folder it writes, so the package comment is written with the models.
	if err := os.WriteFile(filepath.Join(moduleDir, *out, "doc.go"), []byte(modelsDoc), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gen: models written to %s from database %s (dropped)\n", *out, name)
	return nil
}

// stacksModule returns the folder of the stacks module, where the sqlboiler tools are tracked.
func stacksModule(ctx context.Context) (string, error) {
	gomod, err := goOutput(ctx, "", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(gomod)
	if gomod == "" || gomod == os.DevNull || filepath.Base(dir) != "stacks" {
		return "", fmt.Errorf("run gen from the stacks module (go env GOMOD is %q)", gomod)
	}
	return dir, nil
}

func goOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// createDatabase creates a database with a fresh name and returns it and a function that drops it.
func createDatabase(ctx context.Context, cfg *pgx.ConnConfig) (string, func() error, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	name := "lab_gen_" + hex.EncodeToString(b)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", nil, fmt.Errorf("connecting to PostgreSQL at %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	drop := func() error {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(dctx, cfg)
		if err != nil {
			return fmt.Errorf("dropping database %s: %w", name, err)
		}
		defer conn.Close(dctx)
		if _, err := conn.Exec(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("dropping database %s: %w", name, err)
		}
		return nil
	}
	return name, drop, nil
}

func applySchema(ctx context.Context, admin *pgx.ConnConfig, name string) error {
	cfg := admin.Copy()
	cfg.Database = name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connecting to database %s: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return schema.Apply(ctx, conn)
}

// config is the generator's configuration: the models package, and the throwaway database for
// the psql driver. The generated code has no tests (storetest checks the store), no hooks and
// no automatic timestamps (the app sets created_at).
func config(out string, cfg *pgx.ConnConfig, database string) string {
	// The driver connects with lib/pq, which knows no "prefer": a DSN that allows plaintext
	// (disable, allow, prefer) connects without TLS.
	sslmode := "require"
	if cfg.TLSConfig == nil || plaintextFallback(cfg) {
		sslmode = "disable"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "output = %s\npkgname = \"models\"\nwipe = true\nno-tests = true\nno-hooks = true\nno-auto-timestamps = true\n\n", strconv.Quote(out))
	fmt.Fprintf(&b, "[psql]\ndbname = %s\nhost = %s\nport = %d\nuser = %s\nsslmode = %s\n",
		strconv.Quote(database), strconv.Quote(cfg.Host), cfg.Port, strconv.Quote(cfg.User), strconv.Quote(sslmode))
	if cfg.Password != "" {
		fmt.Fprintf(&b, "pass = %s\n", strconv.Quote(cfg.Password))
	}
	return b.String()
}

// modelsDoc is the models package's doc.go.
const modelsDoc = `// Code generated by stacks/store/sqlboiler/gen. DO NOT EDIT.

// Package models is SQLBoiler's ORM for the ledger's shared schema (stacks/store/schema),
// generated from a database the schema was applied to: a model, finders, query starters, typed
// where helpers, inserts, updates, upserts and deletes per table. The sqlboiler store uses it.
// Regenerate with make generate; never edit it.
package models
`

func plaintextFallback(cfg *pgx.ConnConfig) bool {
	for _, f := range cfg.Fallbacks {
		if f.TLSConfig == nil {
			return true
		}
	}
	return false
}
