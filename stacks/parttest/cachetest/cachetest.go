package cachetest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/parttest/redistest"
)

// AccountTTL is the account entry lifetime the caches under test must be opened with, short so
// that the expiry case does not take long.
const AccountTTL = 2 * time.Second

// Opener opens a new cache on the Redis at url, with a fresh key prefix (so two caches of one test
// do not share keys) and account entries that expire after AccountTTL, and closes it when t ends
// (a second Close must be harmless). It must not wait for Redis: url may name a Redis that is
// down, and the cache must open all the same.
type Opener func(t *testing.T, url string) app.Cache

// Run checks the caches made by open against the app.Cache contract, on the shared Redis of
// redistest.URL and, for the outage cases, through a redistest.Proxy that takes it away. Cases
// run one after another; Run takes about AccountTTL plus ten seconds.
func Run(t *testing.T, open Opener) {
	t.Helper()
	url := redistest.URL(t)
	onRedis := func(t *testing.T) app.Cache { return open(t, url) }
	cases := []struct {
		name string
		run  func(t *testing.T, open func(t *testing.T) app.Cache)
	}{
		{"count/window", countWindow},
		{"count/window bound is exclusive", countWindowBound},
		{"count/same tx counted once", countSameTx},
		{"count/keep bound", countKeep},
		{"count/uncount", uncount},
		{"count/several accounts", countSeveral},
		{"count/no accounts", countNone},
		{"account/miss", accountMiss},
		{"account/put if newer", putIfNewer},
		{"account/put several", putSeveral},
		{"account/version order is numeric", putNumericOrder},
		{"account/bodies are exact", putExactBodies},
		{"account/concurrent puts keep the highest", putConcurrent},
		{"account/entries expire", accountExpiry},
		{"prefix isolation", prefixIsolation},
		{"cancelled context", cancelledContext},
		{"after close", afterClose},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, onRedis) })
	}
	outages := []struct {
		name string
		run  func(t *testing.T, url string, open Opener)
	}{
		{"outage/open while Redis is down", openWhileDown},
		{"outage/refused, then back", refusedThenBack},
		{"outage/silent, then back", silentThenBack},
	}
	for _, c := range outages {
		t.Run(c.name, func(t *testing.T) { c.run(t, url, open) })
	}
}

// t0 is the base "now" of the counting cases; they pass explicit times far apart instead of sleeping.
var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

const window = 60 * time.Second

func count(t *testing.T, c app.Cache, tx string, accounts []string, now time.Time, keep int) []int64 {
	t.Helper()
	got, err := c.CountDebits(context.Background(), tx, accounts, now, window, keep)
	if err != nil {
		t.Fatalf("CountDebits(%s, %v, t0+%v): %v", tx, accounts, now.Sub(t0), err)
	}
	if len(got) != len(accounts) {
		t.Fatalf("CountDebits(%s, %v) returned %d counts, want %d", tx, accounts, len(got), len(accounts))
	}
	return got
}

// step is one CountDebits call of a single account and the count it must return.
type step struct {
	tx   string
	at   time.Duration // after t0
	want int64
}

func steps(t *testing.T, c app.Cache, account string, keep int, ss []step) {
	t.Helper()
	for i, s := range ss {
		got := count(t, c, s.tx, []string{account}, t0.Add(s.at), keep)
		if got[0] != s.want {
			t.Fatalf("step %d: CountDebits(%s at t0+%v) = %d, want %d", i, s.tx, s.at, got[0], s.want)
		}
	}
}

func countWindow(t *testing.T, open func(t *testing.T) app.Cache) {
	steps(t, open(t), "acc-a", 100, []step{
		{"tx-1", 0, 1},
		{"tx-2", 30 * time.Second, 2},
		{"tx-3", 45 * time.Second, 3},
		{"tx-4", 61 * time.Second, 3},             // tx-1 left the window
		{"tx-5", 100 * time.Second, 3},            // tx-3 (t0+45s), tx-4, tx-5
		{"tx-6", 10 * time.Minute, 1},             // all others are older than the window
		{"tx-7", 10*time.Minute + 1, 2},           // sub-millisecond steps still count
		{"tx-8", 5 * time.Second, 8},              // an out-of-order "now" counts everything after now−window
		{"tx-9", 11*time.Minute - time.Second, 3}, // tx-6, tx-7, tx-9
		{"tx-10", 24 * time.Hour, 1},              // a day later only itself
		{"tx-11", 24*time.Hour + window, 1},       // exactly one window later
	})
}

func countWindowBound(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	steps(t, c, "acc-a", 100, []step{
		{"tx-1", 0, 1},
		{"tx-2", window - time.Millisecond, 2}, // tx-1 is window−1ms old: counted
		{"tx-3", window, 2},                    // tx-1 is exactly window old: not counted
	})
}

