package transporttest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/parttest/memstore"
	"stacklab/stacks/transport"
)

// Fixture is a transport serving the real app, on in-memory fakes, on a loopback listener.
type Fixture struct {
	Name   string
	Addr   string // host:port
	Server transport.Server
	Store  *memstore.Store
	Cache  *memstore.Cache

	served  chan error
	gates   gates
	stop    sync.Once
	stopped atomic.Bool
	errs    error
}

// Start serves the app with newServer and codec until the test ends (or Stop). A Server that
// cannot listen or that fails to start ends the test.
func Start(tb testing.TB, name string, newServer transport.New, codec app.Codec) *Fixture {
	tb.Helper()
	f := &Fixture{Name: name, served: make(chan error, 1)}
	f.gates.m = map[string]*Gate{}
	f.Store, f.Cache = memstore.New(f.gates.hook), memstore.NewCache(f.gates.hook)
	a, err := app.New(app.Config{Store: f.Store, Cache: f.Cache, Codec: codec})
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listening: %v", err)
	}
	f.Addr = ln.Addr().String()
	f.Server = newServer(a, transport.Options{Name: name})
	go func() { f.served <- f.Server.Serve(ln) }()
	tb.Cleanup(func() {
		if f.stopped.Load() {
			return // the test stopped it and judged the result
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f.Stop(ctx); err != nil {
			tb.Errorf("%s: stopping: %v", name, err)
		}
	})
	return f
}

// Stop shuts the server down with ctx and waits for Serve to return; it returns their errors.
// Later calls return the first call's result.
func (f *Fixture) Stop(ctx context.Context) error {
	f.stopped.Store(true)
	f.stop.Do(func() {
		err := f.Server.Shutdown(ctx)
		select {
		case serr := <-f.served:
			if serr != nil {
				err = errors.Join(err, fmt.Errorf("Serve returned %w", serr))
			}
		case <-time.After(10 * time.Second):
			err = errors.Join(err, errors.New("Serve did not return within 10 s of Shutdown"))
		}
		f.errs = err
	})
	return f.errs
}

// Gate holds one store or cache call until it is released, and reports the call's context.
type Gate struct {
	entered chan struct{}
	release chan struct{}
	ctxErr  chan error // the call's ctx.Err() when it was let go (nil: not cancelled)
	once    sync.Once
}

// Block makes the next calls named call with key wait at the gate until Release, or until their
// context is cancelled (the call then fails with the context's error, as a database call would).
func (f *Fixture) Block(call, key string) *Gate {
	g := &Gate{entered: make(chan struct{}), release: make(chan struct{}), ctxErr: make(chan error, 16)}
	f.gates.mu.Lock()
	f.gates.m[call+"\x00"+key] = g
	f.gates.mu.Unlock()
	return g
}

// Entered waits until a call reached the gate.
func (g *Gate) Entered(d time.Duration) error {
	select {
	case <-g.entered:
		return nil
	case <-time.After(d):
		return fmt.Errorf("no call reached the gate within %v", d)
	}
}

// Release lets every waiting and later call through.
func (g *Gate) Release() { close(g.release) }

// Left waits for the gated call to leave the gate and returns its context's error at that moment;
// ok is false when no call left within d.
func (g *Gate) Left(d time.Duration) (ctxErr error, ok bool) {
	select {
	case err := <-g.ctxErr:
		return err, true
	case <-time.After(d):
		return nil, false
	}
}

type gates struct {
	mu sync.Mutex
	m  map[string]*Gate
}

func (gs *gates) hook(ctx context.Context, call, key string) error {
	gs.mu.Lock()
	g := gs.m[call+"\x00"+key]
	gs.mu.Unlock()
	if g == nil {
		return nil
	}
	g.once.Do(func() { close(g.entered) })
	select {
	case <-g.release:
	case <-ctx.Done():
	}
	err := ctx.Err()
	g.ctxErr <- err
	return err
}
