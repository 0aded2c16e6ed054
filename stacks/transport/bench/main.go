// Command bench measures the lab's HTTP transports side by side under wrk, closed loop: each
// stack runs on its own CPU (taskset, GOMAXPROCS=1) and wrk on another, 64 connections, in
// interleaved rounds over /bench/plaintext, /bench/json and the page of a seeded ledger. It prints
// per transport and route the median requests per second, the median p99 latency and the stack's
// median CPU time per request (utime+stime from /proc/<pid>/stat over the window), with ratios to
// a reference transport (fasthttp). With -profile it also takes a CPU profile of one transport
// under load and prints where the time goes.
//
//	go run -ldflags=-checklinkname=0 ./stacks/transport/bench -rounds 5 -duration 10s
//
// A transport may be given a variant's environment for experiments: "uring@STACKLAB_URING_TUNE=nolock".
// The stacks share one fresh database (DATABASE_URL's server, postgres://postgres@127.0.0.1:5432
// by default), dropped at the end, and Redis (REDIS_URL) under their own key prefixes; Kafka is not
// used (committed transactions wait in the outbox).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"stacklab/ledgerspec"
	"stacklab/stacks"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type config struct {
	transports       []string
	routes           []string
	rounds           int
	duration, warmup time.Duration
	conns            int
	stackCPU         int
	loadCPU          int
	wrk              string
	stackBin         string
	reference        string
	profile          string
	profileRoute     string
	profileSeconds   int
	profileOut       string
}

// routes are the measured paths by name.
var routes = map[string]string{
	"plaintext": ledgerspec.PathBenchPlaintext,
	"json":      ledgerspec.PathBenchJSON,
	"ledger":    ledgerspec.LedgerPagePath(benchLedger),
}

const benchLedger = "BENCH"

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	transports := fs.String("transports", "", "comma-separated transports, each optionally with @ENV=VALUE (default: every transport of the registry)")
	routeList := fs.String("routes", "plaintext,json,ledger", "routes to measure: plaintext, json, ledger")
	fs.IntVar(&c.rounds, "rounds", 5, "interleaved rounds")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured window per transport, route and round")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "load before each window, not measured")
	fs.IntVar(&c.conns, "conns", 64, "wrk connections")
	fs.IntVar(&c.stackCPU, "stack-cpu", 0, "the CPU the stacks are pinned to")
	fs.IntVar(&c.loadCPU, "load-cpu", 1, "the CPU wrk is pinned to")
	fs.StringVar(&c.wrk, "wrk", "wrk", "the wrk binary")
	fs.StringVar(&c.stackBin, "stack", "", "a stack binary (default: build stacklab/stacks/cmd/stack)")
	fs.StringVar(&c.reference, "reference", "fasthttp", "the transport the ratios are to")
	fs.StringVar(&c.profile, "profile", "", "after the rounds, profile this transport under load")
	fs.StringVar(&c.profileRoute, "profile-route", "plaintext", "the route loaded while profiling")
	fs.IntVar(&c.profileSeconds, "profile-seconds", 10, "the profile's length")
	fs.StringVar(&c.profileOut, "profile-out", "", "where the profile goes (default: a temporary file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.transports = slices.Sorted(maps.Keys(stacks.Transports))
	if *transports != "" {
		c.transports = strings.Split(*transports, ",")
	}
	for _, t := range c.transports {
		if name, _, _ := strings.Cut(t, "@"); stacks.Transports[name] == nil {
			return fmt.Errorf("unknown transport %q", name)
		}
	}
	for _, r := range strings.Split(*routeList, ",") {
		if routes[r] == "" {
			return fmt.Errorf("unknown route %q", r)
		}
		c.routes = append(c.routes, r)
	}
	if _, err := exec.LookPath(c.wrk); err != nil {
		return fmt.Errorf("wrk is needed (apt-get install -y wrk): %w", err)
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return fmt.Errorf("taskset is needed: %w", err)
	}
	tmp, err := os.MkdirTemp("", "bench-transports-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if c.stackBin == "" {
		c.stackBin = filepath.Join(tmp, "stack")
		fmt.Fprintln(stderr, "building the stack binary")
		build := exec.CommandContext(ctx, "go", "build", "-ldflags=-checklinkname=0", "-o", c.stackBin, "stacklab/stacks/cmd/stack")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building the stack: %w", err)
		}
	}
	dsn, drop, err := freshDatabase(ctx)
	if err != nil {
		return err
	}
	defer drop()
	return measure(ctx, c, dsn, tmp, stdout, stderr)
}

