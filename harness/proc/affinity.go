package proc

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// CPUSet is a set of CPUs written as a taskset-style list, e.g. "0", "1-3" or "0,2".
type CPUSet string

// ParseCPUSet reads a list such as "0", "1-3" or "0,2", refusing CPUs this machine does not have.
func ParseCPUSet(s string) (CPUSet, error) {
	if _, err := CPUSet(s).mask(); err != nil {
		return "", err
	}
	return CPUSet(s), nil
}

// mask turns the list into a kernel CPU mask.
func (c CPUSet) mask() (unix.CPUSet, error) {
	var set unix.CPUSet
	n := runtime.NumCPU()
	if strings.TrimSpace(string(c)) == "" {
		return set, fmt.Errorf("empty CPU list")
	}
	for _, part := range strings.Split(string(c), ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, errA := strconv.Atoi(lo)
		b, errB := a, error(nil)
		if isRange {
			b, errB = strconv.Atoi(hi)
		}
		if errA != nil || errB != nil || a < 0 || b < a {
			return set, fmt.Errorf("CPU list %q: %q is not a CPU or a range of CPUs", c, part)
		}
		if b >= n {
			return set, fmt.Errorf("CPU list %q: this machine has CPUs 0-%d", c, n-1)
		}
		for cpu := a; cpu <= b; cpu++ {
			set.Set(cpu)
		}
	}
	return set, nil
}

// Count is the number of CPUs in the set (0 for an invalid set).
func (c CPUSet) Count() int {
	set, err := c.mask()
	if err != nil {
		return 0
	}
	return set.Count()
}

// AllCPUs is every CPU of the machine.
func AllCPUs() CPUSet {
	if n := runtime.NumCPU(); n > 1 {
		return CPUSet("0-" + strconv.Itoa(n-1))
	}
	return "0"
}

// Pin confines every thread of each process to cpus. Threads a process starts later inherit the
// mask of the thread that starts them, and processes forked later (a PostgreSQL backend) that of
// their parent, so pinning a process once covers what it starts afterwards. A process that has
// exited meanwhile is skipped; any other failure is returned.
func Pin(cpus CPUSet, pids ...int) error {
	set, err := cpus.mask()
	if err != nil {
		return err
	}
	for _, pid := range pids {
		tids, err := threads(pid)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return fmt.Errorf("pinning process %d: %w", pid, err)
		}
		for _, tid := range tids {
			if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH {
				return fmt.Errorf("pinning thread %d of process %d to CPUs %s: %w", tid, pid, cpus, err)
			}
		}
	}
	return nil
}

// Affinity returns the CPUs the process's main thread may run on, as a list.
func Affinity(pid int) (CPUSet, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(pid, &set); err != nil {
		return "", fmt.Errorf("affinity of process %d: %w", pid, err)
	}
	var cpus []string
	for cpu := 0; cpu < runtime.NumCPU(); cpu++ {
		if set.IsSet(cpu) {
			cpus = append(cpus, strconv.Itoa(cpu))
		}
	}
	return CPUSet(strings.Join(cpus, ",")), nil
}

// threads lists the thread ids of a process.
func threads(pid int) ([]int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil, err
	}
	tids := make([]int, 0, len(entries))
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}
