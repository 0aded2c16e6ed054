package lab

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"stacklab/harness/proc"
	"stacklab/ledgerspec"
	"stacklab/stacks"
)

// stackProcess is one stack binary running on a loopback port.
type stackProcess struct {
	child *proc.Child
	url   string
	spec  stacks.Spec
	dsn   string // the stack's database
}

// stackEnv is where a stack process finds its services.
type stackEnv struct {
	databaseURL string
	redisURL    string
	redisPrefix string
	brokers     []string
	cpus        proc.CPUSet // "" for any CPU
	gomaxprocs  int
	dbConns     int
	redisConns  int
}

// startStack starts the stack binary for spec and waits until it answers. The lab makes the
// listening socket and hands it to the process (-listen-fd), so the address is known from the
// start and nothing is read from the process's output. The process gets a fixed GOMAXPROCS and
// nothing from the lab's environment but PATH and HOME.
func startStack(ctx context.Context, bin string, spec stacks.Spec, env stackEnv, logPath string) (*stackProcess, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("stack %s: listening: %w", spec.Name(), err)
	}
	defer ln.Close() // the child holds its own copy
	sock, err := ln.(*net.TCPListener).File()
	if err != nil {
		return nil, fmt.Errorf("stack %s: the listener's descriptor: %w", spec.Name(), err)
	}
	defer sock.Close()
	args := []string{"-stack", spec.Name(), "-listen-fd", "3",
		"-db-conns", strconv.Itoa(env.dbConns), "-redis-conns", strconv.Itoa(env.redisConns), "-redis-prefix", env.redisPrefix}
	c, err := proc.Start(proc.Options{Service: "stack " + spec.Name(), Path: bin, Args: args, LogPath: logPath,
		ExtraFiles: []*os.File{sock}, CPUs: env.cpus,
		Env: []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
			"GOMAXPROCS=" + strconv.Itoa(env.gomaxprocs),
			"DATABASE_URL=" + env.databaseURL, "REDIS_URL=" + env.redisURL,
			"KAFKA_BROKERS=" + strings.Join(env.brokers, ","),
		}})
	if err != nil {
		return nil, err
	}
	sp := &stackProcess{child: c, url: "http://" + ln.Addr().String(), spec: spec, dsn: env.databaseURL}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := sp.healthy(ctx); err != nil {
		c.Kill()
		return nil, c.Failure(err)
	}
	return sp, nil
}

// healthy waits until the stack answers its plaintext baseline, or exits.
func (sp *stackProcess) healthy(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		if !sp.alive() {
			return fmt.Errorf("exited before serving (%v)", sp.child.WaitErr())
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, sp.url+ledgerspec.PathBenchPlaintext, nil)
		if err != nil {
			return fmt.Errorf("health check: %w", err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("not healthy (last answer: %v): %w", last, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// alive reports whether the process still runs.
func (sp *stackProcess) alive() bool {
	select {
	case <-sp.child.Exited():
		return false
	default:
		return true
	}
}

// stop shuts the stack down gracefully (SIGTERM: in-flight requests finish, the outbox drains) and
// reports an exit that was not clean.
func (sp *stackProcess) stop() error {
	if err := sp.child.Stop(syscall.SIGTERM, 30*time.Second); err != nil {
		return err
	}
	if err := sp.child.WaitErr(); err != nil {
		return sp.child.Failure(fmt.Errorf("exited with %v", err))
	}
	return nil
}