func countSameTx(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	steps(t, c, "acc-a", 100, []step{
		{"tx-1", 0, 1},
		{"tx-1", time.Second, 1},      // recorded again: still one
		{"tx-2", 2 * time.Second, 2},  // another id counts
		{"tx-1", 50 * time.Second, 2}, // again, later: neither counted twice …
		{"tx-3", 61 * time.Second, 2}, // … nor moved: tx-1 (t0) left the window, tx-2 (t0+2s) is in
	})
	// An id keeps the time it was first recorded at: recorded again after that time left the
	// window, it is not counted.
	steps(t, c, "acc-b", 100, []step{
		{"tx-1", 0, 1},
		{"tx-1", 2 * window, 0},
	})
}

func countKeep(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	want := []int64{1, 2, 3, 3, 3, 3}
	for i, w := range want {
		got := count(t, c, "tx-"+strconv.Itoa(i), []string{"acc-a"}, t0.Add(time.Duration(i)*time.Second), 3)
		if got[0] != w {
			t.Fatalf("call %d with keep 3: count = %d, want %d", i, got[0], w)
		}
	}
	// The newest entries are the ones kept: recording tx-0 (forgotten) again counts it as new, and
	// with keep 1 only the newest entry is left.
	if got := count(t, c, "tx-0", []string{"acc-a"}, t0.Add(10*time.Second), 1); got[0] != 1 {
		t.Fatalf("with keep 1: count = %d, want 1", got[0])
	}
	if got := count(t, c, "tx-x", []string{"acc-a"}, t0.Add(11*time.Second), 100); got[0] != 2 {
		t.Fatalf("after keep 1, a new id: count = %d, want 2", got[0])
	}
}

func uncount(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	ctx := context.Background()
	accounts := []string{"acc-a", "acc-b"}
	count(t, c, "tx-1", accounts, t0, 100)
	if got := count(t, c, "tx-2", accounts, t0.Add(time.Second), 100); got[0] != 2 || got[1] != 2 {
		t.Fatalf("counts = %v, want [2 2]", got)
	}
	if err := c.UncountDebits(ctx, "tx-2", accounts); err != nil {
		t.Fatalf("UncountDebits: %v", err)
	}
	if got := count(t, c, "tx-3", accounts, t0.Add(2*time.Second), 100); got[0] != 2 || got[1] != 2 {
		t.Fatalf("after uncounting tx-2: counts = %v, want [2 2] (tx-1, tx-3)", got)
	}
	// An uncounted id counts again when recorded again.
	if got := count(t, c, "tx-2", accounts[:1], t0.Add(3*time.Second), 100); got[0] != 3 {
		t.Fatalf("tx-2 recorded again: count = %d, want 3", got[0])
	}
	// Uncounting an unknown id, an unknown account or no account is not an error.
	if err := c.UncountDebits(ctx, "tx-unknown", []string{"acc-a", "acc-none"}); err != nil {
		t.Fatalf("UncountDebits(unknown): %v", err)
	}
	if err := c.UncountDebits(ctx, "tx-1", nil); err != nil {
		t.Fatalf("UncountDebits(no accounts): %v", err)
	}
	if got := count(t, c, "tx-4", accounts, t0.Add(4*time.Second), 100); got[0] != 4 || got[1] != 3 {
		t.Fatalf("counts = %v, want [4 3]", got)
	}
}

func countSeveral(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	count(t, c, "tx-1", []string{"acc-b"}, t0, 100)
	count(t, c, "tx-2", []string{"acc-b", "acc-c"}, t0.Add(time.Second), 100)
	got := count(t, c, "tx-3", []string{"acc-a", "acc-b", "acc-c", "acc-d"}, t0.Add(2*time.Second), 100)
	if want := []int64{1, 3, 2, 1}; !equal(got, want) {
		t.Fatalf("counts = %v, want %v (one per account, in order)", got, want)
	}
	got = count(t, c, "tx-4", []string{"acc-d", "acc-a"}, t0.Add(3*time.Second), 100)
	if want := []int64{2, 2}; !equal(got, want) {
		t.Fatalf("counts = %v, want %v", got, want)
	}
}

