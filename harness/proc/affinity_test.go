package proc

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// allowed reads the CPUs a process may run on, as the kernel reports them.
func allowed(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no Cpus_allowed_list")
	return ""
}

func TestParseCPUSet(t *testing.T) {
	for _, ok := range []string{"0", "0-0", string(AllCPUs())} {
		if _, err := ParseCPUSet(ok); err != nil {
			t.Errorf("ParseCPUSet(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "x", "1-0", "-1", "0,", strconv.Itoa(runtime.NumCPU())} {
		if _, err := ParseCPUSet(bad); err == nil {
			t.Errorf("ParseCPUSet(%q) accepted", bad)
		}
	}
}

func TestStartPinnedAndPin(t *testing.T) {
	dir := t.TempDir()
	c, err := Start(Options{Service: "sleeper", Path: "/bin/sleep", Args: []string{"30"}, LogPath: filepath.Join(dir, "log"),
		CPUs: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	time.Sleep(50 * time.Millisecond) // taskset has exec'd sleep
	if got := allowed(t, c.PID()); got != "0" {
		t.Errorf("a child started on CPU 0 may run on %q", got)
	}
	if err := Pin(AllCPUs(), c.PID()); err != nil {
		t.Fatal(err)
	}
	if got, want := allowed(t, c.PID()), string(AllCPUs()); got != want && runtime.NumCPU() > 1 {
		t.Errorf("after Pin to every CPU the child may run on %q, want %q", got, want)
	}
	if a, err := Affinity(c.PID()); err != nil || a == "" {
		t.Errorf("Affinity: %q, %v", a, err)
	}
	if err := Pin("0", 1<<22+12345); err != nil {
		t.Errorf("pinning a process that does not exist: %v, want it skipped", err)
	}
}
