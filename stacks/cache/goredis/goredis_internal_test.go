package goredis

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"stacklab/stacks/app"
	"stacklab/stacks/parttest/redistest"
)

// counter is a go-redis hook that counts single commands and pipelines: each is one round trip.
type counter struct {
	commands, pipelines, piped atomic.Int64
}

func (h *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.commands.Add(1)
		return next(ctx, cmd)
	}
}

func (h *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.pipelines.Add(1)
		h.piped.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

func (h *counter) roundTrips() int64 { return h.commands.Load() + h.pipelines.Load() }

func (h *counter) reset() {
	h.commands.Store(0)
	h.pipelines.Store(0)
	h.piped.Store(0)
}

func openTest(t testing.TB, ttl time.Duration) (*Cache, *counter) {
	t.Helper()
	c, err := Open(context.Background(), Config{URL: redistest.URL(t), Prefix: redistest.Prefix(t), AccountTTL: ttl})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	h := new(counter)
	c.rdb.AddHook(h)
	return c, h
}

func entries(n int, version int64) []app.CachedAccount {
	out := make([]app.CachedAccount, n)
	for i := range out {
		out[i] = app.CachedAccount{ID: "acc-" + strconv.Itoa(i), Version: version, Body: []byte(`{"id":"acc"}`)}
	}
	return out
}

func TestRoundTrips(t *testing.T) {
	c, h := openTest(t, time.Minute)
	ctx := context.Background()
	accounts := []string{"a", "b", "c", "d"}
	tests := []struct {
		name                string
		call                func() error
		pipelines, commands int64
		piped               int64
	}{
		{"CountDebits of 4 accounts", func() error {
			_, err := c.CountDebits(ctx, "tx-1", accounts, time.Now(), time.Minute, 10)
			return err
		}, 1, 0, 16},
		{"CountDebits of 1 account", func() error {
			_, err := c.CountDebits(ctx, "tx-2", accounts[:1], time.Now(), time.Minute, 10)
			return err
		}, 1, 0, 4},
		{"UncountDebits of 4 accounts", func() error { return c.UncountDebits(ctx, "tx-1", accounts) }, 1, 0, 4},
		{"PutAccounts of 4 entries", func() error { return c.PutAccounts(ctx, entries(4, 1)) }, 1, 0, 4},
		{"Account hit", func() error { _, _, err := c.Account(ctx, "acc-0"); return err }, 0, 1, 0},
		{"Account miss", func() error { _, _, err := c.Account(ctx, "acc-none"); return err }, 0, 1, 0},
		{"nothing to count", func() error {
			_, err := c.CountDebits(ctx, "tx-3", nil, time.Now(), time.Minute, 10)
			return err
		}, 0, 0, 0},
		{"nothing to put", func() error { return c.PutAccounts(ctx, nil) }, 0, 0, 0},
	}
	for _, tt := range tests {
		h.reset()
		if err := tt.call(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if p, n, piped := h.pipelines.Load(), h.commands.Load(), h.piped.Load(); p != tt.pipelines || n != tt.commands || piped != tt.piped {
			t.Errorf("%s: %d pipelines of %d commands and %d single commands, want %d, %d and %d",
				tt.name, p, piped, n, tt.pipelines, tt.piped, tt.commands)
		}
	}
}

// TestNoScriptFallback runs PutAccounts with a script Redis has never seen (as after SCRIPT FLUSH,
// which would disturb other tests sharing the server): the EVALSHA pipeline is answered NOSCRIPT
// and sent again with EVAL, after which EVALSHA works again.
func TestNoScriptFallback(t *testing.T) {
	c, h := openTest(t, time.Minute)
	ctx := context.Background()
	c.put = redis.NewScript(putScript + "-- " + redistest.Prefix(t) + "\n")
	if ok, err := c.put.Exists(ctx, c.rdb).Result(); err != nil || ok[0] {
		t.Fatalf("the test script is known to Redis already (%v, %v)", ok, err)
	}
	h.reset()
	if err := c.PutAccounts(ctx, entries(3, 2)); err != nil {
		t.Fatalf("PutAccounts: %v", err)
	}
	if p := h.pipelines.Load(); p != 2 {
		t.Fatalf("first PutAccounts with an unknown script: %d pipelines, want 2 (EVALSHA, then EVAL)", p)
	}
	for i := range 3 {
		if body, ok, err := c.Account(ctx, "acc-"+strconv.Itoa(i)); err != nil || !ok || string(body) != `{"id":"acc"}` {
			t.Fatalf("Account(acc-%d) = %q, %v, %v", i, body, ok, err)
		}
	}
	h.reset()
	if err := c.PutAccounts(ctx, entries(3, 3)); err != nil {
		t.Fatalf("PutAccounts: %v", err)
	}
	if p := h.pipelines.Load(); p != 1 {
		t.Fatalf("second PutAccounts: %d pipelines, want 1", p)
	}
}

func TestKeyLayout(t *testing.T) {
	url := redistest.URL(t)
	prefix := redistest.Prefix(t)
	c, err := Open(context.Background(), Config{URL: url, Prefix: prefix, PoolSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rdb := redistest.Client(t, url)
	ctx := context.Background()

	now := time.UnixMilli(1_800_000_000_123)
	for i := range 5 {
		if _, err := c.CountDebits(ctx, "tx-"+strconv.Itoa(i), []string{"a"}, now.Add(time.Duration(i)*time.Millisecond), 30*time.Second, 3); err != nil {
			t.Fatal(err)
		}
	}
	zs, err := rdb.ZRangeWithScores(ctx, prefix+"vel:a", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	want := []redis.Z{{Score: 1_800_000_000_125, Member: "tx-2"}, {Score: 1_800_000_000_126, Member: "tx-3"},
		{Score: 1_800_000_000_127, Member: "tx-4"}}
	if len(zs) != len(want) {
		t.Fatalf("velocity set = %v, want %v", zs, want)
	}
	for i := range want {
		if zs[i] != want[i] {
			t.Fatalf("velocity set = %v, want %v", zs, want)
		}
	}
	if ttl := rdb.PTTL(ctx, prefix+"vel:a").Val(); ttl <= 0 || ttl > 30*time.Second {
		t.Fatalf("velocity key PTTL = %v, want in (0, 30s]", ttl)
	}

	if err := c.PutAccounts(ctx, []app.CachedAccount{{ID: "a", Version: 7, Body: []byte("body")}}); err != nil {
		t.Fatal(err)
	}
	if v := rdb.Get(ctx, prefix+"acc:a").Val(); v != "0000000000000000007body" {
		t.Fatalf("account entry = %q", v)
	}
	if ttl := rdb.PTTL(ctx, prefix+"acc:a").Val(); ttl < DefaultAccountTTL-time.Minute || ttl > DefaultAccountTTL {
		t.Fatalf("account entry PTTL = %v, want about DefaultAccountTTL %v", ttl, DefaultAccountTTL)
	}
	if err := rdb.Set(ctx, prefix+"acc:bad", "short", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if body, ok, err := c.Account(ctx, "bad"); err == nil {
		t.Fatalf("Account of a corrupt entry = %q, %v; want an error", body, ok)
	}
}

func TestEntryValue(t *testing.T) {
	tests := []struct {
		version int64
		body    string
		want    string
	}{
		{0, "", "0000000000000000000"},
		{7, "{}", "0000000000000000007{}"},
		{1234567890, "x", "0000000001234567890x"},
		{1<<63 - 1, "", "9223372036854775807"},
	}
	for _, tt := range tests {
		if got := string(entryValue(app.CachedAccount{Version: tt.version, Body: []byte(tt.body)})); got != tt.want {
			t.Errorf("entryValue(%d, %q) = %q, want %q", tt.version, tt.body, got, tt.want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	url := redistest.URL(t)
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"empty URL", Config{}, "Config.URL is empty"},
		{"bad scheme", Config{URL: "http://127.0.0.1:6379"}, "parsing Config.URL"},
		{"nothing listens", Config{URL: "redis://127.0.0.1:1/0"}, "Redis at 127.0.0.1:1 does not answer"},
		{"negative TTL", Config{URL: url, AccountTTL: -time.Second}, "negative AccountTTL"},
		{"TTL below a millisecond", Config{URL: url, AccountTTL: time.Microsecond}, "millisecond"},
		{"negative pool", Config{URL: url, PoolSize: -1}, "PoolSize"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			c, err := Open(context.Background(), tt.cfg)
			if err == nil {
				c.Close()
				t.Fatalf("Open(%+v): no error", tt.cfg)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Open(%+v) = %v, want an error containing %q", tt.cfg, err, tt.wantErr)
			}
			if d := time.Since(start); d > pingTimeout+time.Second {
				t.Fatalf("Open took %v", d)
			}
		})
	}
}

func TestBadArguments(t *testing.T) {
	c, _ := openTest(t, time.Minute)
	ctx := context.Background()
	if _, err := c.CountDebits(ctx, "tx", []string{"a"}, time.Now(), 0, 10); err == nil {
		t.Error("CountDebits with window 0: no error")
	}
	if _, err := c.CountDebits(ctx, "tx", []string{"a"}, time.Now(), time.Minute, 0); err == nil {
		t.Error("CountDebits with keep 0: no error")
	}
	if err := c.PutAccounts(ctx, []app.CachedAccount{{ID: "a", Version: -1}}); err == nil {
		t.Error("PutAccounts with version -1: no error")
	}
}
