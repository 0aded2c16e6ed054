package proc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Info is what /proc tells about one process.
type Info struct {
	PID, PPID int
	Comm      string // the command name (the kernel keeps 15 bytes)
	Exe       string // base name of the executable; "" when unreadable
}

// statFields reads /proc/<pid>/stat and returns the command name and the fields after it
// (state, ppid, …); ok is false when the process does not exist or is a zombie.
func statFields(pid int) (comm string, rest []string, ok bool) {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return "", nil, false
	}
	// pid (comm) state ppid …; comm may hold spaces and parentheses: split at the last ')'.
	i := bytes.IndexByte(stat, '(')
	j := bytes.LastIndexByte(stat, ')')
	if i < 0 || j < i {
		return "", nil, false
	}
	rest = strings.Fields(string(stat[j+1:]))
	if len(rest) < 22 || rest[0] == "Z" || rest[0] == "X" {
		return "", nil, false
	}
	return string(stat[i+1 : j]), rest, true
}

// Read reads /proc/<pid>; ok is false when the process does not exist (or is a zombie).
func Read(pid int) (Info, bool) {
	comm, rest, ok := statFields(pid)
	if !ok {
		return Info{}, false
	}
	ppid, _ := strconv.Atoi(rest[1])
	info := Info{PID: pid, PPID: ppid, Comm: comm}
	if exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe")); err == nil {
		info.Exe = filepath.Base(strings.TrimSuffix(exe, " (deleted)"))
	}
	return info, true
}

// Alive reports whether pid is a live (not zombie) process.
func Alive(pid int) bool {
	_, _, ok := statFields(pid)
	return ok
}

// Cmdline is the process's command line with its arguments joined by spaces ("" when unreadable).
// PostgreSQL backends put their database name there ("postgres: user db 127.0.0.1(port) idle").
func Cmdline(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// List lists every live process.
func List() ([]Info, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var ps []Info
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := Read(pid); ok {
			ps = append(ps, p)
		}
	}
	return ps, nil
}

// Named reports whether p runs the executable called name: by its command name (what ps shows)
// or by the file it executes (which differs when name is a symbolic link, as Debian's
// redis-server is to redis-check-rdb).
func (p Info) Named(name string) bool {
	return p.Comm == name || (len(name) > 15 && p.Comm == name[:15]) || p.Exe == name
}

// Tree returns root and all its live descendants, root first, the rest in ascending order.
// It is empty when root is not running.
func Tree(root int) ([]int, error) {
	if !Alive(root) {
		return nil, nil
	}
	ps, err := List()
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	for _, p := range ps {
		children[p.PPID] = append(children[p.PPID], p.PID)
	}
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	slices.Sort(tree[1:])
	return tree, nil
}

// Named returns the PIDs of the live processes running the executable called name (such as
// "postgres" or "redis-server"), in ascending order.
func Named(name string) ([]int, error) {
	ps, err := List()
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, p := range ps {
		if p.Named(name) {
			pids = append(pids, p.PID)
		}
	}
	slices.Sort(pids)
	return pids, nil
}