func countNone(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	got, err := c.CountDebits(context.Background(), "tx-1", nil, t0, window, 100)
	if err != nil || len(got) != 0 {
		t.Fatalf("CountDebits(no accounts) = %v, %v; want no counts and no error", got, err)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func put(t *testing.T, c app.Cache, entries ...app.CachedAccount) {
	t.Helper()
	if err := c.PutAccounts(context.Background(), entries); err != nil {
		t.Fatalf("PutAccounts(%d entries): %v", len(entries), err)
	}
}

// wantBody fails unless the cache holds body for id.
func wantBody(t *testing.T, c app.Cache, id string, body string) {
	t.Helper()
	got, ok, err := c.Account(context.Background(), id)
	if err != nil {
		t.Fatalf("Account(%s): %v", id, err)
	}
	if !ok {
		t.Fatalf("Account(%s) missed, want %q", id, body)
	}
	if string(got) != body {
		t.Fatalf("Account(%s) = %q, want %q", id, got, body)
	}
}

func wantMiss(t *testing.T, c app.Cache, id string) {
	t.Helper()
	got, ok, err := c.Account(context.Background(), id)
	if err != nil {
		t.Fatalf("Account(%s): %v", id, err)
	}
	if ok || got != nil {
		t.Fatalf("Account(%s) = %q, %v; want a miss (nil, false)", id, got, ok)
	}
}

func entry(id string, version int64, body string) app.CachedAccount {
	return app.CachedAccount{ID: id, Version: version, Body: []byte(body)}
}

func accountMiss(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	wantMiss(t, c, "acc-none")
	// A velocity key of the same id is not an account entry.
	count(t, c, "tx-1", []string{"acc-a"}, t0, 100)
	wantMiss(t, c, "acc-a")
}

func putIfNewer(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	put(t, c, entry("acc-a", 5, `{"v":5}`))
	wantBody(t, c, "acc-a", `{"v":5}`)
	put(t, c, entry("acc-a", 4, `{"v":4}`))
	wantBody(t, c, "acc-a", `{"v":5}`) // older refused
	put(t, c, entry("acc-a", 5, `{"v":"other 5"}`))
	wantBody(t, c, "acc-a", `{"v":5}`) // equal refused
	put(t, c, entry("acc-a", 6, `{"v":6}`))
	wantBody(t, c, "acc-a", `{"v":6}`) // newer accepted
	put(t, c, entry("acc-a", 0, `{"v":0}`))
	wantBody(t, c, "acc-a", `{"v":6}`)
	// Version 0 is an account's first version and is stored on a miss.
	put(t, c, entry("acc-b", 0, `{"v":0}`))
	wantBody(t, c, "acc-b", `{"v":0}`)
	// Nothing to put is not an error.
	put(t, c)
}

func putSeveral(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	put(t, c, entry("acc-a", 6, "a6"))
	put(t, c, entry("acc-a", 5, "a5"), entry("acc-b", 1, "b1"), entry("acc-c", 2, "c2"))
	wantBody(t, c, "acc-a", "a6")
	wantBody(t, c, "acc-b", "b1")
	wantBody(t, c, "acc-c", "c2")
	put(t, c, entry("acc-b", 2, "b2"), entry("acc-c", 2, "c2'"), entry("acc-a", 7, "a7"))
	wantBody(t, c, "acc-a", "a7")
	wantBody(t, c, "acc-b", "b2")
	wantBody(t, c, "acc-c", "c2")
}

func putNumericOrder(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	// Versions compare as numbers, not as text ("10" < "9" as text).
	put(t, c, entry("acc-a", 9, "9"))
	put(t, c, entry("acc-a", 10, "10"))
	wantBody(t, c, "acc-a", "10")
	put(t, c, entry("acc-a", 9, "9 again"))
	wantBody(t, c, "acc-a", "10")
	put(t, c, entry("acc-a", 1<<53+1, "2^53+1"))
	wantBody(t, c, "acc-a", "2^53+1")
	// Beyond 2^53 a float comparison would see these two as equal.
	put(t, c, entry("acc-a", 1<<53+2, "2^53+2"))
	wantBody(t, c, "acc-a", "2^53+2")
	put(t, c, entry("acc-a", 1<<63-1, "max"))
	wantBody(t, c, "acc-a", "max")
	put(t, c, entry("acc-a", 1<<63-2, "max-1"))
	wantBody(t, c, "acc-a", "max")
}

func putExactBodies(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	bodies := map[string]string{
		"acc-json":   `{"id":"acc-json","name":"Alice <3 & é 😀","balance":-5}`,
		"acc-binary": "\x00\xff\xfe\r\n\x01 \"'\\",
		"acc-empty":  "",
		"acc-large":  string(bytes.Repeat([]byte("0123456789abcdef"), 64<<10/16)),
	}
	var entries []app.CachedAccount
	for id, b := range bodies {
		entries = append(entries, entry(id, 1, b))
	}
	put(t, c, entries...)
	for id, b := range bodies {
		wantBody(t, c, id, b)
	}
	// The cache keeps its own copy: changing the caller's slice afterwards changes nothing.
	e := entry("acc-copy", 1, "original")
	put(t, c, e)
	copy(e.Body, "XXXXXXXX")
	wantBody(t, c, "acc-copy", "original")
}

func putConcurrent(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	const writers, perWriter = 64, 8
	versions := rand.Perm(writers * perWriter) // each version once, in random order
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		mine := versions[w*perWriter : (w+1)*perWriter]
		wg.Go(func() {
			for _, v := range mine {
				e := entry("acc-hot", int64(v), fmt.Sprintf(`{"version":%d}`, v))
				if err := c.PutAccounts(context.Background(), []app.CachedAccount{e}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent PutAccounts: %v", err)
	}
	wantBody(t, c, "acc-hot", fmt.Sprintf(`{"version":%d}`, writers*perWriter-1))
}

func accountExpiry(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	start := time.Now()
	put(t, c, entry("acc-a", 1, "a1"))
	wantBody(t, c, "acc-a", "a1")
	// A refused put does not make the entry live longer.
	time.Sleep(AccountTTL / 2)
	put(t, c, entry("acc-a", 1, "a1 again"))
	deadline := start.Add(AccountTTL + 2*time.Second)
	for {
		_, ok, err := c.Account(context.Background(), "acc-a")
		if err != nil {
			t.Fatalf("Account: %v", err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("entry still cached %v after it was put with AccountTTL %v", time.Since(start), AccountTTL)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := time.Since(start); d < AccountTTL-250*time.Millisecond {
		t.Fatalf("entry expired after %v, before AccountTTL %v", d, AccountTTL)
	}
	// After expiry any version is stored again.
	put(t, c, entry("acc-a", 0, "a0"))
	wantBody(t, c, "acc-a", "a0")
}

func prefixIsolation(t *testing.T, open func(t *testing.T) app.Cache) {
	c1, c2 := open(t), open(t)
	put(t, c1, entry("acc-a", 3, "one"))
	wantMiss(t, c2, "acc-a")
	put(t, c2, entry("acc-a", 1, "two")) // lower version, other prefix: stored
	wantBody(t, c2, "acc-a", "two")
	wantBody(t, c1, "acc-a", "one")
	count(t, c1, "tx-1", []string{"acc-a"}, t0, 100)
	count(t, c1, "tx-2", []string{"acc-a"}, t0, 100)
	if got := count(t, c2, "tx-3", []string{"acc-a"}, t0, 100); got[0] != 1 {
		t.Fatalf("second cache counts %d, want 1: it sees the first cache's entries", got[0])
	}
	if err := c2.UncountDebits(context.Background(), "tx-1", []string{"acc-a"}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, c1, "tx-4", []string{"acc-a"}, t0, 100); got[0] != 3 {
		t.Fatalf("first cache counts %d, want 3: the second cache's uncount reached it", got[0])
	}
}

func cancelledContext(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	put(t, c, entry("acc-a", 1, "a1"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.CountDebits(ctx, "tx-1", []string{"acc-a"}, t0, window, 100); err == nil {
		t.Error("CountDebits with a cancelled context: no error")
	}
	if _, _, err := c.Account(ctx, "acc-a"); err == nil {
		t.Error("Account with a cancelled context: no error")
	}
	if err := c.PutAccounts(ctx, []app.CachedAccount{entry("acc-a", 2, "a2")}); err == nil {
		t.Error("PutAccounts with a cancelled context: no error")
	}
	if err := c.UncountDebits(ctx, "tx-1", []string{"acc-a"}); err == nil {
		t.Error("UncountDebits with a cancelled context: no error")
	}
	// The cache still works with a live context.
	wantBody(t, c, "acc-a", "a1")
}

func afterClose(t *testing.T, open func(t *testing.T) app.Cache) {
	c := open(t)
	put(t, c, entry("acc-a", 1, "a1"))
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := c.CountDebits(ctx, "tx-1", []string{"acc-a"}, t0, window, 100); err == nil {
			t.Error("CountDebits after Close: no error")
		}
		if err := c.UncountDebits(ctx, "tx-1", []string{"acc-a"}); err == nil {
			t.Error("UncountDebits after Close: no error")
		}
		if body, ok, err := c.Account(ctx, "acc-a"); err == nil {
			t.Errorf("Account after Close = %q, %v; want an error", body, ok)
		}
		if err := c.PutAccounts(ctx, []app.CachedAccount{entry("acc-a", 2, "a2")}); err == nil {
			t.Error("PutAccounts after Close: no error")
		}
		if err := c.Close(); err != nil {
			t.Errorf("second Close: %v, want nil", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("calls after Close did not return within 10s")
	}
}
