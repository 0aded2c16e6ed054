package gnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"

	"stacklab/stacks/app"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/httpwire/serve"
)

const (
	// maxConns bounds the open connections; more are closed as soon as they are accepted.
	maxConns = 10000
	// tick is how often each loop looks for timed-out and lingering connections.
	tick = 250 * time.Millisecond
	// linger is how long a closing connection discards what the client still sends after its
	// answer, so that the client reads the answer rather than a reset.
	linger = time.Second
)

// Server serves the app on gnet's epoll event loops.
type Server struct {
	name     string
	handler  *serve.Handler
	base     *transport.Base
	inline   bool
	maxConns int64

	mu     sync.Mutex
	ln     net.Listener
	cli    *gnet.Client
	down   bool
	loops  map[gnet.EventLoop]*loop
	served chan struct{}

	live    atomic.Int64
	allGone chan struct{} // closed when live reaches 0 after Shutdown began
	gone    sync.Once
	forced  atomic.Bool
}

var (
	_ transport.Server     = (*Server)(nil)
	_ transport.WireStrict = (*Server)(nil)
)

// New returns the gnet transport: every request is served on a goroutine.
func New(a *app.App, opt transport.Options) transport.Server { return newServer(a, opt, false) }

// NewInline returns the gnet-inline variant: the routes the app answers from memory are served
// on the event loop itself.
func NewInline(a *app.App, opt transport.Options) transport.Server { return newServer(a, opt, true) }

func newServer(a *app.App, opt transport.Options, inline bool) *Server {
	base := transport.NewBase()
	cfg := serve.Config{App: a, Ctx: base.Context(), Server: opt.ServerHeader()}
	if inline {
		cfg.Inline = serve.InlineBench
	}
	return &Server{name: opt.Name, handler: serve.NewHandler(cfg), base: base, inline: inline, maxConns: maxConns,
		loops: map[gnet.EventLoop]*loop{}, allGone: make(chan struct{})}
}

// WireStrict: the transport parses HTTP itself and meets every case of the wire suite.
func (*Server) WireStrict() {}

// Serve accepts on ln (gnet's server engine binds its own listeners, so the connections are
// accepted here and enrolled in gnet's event loops) until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	cli, err := gnet.NewClient(&events{srv: s},
		gnet.WithNumEventLoop(runtime.GOMAXPROCS(0)),
		gnet.WithTicker(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(quiet{}))
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("%s: creating the event loops: %w", s.name, err)
	}
	if err := cli.Start(); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("%s: starting the event loops: %w", s.name, err)
	}
	s.ln, s.cli, s.served = ln, cli, make(chan struct{})
	s.mu.Unlock()
	defer close(s.served)
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			down := s.down
			s.mu.Unlock()
			if down {
				return nil
			}
			_ = cli.Stop()
			return fmt.Errorf("%s: serving on %s: %w", s.name, ln.Addr(), err)
		}
		if s.live.Load() >= s.maxConns {
			_ = nc.Close()
			continue
		}
		s.live.Add(1)
		if _, err := cli.Enroll(nc); err != nil { // gnet takes a duplicate and closes nc
			s.left()
		}
	}
}

// left counts a connection gone.
func (s *Server) left() {
	if s.live.Add(-1) == 0 {
		s.mu.Lock()
		down := s.down
		s.mu.Unlock()
		if down {
			s.gone.Do(func() { close(s.allGone) })
		}
	}
}

// Shutdown stops accepting, closes idle connections and waits for in-flight requests (their
// connections close after the answer); if ctx ends first, their context is cancelled, every
// connection is closed and the error wraps ctx's.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.down = true
	ln, cli, served := s.ln, s.cli, s.served
	s.mu.Unlock()
	s.handler.SetClosing()
	if ln == nil {
		return nil // Serve has not started: it will return at once
	}
	_ = ln.Close()
	<-served // the accept loop has ended: no connection is enrolled any more
	if s.live.Load() == 0 {
		s.gone.Do(func() { close(s.allGone) })
	}
	s.sweepAll()
	return s.base.Shutdown(ctx, s.name, func(ctx context.Context) error {
		select {
		case <-s.allGone:
			return cli.Stop()
		case <-ctx.Done():
			s.forced.Store(true)
			s.sweepAll() // closes every connection
			select {
			case <-s.allGone:
			case <-time.After(time.Second):
			}
			_ = cli.Stop()
			return ctx.Err()
		}
	})
}

// sweepAll runs a sweep on every loop (each on its own loop).
func (s *Server) sweepAll() {
	s.mu.Lock()
	loops := make([]*loop, 0, len(s.loops))
	for _, l := range s.loops {
		loops = append(loops, l)
	}
	s.mu.Unlock()
	for _, l := range loops {
		_ = l.el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			l.sweep()
			return nil
		}))
	}
}

// loop is the transport's state of one gnet event loop: its connections, touched only on it.
type loop struct {
	srv      *Server
	el       gnet.EventLoop
	sessions map[*session]struct{}
	start    time.Time
}

func (l *loop) now() int64 { return int64(time.Since(l.start)) }

// session is one connection.
type session struct {
	s         *serve.Conn
	gc        gnet.Conn
	l         *loop
	busy      bool  // the request is with the app, on a goroutine
	closed    bool  // gnet closed the connection
	orphan    int   // a duplicate of the socket kept to answer a request in flight after gnet closed it
	lingering bool  // write side shut down; discarding input until EOF or lingerAt
	closing   bool  // the last answer is written; the write side shuts down once it is flushed
	lingerAt  int64 // loop clock nanoseconds
}

// events receives gnet's callbacks.
type events struct {
	gnet.BuiltinEventEngine
	srv *Server
}

