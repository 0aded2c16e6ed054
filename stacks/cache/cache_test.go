package cache_test

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"stacklab/stacks"
	"stacklab/stacks/app"
	"stacklab/stacks/cache/redisproto"
	"stacklab/stacks/parttest/redistest"
)

// eachCache runs test for every registered cache, in parallel.
func eachCache(t *testing.T, test func(t *testing.T, name string)) {
	for _, name := range sortedCaches() {
		t.Run("redis="+name, func(t *testing.T) {
			t.Parallel()
			test(t, name)
		})
	}
}

func sortedCaches() []string {
	names := make([]string, 0, len(stacks.Caches))
	for name := range stacks.Caches {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func open(t testing.TB, name string, cfg stacks.CacheConfig) app.Cache {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = redistest.URL(t)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = redistest.Prefix(t)
	}
	c, err := stacks.Caches[name](context.Background(), cfg)
	if err != nil {
		t.Fatalf("opening %s: %v", name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func entries(n int, version int64) []app.CachedAccount {
	out := make([]app.CachedAccount, n)
	for i := range out {
		out[i] = app.CachedAccount{ID: "acc-" + strconv.Itoa(i), Version: version, Body: []byte(`{"id":"acc"}`)}
	}
	return out
}

// TestKeyLayout reads what each cache wrote with another client.
func TestKeyLayout(t *testing.T) {
	eachCache(t, func(t *testing.T, name string) {
		url, prefix := redistest.URL(t), redistest.Prefix(t)
		c := open(t, name, stacks.CacheConfig{URL: url, Prefix: prefix})
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
		if !slices.Equal(zs, want) {
			t.Fatalf("velocity set = %v, want %v", zs, want)
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
		if ttl := rdb.PTTL(ctx, prefix+"acc:a").Val(); ttl < redisproto.DefaultAccountTTL-time.Minute || ttl > redisproto.DefaultAccountTTL {
			t.Fatalf("account entry PTTL = %v, want about DefaultAccountTTL %v", ttl, redisproto.DefaultAccountTTL)
		}
		if err := rdb.Set(ctx, prefix+"acc:bad", "short", 0).Err(); err != nil {
			t.Fatal(err)
		}
		if body, ok, err := c.Account(ctx, "bad"); err == nil || !strings.HasPrefix(err.Error(), name+": ") {
			t.Fatalf("Account of a corrupt entry = %q, %v, %v; want an error from %s", body, ok, err, name)
		}
	})
}

// TestRoundTrips counts, through a proxy, the round trips of each call (after a first call has
// made the connection): one, or none for nothing to do.
func TestRoundTrips(t *testing.T) {
	eachCache(t, func(t *testing.T, name string) {
		p := redistest.NewProxy(t, redistest.URL(t))
		c := open(t, name, stacks.CacheConfig{URL: p.URL(), PoolSize: 1})
		ctx := context.Background()
		accounts := []string{"a", "b", "c", "d"}
		// Make the connection, and load the put script (the first put on a Redis that does not
		// know it yet is answered NOSCRIPT and sent again with EVAL: two round trips).
		if err := c.PutAccounts(ctx, []app.CachedAccount{{ID: "warm-up", Body: []byte("{}")}}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			call func() error
			want int64
		}{
			{"CountDebits of 4 accounts", func() error {
				_, err := c.CountDebits(ctx, "tx-1", accounts, time.Now(), time.Minute, 10)
				return err
			}, 1},
			{"CountDebits of 1 account", func() error {
				_, err := c.CountDebits(ctx, "tx-2", accounts[:1], time.Now(), time.Minute, 10)
				return err
			}, 1},
			{"UncountDebits of 4 accounts", func() error { return c.UncountDebits(ctx, "tx-1", accounts) }, 1},
			{"PutAccounts of 4 entries", func() error { return c.PutAccounts(ctx, entries(4, 1)) }, 1},
			{"PutAccounts of 1 entry", func() error { return c.PutAccounts(ctx, entries(1, 2)) }, 1},
			{"Account hit", func() error { _, _, err := c.Account(ctx, "acc-0"); return err }, 1},
			{"Account miss", func() error { _, _, err := c.Account(ctx, "acc-none"); return err }, 1},
			{"nothing to count", func() error {
				_, err := c.CountDebits(ctx, "tx-3", nil, time.Now(), time.Minute, 10)
				return err
			}, 0},
			{"nothing to uncount", func() error { return c.UncountDebits(ctx, "tx-3", nil) }, 0},
			{"nothing to put", func() error { return c.PutAccounts(ctx, nil) }, 0},
		}
		for _, tt := range tests {
			before := p.RoundTrips()
			if err := tt.call(); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got := p.RoundTrips() - before; got != tt.want {
				t.Errorf("%s: %d round trips, want %d", tt.name, got, tt.want)
			}
		}
	})
}

// TestOpenErrors checks that Open fails at once with a clear error when the configuration is
// wrong, and that it succeeds at once without waiting for Redis when nothing answers at the URL
// (the caches connect on demand; parttest/cachetest holds them to working once Redis is there).
func TestOpenErrors(t *testing.T) {
	url := redistest.URL(t)
	silent := silentServer(t)
	tests := []struct {
		name    string
		cfg     stacks.CacheConfig
		wantErr string // "" for an Open that succeeds
	}{
		{"empty URL", stacks.CacheConfig{}, "Config.URL is empty"},
		{"bad scheme", stacks.CacheConfig{URL: "http://127.0.0.1:6379"}, "parsing Config.URL"},
		{"negative TTL", stacks.CacheConfig{URL: url, AccountTTL: -time.Second}, "negative AccountTTL"},
		{"TTL below a millisecond", stacks.CacheConfig{URL: url, AccountTTL: time.Microsecond}, "millisecond"},
		{"negative pool", stacks.CacheConfig{URL: url, PoolSize: -1}, "PoolSize"},
		{"nothing listens", stacks.CacheConfig{URL: "redis://127.0.0.1:1/0"}, ""},
		{"a server that never answers", stacks.CacheConfig{URL: "redis://" + silent + "/0"}, ""},
	}
	eachCache(t, func(t *testing.T, name string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				c, err := stacks.Caches[name](context.Background(), tt.cfg)
				took := time.Since(start)
				switch {
				case tt.wantErr == "" && err != nil:
					t.Fatalf("Open(%+v) = %v, want a cache that connects when it can", tt.cfg, err)
				case tt.wantErr == "":
					defer c.Close()
					ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
					defer cancel()
					if _, _, err := c.Account(ctx, "a"); err == nil || !strings.HasPrefix(err.Error(), name+": ") {
						t.Errorf("Account with nothing answering = %v, want an error of %s", err, name)
					}
				case err == nil:
					c.Close()
					t.Fatalf("Open(%+v): no error", tt.cfg)
				case !strings.HasPrefix(err.Error(), name+": ") || !strings.Contains(err.Error(), tt.wantErr):
					t.Fatalf("Open(%+v) = %v, want an error of %s containing %q", tt.cfg, err, name, tt.wantErr)
				}
				if took > 100*time.Millisecond {
					t.Errorf("Open took %v: it must not wait for Redis", took)
				}
			})
		}
	})
}

// silentServer accepts connections and never answers, until the test ends.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestBadArguments(t *testing.T) {
	eachCache(t, func(t *testing.T, name string) {
		c := open(t, name, stacks.CacheConfig{})
		ctx := context.Background()
		for _, err := range []error{
			second(c.CountDebits(ctx, "tx", []string{"a"}, time.Now(), 0, 10)),
			second(c.CountDebits(ctx, "tx", []string{"a"}, time.Now(), time.Minute, 0)),
			c.PutAccounts(ctx, []app.CachedAccount{{ID: "a", Version: -1}}),
		} {
			if err == nil || !strings.HasPrefix(err.Error(), name+": ") {
				t.Errorf("a bad argument: %v, want an error of %s", err, name)
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }
