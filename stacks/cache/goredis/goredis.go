package goredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"stacklab/stacks/app"
)

// DefaultAccountTTL is the lifetime of an account entry when Config.AccountTTL is zero.
const DefaultAccountTTL = 5 * time.Minute

// pingTimeout bounds the check at Open, so an unreachable Redis is an error, never a hang.
const pingTimeout = 5 * time.Second

// Config configures a Cache.
type Config struct {
	// URL is a redis:// or rediss:// URL (redis.ParseURL), e.g. redis://127.0.0.1:6379/0.
	URL string
	// Prefix starts every key of the cache, so caches of different runs never share keys.
	Prefix string
	// PoolSize is the connection pool size; 0 keeps go-redis's default (10 per CPU).
	PoolSize int
	// AccountTTL is how long an account entry lives after it is written; 0 means DefaultAccountTTL.
	AccountTTL time.Duration
}

// Cache is an app.Cache on go-redis. It is safe for concurrent use.
type Cache struct {
	rdb       *redis.Client
	prefix    string
	ttlMillis int64
	put       *redis.Script
	closeOnce sync.Once
	closeErr  error
}

var _ app.Cache = (*Cache)(nil)

// versionDigits is the width of the zero-padded version in an account entry: int64's 19 digits.
const versionDigits = 19

// putScript stores ARGV[1] (the padded version followed by the body) at KEYS[1] for ARGV[2]
// milliseconds, unless the stored entry's version (its first 19 bytes) is the same or newer. It
// returns 1 when it stored the entry, 0 when it refused it.
const putScript = `
local cur = redis.call('GETRANGE', KEYS[1], 0, 18)
if cur ~= '' and cur >= string.sub(ARGV[1], 1, 19) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`

// Open connects to Redis and checks, within 5 s, that it answers.
func Open(ctx context.Context, cfg Config) (*Cache, error) {
	if cfg.URL == "" {
		return nil, errors.New("goredis: Config.URL is empty")
	}
	if cfg.AccountTTL < 0 || cfg.PoolSize < 0 {
		return nil, fmt.Errorf("goredis: negative AccountTTL (%v) or PoolSize (%d)", cfg.AccountTTL, cfg.PoolSize)
	}
	ttl := cfg.AccountTTL
	if ttl == 0 {
		ttl = DefaultAccountTTL
	}
	if ttl < time.Millisecond {
		return nil, fmt.Errorf("goredis: AccountTTL %v is below Redis's millisecond resolution", ttl)
	}
	opt, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("goredis: parsing Config.URL: %w", err)
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
	c := &Cache{
		rdb:       redis.NewClient(opt),
		prefix:    cfg.Prefix,
		ttlMillis: ttl.Milliseconds(),
		put:       redis.NewScript(putScript),
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := c.rdb.Ping(pctx).Err(); err != nil {
		c.rdb.Close()
		return nil, fmt.Errorf("goredis: Redis at %s does not answer: %w", opt.Addr, err)
	}
	if err := c.put.Load(pctx, c.rdb).Err(); err != nil {
		c.rdb.Close()
		return nil, fmt.Errorf("goredis: loading the put script: %w", err)
	}
	return c, nil
}

func (c *Cache) velocityKey(account string) string { return c.prefix + "vel:" + account }
func (c *Cache) accountKey(account string) string  { return c.prefix + "acc:" + account }

// CountDebits implements app.Cache in one pipelined round trip.
func (c *Cache) CountDebits(ctx context.Context, txID string, accounts []string, now time.Time, window time.Duration, keep int) ([]int64, error) {
	if window < time.Millisecond || keep < 1 {
		return nil, fmt.Errorf("goredis: counting debits: window %v must be at least 1ms and keep %d at least 1", window, keep)
	}
	if len(accounts) == 0 {
		return []int64{}, nil
	}
	nowMillis := now.UnixMilli()
	member := redis.Z{Score: float64(nowMillis), Member: txID}
	since := "(" + strconv.FormatInt(nowMillis-window.Milliseconds(), 10)
	counts := make([]*redis.IntCmd, len(accounts))
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, account := range accounts {
			key := c.velocityKey(account)
			p.ZAddNX(ctx, key, member)
			p.ZRemRangeByRank(ctx, key, 0, -int64(keep)-1)
			counts[i] = p.ZCount(ctx, key, since, "+inf")
			p.PExpire(ctx, key, window)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("goredis: counting debits of %d accounts: %w", len(accounts), err)
	}
	out := make([]int64, len(accounts))
	for i, cmd := range counts {
		out[i] = cmd.Val()
	}
	return out, nil
}

// UncountDebits implements app.Cache in one pipelined round trip.
func (c *Cache) UncountDebits(ctx context.Context, txID string, accounts []string) error {
	if len(accounts) == 0 {
		return nil
	}
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, account := range accounts {
			p.ZRem(ctx, c.velocityKey(account), txID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("goredis: uncounting debits of %d accounts: %w", len(accounts), err)
	}
	return nil
}

// Account implements app.Cache with one GET.
func (c *Cache) Account(ctx context.Context, id string) ([]byte, bool, error) {
	v, err := c.rdb.Get(ctx, c.accountKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("goredis: reading account %s: %w", id, err)
	}
	if len(v) < versionDigits {
		return nil, false, fmt.Errorf("goredis: account %s: entry of %d bytes is shorter than its version", id, len(v))
	}
	return v[versionDigits:], true, nil
}

// PutAccounts implements app.Cache in one pipelined round trip (two after the script cache of
// Redis was flushed).
func (c *Cache) PutAccounts(ctx context.Context, entries []app.CachedAccount) error {
	if len(entries) == 0 {
		return nil
	}
	keys := make([][]string, len(entries))
	values := make([][]byte, len(entries))
	for i, e := range entries {
		if e.Version < 0 {
			return fmt.Errorf("goredis: putting account %s: negative version %d", e.ID, e.Version)
		}
		keys[i] = []string{c.accountKey(e.ID)}
		values[i] = entryValue(e)
	}
	run := func(eval bool) error {
		_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range entries {
				if eval {
					c.put.Eval(ctx, p, keys[i], values[i], c.ttlMillis)
				} else {
					c.put.EvalSha(ctx, p, keys[i], values[i], c.ttlMillis)
				}
			}
			return nil
		})
		return err
	}
	err := run(false)
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		// EVAL also puts the script back into Redis's cache for the next EVALSHA.
		err = run(true)
	}
	if err != nil {
		return fmt.Errorf("goredis: putting %d accounts: %w", len(entries), err)
	}
	return nil
}

// entryValue is the stored form of an entry: its version as 19 zero-padded digits, then its body.
func entryValue(e app.CachedAccount) []byte {
	var digits [versionDigits]byte
	n := strconv.AppendInt(digits[:0], e.Version, 10) // at most 19 digits for a non-negative int64
	v := make([]byte, 0, versionDigits+len(e.Body))
	for range versionDigits - len(n) {
		v = append(v, '0')
	}
	v = append(v, n...)
	return append(v, e.Body...)
}

// Close closes the connections. Calls after Close return errors; a second Close returns nil.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		if err := c.rdb.Close(); err != nil {
			c.closeErr = fmt.Errorf("goredis: closing: %w", err)
		}
	})
	return c.closeErr
}
