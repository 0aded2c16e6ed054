package proc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options describe a child process.
type Options struct {
	// Service names the child in messages ("embedded postgres", "stack http=…").
	Service string
	Path    string
	Args    []string
	Dir     string
	// LogPath receives the child's stdout and stderr (appended).
	LogPath string
	// Env is the child's whole environment (nil: LANG=C and a minimal PATH).
	Env []string
	// Credential, when set, is the user the child runs as.
	Credential *syscall.Credential
	// CPUs, when set, confines the child and every thread it starts to those CPUs from its first
	// instruction (it is started through taskset).
	CPUs CPUSet
	// ExtraFiles are open files the child inherits as file descriptors 3, 4, … (e.g. a listening
	// socket the parent made, so the child's address is known before it starts).
	ExtraFiles []*os.File
}

// Child is a process started by Start.
type Child struct {
	service string
	cmd     *exec.Cmd
	line    string // the command line, for messages
	logPath string
	exited  chan struct{} // closed once Wait returned
	waitErr error         // set before exited is closed
}

// spawner starts every child from one goroutine locked to its OS thread for the life of the
// process (see the package comment).
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

// Start starts a child in its own process group, with its output appended to LogPath and SIGKILL
// as its parent-death signal.
func Start(o Options) (*Child, error) {
	if o.CPUs != "" {
		if _, err := o.CPUs.mask(); err != nil {
			return nil, fmt.Errorf("starting %s: %w", o.Service, err)
		}
		o.Args = append([]string{"-c", string(o.CPUs), o.Path}, o.Args...)
		o.Path = "taskset"
	}
	line := o.Path + " " + strings.Join(o.Args, " ")
	logFile, err := os.OpenFile(o.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("starting %s: opening its log: %w", o.Service, err)
	}
	cmd := exec.Command(o.Path, o.Args...)
	cmd.Dir = o.Dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = o.Env
	if cmd.Env == nil {
		cmd.Env = []string{"LANG=C", "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	}
	cmd.ExtraFiles = o.ExtraFiles
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: o.Credential}
	if err := spawn(cmd); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: `%s`: %w", o.Service, line, err)
	}
	c := &Child{service: o.Service, cmd: cmd, line: line, logPath: o.LogPath, exited: make(chan struct{})}
	go func() {
		c.waitErr = cmd.Wait()
		logFile.Close()
		close(c.exited)
	}()
	return c, nil
}

// Run runs a child (a setup command such as initdb) to completion within timeout.
func Run(o Options, timeout time.Duration) error {
	c, err := Start(o)
	if err != nil {
		return err
	}
	select {
	case <-c.exited:
		if c.waitErr != nil {
			return c.Failure(fmt.Errorf("failed: %w", c.waitErr))
		}
		return nil
	case <-time.After(timeout):
		c.Kill()
		<-c.exited
		return c.Failure(fmt.Errorf("did not finish within %v", timeout))
	}
}

// PID is the child's process id.
func (c *Child) PID() int { return c.cmd.Process.Pid }

// Exited is closed once the child has exited; WaitErr then tells how.
func (c *Child) Exited() <-chan struct{} { return c.exited }

// WaitErr is the child's exit error; valid once Exited is closed.
func (c *Child) WaitErr() error { return c.waitErr }

// Line is the child's command line, for messages and records.
func (c *Child) Line() string { return c.line }

// LogPath is where the child's output goes.
func (c *Child) LogPath() string { return c.logPath }

// Failure wraps err with the service, the command line and the tail of the child's log.
func (c *Child) Failure(err error) error {
	return fmt.Errorf("%s: `%s` %w\n--- last lines of %s ---\n%s", c.service, c.line, err, c.logPath, LogTail(c.logPath, 20))
}

// Kill sends SIGKILL to the child's whole process group.
func (c *Child) Kill() {
	_ = syscall.Kill(-c.PID(), syscall.SIGKILL)
}

// Stop sends sig to the child, waits up to grace for it to exit, then kills its process group.
// The group is killed in any case, so no helper process of the child survives it.
func (c *Child) Stop(sig syscall.Signal, grace time.Duration) error {
	select {
	case <-c.exited:
	default:
		_ = c.cmd.Process.Signal(sig)
		select {
		case <-c.exited:
		case <-time.After(grace):
			c.Kill()
			select {
			case <-c.exited:
			case <-time.After(5 * time.Second):
				return fmt.Errorf("stopping %s (pid %d): still running 5 s after SIGKILL", c.service, c.PID())
			}
		}
	}
	_ = syscall.Kill(-c.PID(), syscall.SIGKILL) // stragglers in the group; ESRCH when none
	return nil
}

// LogTail returns the last n lines of the file at path.
func LogTail(path string, n int) string {
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

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free loopback port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
