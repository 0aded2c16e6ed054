package rueidis

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/redisproto"
)

// Config configures a Cache; see the package doc for what PoolSize means to rueidis.
type Config = redisproto.Config

// DefaultAccountTTL is the lifetime of an account entry when Config.AccountTTL is zero.
const DefaultAccountTTL = redisproto.DefaultAccountTTL

const name = "rueidis"

// maxRetries bounds rueidis's retries of a read-only command (GET) after a network error, like
// go-redis's default; rueidis's own default retries until the caller's context ends, which is never
// for a context without a deadline.
const maxRetries = 3

// Connecting in the background: rueidis.NewClient dials Redis and fails when it cannot, so the
// cache makes its client in a goroutine of its own, and again after a failure, waiting
// connectRetryMin, doubling up to connectRetryMax, until it has one or the cache is closed. Once
// made, the client reconnects by itself.
const (
	connectRetryMin = 50 * time.Millisecond
	connectRetryMax = 2 * time.Second
)

// Cache is an app.Cache on rueidis. It is safe for concurrent use.
type Cache struct {
	opt    rueidis.ClientOption // as given to NewClient, for tests
	addr   string
	proto  *redisproto.Protocol
	put    *rueidis.Lua
	script string // the put script and its SHA1, for the commands of several puts
	sha    string

	mu        sync.Mutex
	client    rueidis.Client // nil until made
	lastErr   error          // the last failure to make it; nil before the first attempt ends
	ready     chan struct{}  // closed when the client is made or the cache closed
	closed    bool
	closeOnce sync.Once
}

var _ app.Cache = (*Cache)(nil)

// Open checks the configuration and returns the cache at once; it connects to Redis in the
// background (rueidis dials and says HELLO within its dial timeout, 5 s), so Open succeeds while
// Redis is down. Calls made before the first connection wait for it up to their context's end
// (at most redisproto.DialTimeout); once an attempt has failed they fail at once until one
// succeeds. The put script is not loaded ahead: the first put is answered NOSCRIPT and sent again
// with EVAL, which loads it.
func Open(_ context.Context, cfg Config) (*Cache, error) {
	proto, err := redisproto.New(name, cfg)
	if err != nil {
		return nil, err
	}
	opt, err := rueidis.ParseURL(cfg.URL)
	if err != nil {
		return nil, proto.ParseURLError(err)
	}
	opt.ForceSingleClient = true // one Redis server, as for the other caches: no CLUSTER probe
	opt.DisableCache = true
	opt.Dialer.Timeout = redisproto.DialTimeout
	opt.PipelineMultiplex, opt.BlockingPoolSize = poolSize(cfg.PoolSize)
	opt.RetryDelay = retryDelay
	c := &Cache{opt: opt, addr: opt.InitAddress[0], proto: proto, put: rueidis.NewLuaScript(redisproto.PutScript),
		script: redisproto.PutScript, sha: redisproto.PutScriptSHA1, ready: make(chan struct{})}
	go c.connect()
	return c, nil
}

// connect makes the client, retrying with a capped exponential backoff, until it has one or the
// cache is closed.
func (c *Cache) connect() {
	wait := connectRetryMin
	for {
		client, err := rueidis.NewClient(c.opt)
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			if err == nil {
				client.Close()
			}
			return
		}
		if err == nil {
			c.client = client
			close(c.ready)
			c.mu.Unlock()
			return
		}
		c.lastErr = err
		c.mu.Unlock()
		select {
		case <-c.ready: // closed
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, connectRetryMax)
	}
}

// get returns the client, waiting for the first attempt to make it when none has ended yet.
func (c *Cache) get(ctx context.Context) (rueidis.Client, error) {
	c.mu.Lock()
	client, lastErr, closed := c.client, c.lastErr, c.closed
	c.mu.Unlock()
	switch {
	case closed:
		return nil, errors.New("cache closed")
	case client != nil:
		return client, nil
	case lastErr != nil:
		return nil, fmt.Errorf("not connected to Redis at %s (retrying in the background): %w", c.addr, lastErr)
	}
	wctx, cancel := context.WithTimeout(ctx, redisproto.DialTimeout)
	defer cancel()
	select {
	case <-c.ready:
		return c.get(ctx)
	case <-wctx.Done():
		return nil, fmt.Errorf("not connected to Redis at %s yet: %w", c.addr, wctx.Err())
	}
}

// poolSize maps Config.PoolSize to rueidis's PipelineMultiplex (2^n pipelined connections: the
// largest power of two not above size) and BlockingPoolSize (size). For 0 it keeps rueidis's
// defaults.
func poolSize(size int) (multiplex, blocking int) {
	if size == 0 {
		return 0, 0
	}
	n := min(bits.Len(uint(size))-1, rueidis.MaxPipelineMultiplex)
	if n == 0 {
		n = -1 // rueidis reads 0 as "its default"; a negative value is one connection
	}
	return n, size
}

