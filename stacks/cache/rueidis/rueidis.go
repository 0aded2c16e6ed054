package rueidis

import (
	"context"
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

// Cache is an app.Cache on rueidis. It is safe for concurrent use.
type Cache struct {
	client    rueidis.Client
	opt       rueidis.ClientOption // as given to NewClient, for tests
	proto     *redisproto.Protocol
	put       *rueidis.Lua
	script    string // the put script and its SHA1, for the commands of several puts
	sha       string
	closeOnce sync.Once
}

var _ app.Cache = (*Cache)(nil)

// Open connects to Redis (rueidis dials and says HELLO within its dial timeout, 5 s) and loads
// the put script.
func Open(ctx context.Context, cfg Config) (*Cache, error) {
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
	opt.Dialer.Timeout = redisproto.OpenTimeout
	opt.PipelineMultiplex, opt.BlockingPoolSize = poolSize(cfg.PoolSize)
	opt.RetryDelay = retryDelay
	client, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, proto.UnreachableError(opt.InitAddress[0], err)
	}
	c := &Cache{client: client, opt: opt, proto: proto, put: rueidis.NewLuaScript(redisproto.PutScript),
		script: redisproto.PutScript, sha: redisproto.PutScriptSHA1}
	lctx, cancel := context.WithTimeout(ctx, redisproto.OpenTimeout)
	defer cancel()
	if err := client.Do(lctx, client.B().ScriptLoad().Script(redisproto.PutScript).Build()).Error(); err != nil {
		client.Close()
		return nil, proto.ScriptLoadError(err)
	}
	return c, nil
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
	built := make(rueidis.Commands, len(cmds))
	for i, cmd := range cmds {
		built[i] = c.client.B().Arbitrary(cmd.Name()).Keys(cmd.Key()).Args(cmd.Args()...).Build()
	}
	replies := c.client.DoMulti(ctx, built...)
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
	v, err := c.client.Do(ctx, c.client.B().Get().Key(c.proto.AccountKey(id)).Build()).AsBytes()
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
	ttl := c.proto.TTL()
	if len(puts) == 1 {
		err = c.put.Exec(ctx, c.client, []string{puts[0].Key}, []string{rueidis.BinaryString(puts[0].Value), ttl}).Error()
	} else {
		err = c.putMulti(ctx, puts, ttl, false)
		if e, ok := rueidis.IsRedisErr(err); ok && e.IsNoScript() {
			// EVAL also puts the script back into Redis's cache for the next EVALSHA.
			err = c.putMulti(ctx, puts, ttl, true)
		}
	}
	if err != nil {
		return c.proto.PutError(len(entries), err)
	}
	return nil
}

// putMulti sends the put script for each entry, with EVALSHA or EVAL, in one DoMulti.
func (c *Cache) putMulti(ctx context.Context, puts []redisproto.Put, ttl string, eval bool) error {
	b := c.client.B()
	built := make(rueidis.Commands, len(puts))
	for i, put := range puts {
		value := rueidis.BinaryString(put.Value)
		if eval {
			built[i] = b.Eval().Script(c.script).Numkeys(1).Key(put.Key).Arg(value, ttl).Build()
		} else {
			built[i] = b.Evalsha().Sha1(c.sha).Numkeys(1).Key(put.Key).Arg(value, ttl).Build()
		}
	}
	return firstError(c.client.DoMulti(ctx, built...))
}

// Close closes the connections. Calls after Close return errors; a second Close does nothing.
func (c *Cache) Close() error {
	c.closeOnce.Do(c.client.Close)
	return nil
}
