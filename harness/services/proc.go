package services

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is a server process started by this package.
type child struct {
	service string
	cmd     *exec.Cmd
	line    string // the command line, for messages
	logPath string
	logFile *os.File
	exited  chan struct{} // closed once Wait returned
	waitErr error         // set before exited is closed
}

// spawner starts every child from one goroutine locked to its OS thread for the life of the
// process: the kernel sends a child its parent-death signal when the *thread* that forked it ends,
// and a locked thread that Go never reuses or retires cannot end early.
var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func spawn(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: this goroutine runs until the process ends
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd: cmd, done: done}
	return <-done
}

// startChild starts name with args in its own process group, with its output appended to logPath
// and SIGKILL as its parent-death signal. cred, when set, is the user it runs as.
func startChild(service, name string, args []string, dir, logPath string, cred *syscall.Credential) (*child, error) {
	line := name + " " + strings.Join(args, " ")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("starting %s: opening its log: %w", service, err)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = []string{"LANG=C", "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: cred}
	if err := spawn(cmd); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: `%s`: %w", service, line, err)
	}
	c := &child{service: service, cmd: cmd, line: line, logPath: logPath, logFile: logFile, exited: make(chan struct{})}
	go func() {
		c.waitErr = cmd.Wait()
		logFile.Close()
		close(c.exited)
	}()
	return c, nil
}

// runChild runs a setup command (such as initdb) to completion within timeout.
func runChild(service, name string, args []string, dir, logPath string, cred *syscall.Credential, timeout time.Duration) error {
	c, err := startChild(service, name, args, dir, logPath, cred)
	if err != nil {
		return err
	}
	select {
	case <-c.exited:
		if c.waitErr != nil {
			return c.failure(fmt.Errorf("failed: %w", c.waitErr))
		}
		return nil
	case <-time.After(timeout):
		c.kill()
		<-c.exited
		return c.failure(fmt.Errorf("did not finish within %v", timeout))
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// failure wraps err with the service, the command line and the tail of its log.
func (c *child) failure(err error) error {
	return fmt.Errorf("%s: `%s` %w\n--- last lines of %s ---\n%s", c.service, c.line, err, c.logPath, logTail(c.logPath, 20))
}

// kill sends SIGKILL to the child's whole process group.
func (c *child) kill() {
	_ = syscall.Kill(-c.pid(), syscall.SIGKILL)
}

// stop sends sig to the child, waits up to grace for it to exit, then kills its process group.
// The group is killed in any case, so no helper process of the server survives it.
func (c *child) stop(sig syscall.Signal, grace time.Duration) error {
	select {
	case <-c.exited:
	default:
		_ = c.cmd.Process.Signal(sig)
		select {
		case <-c.exited:
		case <-time.After(grace):
			c.kill()
			select {
			case <-c.exited:
			case <-time.After(5 * time.Second):
				return fmt.Errorf("stopping %s (pid %d): still running 5 s after SIGKILL", c.service, c.pid())
			}
		}
	}
	_ = syscall.Kill(-c.pid(), syscall.SIGKILL) // stragglers in the group; ESRCH when none
	return nil
}

// logTail returns the last n lines of the file at path.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "(the log is empty)"
	}
	return strings.Join(lines, "\n")
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free loopback port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// procInfo is what /proc tells about one process.
type procInfo struct {
	pid, ppid int
	comm      string
	exe       string // base name of the executable; "" when unreadable
}

// readProc reads /proc/<pid>; ok is false when the process does not exist (or is a zombie).
func readProc(pid int) (procInfo, bool) {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procInfo{}, false
	}
	// pid (comm) state ppid …; comm may hold spaces and parentheses: split at the last ')'.
	i := bytes.IndexByte(stat, '(')
	j := bytes.LastIndexByte(stat, ')')
	if i < 0 || j < i {
		return procInfo{}, false
	}
	rest := strings.Fields(string(stat[j+1:]))
	if len(rest) < 2 || rest[0] == "Z" || rest[0] == "X" {
		return procInfo{}, false
	}
	ppid, _ := strconv.Atoi(rest[1])
	info := procInfo{pid: pid, ppid: ppid, comm: string(stat[i+1 : j])}
	if exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe")); err == nil {
		info.exe = filepath.Base(strings.TrimSuffix(exe, " (deleted)"))
	}
	return info, true
}

// processes lists every live process.
func processes() ([]procInfo, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var ps []procInfo
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			ps = append(ps, p)
		}
	}
	return ps, nil
}

// named reports whether p runs the executable called name: by its command name (what ps shows;
// the kernel keeps 15 bytes of it) or by the file it executes (which differs when name is a
// symbolic link, as Debian's redis-server is to redis-check-rdb).
func (p procInfo) named(name string) bool {
	return p.comm == name || (len(name) > 15 && p.comm == name[:15]) || p.exe == name
}

// ProcessTree returns root and all its live descendants, root first, the rest in ascending order.
// It is empty when root is not running.
func ProcessTree(root int) ([]int, error) {
	if _, ok := readProc(root); !ok {
		return nil, nil
	}
	ps, err := processes()
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	for _, p := range ps {
		children[p.ppid] = append(children[p.ppid], p.pid)
	}
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	slices.Sort(tree[1:])
	return tree, nil
}

// ProcessesNamed returns the PIDs of the live processes running the executable called name
// (such as "postgres" or "redis-server"), in ascending order.
func ProcessesNamed(name string) ([]int, error) {
	ps, err := processes()
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, p := range ps {
		if p.named(name) {
			pids = append(pids, p.pid)
		}
	}
	slices.Sort(pids)
	return pids, nil
}

// serverPIDs returns the process tree of the server whose main process the server itself
// reported (mainPID ≤ 0: unknown), when /proc shows it runs exe; else, every process named exe.
// The first way tells two servers of the same kind apart; the second is the fallback when the
// server runs in another PID namespace or does not say.
func serverPIDs(mainPID int, exe string) ([]int, error) {
	if mainPID > 0 {
		if p, ok := readProc(mainPID); ok && p.named(exe) {
			return ProcessTree(mainPID)
		}
	}
	return ProcessesNamed(exe)
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	_, ok := readProc(pid)
	return ok
}
