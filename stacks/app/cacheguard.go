package app

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// DefaultCacheTimeout bounds every call the app makes to its Cache when Config.CacheTimeout is 0.
// A healthy Redis on the same host answers in well under a millisecond, and in a few milliseconds
// at the tail of a loaded 2-CPU machine, so 250 ms is two orders of magnitude above any healthy
// answer, while a Redis that stopped answering (SIGSTOP, a silent partition: the connection open,
// nothing coming back) costs a request at most this much per cache call instead of a hang: the
// velocity count (then velocity_unchecked) and the write-through after a commit. The breaker
// below makes even that rare during a long outage.
const DefaultCacheTimeout = 250 * time.Millisecond

// The breaker: after breakerFailures cache calls in a row failed, the app stops calling the cache
// for breakerCooldown, then lets one call through as a probe; the first success closes it again.
// While it is open, velocity is not counted (velocity_unchecked), reads go to the store, and a
// commit's write-through is skipped (which moves the epoch on, as a failed one does).
const (
	breakerFailures = 3
	breakerCooldown = 500 * time.Millisecond
)

// cacheGuard is how the app calls its Cache: every call under a short deadline, behind a breaker,
// and account entries named in the current cache epoch. It is written once here, for every cache
// part.
//
// The epoch keeps read-your-writes when a write-through fails. A committed write's new account
// copies are put into the cache before the answer; when that put fails or times out (Redis down,
// paused, partitioned), the cache may still hold an older copy, and may hold it again when Redis
// comes back with its data. So every entry is named "<epoch>:<account id>", and a put whose
// outcome is not known to have succeeded moves the epoch on: entries of an older epoch are never
// read again (they expire with their TTL). A fresh process starts with a random epoch, so it never
// reads what an earlier process wrote either (that process may have died between a commit and
// its write-through). The rules that make a live epoch hold no copy older than an answered write:
//   - a reader takes the epoch before it reads the store, and puts what it read into that epoch
//     (not at all when the epoch moved on meanwhile);
//   - a writer takes the epoch before the store commits and again after; it puts the new copies
//     only when the two agree, and moves the epoch on when they differ, when the put fails or
//     times out, or when the breaker skips it;
//   - within an epoch, the cache's put-if-newer keeps the highest version of each account.
//
// A reader's copy predates a concurrent commit only if it read the store before that commit; the
// committing writer then either put its newer copy into the reader's epoch (the older put is
// refused) or moved the epoch on before answering. A writer whose epoch moved during its commit
// cannot tell whether a reader of the new epoch read the store before its commit, so it ends that
// epoch too. A put that timed out may still reach Redis later, so every unconfirmed put, a
// reader's too, ends its epoch.
//
// The epoch lives in the process, so two processes serving one database with one key prefix would
// not see each other's write-through failures; the lab runs one process per stack and database.
type cacheGuard struct {
	c       Cache
	timeout time.Duration
	log     *zap.Logger

	epoch     atomic.Uint64
	failures  atomic.Int64 // cache calls failed in a row
	openUntil atomic.Int64 // unix nanoseconds until which the breaker skips calls; 0: closed
}

func newCacheGuard(c Cache, timeout time.Duration, log *zap.Logger) *cacheGuard {
	g := &cacheGuard{c: c, timeout: timeout, log: log}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	g.epoch.Store(binary.LittleEndian.Uint64(b[:]))
	return g
}

// current is the epoch now; a writer takes it before its commit and hands it to writeThrough.
func (g *cacheGuard) current() uint64 { return g.epoch.Load() }

// key names account id's entry in epoch e.
func key(e uint64, id string) string { return strconv.FormatUint(e, 36) + ":" + id }

// allow reports whether a call may go to the cache: the breaker is closed, or its cooldown is over
// and this caller won the one probe (which pushes the next probe a cooldown further).
func (g *cacheGuard) allow() bool {
	until := g.openUntil.Load()
	if until == 0 {
		return true
	}
	now := time.Now().UnixNano()
	return now >= until && g.openUntil.CompareAndSwap(until, now+int64(breakerCooldown))
}

