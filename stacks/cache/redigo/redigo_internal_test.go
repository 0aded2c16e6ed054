package redigo

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/redisproto"
	"stacklab/stacks/parttest/redistest"
)

func openTest(t *testing.T, cfg Config) *Cache {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = redistest.URL(t)
	}
	cfg.Prefix = redistest.Prefix(t)
	c, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestScriptIsTheProtocols(t *testing.T) {
	if got := redis.NewScript(1, redisproto.PutScript).Hash(); got != redisproto.PutScriptSHA1 {
		t.Fatalf("redigo names the put script %s, redisproto %s", got, redisproto.PutScriptSHA1)
	}
}

func TestAddress(t *testing.T) {
	tests := []struct{ url, want, wantErr string }{
		{"redis://127.0.0.1:6379/0", "127.0.0.1:6379", ""},
		{"rediss://user:pw@cache.example:6380", "cache.example:6380", ""},
		{"redis://cache.example/3", "cache.example:6379", ""},
		{"redis://", "localhost:6379", ""},
		{"http://127.0.0.1:6379", "", `scheme "http"`},
		{"redis://127.0.0.1:6379/0/1", "", "path"},
		{"redis://%zz", "", "invalid URL escape"},
	}
	for _, tt := range tests {
		got, err := address(tt.url)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("address(%q) = %q, %v; want an error containing %q", tt.url, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("address(%q) = %q, %v; want %q", tt.url, got, err, tt.want)
		}
	}
}

func TestPool(t *testing.T) {
	for _, size := range []int{0, 1, 3} {
		p := redistest.NewProxy(t, redistest.URL(t))
		c := openTest(t, Config{URL: p.URL(), PoolSize: size})
		want := size
		if size == 0 {
			want = 10 * runtime.GOMAXPROCS(0)
		}
		pool := c.pool
		if pool.MaxActive != want || pool.MaxIdle != want || !pool.Wait || pool.IdleTimeout != idleTimeout {
			t.Errorf("PoolSize %d: MaxActive %d, MaxIdle %d, Wait %v, IdleTimeout %v; want %d, %d, true, %v",
				size, pool.MaxActive, pool.MaxIdle, pool.Wait, pool.IdleTimeout, want, want, idleTimeout)
		}
		if size == 0 {
			continue
		}
		// Concurrent calls open at most PoolSize connections and keep them for the next calls.
		for range 2 {
			var wg sync.WaitGroup
			for i := range 64 {
				wg.Go(func() {
					if _, _, err := c.Account(context.Background(), "acc-"+strconv.Itoa(i)); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		if n := p.Connections(); n > size {
			t.Errorf("PoolSize %d: %d connections", size, n)
		}
		if idle := pool.IdleCount(); idle != p.Connections() {
			t.Errorf("PoolSize %d: %d idle connections of %d", size, idle, p.Connections())
		}
	}
}

// TestOnBorrow checks that only a connection idle for a minute or more is PINGed, and that a
// dead one fails the check (the pool then closes it and dials another).
func TestOnBorrow(t *testing.T) {
	p := redistest.NewProxy(t, redistest.URL(t))
	c := openTest(t, Config{URL: p.URL(), PoolSize: 1})
	ctx := context.Background()
	conn, err := c.pool.GetContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	before := p.Pings()
	if err := c.pool.TestOnBorrowContext(ctx, conn, time.Now().Add(-testIdle/2)); err != nil {
		t.Fatalf("recently used connection: %v", err)
	}
	if n := p.Pings() - before; n != 0 {
		t.Fatalf("recently used connection: %d PINGs, want none", n)
	}
	if err := c.pool.TestOnBorrowContext(ctx, conn, time.Now().Add(-testIdle)); err != nil {
		t.Fatalf("idle live connection: %v", err)
	}
	if n := p.Pings() - before; n != 1 {
		t.Fatalf("idle connection: %d PINGs, want 1", n)
	}
	p.Down()
	if err := c.pool.TestOnBorrowContext(ctx, conn, time.Now().Add(-testIdle)); err == nil {
		t.Fatal("idle connection to a Redis that is gone: no error")
	}
}

// TestNoScriptFallback runs PutAccounts with a script Redis has never seen (as after SCRIPT FLUSH,
// which would disturb other tests sharing the server): EVALSHA is answered NOSCRIPT and the entries
// are sent again with EVAL, in two round trips; afterwards EVALSHA works, in one.
func TestNoScriptFallback(t *testing.T) {
	p := redistest.NewProxy(t, redistest.URL(t))
	c := openTest(t, Config{URL: p.URL(), PoolSize: 1})
	ctx := context.Background()
	script := redisproto.PutScript + "-- " + redistest.Prefix(t) + "\n"
	c.put = redis.NewScript(1, script)
	sum := sha1.Sum([]byte(script))
	if c.put.Hash() != hex.EncodeToString(sum[:]) {
		t.Fatal("test script hash")
	}
	for round, want := range []int64{2, 1} {
		version := int64(round + 1)
		entries := make([]app.CachedAccount, 3)
		for i := range entries {
			entries[i] = app.CachedAccount{ID: "acc-" + strconv.Itoa(i), Version: version, Body: []byte("v" + strconv.FormatInt(version, 10))}
		}
		before := p.RoundTrips()
		if err := c.PutAccounts(ctx, entries); err != nil {
			t.Fatalf("PutAccounts: %v", err)
		}
		if got := p.RoundTrips() - before; got != want {
			t.Errorf("PutAccounts %d with a script new to Redis: %d round trips, want %d", round+1, got, want)
		}
		for _, e := range entries {
			body, ok, err := c.Account(ctx, e.ID)
			if err != nil || !ok || string(body) != string(e.Body) {
				t.Fatalf("Account(%s) = %q, %v, %v; want %q", e.ID, body, ok, err, e.Body)
			}
		}
	}
}
