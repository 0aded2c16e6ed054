package app

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
)

// fakeCache is an in-memory Cache for the guard's logic: account entries by name with
// put-if-newer, and a mode that fails or hangs every call.
type fakeCache struct {
	mu      sync.Mutex
	entries map[string]CachedAccount
	mode    string // "", "fail" or "hang" (until the call's context ends)
	calls   int
}

var errFake = errors.New("fake cache: refused")

func (f *fakeCache) enter(ctx context.Context) error {
	f.mu.Lock()
	f.calls++
	mode := f.mode
	f.mu.Unlock()
	switch mode {
	case "fail":
		return errFake
	case "hang":
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (f *fakeCache) set(mode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode = mode
}

func (f *fakeCache) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeCache) CountDebits(ctx context.Context, _ string, accounts []string, _ time.Time, _ time.Duration, _ int) ([]int64, error) {
	if err := f.enter(ctx); err != nil {
		return nil, err
	}
	return make([]int64, len(accounts)), nil
}

func (f *fakeCache) UncountDebits(ctx context.Context, _ string, _ []string) error {
	return f.enter(ctx)
}

func (f *fakeCache) Account(ctx context.Context, id string) ([]byte, bool, error) {
	if err := f.enter(ctx); err != nil {
		return nil, false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[id]
	return e.Body, ok, nil
}

func (f *fakeCache) PutAccounts(ctx context.Context, entries []CachedAccount) error {
	if err := f.enter(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.entries == nil {
		f.entries = map[string]CachedAccount{}
	}
	for _, e := range entries {
		if cur, ok := f.entries[e.ID]; !ok || cur.Version < e.Version {
			f.entries[e.ID] = e
		}
	}
	return nil
}

func (f *fakeCache) Close() error { return nil }

func newTestGuard(f *fakeCache) *cacheGuard {
	return newCacheGuard(f, 50*time.Millisecond, zap.NewNop())
}

func entries(version int64, body string) []CachedAccount {
	return []CachedAccount{{ID: "a", Version: version, Body: []byte(body)}}
}

// read reads account a through the guard as getAccount does: the cached body, or, on a miss, the
// store's (given) copy, put back into the epoch taken before reading.
func read(g *cacheGuard, store string, version int64) string {
	ctx := context.Background()
	body, ok, epoch := g.account(ctx, "a")
	if ok {
		return string(body)
	}
	g.putRead(ctx, epoch, entries(version, store))
	return store
}

func TestCacheGuardEpochs(t *testing.T) {
	ctx := context.Background()

	t.Run("a failed write-through ends the epoch", func(t *testing.T) {
		f := &fakeCache{}
		g := newTestGuard(f)
		e := g.epoch.Load()
		g.writeThrough(ctx, e, entries(1, "v1"))
		if got := read(g, "v1", 1); got != "v1" {
			t.Fatalf("read %q", got)
		}
		f.set("fail")
		before := g.epoch.Load()
		g.writeThrough(ctx, before, entries(2, "v2")) // v2 committed; its put fails
		f.set("")
		// The cache still holds v1 under the old name: a read must not see it.
		if got := read(g, "v2", 2); got != "v2" {
			t.Fatalf("after a failed write-through, read %q, want v2 (the store's)", got)
		}
		if got := read(g, "v2", 2); got != "v2" {
			t.Fatalf("second read %q", got)
		}
	})

	t.Run("a commit during which the epoch moved does not put, and ends the new epoch", func(t *testing.T) {
		f := &fakeCache{}
		g := newTestGuard(f)
		writer := g.epoch.Load() // the writer takes the epoch, then commits v2 slowly …
		f.set("fail")
		g.writeThrough(ctx, g.epoch.Load(), entries(9, "other")) // … while another write-through fails
		f.set("")
		// A reader of the new epoch read the store before the slow commit and put v1.
		if got := read(g, "v1", 1); got != "v1" {
			t.Fatal(got)
		}
		puts := f.count()
		g.writeThrough(ctx, writer, entries(2, "v2"))
		if f.count() != puts {
			t.Error("the writer put although the epoch moved during its commit")
		}
		if got := read(g, "v2", 2); got != "v2" {
			t.Fatalf("read %q after the slow commit, want v2", got)
		}
	})

	t.Run("a reader whose epoch ended puts nothing", func(t *testing.T) {
		f := &fakeCache{}
		g := newTestGuard(f)
		_, _, epoch := g.account(ctx, "a") // reads the store: v1 …
		g.epoch.Add(1)                     // … while the epoch ends
		puts := f.count()
		g.putRead(ctx, epoch, entries(1, "v1"))
		if f.count() != puts {
			t.Error("a put into an ended epoch")
		}
	})

	t.Run("a failed read put ends its epoch", func(t *testing.T) {
		f := &fakeCache{}
		g := newTestGuard(f)
		e := g.epoch.Load()
		f.set("fail")
		g.putRead(ctx, e, entries(1, "v1"))
		if g.epoch.Load() == e {
			t.Error("the epoch survived a put whose outcome is unknown")
		}
	})

	t.Run("a fresh guard starts in another epoch", func(t *testing.T) {
		f := &fakeCache{}
		g1 := newTestGuard(f)
		g1.writeThrough(ctx, g1.epoch.Load(), entries(1, "v1"))
		g2 := newTestGuard(f) // a restarted process
		if g1.epoch.Load() == g2.epoch.Load() {
			t.Fatal("two guards share an epoch")
		}
		if got := read(g2, "v2", 2); got != "v2" {
			t.Fatalf("a fresh process read %q from the previous one's entries", got)
		}
	})
}

func TestCacheGuardBounds(t *testing.T) {
	f := &fakeCache{mode: "hang"}
	g := newTestGuard(f)
	start := time.Now()
	_, ok, attempted := g.count(context.Background(), "t", []string{"a"}, time.Now(), time.Minute, 10)
	if took := time.Since(start); ok || !attempted || took > time.Second {
		t.Fatalf("count against a silent cache: ok %v, attempted %v after %v; want a failure at the 50 ms deadline", ok, attempted, took)
	}
}

func TestCacheGuardBreaker(t *testing.T) {
	ctx := context.Background()
	f := &fakeCache{mode: "fail"}
	g := newTestGuard(f)
	for i := range breakerFailures {
		if _, ok, attempted := g.count(ctx, "t", []string{"a"}, time.Now(), time.Minute, 10); ok || !attempted {
			t.Fatalf("call %d: ok %v attempted %v; want an attempted failure", i, ok, attempted)
		}
	}
	calls := f.count()
	for range 10 {
		if _, ok, attempted := g.count(ctx, "t", []string{"a"}, time.Now(), time.Minute, 10); ok || attempted {
			t.Fatalf("with the breaker open: ok %v attempted %v; want skipped", ok, attempted)
		}
		g.uncount(ctx, "t", []string{"a"})
		if _, ok, _ := g.account(ctx, "a"); ok {
			t.Fatal("a hit with the breaker open")
		}
	}
	if f.count() != calls {
		t.Fatalf("%d calls reached the cache with the breaker open", f.count()-calls)
	}
	// A write-through the breaker skips ends the epoch: the cache may hold an older copy.
	e := g.epoch.Load()
	g.writeThrough(ctx, e, entries(1, "v1"))
	if g.epoch.Load() == e {
		t.Error("a skipped write-through kept the epoch")
	}
	// After the cooldown one call probes; its success closes the breaker.
	f.set("")
	time.Sleep(breakerCooldown + 10*time.Millisecond)
	if _, ok, attempted := g.count(ctx, "t", []string{"a"}, time.Now(), time.Minute, 10); !ok || !attempted {
		t.Fatalf("the probe: ok %v attempted %v", ok, attempted)
	}
	if _, ok, attempted := g.count(ctx, "t", []string{"a"}, time.Now(), time.Minute, 10); !ok || !attempted {
		t.Fatalf("after a successful probe: ok %v attempted %v", ok, attempted)
	}
	// A failure because the request itself ended does not count toward the breaker.
	f.set("hang")
	for range 2 * breakerFailures {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		g.count(cctx, "t", []string{"a"}, time.Now(), time.Minute, 10)
	}
	if g.openUntil.Load() != 0 {
		t.Error("requests that ended opened the breaker")
	}
}