// call runs f under the cache deadline and feeds the breaker with its outcome. A failure because
// the request itself ended is not the cache's and does not count.
func (g *cacheGuard) call(ctx context.Context, what string, f func(ctx context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, g.timeout)
	err := f(cctx)
	cancel()
	switch {
	case err == nil:
		// Loads first: on the hot path, when nothing failed, no shared cache line is written.
		if g.failures.Load() != 0 {
			g.failures.Store(0)
		}
		if g.openUntil.Load() != 0 && g.openUntil.Swap(0) != 0 {
			g.log.Info("cache answers again; calling it again")
		}
	case ctx.Err() == nil:
		if g.failures.Add(1) >= breakerFailures && g.openUntil.CompareAndSwap(0, time.Now().Add(breakerCooldown).UnixNano()) {
			g.log.Warn("cache failing; skipping it (velocity unchecked, reads from the store) until a probe succeeds",
				zap.String("call", what), zap.Error(err))
		} else {
			g.log.Warn("cache call failed", zap.String("call", what), zap.Error(err))
		}
	}
	return err
}

// count counts txID's debits; ok is false when they could not be counted (velocity unchecked).
// attempted is false when the breaker skipped the call, so nothing can have reached Redis.
func (g *cacheGuard) count(ctx context.Context, txID string, accounts []string, now time.Time, window time.Duration, keep int) (counts []int64, ok, attempted bool) {
	if !g.allow() {
		return nil, false, false
	}
	err := g.call(ctx, "count debits", func(ctx context.Context) error {
		var err error
		counts, err = g.c.CountDebits(ctx, txID, accounts, now, window, keep)
		return err
	})
	return counts, err == nil, true
}

// uncount forgets txID from the accounts' counts, when the cache is called at all.
func (g *cacheGuard) uncount(ctx context.Context, txID string, accounts []string) {
	if !g.allow() {
		return
	}
	_ = g.call(ctx, "uncount debits", func(ctx context.Context) error { return g.c.UncountDebits(ctx, txID, accounts) })
}

// account reads account id's entry in the current epoch, and returns that epoch for putRead.
// ok is false on a miss, a failure, or a skipped call.
func (g *cacheGuard) account(ctx context.Context, id string) (body []byte, ok bool, epoch uint64) {
	epoch = g.epoch.Load()
	if !g.allow() {
		return nil, false, epoch
	}
	_ = g.call(ctx, "read account", func(ctx context.Context) error {
		var err error
		body, ok, err = g.c.Account(ctx, key(epoch, id))
		return err
	})
	return body, ok, epoch
}

// putRead puts what a reader read from the store into the epoch it took before reading.
func (g *cacheGuard) putRead(ctx context.Context, epoch uint64, entries []CachedAccount) {
	if g.epoch.Load() != epoch || !g.allow() {
		return // a dead epoch is never read again; a skipped put sent nothing
	}
	g.put(ctx, epoch, entries)
}

// writeThrough puts a commit's new copies, given the epoch taken before the commit.
func (g *cacheGuard) writeThrough(ctx context.Context, before uint64, entries []CachedAccount) {
	if g.epoch.Load() != before || !g.allow() {
		g.epoch.Add(1)
		return
	}
	g.put(ctx, before, entries)
}

// put writes entries into epoch e and ends the epoch when the put is not known to have succeeded.
func (g *cacheGuard) put(ctx context.Context, e uint64, entries []CachedAccount) {
	named := make([]CachedAccount, len(entries))
	for i, en := range entries {
		named[i] = CachedAccount{ID: key(e, en.ID), Version: en.Version, Body: en.Body}
	}
	if err := g.call(ctx, "put accounts", func(ctx context.Context) error { return g.c.PutAccounts(ctx, named) }); err != nil {
		g.epoch.CompareAndSwap(e, e+1)
	}
}