func retryDelay(attempts int, _ rueidis.Completed, _ error) time.Duration {
	if attempts > maxRetries {
		return -1
	}
	return time.Duration(1<<attempts) * time.Millisecond
}

// CountDebits implements app.Cache in one round trip (DoMulti).
func (c *Cache) CountDebits(ctx context.Context, txID string, accounts []string, now time.Time, window time.Duration, keep int) ([]int64, error) {
	cmds, err := c.proto.Count(txID, accounts, now, window, keep)
	if err != nil {
		return nil, err
	}
	if len(cmds) == 0 {
		return []int64{}, nil
	}
	replies, err := c.do(ctx, cmds)
	if err != nil {
		return nil, c.proto.CountError(len(accounts), err)
	}
	counts := make([]int64, len(accounts))
	for i := range counts {
		if counts[i], err = replies[i*redisproto.CommandsPerAccount+redisproto.CountReply].AsInt64(); err != nil {
			return nil, c.proto.CountError(len(accounts), err)
		}
	}
	return counts, nil
}

// UncountDebits implements app.Cache in one round trip (DoMulti).
func (c *Cache) UncountDebits(ctx context.Context, txID string, accounts []string) error {
	cmds := c.proto.Uncount(txID, accounts)
	if len(cmds) == 0 {
		return nil
	}
	if _, err := c.do(ctx, cmds); err != nil {
		return c.proto.UncountError(len(accounts), err)
	}
	return nil
}

// do sends cmds with one DoMulti and returns their replies, or the first error.
func (c *Cache) do(ctx context.Context, cmds []redisproto.Command) ([]rueidis.RedisResult, error) {
	client, err := c.get(ctx)
	if err != nil {
		return nil, err
	}
	built := make(rueidis.Commands, len(cmds))
	for i, cmd := range cmds {
		built[i] = client.B().Arbitrary(cmd.Name()).Keys(cmd.Key()).Args(cmd.Args()...).Build()
	}
	replies := client.DoMulti(ctx, built...)
	return replies, firstError(replies)
}

func firstError(replies []rueidis.RedisResult) error {
	for _, r := range replies {
		if err := r.Error(); err != nil {
			return err
		}
	}
	return nil
}

// Account implements app.Cache with one GET.
func (c *Cache) Account(ctx context.Context, id string) ([]byte, bool, error) {
	client, err := c.get(ctx)
	if err != nil {
		return nil, false, c.proto.ReadError(id, err)
	}
	v, err := client.Do(ctx, client.B().Get().Key(c.proto.AccountKey(id)).Build()).AsBytes()
	if rueidis.IsRedisNil(err) {
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

// PutAccounts implements app.Cache in one round trip (two after the script cache of Redis was
// flushed). One entry goes through rueidis's Lua script helper (Lua.Exec: EVALSHA, then EVAL on
// NOSCRIPT). Several go as EVALSHAs in one DoMulti, and again as EVALs in one DoMulti when
// answered NOSCRIPT, as Lua.Exec does for one: the helper's Lua.ExecMulti sends SCRIPT LOAD before
// every batch, a second round trip each time.
func (c *Cache) PutAccounts(ctx context.Context, entries []app.CachedAccount) error {
	puts, err := c.proto.Puts(entries)
	if err != nil || len(puts) == 0 {
		return err
	}
	client, err := c.get(ctx)
	if err != nil {
		return c.proto.PutError(len(entries), err)
	}
	ttl := c.proto.TTL()
	if len(puts) == 1 {
		err = c.put.Exec(ctx, client, []string{puts[0].Key}, []string{rueidis.BinaryString(puts[0].Value), ttl}).Error()
	} else {
		err = c.putMulti(ctx, client, puts, ttl, false)
		if e, ok := rueidis.IsRedisErr(err); ok && e.IsNoScript() {
			// EVAL also puts the script back into Redis's cache for the next EVALSHA.
			err = c.putMulti(ctx, client, puts, ttl, true)
		}
	}
	if err != nil {
		return c.proto.PutError(len(entries), err)
	}
	return nil
}

// putMulti sends the put script for each entry, with EVALSHA or EVAL, in one DoMulti.
func (c *Cache) putMulti(ctx context.Context, client rueidis.Client, puts []redisproto.Put, ttl string, eval bool) error {
	b := client.B()
	built := make(rueidis.Commands, len(puts))
	for i, put := range puts {
		value := rueidis.BinaryString(put.Value)
		if eval {
			built[i] = b.Eval().Script(c.script).Numkeys(1).Key(put.Key).Arg(value, ttl).Build()
		} else {
			built[i] = b.Evalsha().Sha1(c.sha).Numkeys(1).Key(put.Key).Arg(value, ttl).Build()
		}
	}
	return firstError(client.DoMulti(ctx, built...))
}

// Close stops connecting and closes the connections. Calls after Close return errors; a second
// Close does nothing.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		client := c.client
		if client == nil {
			close(c.ready) // wakes connect and waiting calls
		}
		c.mu.Unlock()
		if client != nil {
			client.Close()
		}
	})
	return nil
}
