package uring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"stacklab/stacks/app"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/httpwire/serve"
)

// options are the transport's settings. The defaults are the measured best (see doc.go);
// TuneEnv changes them for measurements.
type options struct {
	name            string
	inline          bool // serve the in-memory routes on the loop
	loops           int  // event loops (0: GOMAXPROCS)
	lockThread      bool // each loop on a locked OS thread
	deferTaskrun    bool // IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN (needs lockThread)
	providedBuffers bool // multishot recv from a provided-buffer ring; else one recv at a time
	bufCount        int  // provided buffers per loop
	bufSize         int  // bytes per buffer (and per connection buffer without them)
	maxConns        int
}

// TuneEnv names the environment variable a benchmark sets to change the transport's I/O
// settings: a comma-separated list of nolock (loops not locked to OS threads, and no deferred
// task work), notaskrun (no deferred task work), nopbuf (single-shot recv into each connection's
// buffer instead of provided buffers), loops=N.
const TuneEnv = "STACKLAB_URING_TUNE"

func defaults(name string, inline bool) options {
	o := options{name: name, inline: inline, lockThread: true, deferTaskrun: true, providedBuffers: true,
		bufCount: 1024, bufSize: 4096, maxConns: 10000}
	for _, t := range strings.Split(os.Getenv(TuneEnv), ",") {
		switch k, v, _ := strings.Cut(strings.TrimSpace(t), "="); k {
		case "nolock":
			o.lockThread, o.deferTaskrun = false, false
		case "notaskrun":
			o.deferTaskrun = false
		case "nopbuf":
			o.providedBuffers = false
		case "loops":
			o.loops, _ = strconv.Atoi(v)
		}
	}
	return o
}

// Server serves the app on io_uring event loops.
type Server struct {
	opts    options
	handler *serve.Handler
	base    *transport.Base

	stopping atomic.Bool
	forced   atomic.Bool
	conns    atomic.Int64 // open connections, across the loops

	lfd       int          // the duplicate of the listener's socket the loops accept on
	accepting atomic.Int32 // loops that have not stopped accepting
	lfdOnce   sync.Once

	mu     sync.Mutex
	ln     net.Listener
	down   bool
	loops  []*loop
	served chan struct{} // closed when Serve's loops have all returned
}

var (
	_ transport.Server     = (*Server)(nil)
	_ transport.WireStrict = (*Server)(nil)
)

// New returns the uring transport: every request is served on a goroutine.
func New(a *app.App, opt transport.Options) transport.Server { return newServer(a, opt, false) }

// NewInline returns the uring-inline variant: the routes the app answers from memory
// (serve.InlineBench) are served on the event loop itself, the others on goroutines.
func NewInline(a *app.App, opt transport.Options) transport.Server { return newServer(a, opt, true) }

func newServer(a *app.App, opt transport.Options, inline bool) *Server {
	base := transport.NewBase()
	cfg := serve.Config{App: a, Ctx: base.Context(), Server: opt.ServerHeader()}
	if inline {
		cfg.Inline = serve.InlineBench
	}
	return &Server{opts: defaults(opt.Name, inline), handler: serve.NewHandler(cfg), base: base}
}

// WireStrict: the transport parses HTTP itself and meets every case of the wire suite.
func (*Server) WireStrict() {}

// Serve answers on ln, whose socket the loops accept from with io_uring, until Shutdown. It
// returns an error wrapping ErrUnavailable, naming the transport, when io_uring cannot be used.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	s.ln = ln
	s.served = make(chan struct{})
	s.mu.Unlock()
	defer close(s.served)

	lfd, err := listenerFD(ln)
	if err != nil {
		return fmt.Errorf("%s: %w", s.opts.name, err)
	}
	s.lfd = lfd
	defer s.closeListener()
	n := s.opts.loops
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	s.accepting.Store(int32(n))
	loops := make([]*loop, n)
	for i := range loops {
		loops[i] = &loop{srv: s, lfd: lfd, efd: -1, wakefd: -1}
	}
	s.mu.Lock()
	s.loops = loops
	s.mu.Unlock()

	errs := make([]error, n)
	ready := make(chan error, n)
	var wg sync.WaitGroup
	for i, l := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = l.run(ready)
		}()
	}
	var setupErr error
	for range loops {
		if err := <-ready; err != nil && setupErr == nil {
			setupErr = err
		}
	}
	if setupErr != nil {
		s.stopping.Store(true) // the loops that did start stop at once: nothing was accepted
		s.wakeAll()
		wg.Wait()
		_ = ln.Close()
		return fmt.Errorf("%s: serving on %s: %w", s.opts.name, ln.Addr(), setupErr)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil && !s.stopping.Load() {
		return fmt.Errorf("%s: serving on %s: %w", s.opts.name, ln.Addr(), err)
	}
	return nil
}

// listenerFD duplicates the listener's socket for the loops (it stays open while ln is, and is
// closed by Serve).
func listenerFD(ln net.Listener) (int, error) {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("the listener %T has no file descriptor", ln)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("the listener's descriptor: %w", err)
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(s uintptr) { fd, dupErr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return -1, fmt.Errorf("the listener's descriptor: %w", err)
	}
	if dupErr != nil {
		return -1, fmt.Errorf("duplicating the listener's descriptor: %w", dupErr)
	}
	return fd, nil
}

// closeListener closes the loops' duplicate of the listening socket: once the last loop has
// stopped accepting (new connections are then refused, as by the other transports), or when
// Serve returns.
func (s *Server) closeListener() { s.lfdOnce.Do(func() { _ = unix.Close(s.lfd) }) }

// stoppedAccepting is told by each loop as it stops accepting.
func (s *Server) stoppedAccepting() {
	if s.accepting.Add(-1) == 0 {
		s.closeListener()
	}
}

// Shutdown stops accepting, closes idle connections and waits for in-flight requests (their
// connections close after the answer); if ctx ends first, their context is cancelled, every
// connection is closed and the error wraps ctx's.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.down = true
	ln, served := s.ln, s.served
	s.mu.Unlock()
	s.handler.SetClosing()
	s.stopping.Store(true)
	s.wakeAll()
	if ln != nil {
		_ = ln.Close()
	}
	if served == nil {
		return nil // Serve has not started: it will return at once
	}
	return s.base.Shutdown(ctx, s.opts.name, func(ctx context.Context) error {
		select {
		case <-served:
			return nil
		case <-ctx.Done():
			s.forced.Store(true)
			s.wakeAll()
			return ctx.Err()
		}
	})
}

// wakeAll makes every parked loop look at the shutdown flags.
func (s *Server) wakeAll() {
	s.mu.Lock()
	loops := s.loops
	s.mu.Unlock()
	for _, l := range loops {
		l.wake()
	}
}
