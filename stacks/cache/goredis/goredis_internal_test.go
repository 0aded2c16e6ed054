package goredis

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/redisproto"
	"stacklab/stacks/parttest/redistest"
)

// pipelines is a go-redis hook that counts pipelines.
type pipelines struct{ n atomic.Int64 }

func (h *pipelines) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *pipelines) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *pipelines) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

func entries(n int, version int64) []app.CachedAccount {
	out := make([]app.CachedAccount, n)
	for i := range out {
		out[i] = app.CachedAccount{ID: "acc-" + strconv.Itoa(i), Version: version, Body: []byte(`{"id":"acc"}`)}
	}
	return out
}

// TestNoScriptFallback runs PutAccounts with a script Redis has never seen (as after SCRIPT FLUSH,
// which would disturb other tests sharing the server): the EVALSHA pipeline is answered NOSCRIPT
// and sent again with EVAL, after which EVALSHA works again.
func TestNoScriptFallback(t *testing.T) {
	c, err := Open(context.Background(), Config{URL: redistest.URL(t), Prefix: redistest.Prefix(t)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	h := new(pipelines)
	c.rdb.AddHook(h)
	ctx := context.Background()
	c.put = redis.NewScript(redisproto.PutScript + "-- " + redistest.Prefix(t) + "\n")
	if ok, err := c.put.Exists(ctx, c.rdb).Result(); err != nil || ok[0] {
		t.Fatalf("the test script is known to Redis already (%v, %v)", ok, err)
	}
	h.n.Store(0)
	if err := c.PutAccounts(ctx, entries(3, 2)); err != nil {
		t.Fatalf("PutAccounts: %v", err)
	}
	if p := h.n.Load(); p != 2 {
		t.Fatalf("first PutAccounts with an unknown script: %d pipelines, want 2 (EVALSHA, then EVAL)", p)
	}
	for i := range 3 {
		if body, ok, err := c.Account(ctx, "acc-"+strconv.Itoa(i)); err != nil || !ok || string(body) != `{"id":"acc"}` {
			t.Fatalf("Account(acc-%d) = %q, %v, %v", i, body, ok, err)
		}
	}
	h.n.Store(0)
	if err := c.PutAccounts(ctx, entries(3, 3)); err != nil {
		t.Fatalf("PutAccounts: %v", err)
	}
	if p := h.n.Load(); p != 1 {
		t.Fatalf("second PutAccounts: %d pipelines, want 1", p)
	}
}

func TestScriptIsTheProtocols(t *testing.T) {
	if got := redis.NewScript(redisproto.PutScript).Hash(); got != redisproto.PutScriptSHA1 {
		t.Fatalf("go-redis names the put script %s, redisproto %s", got, redisproto.PutScriptSHA1)
	}
}

func TestPoolSize(t *testing.T) {
	for _, size := range []int{0, 3} {
		c, err := Open(context.Background(), Config{URL: redistest.URL(t), Prefix: redistest.Prefix(t), PoolSize: size})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		want := size
		if size == 0 {
			want = 10 * runtime.GOMAXPROCS(0)
		}
		if got := c.rdb.Options().PoolSize; got != want {
			t.Errorf("PoolSize %d: go-redis pool of %d, want %d", size, got, want)
		}
		if got := c.rdb.Options().PipelinePoolSize; got >= 0 {
			t.Errorf("PoolSize %d: a separate pipeline pool of %d", size, got)
		}
		c.Close()
	}
}
