package services_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"stacklab/harness/proc"
	"stacklab/harness/services"
	"stacklab/results"
	"stacklab/results/clickhouse"
	"stacklab/results/resultstest"
	"stacklab/results/spool"
)

var runStart = time.Date(2026, 11, 24, 10, 15, 0, 0, time.UTC)

// needClickHouse fails the test when clickhouse-server is not installed: `make test` installs it
// (scripts/test-deps.sh), so its absence is a broken set-up, not a reason to skip.
func needClickHouse(t *testing.T) {
	t.Helper()
	if !services.ClickHouseInstalled() {
		t.Fatalf("clickhouse-server is not installed (apt-get install -y clickhouse-server; make test does it)")
	}
}

func startClickHouse(t *testing.T, parent string) *services.ClickHouseServer {
	t.Helper()
	srv, err := services.StartClickHouse(context.Background(), parent)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// mtimes records the modification times of everything under root (nothing when it is absent).
func mtimes(root string) map[string]time.Time {
	m := map[string]time.Time{}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := d.Info(); err == nil {
			m[path] = info.ModTime()
		}
		return nil
	})
	return m
}

func openSink(t *testing.T, cfg clickhouse.Config) *clickhouse.Sink {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("opening a sink on %s: %v", cfg.Addr, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sameRun fails the test unless the sink gives run back as it was.
func sameRun(t *testing.T, s *clickhouse.Sink, run *results.Run) {
	t.Helper()
	got, err := s.LoadRun(context.Background(), run.ID)
	if err != nil {
		t.Fatalf("LoadRun(%s): %v", run.ID, err)
	}
	if d := resultstest.Diff(run, got); len(d) > 0 {
		t.Errorf("run %s read back differs:\n%s", run.ID, strings.Join(d, "\n"))
	}
}

func TestClickHouseEmbedded(t *testing.T) {
	needClickHouse(t)
	ctx := context.Background()
	parent := t.TempDir()
	systemData := mtimes("/var/lib/clickhouse")
	systemLogs := mtimes("/var/log/clickhouse-server")

	srv, err := services.StartClickHouse(ctx, parent)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			srv.Close()
		}
	}()
	if filepath.Dir(srv.Dir()) != parent {
		t.Errorf("server folder %s is not inside %s", srv.Dir(), parent)
	}
	if v := srv.Version(); v == "" || v[0] < '1' || v[0] > '9' {
		t.Errorf("Version() = %q", v)
	}
	pids := srv.PIDs()
	if len(pids) == 0 || !strings.HasPrefix(comm(pids[0]), "clickhouse") {
		t.Fatalf("PIDs() = %v (%s first), want the server first", pids, comm(pids[0]))
	}
	if cfg, err := clickhouse.ParseURL(srv.URL()); err != nil || cfg.Addr != srv.Addr() {
		t.Errorf("URL %s parses as %+v, %v; want the address %s", srv.URL(), cfg, err, srv.Addr())
	}

	// It answers queries, as the sink sees it.
	s := openSink(t, srv.Config("embedded_test"))
	if s.Version() != srv.Version() {
		t.Errorf("the sink sees version %q, the server said %q", s.Version(), srv.Version())
	}
	first := resultstest.Run(t, "r-embedded", runStart, 11)
	if published, err := s.Publish(ctx, first); !published || err != nil {
		t.Fatalf("Publish = %v, %v", published, err)
	}
	sameRun(t, s, first)

	// A sink on an embedded server keeps no markers: every spooled run is offered to it, each
	// goes in once, and the spool holds nothing but the runs.
	if s.Name() != "" {
		t.Errorf("a sink on an embedded server is named %q, want \"\"", s.Name())
	}
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	second := resultstest.Run(t, "r-embedded-2", runStart.Add(time.Hour), 12)
	for _, run := range []*results.Run{first, second} {
		if _, err := sp.Write(run); err != nil {
			t.Fatal(err)
		}
	}
	for round, want := range []int{1, 0} {
		n, err := clickhouse.PublishPending(ctx, sp, s, nil)
		if n != want || err != nil {
			t.Errorf("PublishPending %d = %d, %v; want %d", round+1, n, err, want)
		}
	}
	sameRun(t, s, second)
	if ids, err := s.ListRuns(ctx); err != nil || !slices.Equal(ids, []string{first.ID, second.ID}) {
		t.Errorf("ListRuns = %v, %v", ids, err)
	}
	if ents, _ := os.ReadDir(sp.Dir()); len(ents) != 2 {
		t.Errorf("the spool holds %d files, want the 2 runs and no markers", len(ents))
	}
	s.Close()

	// Everything it keeps open or wrote is in its folder; nothing of the system's was touched.
	for _, pid := range pids {
		fds, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "fd", fd.Name()))
			if err != nil || !strings.HasPrefix(target, "/") || target == "/dev/null" || strings.HasPrefix(target, "/proc/") {
				continue
			}
			if !strings.HasPrefix(target, srv.Dir()+"/") {
				t.Errorf("the server (pid %d) has %s open, outside its folder", pid, target)
			}
		}
	}
	for _, sys := range []struct {
		root   string
		before map[string]time.Time
	}{{"/var/lib/clickhouse", systemData}, {"/var/log/clickhouse-server", systemLogs}} {
		for path, m := range mtimes(sys.root) {
			if b, ok := sys.before[path]; !ok || !b.Equal(m) {
				t.Errorf("the embedded server wrote %s", path)
			}
		}
	}
	for _, sub := range []string{"data", "metadata", "log/clickhouse-server.log", "preprocessed_configs"} {
		if _, err := os.Stat(filepath.Join(srv.Dir(), sub)); err != nil {
			t.Errorf("the server's folder lacks %s: %v", sub, err)
		}
	}

	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	closed = true
	t.Logf("Close took %v", time.Since(start))
	for _, pid := range pids {
		if live(pid) {
			t.Errorf("process %d is still running after Close", pid)
		}
	}
	if left := inGroup(t, pids[0]); len(left) > 0 {
		t.Errorf("process group %d still has %v after Close", pids[0], left)
	}
	if _, err := os.Stat(srv.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the server's folder is still there after Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if s, err := clickhouse.Open(ctx, srv.Config("embedded_test")); err == nil {
		s.Close()
		t.Error("Open succeeded on a closed server")
	}
}

