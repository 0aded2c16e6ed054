package redisproto

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"stacklab/stacks/app"
)

// DefaultAccountTTL is the lifetime of an account entry when Config.AccountTTL is zero.
const DefaultAccountTTL = 5 * time.Minute

// DialTimeout bounds connecting to Redis (the dial and the client's handshake), so a Redis that
// does not answer is an error, never a hang. It is go-redis's default; the caches on rueidis and
// redigo set it (redigo has none), and rueidis's cache also bounds by it how long a call waits for
// the first connection. Open connects to nothing: every cache opens while Redis is down.
const DialTimeout = 5 * time.Second

// Key kinds, after the prefix.
const (
	VelocityKind = "vel:"
	AccountKind  = "acc:"
)

// VersionDigits is the width of the zero-padded version in an account entry: int64's 19 digits.
const VersionDigits = 19

// PutScript stores ARGV[1] (the padded version followed by the body) at KEYS[1] for ARGV[2]
// milliseconds, unless the stored entry's version (its first 19 bytes) is the same or newer. It
// returns 1 when it stored the entry, 0 when it refused it.
const PutScript = `
local cur = redis.call('GETRANGE', KEYS[1], 0, 18)
if cur ~= '' and cur >= string.sub(ARGV[1], 1, 19) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`

// PutScriptSHA1 is the hex SHA1 of PutScript, the name EVALSHA calls it by.
var PutScriptSHA1 = func() string {
	sum := sha1.Sum([]byte(PutScript))
	return hex.EncodeToString(sum[:])
}()

// Velocity pipeline layout: CommandsPerAccount commands per account, in account order; the count
// of account i is the reply at index i*CommandsPerAccount+CountReply.
const (
	CommandsPerAccount = 4
	CountReply         = 2
)

// Config configures a cache; every cache part takes it.
type Config struct {
	// URL is a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0.
	URL string
	// Prefix starts every key of the cache, so caches of different runs never share keys.
	Prefix string
	// PoolSize bounds the connections to Redis; 0 keeps the client's default. Each part's doc says
	// what its client makes of it.
	PoolSize int
	// AccountTTL is how long an account entry lives after it is written; 0 means DefaultAccountTTL.
	AccountTTL time.Duration
}

// Command is one Redis command: its name, its key, then its arguments.
type Command []string

// Name is the command's name, e.g. "ZADD".
func (c Command) Name() string { return c[0] }

// Key is the command's key.
func (c Command) Key() string { return c[1] }

// Args are the arguments after the key.
func (c Command) Args() []string { return c[2:] }

// Any is the whole command as the []any that some clients take.
func (c Command) Any() []any {
	out := make([]any, len(c))
	for i, s := range c {
		out[i] = s
	}
	return out
}

// Put is one account entry to store with PutScript: KEYS[1] and ARGV[1].
type Put struct {
	Key   string
	Value []byte
}

// Protocol is the protocol of one opened cache: its part name, key prefix and entry lifetime.
type Protocol struct {
	part   string
	prefix string
	ttl    string // AccountTTL in milliseconds, ARGV[2] of PutScript
}

// New validates cfg for the cache part named part (the prefix of its errors).
func New(part string, cfg Config) (*Protocol, error) {
	p := &Protocol{part: part, prefix: cfg.Prefix}
	if cfg.URL == "" {
		return nil, p.errorf("Config.URL is empty")
	}
	if cfg.AccountTTL < 0 || cfg.PoolSize < 0 {
		return nil, p.errorf("negative AccountTTL (%v) or PoolSize (%d)", cfg.AccountTTL, cfg.PoolSize)
	}
	ttl := cfg.AccountTTL
	if ttl == 0 {
		ttl = DefaultAccountTTL
	}
	if ttl < time.Millisecond {
		return nil, p.errorf("AccountTTL %v is below Redis's millisecond resolution", ttl)
	}
	p.ttl = strconv.FormatInt(ttl.Milliseconds(), 10)
	return p, nil
}

// TTL is the entry lifetime in milliseconds, in decimal: ARGV[2] of PutScript.
func (p *Protocol) TTL() string { return p.ttl }

// VelocityKey is the key of an account's velocity set.
func (p *Protocol) VelocityKey(account string) string { return p.prefix + VelocityKind + account }

// AccountKey is the key of an account's entry.
func (p *Protocol) AccountKey(account string) string { return p.prefix + AccountKind + account }

