package stacks_test

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"stacklab/ledgerspec"
	"stacklab/ledgerspec/conformance"
	"stacklab/ledgerspec/conformance/kafkalog"
	"stacklab/stacks"
	"stacklab/stacks/parttest/pgtest"
	"stacklab/stacks/parttest/redistest"
)

// running is a stack served on a loopback port for one test.
type running struct {
	url  string
	stop func() error // graceful shutdown; returns Run's error
}

// services are the real services one test's stacks use: a fresh database, a Redis key prefix, and
// an in-process Kafka broker (kfake).
type services struct {
	cfg   stacks.Config
	kafka *kfake.Cluster
}

func newServices(t *testing.T) *services {
	t.Helper()
	kf, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatalf("starting kfake: %v", err)
	}
	t.Cleanup(kf.Close)
	return &services{kafka: kf, cfg: stacks.Config{
		DatabaseURL: pgtest.Database(t), RedisURL: redistest.URL(t), RedisPrefix: redistest.Prefix(t),
		KafkaBrokers: kf.ListenAddrs(), ShutdownTimeout: 10 * time.Second,
	}}
}

// start serves a stack on a loopback port for the test: in this process when this test binary can
// run it, else (a part that needs another GOEXPERIMENT) as a stack binary built for it.
func start(t *testing.T, spec stacks.Spec, cfg stacks.Config) *running {
	t.Helper()
	if spec.CheckBuild() != nil {
		return startBinary(t, spec, cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	st, err := stacks.Open(ctx, spec, cfg)
	cancel()
	if err != nil {
		t.Fatalf("opening %s: %v", spec, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		t.Fatalf("listening: %v", err)
	}
	runCtx, stopRun := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(runCtx, ln) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() { stopRun(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stack %s stopped with: %v", spec, err)
		}
	})
	return &running{url: "http://" + ln.Addr().String(), stop: stop}
}

// binaries holds the stack binaries built by startBinary, one per GOEXPERIMENT.
var binaries struct {
	sync.Mutex
	dir   string
	paths map[string]string
}

// stackBinary builds cmd/stack with GOEXPERIMENT=experiment, once per test binary.
func stackBinary(t *testing.T, experiment string) string {
	t.Helper()
	binaries.Lock()
	defer binaries.Unlock()
	if p, ok := binaries.paths[experiment]; ok {
		return p
	}
	if binaries.dir == "" {
		dir, err := os.MkdirTemp("", "stacklab-stack-bin-")
		if err != nil {
			t.Fatal(err)
		}
		binaries.dir, binaries.paths = dir, map[string]string{}
	}
	bin := filepath.Join(binaries.dir, "stack-"+experiment)
	cmd := exec.Command("go", "build", "-ldflags=-checklinkname=0", "-o", bin, "stacklab/stacks/cmd/stack")
	cmd.Env = append(os.Environ(), "GOEXPERIMENT="+experiment)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the stack binary with GOEXPERIMENT=%s: %v\n%s", experiment, err, out)
	}
	binaries.paths[experiment] = bin
	return bin
}

// startBinary runs spec as a stack binary built for its experiment, on a listener this test makes
// and hands down, and waits until it answers.
func startBinary(t *testing.T, spec stacks.Spec, cfg stacks.Config) *running {
	t.Helper()
	bin := stackBinary(t, spec.Experiment())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sock, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	cmd := exec.Command(bin, "-stack", spec.Name(), "-listen-fd", "3", "-redis-prefix", cfg.RedisPrefix)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+cfg.DatabaseURL, "REDIS_URL="+cfg.RedisURL,
		"KAFKA_BROKERS="+strings.Join(cfg.KafkaBrokers, ","))
	cmd.ExtraFiles = []*os.File{sock}
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case runErr = <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				runErr = fmt.Errorf("did not stop within 30s after SIGTERM; killed (%v)", <-exited)
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stack binary %s stopped with: %v\n%s", spec, err, logs.String())
		}
	})
	url := "http://" + ln.Addr().String()
	c := ledgerspec.NewClient(url, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		reply, err := c.Get(ctx, ledgerspec.PathBenchPlaintext)
		cancel()
		if err == nil && reply.Status == 200 {
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("stack binary %s exited before serving (%v):\n%s", spec, err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack binary %s does not answer after 30s (%v):\n%s", spec, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &running{url: url, stop: stop}
}

func eventLog(t *testing.T, brokers []string) *kafkalog.Log {
	t.Helper()
	l, err := kafkalog.Open(brokers)
	if err != nil {
		t.Fatalf("opening the event log: %v", err)
	}
	t.Cleanup(l.Close)
	return l
}

var stacksFlag = flag.String("stacks", "covering", "what TestConformance judges: comma-separated stack "+
	"names, or a set of stacks.Sets (covering: every pair of parts of two dimensions in one stack; all; variants)")

// judged is what TestConformance judges: by default the registry's pairwise covering set, else
// the stacks named by -stacks.
func judged(t *testing.T) []stacks.Spec {
	if set, ok := stacks.Sets[*stacksFlag]; ok {
		return set()
	}
	var specs []stacks.Spec
	for _, name := range strings.Split(*stacksFlag, ",") {
		spec, err := stacks.ParseSpec(strings.TrimSpace(name))
		if err != nil {
			t.Fatalf("-stacks: %v", err)
		}
		specs = append(specs, spec)
	}
	return specs
}

// TestConformance judges stacks with the conformance suite, on real PostgreSQL, Redis and kfake,
// one subtest per stack and one sub-subtest per check.
func TestConformance(t *testing.T) {
	for _, spec := range judged(t) {
		t.Run(spec.Name(), func(t *testing.T) {
			svc := newServices(t)
			st := start(t, spec, svc.cfg)
			conformance.Test(t, conformance.Target{URL: st.url, Events: eventLog(t, svc.cfg.KafkaBrokers)})
		})
	}
}

var defaultSpec = stacks.Baseline()

// setupLedger creates a source and a sink account in a fresh ledger and returns their ids.
func setupLedger(t *testing.T, c *ledgerspec.Client, ledger string) (string, string) {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{ledger + "-src", ledger + "-dst"} {
		if _, _, err := c.CreateAccount(ctx, ledgerspec.NewAccount{ID: id, Ledger: ledger}); err != nil {
			t.Fatalf("creating %s: %v", id, err)
		}
	}
	return ledger + "-src", ledger + "-dst"
}

// waitForEvents polls the transactions topic until every id is there or the deadline passes.
func waitForEvents(t *testing.T, log *kafkalog.Log, ids map[string]bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		recs, err := log.Records(ctx, ledgerspec.TopicTransactions)
		if err != nil {
			t.Fatalf("reading %s: %v", ledgerspec.TopicTransactions, err)
		}
		missing := 0
		seen := map[string]bool{}
		for _, r := range recs {
			seen[string(r.Key)] = true
		}
		for id := range ids {
			if !seen[id] {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d committed transactions never reached %s", missing, len(ids), ledgerspec.TopicTransactions)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// A stack started without a broker keeps committed transactions in its outbox; the next start
// with a broker publishes them: no committed transaction is lost across a restart.
func TestOutboxSurvivesRestart(t *testing.T) {
	svc := newServices(t)
	noBroker := svc.cfg
	noBroker.KafkaBrokers = nil
	first := start(t, defaultSpec, noBroker)
	c := ledgerspec.NewClient(first.url, nil)
	src, dst := setupLedger(t, c, "RESTART")
	ids := map[string]bool{}
	for i := range 20 {
		id := fmt.Sprintf("restart-%d", i)
		if _, _, err := c.Transfer(context.Background(), id, src, dst, 100); err != nil {
			t.Fatalf("transfer %s: %v", id, err)
		}
		ids[id] = true
	}
	if err := first.stop(); err != nil {
		t.Fatalf("first stack stopped with: %v", err)
	}
	log := eventLog(t, svc.cfg.KafkaBrokers)
	if recs, err := log.Records(context.Background(), ledgerspec.TopicTransactions); err != nil || len(recs) != 0 {
		t.Fatalf("before the restart the topic holds %d records (err %v), want 0", len(recs), err)
	}
	start(t, defaultSpec, svc.cfg)
	waitForEvents(t, log, ids)
}

// A graceful shutdown lets in-flight requests finish and drains the outbox before Run returns: every
// transfer answered 201 is on the topic the moment Run has returned.
func TestGracefulShutdown(t *testing.T) {
	svc := newServices(t)
	st := start(t, defaultSpec, svc.cfg)
	c := ledgerspec.NewClient(st.url, nil)
	src, dst := setupLedger(t, c, "SHUTDOWN")

	var mu sync.Mutex
	committed := map[string]bool{}
	var wg sync.WaitGroup
	started := make(chan struct{}, 64)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				id := fmt.Sprintf("shut-%d-%d", w, i)
				started <- struct{}{}
				_, reply, err := c.Transfer(context.Background(), id, src, dst, 1)
				switch {
				case err == nil:
					mu.Lock()
					committed[id] = true
					mu.Unlock()
				case reply != nil: // an HTTP answer that is not a success is a failure
					t.Errorf("transfer %s during shutdown: %v", id, err)
					return
				default: // refused or closed before an answer: the stack is gone
					return
				}
			}
		}()
	}
	for range 40 { // let some requests get going
		<-started
	}
	go func() {
		for range started {
		}
	}()
	if err := st.stop(); err != nil {
		t.Fatalf("stack stopped with: %v", err)
	}
	wg.Wait()
	close(started)
	if len(committed) == 0 {
		t.Fatal("no transfer committed before the shutdown")
	}
	// Run has returned: everything committed must already be on the topic, with no further relay.
	recs, err := eventLog(t, svc.cfg.KafkaBrokers).Records(context.Background(), ledgerspec.TopicTransactions)
	if err != nil {
		t.Fatal(err)
	}
	on := map[string]bool{}
	for _, r := range recs {
		on[string(r.Key)] = true
	}
	for id := range committed {
		if !on[id] {
			t.Errorf("transaction %s was answered 201 but is not on %s after the shutdown", id, ledgerspec.TopicTransactions)
		}
	}
	t.Logf("%d transfers committed before the shutdown, all on the topic", len(committed))
}

// TestUnreachableServices: PostgreSQL is the ledger, so a stack does not start without it, with a
// clear error and quickly. Redis and Kafka are not: a stack starts while they are down, serves,
// and recovers by itself when they come up.
func TestUnreachableServices(t *testing.T) {
	svc := newServices(t)
	t.Run("postgres", func(t *testing.T) {
		cfg := svc.cfg
		cfg.DatabaseURL = "postgres://postgres@127.0.0.1:1/x?sslmode=disable"
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		begin := time.Now()
		st, err := stacks.Open(ctx, defaultSpec, cfg)
		if err == nil {
			st.Close()
			t.Fatal("Open succeeded without PostgreSQL")
		}
		if took := time.Since(begin); took > 15*time.Second {
			t.Errorf("Open took %v to fail", took)
		}
		if want := "store " + defaultSpec.Store; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	})
	t.Run("malformed URLs", func(t *testing.T) {
		for name, change := range map[string]func(*stacks.Config){
			"redis": func(c *stacks.Config) { c.RedisURL = "http://127.0.0.1:6379" },
			"kafka": func(c *stacks.Config) { c.KafkaBrokers = []string{"127.0.0.1:notaport"} },
		} {
			cfg := svc.cfg
			change(&cfg)
			if st, err := stacks.Open(context.Background(), defaultSpec, cfg); err == nil {
				st.Close()
				t.Errorf("Open with a malformed %s address succeeded", name)
			}
		}
	})
	t.Run("redis", func(t *testing.T) {
		p := redistest.NewProxy(t, svc.cfg.RedisURL)
		p.Down()
		cfg := svc.cfg
		cfg.RedisURL = p.URL()
		begin := time.Now()
		st := start(t, defaultSpec, cfg)
		if took := time.Since(begin); took > 5*time.Second {
			t.Errorf("the stack took %v to start without Redis", took)
		}
		c := ledgerspec.NewClient(st.url, nil)
		src, dst := setupLedger(t, c, "NOREDIS")
		tx, _, err := c.Transfer(context.Background(), "noredis-1", src, dst, 1)
		if err != nil {
			t.Fatalf("transfer without Redis: %v", err)
		}
		if !slices.Equal(tx.RiskFlags, []string{ledgerspec.RiskVelocityUnchecked}) {
			t.Errorf("flags %v, want [velocity_unchecked]", tx.RiskFlags)
		}
		wantDebits(t, c, src, 1, "without Redis")
		p.Up()
		deadline := time.Now().Add(10 * time.Second)
		for i := 2; ; i++ {
			tx, _, err := c.Transfer(context.Background(), "noredis-"+strconv.Itoa(i), src, dst, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(tx.RiskFlags) == 0 {
				t.Logf("velocity counted again %d transfers after Redis came up", i-1)
				wantDebits(t, c, src, int64(i), "with Redis")
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("still %v 10 s after Redis came up", tx.RiskFlags)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("kafka", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		cfg := svc.cfg
		cfg.KafkaBrokers = []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
		begin := time.Now()
		st := start(t, defaultSpec, cfg)
		if took := time.Since(begin); took > 5*time.Second {
			t.Errorf("the stack took %v to start without Kafka", took)
		}
		c := ledgerspec.NewClient(st.url, nil)
		src, dst := setupLedger(t, c, "NOKAFKA")
		ids := map[string]bool{}
		for i := range 10 {
			id := "nokafka-" + strconv.Itoa(i)
			if _, _, err := c.Transfer(context.Background(), id, src, dst, 1); err != nil {
				t.Fatalf("transfer without Kafka: %v", err)
			}
			ids[id] = true
		}
		broker, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(broker.Close)
		took := waitForTopic(t, eventLog(t, cfg.KafkaBrokers), ledgerspec.TopicTransactions, ids)
		t.Logf("published %v after the broker came up", took.Round(100*time.Millisecond))
	})
}