// freshDatabase creates a database on DATABASE_URL's server and returns its URL and a func that
// drops it.
func freshDatabase(ctx context.Context) (string, func(), error) {
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	name := fmt.Sprintf("bench_transports_%d", os.Getpid())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("creating the database: %w", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "bench: dropping the database:", err)
		}
		conn.Close(ctx)
	}, nil
}

// stack is one running stack.
type stack struct {
	label string // the transport as given (with its variant)
	url   string
	pprof string
	cmd   *exec.Cmd
	done  chan error
}

func (s *stack) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// cpuTicks is the process's utime+stime in clock ticks.
func (s *stack) cpuTicks() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	// After the command name: state is field 3, utime 14 and stime 15 (1-based, man proc).
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", s.cmd.Process.Pid)
	}
	u, err1 := strconv.ParseInt(fields[11], 10, 64)
	st, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return u + st, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func start(ctx context.Context, c config, label, dsn, logDir string) (*stack, error) {
	name, variant, _ := strings.Cut(label, "@")
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	pport, err := freePort()
	if err != nil {
		return nil, err
	}
	spec := stacks.Baseline().With("http", name)
	s := &stack{label: label, url: fmt.Sprintf("http://127.0.0.1:%d", port), pprof: fmt.Sprintf("127.0.0.1:%d", pport), done: make(chan error, 1)}
	safe := strings.NewReplacer("@", "_", "=", "_", ",", "_", "/", "_").Replace(label)
	logf, err := os.Create(filepath.Join(logDir, safe+".log"))
	if err != nil {
		return nil, err
	}
	s.cmd = exec.CommandContext(ctx, "taskset", "-c", strconv.Itoa(c.stackCPU), c.stackBin, "-stack", spec.Name(),
		"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-pprof", s.pprof, "-redis-prefix", "bench-"+safe+fmt.Sprintf("-%d", os.Getpid()))
	s.cmd.Env = append(os.Environ(), "GOMAXPROCS=1", "DATABASE_URL="+dsn, "KAFKA_BROKERS=")
	if variant != "" {
		s.cmd.Env = append(s.cmd.Env, variant)
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", label, err)
	}
	go func() { s.done <- s.cmd.Wait(); logf.Close() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + ledgerspec.PathBenchPlaintext)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("%s exited before serving (%v); see %s", label, err, logf.Name())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s does not answer after 30 s", label)
		}
	}
}

// seed gives the bench ledger 20 accounts and 20 transactions, so its page has rows to render.
func seed(ctx context.Context, base string) error {
	cl := ledgerspec.NewClient(base, nil)
	for i := range 20 {
		if _, r, err := cl.CreateAccount(ctx, ledgerspec.NewAccount{ID: fmt.Sprintf("b-%02d", i), Ledger: benchLedger, Name: fmt.Sprintf("account %d", i)}); err != nil {
			return fmt.Errorf("seeding account %d: %v (%v)", i, err, r)
		}
	}
	for i := range 20 {
		tx := ledgerspec.NewTransaction{ID: fmt.Sprintf("bt-%02d", i), Description: fmt.Sprintf("transfer %d", i),
			Postings: []ledgerspec.Posting{{DebitAccountID: fmt.Sprintf("b-%02d", i), CreditAccountID: fmt.Sprintf("b-%02d", (i+1)%20), Amount: int64(100 + i)}}}
		if _, r, err := cl.CreateTransaction(ctx, tx); err != nil {
			return fmt.Errorf("seeding transaction %d: %v (%v)", i, err, r)
		}
	}
	return nil
}

