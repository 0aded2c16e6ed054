package proc_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"stacklab/harness/proc"
)

func TestLogTail(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "log")
	var b strings.Builder
	for i := range 30 {
		b.WriteString("line " + strings.Repeat("x", i) + "\n")
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(proc.LogTail(p, 3), "\n"); len(lines) != 3 || lines[2] != "line "+strings.Repeat("x", 29) {
		t.Errorf("tail = %q", lines)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := proc.LogTail(empty, 3); got != "(the log is empty)" {
		t.Errorf("empty tail = %q", got)
	}
	if got := proc.LogTail(filepath.Join(dir, "absent"), 3); !strings.Contains(got, "cannot read") {
		t.Errorf("absent tail = %q", got)
	}
}

func TestRunIsBounded(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Now()
	err := proc.Run(proc.Options{Service: "sleeper", Path: "/bin/sh", Args: []string{"-c", "echo about to sleep; sleep 30"},
		Dir: dir, LogPath: filepath.Join(dir, "log")}, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not finish within 300ms") || !strings.Contains(err.Error(), "about to sleep") {
		t.Errorf("err = %v", err)
	}
	if took := time.Since(t0); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	err = proc.Run(proc.Options{Service: "failer", Path: "/bin/sh", Args: []string{"-c", "echo broken >&2; exit 3"},
		Dir: dir, LogPath: filepath.Join(dir, "log2")}, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "broken") || !strings.Contains(err.Error(), "failer") {
		t.Errorf("err = %v", err)
	}
	var exitErr interface{ ExitCode() int }
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Errorf("err %v does not wrap the exit status", err)
	}
}

// A child's group is stopped with it: a grandchild does not survive Stop.
func TestStopKillsTheGroup(t *testing.T) {
	dir := t.TempDir()
	c, err := proc.Start(proc.Options{Service: "parent", Path: "/bin/sh", Args: []string{"-c", "sleep 60 & echo $! > child.pid; wait"},
		Dir: dir, LogPath: filepath.Join(dir, "log")})
	if err != nil {
		t.Fatal(err)
	}
	var grandchild int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(dir, "child.pid")); err == nil && len(b) > 1 {
			grandchild, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			break
		}
	}
	if grandchild == 0 || !proc.Alive(grandchild) {
		t.Fatalf("the grandchild did not start (pid %d)", grandchild)
	}
	if tree, err := proc.Tree(c.PID()); err != nil || len(tree) != 2 || tree[0] != c.PID() || tree[1] != grandchild {
		t.Errorf("Tree(%d) = %v, %v; want the parent then the grandchild %d", c.PID(), tree, err, grandchild)
	}
	if err := c.Stop(syscall.SIGTERM, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); proc.Alive(grandchild) && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if proc.Alive(grandchild) {
		t.Errorf("grandchild %d survived Stop", grandchild)
	}
}

// A busy child's CPU shows in its samples, its peak RSS can be reset, and a snapshot's CPUSince
// charges it the CPU of the window only.
func TestSample(t *testing.T) {
	dir := t.TempDir()
	c, err := proc.Start(proc.Options{Service: "burner", Path: "/bin/sh", Args: []string{"-c", "while :; do :; done"},
		Dir: dir, LogPath: filepath.Join(dir, "log")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop(syscall.SIGKILL, time.Second)
	before := proc.SampleAll([]int{c.PID(), 999999999})
	if len(before) != 1 {
		t.Fatalf("snapshot of one live and one absent pid holds %d entries", len(before))
	}
	time.Sleep(500 * time.Millisecond)
	after := proc.SampleAll([]int{c.PID()})
	used := after.CPUSince(before)
	// A busy loop on a shared 2-core machine gets a good share of the 500 ms, and never more.
	if used < 50*time.Millisecond || used > 600*time.Millisecond {
		t.Errorf("the busy child used %v of CPU in 500 ms", used)
	}
	u := after[c.PID()]
	if u.RSS <= 0 || u.PeakRSS < u.RSS || u.Started == 0 || u.VolCtx+u.InvolCtx <= 0 {
		t.Errorf("sample: %+v", u)
	}
	if err := proc.ResetPeak(c.PID()); err != nil {
		t.Errorf("ResetPeak: %v", err)
	}
	// A process that started after the earlier snapshot is charged all it used.
	if got := after.CPUSince(proc.Snapshot{}); got != u.CPU {
		t.Errorf("CPUSince(empty) = %v, want the whole %v", got, u.CPU)
	}
	if _, err := proc.Sample(999999999); err == nil {
		t.Error("sampling an absent pid succeeded")
	}
}

func TestNamedAndCmdline(t *testing.T) {
	self := os.Getpid()
	info, ok := proc.Read(self)
	if !ok || info.PID != self || info.PPID == 0 {
		t.Fatalf("Read(self) = %+v, %v", info, ok)
	}
	pids, err := proc.Named(info.Comm)
	if err != nil || !slices.Contains(pids, self) {
		t.Errorf("Named(%q) = %v, %v; want it to hold %d", info.Comm, pids, err, self)
	}
	if cl := proc.Cmdline(self); !strings.Contains(cl, filepath.Base(os.Args[0])) {
		t.Errorf("Cmdline(self) = %q", cl)
	}
}

func TestFreePort(t *testing.T) {
	p, err := proc.FreePort()
	if err != nil || p <= 0 || p > 65535 {
		t.Errorf("FreePort = %d, %v", p, err)
	}
}
