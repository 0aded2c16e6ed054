package services

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"stacklab/harness/proc"
)

// StandardRedisURL is the Redis Start looks for when none is configured.
const StandardRedisURL = "redis://127.0.0.1:6379/0"

// probeRedis pings the server at rawURL within timeout and reads its version and, for a server on
// this machine, its process.
func probeRedis(ctx context.Context, rawURL string, timeout time.Duration) (version string, pids []int, err error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return "", nil, fmt.Errorf("parsing the Redis URL: %w", err)
	}
	opt.DialTimeout = timeout
	opt.ReadTimeout = timeout
	opt.WriteTimeout = timeout
	opt.MaxRetries = -1 // a probe answers or fails, once
	opt.PoolSize = 1
	opt.Protocol = 2
	opt.DisableIdentity = true
	cl := redis.NewClient(opt)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	info, err := cl.Info(ctx, "server").Result()
	if err != nil {
		return "", nil, fmt.Errorf("asking Redis at %s for INFO server: %w", redactURL(rawURL), err)
	}
	fields := parseInfo(info)
	version = fields["redis_version"]
	if version == "" {
		return "", nil, fmt.Errorf("Redis at %s: INFO server has no redis_version", redactURL(rawURL))
	}
	host, _, _ := net.SplitHostPort(opt.Addr)
	if opt.Network == "unix" || localHost(host) {
		mainPID, _ := strconv.Atoi(fields["process_id"])
		if pids, err = serverPIDs(mainPID, "redis-server"); err != nil {
			return "", nil, err
		}
	}
	return version, pids, nil
}

// parseInfo reads the key:value lines of a Redis INFO answer.
func parseInfo(info string) map[string]string {
	fields := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = v
		}
	}
	return fields
}

// embeddedRedis is a Redis server started from the installed binary.
type embeddedRedis struct {
	server *proc.Child
	dir    string
	url    string
}

// startRedis starts redis-server in a new folder under parent on a free loopback port, with no
// persistence.
func startRedis(ctx context.Context, parent string) (*embeddedRedis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("embedded redis: no redis-server on PATH: %w", err)
	}
	dir, err := os.MkdirTemp(parent, "stacklab-redis-")
	if err != nil {
		return nil, fmt.Errorf("embedded redis: making its folder: %w", err)
	}
	for attempt := 1; ; attempt++ {
		port, err := proc.FreePort()
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("embedded redis: %w", err)
		}
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--daemonize", "no", "--logfile", ""}
		server, err := proc.Start(proc.Options{Service: "embedded redis", Path: bin, Args: args, Dir: dir,
			LogPath: filepath.Join(dir, "redis.log")})
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		r := &embeddedRedis{server: server, dir: dir, url: fmt.Sprintf("redis://127.0.0.1:%d/0", port)}
		err = waitReady(ctx, server, func(ctx context.Context) error {
			_, _, err := probeRedis(ctx, r.url, time.Second)
			return err
		})
		if err == nil {
			return r, nil
		}
		_ = server.Stop(syscall.SIGTERM, 5*time.Second)
		if attempt == 3 || !strings.Contains(proc.LogTail(server.LogPath(), 20), "already in use") {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
}

// close stops the server and removes its folder.
func (r *embeddedRedis) close() error {
	err := r.server.Stop(syscall.SIGTERM, 10*time.Second)
	if rmErr := os.RemoveAll(r.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("removing %s: %w", r.dir, rmErr))
	}
	return err
}
