package goredis

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/redisproto"
)

// Config configures a Cache. PoolSize is go-redis's Options.PoolSize: the most connections in use
// at once (0 keeps go-redis's default, 10 per GOMAXPROCS).
type Config = redisproto.Config

// DefaultAccountTTL is the lifetime of an account entry when Config.AccountTTL is zero.
const DefaultAccountTTL = redisproto.DefaultAccountTTL

const name = "goredis"

// Cache is an app.Cache on go-redis. It is safe for concurrent use.
type Cache struct {
	rdb       *redis.Client
	proto     *redisproto.Protocol
	put       *redis.Script
	closeOnce sync.Once
	closeErr  error
}

var _ app.Cache = (*Cache)(nil)

// Open checks the configuration and returns the cache without connecting: go-redis dials on a
// call's demand, so Open succeeds while Redis is down and the cache recovers by itself when it is
// back. The put script is not loaded ahead: the first put is answered NOSCRIPT and sent again with
// EVAL, which loads it.
func Open(_ context.Context, cfg Config) (*Cache, error) {
	proto, err := redisproto.New(name, cfg)
	if err != nil {
		return nil, err
	}
	opt, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, proto.ParseURLError(err)
	}
	if cfg.PoolSize > 0 {
		opt.PoolSize = cfg.PoolSize
	}
	// Pipelines share the main pool (and Config.PoolSize): go-redis v9.23's dedicated pipeline pool,
	// on by default, dials connections of its own with 128 KiB buffers each, made for large batches;
	// the cache's pipelines are a few small commands.
	opt.PipelinePoolSize = -1
	// Redis 7.0 does not know CLIENT MAINT_NOTIFICATIONS; do not try it on every new connection.
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	// A call's context deadline bounds its socket reads and writes too. By default go-redis hands
	// the connection context.Background(), so a Redis that accepts and never answers holds a call
	// for ReadTimeout (5 s) whatever the caller's deadline; the app gives cache calls 250 ms.
	opt.ContextTimeoutEnabled = true
	return &Cache{rdb: redis.NewClient(opt), proto: proto, put: redis.NewScript(redisproto.PutScript)}, nil
}

// CountDebits implements app.Cache in one pipelined round trip.
func (c *Cache) CountDebits(ctx context.Context, txID string, accounts []string, now time.Time, window time.Duration, keep int) ([]int64, error) {
	cmds, err := c.proto.Count(txID, accounts, now, window, keep)
	if err != nil {
		return nil, err
	}
	if len(cmds) == 0 {
		return []int64{}, nil
	}
	replies, err := c.pipeline(ctx, cmds)
	if err != nil {
		return nil, c.proto.CountError(len(accounts), err)
	}
	counts := make([]int64, len(accounts))
	for i := range counts {
		if counts[i], err = replies[i*redisproto.CommandsPerAccount+redisproto.CountReply].Int64(); err != nil {
			return nil, c.proto.CountError(len(accounts), err)
		}
	}
	return counts, nil
}

// UncountDebits implements app.Cache in one pipelined round trip.
func (c *Cache) UncountDebits(ctx context.Context, txID string, accounts []string) error {
	cmds := c.proto.Uncount(txID, accounts)
	if len(cmds) == 0 {
		return nil
	}
	if _, err := c.pipeline(ctx, cmds); err != nil {
		return c.proto.UncountError(len(accounts), err)
	}
	return nil
}

// pipeline sends cmds in one pipeline and returns their replies, or the first error.
func (c *Cache) pipeline(ctx context.Context, cmds []redisproto.Command) ([]*redis.Cmd, error) {
	replies := make([]*redis.Cmd, len(cmds))
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, cmd := range cmds {
			replies[i] = p.Do(ctx, cmd.Any()...)
		}
		return nil
	})
	return replies, err
}

// Account implements app.Cache with one GET.
func (c *Cache) Account(ctx context.Context, id string) ([]byte, bool, error) {
	v, err := c.rdb.Get(ctx, c.proto.AccountKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, c.proto.ReadError(id, err)
	}
	body, err := c.proto.Decode(id, v)
	if err != nil {
		return nil, false, err
	}
	return body, true, nil
}

// PutAccounts implements app.Cache in one pipelined round trip (two after the script cache of
// Redis was flushed).
func (c *Cache) PutAccounts(ctx context.Context, entries []app.CachedAccount) error {
	puts, err := c.proto.Puts(entries)
	if err != nil || len(puts) == 0 {
		return err
	}
	ttl := c.proto.TTL()
	run := func(eval bool) error {
		_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, put := range puts {
				if eval {
					c.put.Eval(ctx, p, []string{put.Key}, put.Value, ttl)
				} else {
					c.put.EvalSha(ctx, p, []string{put.Key}, put.Value, ttl)
				}
			}
			return nil
		})
		return err
	}
	err = run(false)
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		// EVAL also puts the script back into Redis's cache for the next EVALSHA.
		err = run(true)
	}
	if err != nil {
		return c.proto.PutError(len(entries), err)
	}
	return nil
}

// Close closes the connections. Calls after Close return errors; a second Close returns nil.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		if err := c.rdb.Close(); err != nil {
			c.closeErr = c.proto.CloseError(err)
		}
	})
	return c.closeErr
}