func (e *events) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	s := e.srv
	s.mu.Lock()
	l := s.loops[gc.EventLoop()]
	if l == nil {
		l = &loop{srv: s, el: gc.EventLoop(), sessions: map[*session]struct{}{}, start: time.Now()}
		s.loops[gc.EventLoop()] = l
	}
	s.mu.Unlock()
	sess := &session{s: s.handler.NewConn(), gc: gc, l: l, orphan: -1}
	l.sessions[sess] = struct{}{}
	gc.SetContext(sess)
	if s.forced.Load() {
		return nil, gnet.Close
	}
	return nil, gnet.None
}

func (e *events) OnClose(gc gnet.Conn, _ error) gnet.Action {
	sess, ok := gc.Context().(*session)
	if !ok {
		return gnet.None
	}
	sess.closed = true
	delete(sess.l.sessions, sess)
	if sess.busy {
		// gnet closes a connection at the client's end of stream (it has no half-close); a
		// request of it is still with the app, whose answer goes out on a duplicate.
		if fd, err := gc.Dup(); err == nil {
			sess.orphan = fd
		}
		return gnet.None
	}
	e.srv.left()
	return gnet.None
}

func (e *events) OnTraffic(gc gnet.Conn) gnet.Action {
	sess := gc.Context().(*session)
	data, _ := gc.Next(-1) // valid until this returns: the Conn copies what it keeps
	if sess.lingering || sess.closing {
		return gnet.None
	}
	return sess.act(sess.s.Input(data))
}

func (e *events) OnTick() (time.Duration, gnet.Action) {
	e.srv.sweepAll()
	return tick, gnet.None
}

// act carries out what the connection's state asks for, on its loop.
func (sess *session) act(a serve.Action) gnet.Action {
	for {
		switch a {
		case serve.Wait:
			return gnet.None
		case serve.Send:
			if _, err := sess.gc.Write(sess.s.Out); err != nil { // gnet keeps what it could not write
				return gnet.Close
			}
			a = sess.s.Sent()
		case serve.Dispatch:
			if sess.l.srv.forced.Load() {
				return gnet.Close
			}
			sess.busy = true
			go sess.serve()
			return gnet.None
		case serve.Close:
			if len(sess.s.Out) > 0 {
				if _, err := sess.gc.Write(sess.s.Out); err != nil {
					return gnet.Close
				}
				sess.s.Out = sess.s.Out[:0]
			}
			sess.closing = true
			sess.lingerAt = sess.l.now() + int64(linger)
			return sess.shutWrite()
		}
	}
}

// shutWrite half-closes a connection whose last answer gnet has flushed: the client reads its
// end of stream, and what it still sends is discarded until it closes (gnet then closes too) or
// the linger time passes.
func (sess *session) shutWrite() gnet.Action {
	if sess.gc.OutboundBuffered() > 0 {
		return gnet.None // the next sweep looks again
	}
	if err := unix.Shutdown(sess.gc.Fd(), unix.SHUT_WR); err != nil {
		return gnet.Close
	}
	sess.lingering = true
	return gnet.None
}

// serve runs a request through the app on its own goroutine and writes the answer through the
// loop.
func (sess *session) serve() {
	sess.s.Serve()
	err := sess.gc.AsyncWrite(sess.s.Out, func(gc gnet.Conn, err error) error {
		sess.done(err)
		return nil
	})
	if err != nil { // the loop is gone (forced shutdown)
		_ = sess.l.el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			sess.done(err)
			return nil
		}))
	}
}

// done takes the answered request back on the loop.
func (sess *session) done(err error) {
	sess.busy = false
	if sess.closed || err != nil {
		if sess.orphan >= 0 {
			out, fd := sess.s.Out, sess.orphan
			sess.orphan = -1
			go answerOrphan(fd, out)
		}
		if sess.closed {
			sess.l.srv.left()
		}
		return
	}
	a := sess.s.Done()
	if a == serve.Send { // AsyncWrite wrote Out already
		a = sess.s.Sent()
	} else {
		sess.s.Out = sess.s.Out[:0]
	}
	if sess.act(a) == gnet.Close {
		_ = sess.l.el.Close(sess.gc)
	}
}

// answerOrphan writes an answer to the duplicate of a socket gnet has closed, then closes it.
func answerOrphan(fd int, out []byte) {
	f := os.NewFile(uintptr(fd), "orphan")
	_ = f.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, _ = f.Write(out)
	_ = unix.Shutdown(fd, unix.SHUT_WR)
	_ = f.Close()
}

// sweep times out this loop's connections, ends lingering ones and, once Shutdown began,
// closes idle ones (all of them when it is forced).
func (l *loop) sweep() {
	now := l.now()
	down := l.srv.isDown()
	forced := l.srv.forced.Load()
	for sess := range l.sessions {
		close := false
		switch {
		case forced:
			close = true
		case sess.busy:
		case sess.lingering:
			close = now > sess.lingerAt
		case sess.closing:
			if sess.shutWrite() == gnet.Close || now > sess.lingerAt+int64(linger) {
				close = true
			}
		case sess.s.Expired():
			close = sess.act(serve.Close) == gnet.Close
		case down && sess.s.Idle():
			close = true
		}
		if close {
			_ = l.el.Close(sess.gc)
		}
	}
}

func (s *Server) isDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// quiet drops gnet's log lines; the app logs what matters.
type quiet struct{}

func (quiet) Debugf(string, ...any) {}
func (quiet) Infof(string, ...any)  {}
func (quiet) Warnf(string, ...any)  {}
func (quiet) Errorf(string, ...any) {}
func (quiet) Fatalf(format string, args ...any) {
	panic(errors.New("gnet: " + fmt.Sprintf(format, args...)))
}