// sample is one measured window.
type sample struct {
	rps    float64
	p99    time.Duration
	cpuReq time.Duration // stack CPU per request
	busy   float64       // stack CPU seconds per wall second
	errors int
}

func measure(ctx context.Context, c config, dsn, tmp string, stdout, stderr io.Writer) error {
	tick, err := clockTicks()
	if err != nil {
		return err
	}
	var running []*stack
	defer func() {
		for _, s := range running {
			s.stop()
		}
	}()
	for _, t := range c.transports {
		s, err := start(ctx, c, t, dsn, tmp)
		if err != nil {
			return err
		}
		running = append(running, s)
		if len(running) == 1 {
			if err := seed(ctx, s.url); err != nil {
				return err
			}
		}
	}
	results := map[string]map[string][]sample{} // route → transport → samples
	for _, r := range c.routes {
		results[r] = map[string][]sample{}
	}
	fmt.Fprintf(stderr, "%d transports × %d routes × %d rounds × %v\n", len(running), len(c.routes), c.rounds, c.duration)
	for round := range c.rounds {
		for _, r := range c.routes {
			order := slices.Clone(running)
			shift := round % len(order) // interleave: each round starts with another transport
			order = append(order[shift:], order[:shift]...)
			for _, s := range order {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				smp, err := window(ctx, c, s, routes[r], tick)
				if err != nil {
					return fmt.Errorf("%s %s: %w", s.label, r, err)
				}
				results[r][s.label] = append(results[r][s.label], smp)
				fmt.Fprintf(stderr, "round %d %-10s %-26s %10.0f req/s  p99 %8v  %6.2f µs CPU/req  CPU %3.0f%%  errors %d\n",
					round+1, r, s.label, smp.rps, smp.p99, float64(smp.cpuReq)/1e3, 100*smp.busy, smp.errors)
			}
		}
	}
	report(stdout, c, results)
	if c.profile != "" {
		for _, s := range running {
			if s.label == c.profile {
				return profile(ctx, c, s, stdout, tmp)
			}
		}
		return fmt.Errorf("-profile %q is not among the transports", c.profile)
	}
	return nil
}

func clockTicks() (int64, error) {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err != nil {
		return 100, nil // Linux's USER_HZ almost everywhere
	}
	return strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
}

// window warms a stack up, then loads it for c.duration and measures.
func window(ctx context.Context, c config, s *stack, path string, tick int64) (sample, error) {
	if c.warmup > 0 {
		if _, err := runWrk(ctx, c, s.url+path, c.warmup); err != nil {
			return sample{}, err
		}
	}
	before, err := s.cpuTicks()
	if err != nil {
		return sample{}, err
	}
	start := time.Now()
	w, err := runWrk(ctx, c, s.url+path, c.duration)
	if err != nil {
		return sample{}, err
	}
	wall := time.Since(start)
	after, err := s.cpuTicks()
	if err != nil {
		return sample{}, err
	}
	cpu := time.Duration(after-before) * time.Second / time.Duration(tick)
	smp := sample{rps: w.rps, p99: w.p99, busy: cpu.Seconds() / wall.Seconds(), errors: w.errors}
	if w.requests > 0 {
		smp.cpuReq = cpu / time.Duration(w.requests)
	}
	return smp, nil
}

type wrkResult struct {
	rps      float64
	requests int64
	p99      time.Duration
	errors   int
}

func runWrk(ctx context.Context, c config, target string, d time.Duration) (wrkResult, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, "taskset", "-c", strconv.Itoa(c.loadCPU), c.wrk, "-t1", "-c"+strconv.Itoa(c.conns),
		"-d"+strconv.Itoa(secs)+"s", "--latency", target)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	return parseWrk(string(out))
}

