package redigo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/redisproto"
)

// Config configures a Cache; see the package doc for what PoolSize means to redigo.
type Config = redisproto.Config

// DefaultAccountTTL is the lifetime of an account entry when Config.AccountTTL is zero.
const DefaultAccountTTL = redisproto.DefaultAccountTTL

const name = "redigo"

// Connection settings. redigo has no defaults (a zero timeout waits forever, a zero MaxIdle keeps
// no connection), so these are go-redis's, and the idle timeout and borrow test are those of
// redigo's Pool documentation.
const (
	readTimeout  = 5 * time.Second
	writeTimeout = 5 * time.Second
	idleTimeout  = 240 * time.Second
	// testIdle: a connection idle this long is PINGed before it is used again.
	testIdle = time.Minute
)

// Cache is an app.Cache on redigo. It is safe for concurrent use.
type Cache struct {
	pool      *redis.Pool
	proto     *redisproto.Protocol
	put       *redis.Script
	closeOnce sync.Once
	closeErr  error
}

var _ app.Cache = (*Cache)(nil)

// Open checks the URL and makes the pool without connecting: the pool dials on a call's demand,
// so Open succeeds while Redis is down and the cache recovers by itself when it is back. The put
// script is not loaded ahead: the first put is answered NOSCRIPT and sent again with EVAL, which
// loads it.
func Open(_ context.Context, cfg Config) (*Cache, error) {
	proto, err := redisproto.New(name, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := address(cfg.URL); err != nil {
		return nil, proto.ParseURLError(err)
	}
	size := cfg.PoolSize
	if size == 0 {
		size = 10 * runtime.GOMAXPROCS(0)
	}
	redisURL := cfg.URL
	c := &Cache{
		pool: &redis.Pool{
			DialContext: func(ctx context.Context) (redis.Conn, error) {
				return redis.DialURLContext(ctx, redisURL, redis.DialConnectTimeout(redisproto.DialTimeout),
					redis.DialReadTimeout(readTimeout), redis.DialWriteTimeout(writeTimeout))
			},
			TestOnBorrowContext: func(ctx context.Context, conn redis.Conn, lastUsed time.Time) error {
				if time.Since(lastUsed) < testIdle {
					return nil
				}
				_, err := redis.DoContext(conn, ctx, "PING")
				return err
			},
			MaxIdle:     size,
			MaxActive:   size,
			Wait:        true,
			IdleTimeout: idleTimeout,
		},
		proto: proto,
		put:   redis.NewScript(1, redisproto.PutScript),
	}
	return c, nil
}

// address checks a redis:// or rediss:// URL as redigo's DialURL reads it and returns its host
// and port, for messages.
func address(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return "", fmt.Errorf("scheme %q: want redis or rediss", u.Scheme)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, "6379"
	}
	if host == "" {
		host = "localhost"
	}
	if p := strings.Trim(u.Path, "/"); strings.Contains(p, "/") {
		return "", fmt.Errorf("path %q: want /<database number>", u.Path)
	}
	return net.JoinHostPort(host, port), nil
}

// pipeline sends cmds on one connection of the pool (Send, then Do("") to flush and receive every
// reply: one round trip) and returns their replies, or the first error.
func (c *Cache) pipeline(ctx context.Context, cmds []redisproto.Command) ([]any, error) {
	conn, err := c.pool.GetContext(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, cmd := range cmds {
		if err := conn.Send(cmd.Name(), cmd.Any()[1:]...); err != nil {
			return nil, err
		}
	}
	return receiveAll(conn, ctx)
}

// receiveAll flushes the connection and receives every pending reply, or the first error.
func receiveAll(conn redis.Conn, ctx context.Context) ([]any, error) {
	replies, err := redis.Values(redis.DoContext(conn, ctx, ""))
	if err != nil {
		return nil, err
	}
	for _, r := range replies {
		if err, ok := r.(redis.Error); ok {
			return nil, err
		}
	}
	return replies, nil
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
		if counts[i], err = redis.Int64(replies[i*redisproto.CommandsPerAccount+redisproto.CountReply], nil); err != nil {
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

// Account implements app.Cache with one GET.
func (c *Cache) Account(ctx context.Context, id string) ([]byte, bool, error) {
	conn, err := c.pool.GetContext(ctx)
	if err != nil {
		return nil, false, c.proto.ReadError(id, err)
	}
	v, err := redis.Bytes(redis.DoContext(conn, ctx, "GET", c.proto.AccountKey(id)))
	conn.Close()
	if errors.Is(err, redis.ErrNil) {
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
// Redis was flushed): Script.SendHash (EVALSHA) per entry, then, when answered NOSCRIPT,
// Script.Send (EVAL) per entry on the same connection.
func (c *Cache) PutAccounts(ctx context.Context, entries []app.CachedAccount) error {
	puts, err := c.proto.Puts(entries)
	if err != nil || len(puts) == 0 {
		return err
	}
	if err := c.putAll(ctx, puts); err != nil {
		return c.proto.PutError(len(entries), err)
	}
	return nil
}

func (c *Cache) putAll(ctx context.Context, puts []redisproto.Put) error {
	conn, err := c.pool.GetContext(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	ttl := c.proto.TTL()
	send := func(eval bool) error {
		for _, put := range puts {
			var err error
			if eval {
				err = c.put.Send(conn, put.Key, put.Value, ttl)
			} else {
				err = c.put.SendHash(conn, put.Key, put.Value, ttl)
			}
			if err != nil {
				return err
			}
		}
		_, err := receiveAll(conn, ctx)
		return err
	}
	err = send(false)
	var rerr redis.Error
	if errors.As(err, &rerr) && strings.HasPrefix(string(rerr), "NOSCRIPT ") {
		// EVAL also puts the script back into Redis's cache for the next EVALSHA.
		err = send(true)
	}
	return err
}

// Close closes the pool. Calls after Close return errors; a second Close returns nil.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		if err := c.pool.Close(); err != nil {
			c.closeErr = c.proto.CloseError(err)
		}
	})
	return c.closeErr
}
