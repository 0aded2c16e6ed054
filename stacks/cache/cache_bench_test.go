package cache_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stacklab/stacks"
	"stacklab/stacks/app"
)

// benchPoolSize is every cache's Config.PoolSize in the benchmark: the same connection budget for
// each client (a power of two, so rueidis multiplexes over exactly this many).
const benchPoolSize = 8

// benchParallelism is b.SetParallelism's factor: goroutines per GOMAXPROCS in the parallel mode,
// like a server with many requests in flight.
const benchParallelism = 16

var accountBody = []byte(`{"id":"acc-alice","ledger":"USD","name":"Alice <3","flags":{"debits_must_not_exceed_credits":true,` +
	`"credits_must_not_exceed_debits":false},"debits_posted":1250,"credits_posted":500000,"balance":498750,` +
	`"created_at":"2026-11-24T10:00:00.123456Z"}`)

// benchOp is one call of the app's, as a transfer makes it. i is unique for every call of a
// benchmark and grows; worker tells the goroutines of the parallel mode apart.
type benchOp struct {
	name  string
	setup func(b *testing.B, c app.Cache)
	call  func(ctx context.Context, c app.Cache, i int64, worker string) error
}

var benchOps = []benchOp{
	{name: "count_debits", call: func(ctx context.Context, c app.Cache, i int64, worker string) error {
		// A transfer debits one account.
		_, err := c.CountDebits(ctx, "tx-"+strconv.FormatInt(i, 10), []string{"acc-" + worker}, time.Now(), time.Minute, 64)
		return err
	}},
	{name: "put_accounts", call: func(ctx context.Context, c app.Cache, i int64, worker string) error {
		// A transfer changes two accounts; each put is newer than the last, so each writes.
		return c.PutAccounts(ctx, []app.CachedAccount{
			{ID: "acc-" + worker + "-a", Version: i, Body: accountBody},
			{ID: "acc-" + worker + "-b", Version: i, Body: accountBody},
		})
	}},
	{name: "account_hit",
		setup: func(b *testing.B, c app.Cache) {
			if err := c.PutAccounts(context.Background(), []app.CachedAccount{{ID: "acc-hit", Version: 1, Body: accountBody}}); err != nil {
				b.Fatal(err)
			}
		},
		call: func(ctx context.Context, c app.Cache, _ int64, _ string) error {
			_, ok, err := c.Account(ctx, "acc-hit")
			if err == nil && !ok {
				return errMiss
			}
			return err
		}},
	{name: "account_miss", call: func(ctx context.Context, c app.Cache, _ int64, _ string) error {
		_, ok, err := c.Account(ctx, "acc-none")
		if err == nil && ok {
			return errHit
		}
		return err
	}},
}

type benchError string

func (e benchError) Error() string { return string(e) }

const (
	errMiss = benchError("a miss where the entry was put")
	errHit  = benchError("a hit where nothing was put")
)

// BenchmarkCache measures every cache of stacks.Caches against the real Redis, each with a pool
// of benchPoolSize: one call at a time (mode=serial: latency) and from benchParallelism goroutines
// per GOMAXPROCS (mode=parallel: throughput under concurrency, where a pipelining client like
// rueidis differs most from pooled ones).
func BenchmarkCache(b *testing.B) {
	ctx := context.Background()
	for _, name := range sortedCaches() {
		for _, op := range benchOps {
			b.Run("redis="+name+"/op="+op.name+"/mode=serial", func(b *testing.B) {
				c := openWarm(b, name)
				if op.setup != nil {
					op.setup(b, c)
				}
				b.ReportAllocs()
				var i int64
				for b.Loop() {
					i++
					if err := op.call(ctx, c, i, "0"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("redis="+name+"/op="+op.name+"/mode=parallel", func(b *testing.B) {
				c := openWarm(b, name)
				if op.setup != nil {
					op.setup(b, c)
				}
				var seq, workers atomic.Int64
				b.ReportAllocs()
				b.SetParallelism(benchParallelism)
				b.RunParallel(func(pb *testing.PB) {
					worker := strconv.FormatInt(workers.Add(1), 10)
					for pb.Next() {
						if err := op.call(ctx, c, seq.Add(1), worker); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// openWarm opens a cache and makes many calls at once, so that every connection of its pool is
// dialled before the measurement (clients dial lazily, and rueidis gives each connection buffers
// of a megabyte, which would otherwise count in the first iterations).
func openWarm(b *testing.B, name string) app.Cache {
	c := open(b, name, stacks.CacheConfig{PoolSize: benchPoolSize})
	var wg sync.WaitGroup
	for range 16 * benchPoolSize {
		wg.Go(func() {
			if _, _, err := c.Account(context.Background(), "warm-up"); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	return c
}
