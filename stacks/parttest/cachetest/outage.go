package cachetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/parttest/redistest"
)

// CallDeadline is the context deadline the outage cases give each call: about what the app gives
// (app.DefaultCacheTimeout).
const CallDeadline = 250 * time.Millisecond

// OutageSlack is how much later than its context's deadline a call may return during an outage.
const OutageSlack = 250 * time.Millisecond

// RefusedBound is how soon a call without a deadline must fail while Redis refuses connections:
// the client's dial and retry policy, bounded.
const RefusedBound = 5 * time.Second

// RecoveryBound is how soon after Redis is back every call must work again, by itself.
const RecoveryBound = 10 * time.Second

// call is one operation of the port, on fixed arguments.
type call struct {
	name string
	do   func(ctx context.Context, c app.Cache) error
}

var calls = []call{
	{"CountDebits", func(ctx context.Context, c app.Cache) error {
		_, err := c.CountDebits(ctx, "tx-outage", []string{"acc-a", "acc-b"}, time.Now(), window, 10)
		return err
	}},
	{"UncountDebits", func(ctx context.Context, c app.Cache) error {
		return c.UncountDebits(ctx, "tx-outage", []string{"acc-a"})
	}},
	{"PutAccounts", func(ctx context.Context, c app.Cache) error {
		return c.PutAccounts(ctx, []app.CachedAccount{entry("acc-o1", 1, "o1"), entry("acc-o2", 1, "o2")})
	}},
	{"Account", func(ctx context.Context, c app.Cache) error {
		_, _, err := c.Account(ctx, "acc-kept")
		return err
	}},
}

// failsWithin runs each call with a context that has deadline (none when 0) and requires an
// error no later than bound.
func failsWithin(t *testing.T, c app.Cache, deadline, bound time.Duration, what string) {
	t.Helper()
	for _, cl := range calls {
		ctx, cancel := context.Background(), context.CancelFunc(func() {})
		if deadline > 0 {
			ctx, cancel = context.WithTimeout(ctx, deadline)
		}
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- cl.do(ctx, c) }()
		select {
		case err := <-done:
			took := time.Since(start)
			if err == nil {
				t.Errorf("%s while Redis is %s: no error", cl.name, what)
			}
			if took > bound {
				t.Errorf("%s while Redis is %s: failed after %v, want within %v", cl.name, what, took, bound)
			}
			t.Logf("%s while Redis is %s: failed after %v: %v", cl.name, what, took.Round(time.Millisecond), err)
		case <-time.After(bound + 10*time.Second):
			t.Fatalf("%s while Redis is %s: no answer %v after its bound %v (hangs)", cl.name, what, 10*time.Second, bound)
		}
		cancel()
	}
}

// keptAt is the "now" of the velocity entry recorded before an outage, so that it is still in the
// window after the outage: unlike an account entry (AccountTTL is short), it outlives it.
var keptAt = time.Now()

// recovers requires every call to work again within RecoveryBound and, when kept, the velocity
// entry recorded before the outage to be counted: Redis came back with its data.
func recovers(t *testing.T, c app.Cache, kept bool) time.Duration {
	t.Helper()
	start := time.Now()
	for _, cl := range calls {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := cl.do(ctx, c)
			cancel()
			if err == nil {
				break
			}
			if time.Since(start) > RecoveryBound {
				t.Fatalf("%s still fails %v after Redis came back: %v", cl.name, RecoveryBound, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	took := time.Since(start)
	if kept {
		if got := count(t, c, "tx-after", []string{"acc-kept"}, keptAt, 100); got[0] != 2 {
			t.Errorf("after the outage the count is %d, want 2: the entry recorded before it is gone", got[0])
		}
	}
	return took
}

func openWhileDown(t *testing.T, url string, open Opener) {
	p := redistest.NewProxy(t, url)
	p.Down()
	start := time.Now()
	c := open(t, p.URL())
	if took := time.Since(start); took > time.Second {
		t.Errorf("Open while Redis is down took %v: it must not wait for Redis", took)
	}
	failsWithin(t, c, CallDeadline, CallDeadline+OutageSlack, "down since Open")
	failsWithin(t, c, 0, RefusedBound, "down since Open (no deadline)")
	p.Up()
	took := recovers(t, c, false)
	put(t, c, entry("acc-a", 1, "a1"))
	wantBody(t, c, "acc-a", "a1")
	t.Logf("working %v after Redis came up", took.Round(time.Millisecond))
}

// working opens a cache through a proxy and checks that it works, with one entry stored.
func working(t *testing.T, url string, open Opener) (*redistest.Proxy, app.Cache) {
	t.Helper()
	p := redistest.NewProxy(t, url)
	c := open(t, p.URL())
	for _, cl := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := cl.do(ctx, c)
		cancel()
		if err != nil {
			t.Fatalf("%s before the outage: %v", cl.name, err)
		}
	}
	count(t, c, "tx-before", []string{"acc-kept"}, keptAt, 100)
	return p, c
}

func refusedThenBack(t *testing.T, url string, open Opener) {
	p, c := working(t, url, open)
	p.Down()
	failsWithin(t, c, CallDeadline, CallDeadline+OutageSlack, "refusing connections")
	failsWithin(t, c, 0, RefusedBound, "refusing connections (no deadline)")
	p.Up()
	t.Logf("working %v after Redis came back", recovers(t, c, true).Round(time.Millisecond))
}

func silentThenBack(t *testing.T, url string, open Opener) {
	p, c := working(t, url, open)
	p.Pause()
	// Twice: the second round finds whatever the first left (connections given up on, redials).
	for round := range 2 {
		failsWithin(t, c, CallDeadline, CallDeadline+OutageSlack, fmt.Sprintf("silent (round %d)", round+1))
	}
	p.Resume()
	t.Logf("working %v after Redis answered again", recovers(t, c, true).Round(time.Millisecond))
}
