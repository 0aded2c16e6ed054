package redistest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"stacklab/stacks/parttest/redistest"
)

func TestPrefixKeysAreDeleted(t *testing.T) {
	url := redistest.URL(t)
	rdb := redistest.Client(t, url)
	ctx := context.Background()
	var prefix string
	t.Run("inner", func(t *testing.T) {
		prefix = redistest.Prefix(t)
		if !strings.HasPrefix(prefix, "test:") || !strings.HasSuffix(prefix, ":") {
			t.Fatalf("Prefix = %q", prefix)
		}
		if other := redistest.Prefix(t); other == prefix {
			t.Fatalf("two calls gave the same prefix %q", prefix)
		}
		for _, k := range []string{"a", "b", "vel:c"} {
			if err := rdb.Set(ctx, prefix+k, "x", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	n, err := rdb.Exists(ctx, prefix+"a", prefix+"b", prefix+"vel:c").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d keys of prefix %q left after the test ended", n, prefix)
	}
}

func TestDeletePrefixLeavesOtherKeys(t *testing.T) {
	url := redistest.URL(t)
	rdb := redistest.Client(t, url)
	ctx := context.Background()
	mine, other := redistest.Prefix(t), redistest.Prefix(t)
	for i := range 1500 { // more than one SCAN page and one UNLINK batch
		if err := rdb.Set(ctx, mine+string(rune('a'+i%26))+strings.Repeat("x", i/26), "x", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.Set(ctx, other+"keep", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := redistest.DeletePrefix(ctx, url, mine); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, mine+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Fatalf("%d keys left after DeletePrefix", len(keys))
	}
	if n := rdb.Exists(ctx, other+"keep").Val(); n != 1 {
		t.Fatalf("DeletePrefix removed another prefix's key")
	}
}

// TestURLFailsWhenUnreachable runs TestHelperURL in a child process with a REDIS_URL nothing
// listens on, and checks that it fails (not skips) quickly with a clear message.
func TestURLFailsWhenUnreachable(t *testing.T) {
	if os.Getenv("REDISTEST_HELPER") != "" {
		t.Skip("helper process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperURL$", "-test.v")
	cmd.Env = append(os.Environ(), "REDISTEST_HELPER=1", "REDIS_URL=redis://127.0.0.1:1/0")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("helper passed with an unreachable Redis:\n%s", out)
	}
	if !strings.Contains(string(out), "--- FAIL: TestHelperURL") ||
		!strings.Contains(string(out), "Redis at redis://127.0.0.1:1/0 is unreachable") {
		t.Fatalf("helper output lacks the failure message:\n%s", out)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("helper took %v to fail", d)
	}
}

func TestHelperURL(t *testing.T) {
	if os.Getenv("REDISTEST_HELPER") == "" {
		t.Skip("run by TestURLFailsWhenUnreachable")
	}
	redistest.URL(t)
}

func TestProxy(t *testing.T) {
	p := redistest.NewProxy(t, redistest.URL(t))
	rdb := redistest.Client(t, p.URL())
	ctx := context.Background()
	steps := []struct {
		name string
		run  func() error
		want int64
	}{
		{"one command", func() error { return rdb.Echo(ctx, "x").Err() }, 1},
		{"a pipeline of three", func() error {
			_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				p.Ping(ctx)
				p.Echo(ctx, strings.Repeat("x", 1000))
				p.Echo(ctx, "x")
				return nil
			})
			return err
		}, 1},
		{"two commands", func() error {
			if err := rdb.Echo(ctx, "x").Err(); err != nil {
				return err
			}
			return rdb.Echo(ctx, "y").Err()
		}, 2},
	}
	for _, s := range steps {
		if err := s.run(); err != nil { // a first time may dial a connection of its own
			t.Fatalf("%s: %v", s.name, err)
		}
		before := p.RoundTrips()
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := p.RoundTrips() - before; got != s.want {
			t.Errorf("%s: %d round trips, want %d", s.name, got, s.want)
		}
	}

	pings := p.Pings()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if n := p.Pings() - pings; n != 1 {
		t.Errorf("a lone PING: %d pings, want 1", n)
	}
	if n := p.Connections(); n != 2 {
		t.Errorf("%d connections through the proxy, want 2 (go-redis's main and pipeline pools)", n)
	}
	p.Down()
	if err := rdb.Ping(ctx).Err(); err == nil {
		t.Fatal("PING through a proxy that is down: no error")
	}
	p.Up()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after the proxy is up again: %v", err)
	}
}

// silent checks that a GET with a short deadline fails by its deadline, not sooner and not much later.
func silent(t *testing.T, rdb *redis.Client, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := rdb.Get(ctx, "k").Err()
	took := time.Since(start)
	if err == nil || took < 250*time.Millisecond || took > 2*time.Second {
		t.Fatalf("GET while %s: %v after %v; want a timeout after about 300ms", what, err, took)
	}
}

func TestProxyPause(t *testing.T) {
	p := redistest.NewProxy(t, redistest.URL(t))
	prefix := redistest.Prefix(t)
	rdb := redistest.Client(t, p.URL())
	rdb.Options().ContextTimeoutEnabled = true
	ctx := context.Background()
	if err := rdb.Set(ctx, prefix+"k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	p.Pause()
	silent(t, rdb, "paused")
	fresh := redistest.Client(t, p.URL()) // a new connection is accepted, and silent too
	fresh.Options().ContextTimeoutEnabled = true
	silent(t, fresh, "paused, on a new connection")
	p.Resume()
	if v, err := rdb.Get(ctx, prefix+"k").Result(); err != nil || v != "v" {
		t.Fatalf("GET after Resume = %q, %v; want the value Redis kept", v, err)
	}
}

func TestServerStopContinue(t *testing.T) {
	s := redistest.StartServer(t)
	rdb := redistest.Client(t, s.URL())
	rdb.Options().ContextTimeoutEnabled = true
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	silent(t, rdb, "stopped")
	s.Continue()
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET after SIGCONT = %q, %v; want the value the server kept", v, err)
	}
}