// parseWrk reads wrk's summary: "Requests/sec:", "N requests in", the 99% latency and errors.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 2 && f[0] == "Requests/sec:":
			r.rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			r.requests, _ = strconv.ParseInt(f[0], 10, 64)
		case len(f) >= 2 && f[0] == "99%":
			d, err := wrkDuration(f[1])
			if err != nil {
				return r, err
			}
			r.p99 = d
		case len(f) >= 2 && f[0] == "Non-2xx":
			n, _ := strconv.Atoi(f[len(f)-1])
			r.errors += n
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			for _, part := range strings.Split(strings.Join(f[2:], " "), ",") {
				if kv := strings.Fields(part); len(kv) == 2 {
					n, _ := strconv.Atoi(kv[1])
					r.errors += n
				}
			}
		}
	}
	if r.requests == 0 {
		return r, fmt.Errorf("wrk reported no requests:\n%s", out)
	}
	return r, nil
}

// wrkDuration reads wrk's "12.34ms", "567.89us", "1.02s", "2.00m".
func wrkDuration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, fmt.Errorf("wrk latency %q: %w", s, err)
			}
			return time.Duration(f * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("wrk latency %q: unknown unit", s)
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func report(w io.Writer, c config, results map[string]map[string][]sample) {
	for _, r := range c.routes {
		fmt.Fprintf(w, "\n%s (%s): medians of %d rounds of %v, %d connections; ratios to %s\n", r, routes[r], c.rounds, c.duration, c.conns, c.reference)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "transport\treq/s\tp99\tCPU/req\tstack CPU\terrors\treq/s ×\tp99 ×\tCPU/req ×\t")
		type row struct {
			label    string
			rps      float64
			p99, cpu time.Duration
			busy     float64
			errors   int
		}
		var rows []row
		for label, smps := range results[r] {
			var rps, busy []float64
			var p99, cpu []time.Duration
			errs := 0
			for _, s := range smps {
				rps, busy, p99, cpu = append(rps, s.rps), append(busy, s.busy), append(p99, s.p99), append(cpu, s.cpuReq)
				errs += s.errors
			}
			rows = append(rows, row{label, median(rps), median(p99), median(cpu), median(busy), errs})
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].rps > rows[j].rps })
		var ref *row
		for i := range rows {
			if rows[i].label == c.reference {
				ref = &rows[i]
			}
		}
		ratio := func(a, b float64) string {
			if ref == nil || b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", a/b)
		}
		for _, x := range rows {
			var rr, pr, cr string = "-", "-", "-"
			if ref != nil {
				rr, pr, cr = ratio(x.rps, ref.rps), ratio(float64(x.p99), float64(ref.p99)), ratio(float64(x.cpu), float64(ref.cpu))
			}
			fmt.Fprintf(tw, "%s\t%.0f\t%v\t%.2fµs\t%.0f%%\t%d\t%s\t%s\t%s\t\n", x.label, x.rps, x.p99.Round(10*time.Microsecond),
				float64(x.cpu)/1e3, 100*x.busy, x.errors, rr, pr, cr)
		}
		tw.Flush()
	}
}

// profile loads one stack and takes a CPU profile of it through its -pprof server.
func profile(ctx context.Context, c config, s *stack, w io.Writer, tmp string) error {
	out := c.profileOut
	if out == "" {
		out = filepath.Join(os.TempDir(), fmt.Sprintf("bench-%s-%s.pprof", strings.NewReplacer("@", "_", "=", "_").Replace(s.label), c.profileRoute))
	}
	load := make(chan error, 1)
	go func() {
		_, err := runWrk(ctx, c, s.url+routes[c.profileRoute], time.Duration(c.profileSeconds+2)*time.Second)
		load <- err
	}()
	time.Sleep(time.Second)
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.pprof, c.profileSeconds))
	if err != nil {
		return fmt.Errorf("profiling %s: %w", s.label, err)
	}
	defer resp.Body.Close()
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := <-load; err != nil {
		return err
	}
	fmt.Fprintf(w, "\nCPU profile of %s under %s load: %s\n", s.label, c.profileRoute, out)
	top := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount=30", c.stackBin, out)
	top.Stdout, top.Stderr = w, w
	return top.Run()
}