// Count returns the commands of CountDebits, CommandsPerAccount per account (see CountReply), or
// an error for a window under a millisecond or a keep under 1. It returns no commands for no
// accounts.
func (p *Protocol) Count(txID string, accounts []string, now time.Time, window time.Duration, keep int) ([]Command, error) {
	if window < time.Millisecond || keep < 1 {
		return nil, p.errorf("counting debits: window %v must be at least 1ms and keep %d at least 1", window, keep)
	}
	if len(accounts) == 0 {
		return nil, nil
	}
	nowMillis := now.UnixMilli()
	score := strconv.FormatInt(nowMillis, 10)
	since := "(" + strconv.FormatInt(nowMillis-window.Milliseconds(), 10)
	stop := strconv.FormatInt(-int64(keep)-1, 10)
	pexpire := strconv.FormatInt(window.Milliseconds(), 10)
	// One backing array, sized exactly, so the commands are slices of it that never move.
	const words = 5 + 4 + 4 + 3
	all := make([]string, 0, words*len(accounts))
	cmds := make([]Command, 0, CommandsPerAccount*len(accounts))
	add := func(words ...string) {
		start := len(all)
		all = append(all, words...)
		cmds = append(cmds, Command(all[start:len(all):len(all)]))
	}
	for _, account := range accounts {
		key := p.VelocityKey(account)
		add("ZADD", key, "NX", score, txID)
		add("ZREMRANGEBYRANK", key, "0", stop)
		add("ZCOUNT", key, since, "+inf")
		add("PEXPIRE", key, pexpire)
	}
	return cmds, nil
}

// Uncount returns the commands of UncountDebits: one ZREM per account.
func (p *Protocol) Uncount(txID string, accounts []string) []Command {
	if len(accounts) == 0 {
		return nil
	}
	all := make([]string, 0, 3*len(accounts))
	cmds := make([]Command, 0, len(accounts))
	for _, account := range accounts {
		start := len(all)
		all = append(all, "ZREM", p.VelocityKey(account), txID)
		cmds = append(cmds, Command(all[start:len(all):len(all)]))
	}
	return cmds
}

// Puts encodes the entries of PutAccounts, or returns an error for a negative version.
func (p *Protocol) Puts(entries []app.CachedAccount) ([]Put, error) {
	puts := make([]Put, len(entries))
	for i, e := range entries {
		if e.Version < 0 {
			return nil, p.errorf("putting account %s: negative version %d", e.ID, e.Version)
		}
		puts[i] = Put{Key: p.AccountKey(e.ID), Value: EncodeEntry(e)}
	}
	return puts, nil
}

// EncodeEntry is the stored form of an entry: its version as 19 zero-padded digits, then its body.
// The version must not be negative.
func EncodeEntry(e app.CachedAccount) []byte {
	var digits [VersionDigits]byte
	n := strconv.AppendInt(digits[:0], e.Version, 10) // at most 19 digits for a non-negative int64
	v := make([]byte, 0, VersionDigits+len(e.Body))
	for range VersionDigits - len(n) {
		v = append(v, '0')
	}
	v = append(v, n...)
	return append(v, e.Body...)
}

// Decode returns the body of account id's stored entry v (a GET reply), or an error for an entry
// too short to hold a version. The body shares v's memory.
func (p *Protocol) Decode(id string, v []byte) ([]byte, error) {
	if len(v) < VersionDigits {
		return nil, p.errorf("account %s: entry of %d bytes is shorter than its version", id, len(v))
	}
	return v[VersionDigits:], nil
}

func (p *Protocol) errorf(format string, args ...any) error {
	return fmt.Errorf(p.part+": "+format, args...)
}

// The errors of the cache operations, each wrapping the client's error.

// ParseURLError is Open's error for a URL the client cannot parse.
func (p *Protocol) ParseURLError(err error) error { return p.errorf("parsing Config.URL: %w", err) }

// CountError is CountDebits's error.
func (p *Protocol) CountError(accounts int, err error) error {
	return p.errorf("counting debits of %d accounts: %w", accounts, err)
}

// UncountError is UncountDebits's error.
func (p *Protocol) UncountError(accounts int, err error) error {
	return p.errorf("uncounting debits of %d accounts: %w", accounts, err)
}

// ReadError is Account's error.
func (p *Protocol) ReadError(id string, err error) error {
	return p.errorf("reading account %s: %w", id, err)
}

// PutError is PutAccounts's error.
func (p *Protocol) PutError(entries int, err error) error {
	return p.errorf("putting %d accounts: %w", entries, err)
}

// CloseError is Close's error.
func (p *Protocol) CloseError(err error) error { return p.errorf("closing: %w", err) }