// When the server does not answer in time, the error shows its logs and nothing is left behind.
func TestClickHouseStartFailure(t *testing.T) {
	needClickHouse(t)
	parent := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	srv, err := services.StartClickHouse(ctx, parent)
	if err == nil {
		srv.Close()
		t.Fatal("StartClickHouse answered within a millisecond")
	}
	for _, want := range []string{"embedded clickhouse", "did not answer a query in time", "--- last lines of", "clickhouse-server.log", "stdout.log"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("StartClickHouse left %v behind", ents)
	}
}

// Start provides a ClickHouse on request: an embedded one without CLICKHOUSE_URL, the one it names
// otherwise, and exports it to child processes.
func TestStartWithClickHouse(t *testing.T) {
	needStandard(t)
	needClickHouse(t)
	s := start(t, services.Config{ClickHouse: true, TempDir: t.TempDir()})
	e := s.ClickHouse
	if e.Service != "clickhouse" || e.Source != services.SourceEmbedded || e.Version == "" || e.Dir == "" || len(e.PIDs) == 0 || e.Command == "" {
		t.Errorf("embedded clickhouse endpoint: %+v", e)
	}
	cfg, ok := s.ClickHouseConfig()
	if !ok || !cfg.Scratch {
		t.Errorf("ClickHouseConfig = %+v, %v; want a scratch server", cfg, ok)
	}
	if !slices.Contains(s.Env(), clickhouse.EnvURL+"="+e.URL) {
		t.Errorf("Env() = %v, want %s=%s", s.Env(), clickhouse.EnvURL, e.URL)
	}
	openSink(t, cfg)

	// The same server named by CLICKHOUSE_URL: used, not started, and not a scratch one.
	byURL := start(t, services.Config{ClickHouse: true, ClickHouseURL: e.URL})
	if got := byURL.ClickHouse; got.Source != services.SourceEnv || got.URL != e.URL || got.Version != e.Version || got.Dir != "" {
		t.Errorf("clickhouse from the URL: %+v", got)
	}
	if cfg, _ := byURL.ClickHouseConfig(); cfg.Scratch || cfg.Addr != strings.TrimPrefix(e.URL, "clickhouse://") {
		t.Errorf("ClickHouseConfig from the URL: %+v", cfg)
	}

	// Not asked for: none, and nothing exported.
	none := start(t, services.Config{ClickHouseURL: e.URL})
	if none.ClickHouse.URL != "" || strings.Contains(strings.Join(none.Env(), " "), clickhouse.EnvURL) {
		t.Errorf("a ClickHouse nobody asked for: %+v, %v", none.ClickHouse, none.Env())
	}

	// A URL where nothing answers fails clearly and soon.
	port, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	bad, err := services.Start(context.Background(), services.Config{ClickHouse: true, ClickHouseURL: "127.0.0.1:" + strconv.Itoa(port)})
	if err == nil {
		bad.Close()
		t.Fatal("Start accepted a CLICKHOUSE_URL where nothing listens")
	}
	if !strings.Contains(err.Error(), "CLICKHOUSE_URL") || time.Since(began) > 10*time.Second {
		t.Errorf("after %v: %v", time.Since(began), err)
	}

	dir := e.Dir
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the embedded server's folder %s is still there after Close (%v)", dir, err)
	}
}

