package rueidis

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"

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

func TestPoolSize(t *testing.T) {
	tests := []struct{ size, multiplex, blocking int }{
		{0, 0, 0}, // rueidis's defaults
		{1, -1, 1},
		{2, 1, 2},
		{3, 1, 3},
		{8, 3, 8},
		{10, 3, 10},
		{1 << 12, rueidis.MaxPipelineMultiplex, 1 << 12},
	}
	for _, tt := range tests {
		if m, b := poolSize(tt.size); m != tt.multiplex || b != tt.blocking {
			t.Errorf("poolSize(%d) = %d, %d; want %d, %d", tt.size, m, b, tt.multiplex, tt.blocking)
		}
	}
	// The options reach the client: with PoolSize 1, concurrent calls share one connection.
	for _, size := range []int{1, 2} {
		p := redistest.NewProxy(t, redistest.URL(t))
		c := openTest(t, Config{URL: p.URL(), PoolSize: size})
		var wg sync.WaitGroup
		for i := range 64 {
			wg.Go(func() {
				if _, _, err := c.Account(context.Background(), "acc-"+strconv.Itoa(i)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := p.Connections(); n != size {
			t.Errorf("PoolSize %d: %d connections, want %d", size, n, size)
		}
		client, err := c.get(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if m := client.Mode(); m != rueidis.ClientModeStandalone {
			t.Errorf("client mode %s, want a single node", m)
		}
	}
}

// TestBuilderCommands checks that redisproto's commands, built with the builder's Arbitrary form,
// are the commands rueidis's typed builder makes.
func TestBuilderCommands(t *testing.T) {
	c := openTest(t, Config{})
	proto, err := redisproto.New(name, Config{URL: "x", Prefix: "p:"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.UnixMilli(1_800_000_000_123)
	cmds, err := proto.Count("tx-1", []string{"a"}, now, time.Minute, 64)
	if err != nil {
		t.Fatal(err)
	}
	client, err := c.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := client.B()
	typed := []rueidis.Completed{
		b.Zadd().Key("p:vel:a").Nx().ScoreMember().ScoreMember(1_800_000_000_123, "tx-1").Build(),
		b.Zremrangebyrank().Key("p:vel:a").Start(0).Stop(-65).Build(),
		b.Zcount().Key("p:vel:a").Min("(1799999940123").Max("+inf").Build(),
		b.Pexpire().Key("p:vel:a").Milliseconds(60000).Build(),
	}
	typed = append(typed, b.Zrem().Key("p:vel:a").Member("tx-1").Build())
	cmds = append(cmds, proto.Uncount("tx-1", []string{"a"})...)
	for i, cmd := range cmds {
		arbitrary := b.Arbitrary(cmd.Name()).Keys(cmd.Key()).Args(cmd.Args()...).Build()
		if got, want := arbitrary.Commands(), typed[i].Commands(); !slices.Equal(got, want) {
			t.Errorf("command %d: %q, typed builder %q", i, got, want)
		}
	}
}

// TestNoScriptFallback runs PutAccounts with a script Redis has never seen (as after SCRIPT FLUSH,
// which would disturb other tests sharing the server), through both paths: one entry (Lua.Exec)
// and several (DoMulti of EVALSHAs, then of EVALs). Each stores the entries, in two round trips the
// first time and one afterwards.
func TestNoScriptFallback(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(strconv.Itoa(n)+" entries", func(t *testing.T) {
			p := redistest.NewProxy(t, redistest.URL(t))
			c := openTest(t, Config{URL: p.URL(), PoolSize: 1})
			ctx := context.Background()
			script := redisproto.PutScript + "-- " + redistest.Prefix(t) + "\n"
			c.put = rueidis.NewLuaScript(script)
			c.script, c.sha = script, sha1Hex(script)
			if _, _, err := c.Account(ctx, "warm-up"); err != nil {
				t.Fatal(err)
			}
			for round, want := range []int64{2, 1} {
				before := p.RoundTrips()
				if err := c.PutAccounts(ctx, entries(n, int64(round+1))); err != nil {
					t.Fatalf("PutAccounts: %v", err)
				}
				if got := p.RoundTrips() - before; got != want {
					t.Errorf("PutAccounts %d with a script new to Redis: %d round trips, want %d", round+1, got, want)
				}
				for i := range n {
					body, ok, err := c.Account(ctx, "acc-"+strconv.Itoa(i))
					if err != nil || !ok || string(body) != "v"+strconv.Itoa(round+1) {
						t.Fatalf("Account(acc-%d) = %q, %v, %v", i, body, ok, err)
					}
				}
			}
		})
	}
}

func entries(n int, version int64) []app.CachedAccount {
	out := make([]app.CachedAccount, n)
	for i := range out {
		out[i] = app.CachedAccount{ID: "acc-" + strconv.Itoa(i), Version: version, Body: []byte("v" + strconv.FormatInt(version, 10))}
	}
	return out
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
