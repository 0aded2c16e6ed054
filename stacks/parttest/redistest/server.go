package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a redis-server of one test's own, started from the installed binary on a free
// loopback port, without persistence. Unlike the shared Redis of URL, a test may stop it
// (SIGSTOP: the process keeps its connections and data but answers nothing, as a paused or
// partitioned Redis) and continue it.
type Server struct {
	t   testing.TB
	cmd *exec.Cmd
	url string
	dir string
}

// StartServer starts a redis-server for the test and stops it when the test ends. It fails the
// test when redis-server is not installed or does not answer within 10 s.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redistest: no redis-server on PATH (apt-get install redis-server): %v", err)
	}
	dir := t.TempDir()
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		s := &Server{t: t, dir: dir, url: fmt.Sprintf("redis://127.0.0.1:%d/0", port)}
		logPath := filepath.Join(dir, "redis.log")
		s.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--appendonly", "no", "--dir", dir, "--daemonize", "no", "--logfile", logPath)
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("redistest: starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(exited) }()
		if err := s.waitReady(exited); err == nil {
			t.Cleanup(func() { s.stop(exited) })
			return s
		} else if log, _ := os.ReadFile(logPath); attempt == 3 || !strings.Contains(string(log), "already in use") {
			s.stop(exited)
			t.Fatalf("redistest: redis-server on port %d: %v\n%s", port, err, log)
		}
		s.stop(exited)
	}
}

// URL is the server's Redis URL.
func (s *Server) URL() string { return s.url }

// Stop sends SIGSTOP: the server keeps its connections open and its data, and answers nothing.
func (s *Server) Stop() { s.signal(syscall.SIGSTOP) }

// Continue sends SIGCONT after Stop: the server answers again, with the data it had.
func (s *Server) Continue() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("redistest: signalling redis-server: %v", err)
	}
}

func (s *Server) waitReady(exited chan struct{}) error {
	rdb, err := client(s.url)
	if err != nil {
		return err
	}
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before answering: %w", err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within 10s: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop continues a stopped server, so that it can act on SIGTERM, and waits for it to exit.
func (s *Server) stop(exited chan struct{}) {
	_ = s.cmd.Process.Signal(syscall.SIGCONT)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-exited
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
