package clickhouse

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"stacklab/results"
	"stacklab/results/spool"
)

// needBinary fails the test when clickhouse-server is not installed, unless CLICKHOUSE_URL
// names a server (then the embedded server is not what the lab uses, and the test says so).
func needBinary(t *testing.T) {
	t.Helper()
	if Installed() {
		return
	}
	if os.Getenv(EnvURL) != "" {
		t.Skipf("clickhouse-server is not installed and %s is set: StartEmbedded is not tested here", EnvURL)
	}
	t.Fatalf("clickhouse-server is not installed (apt-get install -y clickhouse-server), and %s is not set", EnvURL)
}

// mtimes records the modification times of everything under root (nothing when it is absent).
func mtimes(t *testing.T, root string) map[string]time.Time {
	t.Helper()
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

func TestEmbeddedServer(t *testing.T) {
	needBinary(t)
	ctx := context.Background()
	parent := t.TempDir()
	systemData := mtimes(t, "/var/lib/clickhouse")
	systemLogs := mtimes(t, "/var/log/clickhouse-server")

	srv, err := StartEmbedded(ctx, parent)
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
	if len(pids) == 0 || pids[0] != srv.cmd.Process.Pid {
		t.Fatalf("PIDs() = %v, want the server (pid %d) first", pids, srv.cmd.Process.Pid)
	}

	// It answers queries, as the sink sees it.
	s, err := Open(ctx, srv.Config("embedded_test"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Version() != srv.Version() {
		t.Errorf("the sink sees version %q, the server said %q", s.Version(), srv.Version())
	}
	first := richRun(t, "r-embedded", runStart, 11)
	publish(t, s, first)

	// A sink on an embedded server keeps no markers: every spooled run is offered to it, each
	// goes in once, and the spool holds nothing but the runs.
	if s.Name() != "" {
		t.Errorf("a sink on an embedded server is named %q, want \"\"", s.Name())
	}
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	second := richRun(t, "r-embedded-2", runStart.Add(time.Hour), 12)
	for _, run := range []*results.Run{first, second} {
		if _, err := sp.Write(run); err != nil {
			t.Fatal(err)
		}
	}
	for round, want := range []int{1, 0} {
		n, err := PublishPending(ctx, sp, s, nil)
		if n != want || err != nil {
			t.Errorf("PublishPending %d = %d, %v; want %d", round+1, n, err, want)
		}
	}
	wantRows(t, s, first, 1)
	wantRows(t, s, second, 1)
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
		after := mtimes(t, sys.root)
		for path, m := range after {
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
		if _, ok := parentOf(pid); ok {
			t.Errorf("process %d is still running after Close", pid)
		}
	}
	if _, err := os.Stat(srv.Dir()); !os.IsNotExist(err) {
		t.Errorf("the server's folder is still there after Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if _, err := Open(ctx, srv.Config("embedded_test")); err == nil {
		t.Error("Open succeeded on a closed server")
	}
}

// TestEmbeddedStartFailure: when the server does not answer in time, the error shows its log
// and nothing is left behind.
func TestEmbeddedStartFailure(t *testing.T) {
	needBinary(t)
	parent := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	srv, err := StartEmbedded(ctx, parent)
	if err == nil {
		srv.Close()
		t.Fatal("StartEmbedded answered within a millisecond")
	}
	for _, want := range []string{"did not answer a query in time", "--- last lines of", "clickhouse-server.log"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("StartEmbedded left %v behind", ents)
	}
}

const helperEnv = "STACKLAB_CLICKHOUSE_HELPER_DIR"

// TestEmbeddedDiesWithItsParent kills a process that started a server with SIGKILL (no chance to
// clean up) and checks that the server dies too.
func TestEmbeddedDiesWithItsParent(t *testing.T) {
	needBinary(t)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStartEmbedded$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var pid int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "server pid %d", &pid); err == nil {
			break
		}
	}
	if pid == 0 {
		t.Fatalf("the helper did not report a server: %v", sc.Err())
	}
	if _, ok := parentOf(pid); !ok {
		t.Fatalf("server %d is not running", pid)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := parentOf(pid); !ok {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			t.Fatalf("server %d outlived its parent by 10 s", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHelperStartEmbedded is the helper process of TestEmbeddedDiesWithItsParent; on its own it
// does nothing.
func TestHelperStartEmbedded(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		return
	}
	srv, err := StartEmbedded(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("server pid %d\n", srv.PIDs()[0])
	time.Sleep(time.Minute) // killed long before
	srv.Close()
}
