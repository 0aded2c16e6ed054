package lab

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
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
}

// stackEnv is where a stack process finds its services.
type stackEnv struct {
	databaseURL string
	redisURL    string
	redisPrefix string
	brokers     []string
	gomaxprocs  int
	dbConns     int
}

var servingLine = regexp.MustCompile(`serving \S+ on (http://127\.0\.0\.1:\d+)`)

// startStack starts the stack binary for spec and waits until it answers. The process gets a fixed
// GOMAXPROCS and nothing from the lab's environment but PATH and HOME.
func startStack(ctx context.Context, bin string, spec stacks.Spec, env stackEnv, logPath string) (*stackProcess, error) {
	args := []string{"-http", spec.HTTP, "-store", spec.Store, "-json", spec.JSON, "-redis", spec.Redis,
		"-addr", "127.0.0.1:0", "-db-conns", strconv.Itoa(env.dbConns), "-redis-prefix", env.redisPrefix}
	c, err := proc.Start(proc.Options{Service: "stack " + spec.Name(), Path: bin, Args: args, LogPath: logPath,
		Env: []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
			"GOMAXPROCS=" + strconv.Itoa(env.gomaxprocs),
			"DATABASE_URL=" + env.databaseURL, "REDIS_URL=" + env.redisURL,
			"KAFKA_BROKERS=" + strings.Join(env.brokers, ","),
		}})
	if err != nil {
		return nil, err
	}
	sp := &stackProcess{child: c}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for sp.url == "" {
		if m := servingLine.FindAllStringSubmatch(proc.LogTail(logPath, 50), -1); m != nil {
			sp.url = m[len(m)-1][1] // the last: a log is this process's own, but be safe
			break
		}
		select {
		case <-c.Exited():
			return nil, c.Failure(fmt.Errorf("exited before serving (%v)", c.WaitErr()))
		case <-ctx.Done():
			c.Kill()
			return nil, c.Failure(fmt.Errorf("did not start serving: %w", ctx.Err()))
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := sp.healthy(ctx); err != nil {
		c.Kill()
		return nil, c.Failure(err)
	}
	return sp, nil
}

// healthy waits until the stack answers its plaintext baseline.
func (sp *stackProcess) healthy(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
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