// TestPublishDownThenUp is the lab's promise: runs spooled while ClickHouse is down are published
// once it is up, all of them, once.
func TestPublishDownThenUp(t *testing.T) {
	needClickHouse(t)
	ctx := context.Background()
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}

	// ClickHouse is down: nothing listens at the address.
	port, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	down := clickhouse.Config{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Database: "stacklab_down"}
	var runs []*results.Run
	for i := range 3 {
		run := resultstest.Run(t, "20261124T1"+strconv.Itoa(i)+"0000Z-down", runStart.Add(time.Duration(i)*time.Hour), uint64(100+i))
		if _, err := sp.Write(run); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
		began := time.Now()
		s, err := clickhouse.Open(ctx, down)
		if err == nil {
			s.Close()
			t.Fatalf("Open succeeded with nothing at %s", down.Addr)
		}
		if took := time.Since(began); took > clickhouse.ConnectTimeout+time.Second {
			t.Errorf("Open with ClickHouse down took %v", took)
		}
		if !strings.Contains(err.Error(), "connecting to "+down.Addr) {
			t.Errorf("Open's error does not say where it tried: %v", err)
		}
	}
	// A file that is not a run must not stop the others.
	if err := os.WriteFile(sp.Path("corrupt"), []byte(`{"schema": "stacklab.results.run", "id": `), 0o644); err != nil {
		t.Fatal(err)
	}
	list, err := sp.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if len(e.Published) != 0 {
			t.Errorf("run %s is marked published while ClickHouse was down: %v", e.ID, e.Published)
		}
	}

	// ClickHouse comes up, as a server that keeps its data would (so the spool keeps markers).
	srv := startClickHouse(t, t.TempDir())
	cfg := srv.Config("stacklab_up")
	cfg.Scratch = false
	s := openSink(t, cfg)
	if s.Name() == "" {
		t.Fatal("a sink on a lasting server has no name")
	}

	var progress []string
	n, err := clickhouse.PublishPending(ctx, sp, s, func(id string, published bool) {
		progress = append(progress, id+":"+map[bool]string{true: "published", false: "present"}[published])
	})
	if n != 3 {
		t.Errorf("PublishPending published %d runs, want 3", n)
	}
	if err == nil || !strings.Contains(err.Error(), sp.Path("corrupt")) {
		t.Errorf("PublishPending's error = %v, want one naming the corrupt file", err)
	}
	want := []string{runs[0].ID + ":published", runs[1].ID + ":published", runs[2].ID + ":published"}
	if strings.Join(progress, " ") != strings.Join(want, " ") {
		t.Errorf("progress = %v, want %v", progress, want)
	}
	// Each run once, whole: LoadRun refuses a run with doubled runs rows, or with more stacks or
	// records than its runs row counts.
	check := func(when string) {
		t.Helper()
		ids, err := s.ListRuns(ctx)
		if err != nil || len(ids) != len(runs) {
			t.Errorf("%s: ListRuns = %v, %v; want the %d runs once each", when, ids, err, len(runs))
		}
		for _, run := range runs {
			sameRun(t, s, run)
		}
	}
	check("after the first PublishPending")
	for _, run := range runs {
		if ok, err := sp.Published(run.ID, s.Name()); !ok || err != nil {
			t.Errorf("run %s is not marked published to %s: %v", run.ID, s.Name(), err)
		}
	}

	// Again: every run is marked, so nothing is even tried.
	progress = nil
	n, err = clickhouse.PublishPending(ctx, sp, s, func(id string, published bool) { progress = append(progress, id) })
	if n != 0 || len(progress) != 0 {
		t.Errorf("PublishPending again: n = %d, progress %v; want nothing", n, progress)
	}
	if err == nil { // the corrupt file is still there, and still reported
		t.Error("PublishPending again forgot the corrupt file")
	}
	check("after the second PublishPending")

	// Markers lost (another machine's spool, a copied folder): the runs are found in ClickHouse,
	// not inserted again, and marked.
	if err := os.Remove(sp.Path("corrupt")); err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		if err := os.Remove(filepath.Join(sp.Dir(), run.ID+".published-"+s.Name())); err != nil {
			t.Fatal(err)
		}
	}
	progress = nil
	n, err = clickhouse.PublishPending(ctx, sp, s, func(id string, published bool) {
		progress = append(progress, id+":"+map[bool]string{true: "published", false: "present"}[published])
	})
	want = []string{runs[0].ID + ":present", runs[1].ID + ":present", runs[2].ID + ":present"}
	if n != 0 || err != nil || strings.Join(progress, " ") != strings.Join(want, " ") {
		t.Errorf("PublishPending without markers = %d, %v, progress %v; want 0, nil, %v", n, err, progress, want)
	}
	check("after PublishPending without markers")
	for _, run := range runs {
		if ok, _ := sp.Published(run.ID, s.Name()); !ok {
			t.Errorf("run %s was not marked again", run.ID)
		}
	}
}
