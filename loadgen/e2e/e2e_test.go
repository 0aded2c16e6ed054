package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"stacklab/ledgerspec"
	"stacklab/loadgen"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// freshDatabase creates an empty database and returns its DSN; it is dropped after the test.
func freshDatabase(t *testing.T) string {
	t.Helper()
	admin := env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL unreachable at DATABASE_URL %q: %v", admin, err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("loadgen_e2e_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("dropping database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parsing DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func checkRedis(t *testing.T) string {
	t.Helper()
	ru := env("REDIS_URL", "redis://127.0.0.1:6379/0")
	u, err := url.Parse(ru)
	if err != nil {
		t.Fatalf("parsing REDIS_URL %q: %v", ru, err)
	}
	c, err := net.DialTimeout("tcp", u.Host, 3*time.Second)
	if err != nil {
		t.Fatalf("Redis unreachable at REDIS_URL %q: %v", ru, err)
	}
	c.Close()
	return ru
}

// startStack builds and starts the net/http stack and returns its base URL.
func startStack(t *testing.T) string {
	t.Helper()
	dsn, redisURL := freshDatabase(t), checkRedis(t)
	bin := filepath.Join(t.TempDir(), "stack")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-ldflags=-checklinkname=0", "-o", bin, "stacklab/stacks/cmd/stack")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the stack: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-redis-prefix", fmt.Sprintf("lge2e%d", time.Now().UnixNano()))
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "REDIS_URL="+redisURL, "KAFKA_BROKERS=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the stack: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("the stack did not stop within 15s of SIGTERM")
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				lines <- sc.Text()[i:]
			}
		}
		close(lines)
	}()
	select {
	case base, ok := <-lines:
		if !ok {
			t.Fatalf("the stack exited before serving:\n%s", stderr.String())
		}
		return strings.TrimSpace(base)
	case <-time.After(60 * time.Second):
		t.Fatalf("the stack did not start within 60s:\n%s", stderr.String())
	}
	return ""
}

func TestWorkloadsAgainstTheStack(t *testing.T) {
	base := startStack(t)
	limits := loadgen.Limits{MaxLag: time.Second, MaxLateFraction: 1, MaxCPUFraction: 1, MaxSchedLatency: time.Second, MaxGCPause: time.Second}
	runOne := func(t *testing.T, c loadgen.Config) *loadgen.Result {
		t.Helper()
		c.Target, c.Seed, c.Accounts, c.SampleEvery, c.Limits = base, 11, 60, 1, limits
		if c.Rate == 0 {
			c.Rate = 200
		}
		if c.Duration == 0 {
			c.Duration = time.Second
		}
		res, err := loadgen.Run(context.Background(), c)
		if err != nil {
			t.Fatalf("Run %s: %v", c.Workload, err)
		}
		var b strings.Builder
		res.WriteSummary(&b)
		t.Logf("\n%s", b.String())
		for _, o := range res.Ops {
			if o.ErrorCount != 0 || o.Requests == 0 || o.Validated != o.Requests {
				t.Errorf("%s/%s: %d requests, %d validated, errors %v %v", c.Workload, o.Name, o.Requests, o.Validated, o.Errors, o.FirstErrors)
			}
		}
		return res
	}

	// The first setup creates the bank, 60 accounts and their funding transactions.
	first := runOne(t, loadgen.Config{Workload: "ledger-mix", Duration: 3 * time.Second, Skew: "zipf", RunID: "one"})
	if first.Setup.Created != 121 || first.Setup.Requests != 121 {
		t.Errorf("first setup created %d in %d requests, want 121 in 121", first.Setup.Created, first.Setup.Requests)
	}
	// A second run with the same seed replays the setup and creates its own ids.
	second := runOne(t, loadgen.Config{Workload: "ledger-mix", Duration: 2 * time.Second, RunID: "two"})
	if second.Setup.Created != 0 || second.Setup.Requests != 121 {
		t.Errorf("second setup created %d in %d requests, want 0 (all replays) in 121", second.Setup.Created, second.Setup.Requests)
	}
	for _, w := range loadgen.Workloads() {
		if w == "ledger-mix" {
			continue // run above
		}
		t.Run(w, func(t *testing.T) {
			runOne(t, loadgen.Config{Workload: w, RunID: "w" + strings.ReplaceAll(w, "-", "")})
		})
	}
	// The generator keeps every acknowledged write, and each is in the ledger with its seq.
	acked := runOne(t, loadgen.Config{Workload: "codec", RunID: "acks", Acknowledged: true, SkipSetup: true})
	var batches int64
	for _, o := range acked.Ops {
		if o.Name == "batch" {
			batches = o.Requests
		}
	}
	if batches == 0 || int64(acked.AcknowledgedCount) < batches || len(acked.Acknowledged) != acked.AcknowledgedCount {
		t.Fatalf("%d acknowledged (%d listed) for %d batches in the window", acked.AcknowledgedCount, len(acked.Acknowledged), batches)
	}
	c := ledgerspec.NewClient(base, nil)
	seqs := map[int64]bool{}
	for _, a := range acked.Acknowledged {
		if seqs[a.Seq] {
			t.Fatalf("seq %d acknowledged twice", a.Seq)
		}
		seqs[a.Seq] = true
		tx, _, err := c.Transaction(context.Background(), a.ID)
		if err != nil || tx.Seq != a.Seq {
			t.Fatalf("acknowledged %+v: the stack has %+v, %v", a, tx, err)
		}
	}
	// Closed loop on the ledger too.
	runOne(t, loadgen.Config{Workload: "read", Mode: loadgen.ModeClosed, Conns: 8, RunID: "closed", SkipSetup: true})
}
