package proc

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, 100 on every Linux ABI.
const userHZ = 100

// Usage is what one process had used when it was sampled.
type Usage struct {
	PID int
	// Started identifies the process across samples (its start time in clock ticks since boot),
	// so a reused PID is never mistaken for the process sampled before.
	Started uint64
	CPU     time.Duration // user + system
	RSS     int64         // resident memory, bytes
	PeakRSS int64         // peak resident memory (VmHWM), bytes
	// Voluntary and involuntary context switches.
	VolCtx, InvolCtx int64
}

// Sample reads one process's usage.
func Sample(pid int) (Usage, error) {
	_, rest, ok := statFields(pid)
	if !ok {
		return Usage{}, fmt.Errorf("process %d is not running", pid)
	}
	utime, err1 := strconv.ParseUint(rest[11], 10, 64)
	stime, err2 := strconv.ParseUint(rest[12], 10, 64)
	started, err3 := strconv.ParseUint(rest[19], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Usage{}, fmt.Errorf("process %d: unreadable /proc stat", pid)
	}
	u := Usage{PID: pid, Started: started, CPU: time.Duration(utime+stime) * time.Second / userHZ}
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return Usage{}, fmt.Errorf("process %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			u.RSS = n << 10
		case "VmHWM":
			u.PeakRSS = n << 10
		case "voluntary_ctxt_switches":
			u.VolCtx = n
		case "nonvoluntary_ctxt_switches":
			u.InvolCtx = n
		}
	}
	return u, sc.Err()
}

// ResetPeak starts a new peak-RSS period for the process (writes 5 to /proc/<pid>/clear_refs), so
// PeakRSS tells the peak of one trial rather than of the process's whole life.
func ResetPeak(pid int) error {
	path := filepath.Join("/proc", strconv.Itoa(pid), "clear_refs")
	if err := os.WriteFile(path, []byte("5"), 0); err != nil {
		return fmt.Errorf("resetting the peak RSS of process %d: %w", pid, err)
	}
	return nil
}

// Snapshot is the usage of a group of processes at one moment, by PID.
type Snapshot map[int]Usage

// SampleAll samples every pid that is still running; vanished ones are left out.
func SampleAll(pids []int) Snapshot {
	s := make(Snapshot, len(pids))
	for _, pid := range pids {
		if u, err := Sample(pid); err == nil {
			s[pid] = u
		}
	}
	return s
}

// CPUSince is the CPU the group used between an earlier snapshot and s: per process the
// difference, and all of it for a process that started in between. The CPU of a process that
// exited in between is not counted: keep the groups' processes alive during a measurement.
func (s Snapshot) CPUSince(earlier Snapshot) time.Duration {
	var d time.Duration
	for pid, now := range s {
		if before, ok := earlier[pid]; ok && before.Started == now.Started {
			d += now.CPU - before.CPU
		} else {
			d += now.CPU
		}
	}
	return d
}

// Sum adds up the group's usage (RSS values are summed, a group's memory).
func (s Snapshot) Sum() Usage {
	var t Usage
	for _, u := range s {
		t.CPU += u.CPU
		t.RSS += u.RSS
		t.PeakRSS += u.PeakRSS
		t.VolCtx += u.VolCtx
		t.InvolCtx += u.InvolCtx
	}
	return t
}
