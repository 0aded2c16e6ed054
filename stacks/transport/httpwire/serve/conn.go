package serve

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/httpwire"
)

// Handler is what every connection of one server shares: the router, the app, the base context,
// the response writer and whether the server is shutting down. It is safe for concurrent use.
type Handler struct {
	app     *app.App
	ctx     context.Context
	router  *router
	writer  *httpwire.Writer
	inline  func(ledgerspec.RouteID) bool
	closing atomic.Bool
	epoch   time.Time
}

// Config builds a Handler.
type Config struct {
	App *app.App
	// Ctx is the context every request runs in: the transport's base context.
	Ctx context.Context
	// Server is the Server header's value.
	Server string
	// Inline reports the routes the app answers without I/O, which the event loop may serve
	// itself instead of handing them to a goroutine; nil serves every route on a goroutine.
	Inline func(ledgerspec.RouteID) bool
}

// NewHandler returns a Handler. The contract's routes are static data, so a route that does not
// compile is a bug, and NewHandler panics.
func NewHandler(cfg Config) *Handler {
	r, err := newRouter(ledgerspec.Routes)
	if err != nil {
		panic(fmt.Sprintf("serve: the contract's routes: %v", err))
	}
	return &Handler{app: cfg.App, ctx: cfg.Ctx, router: r, writer: httpwire.NewWriter(cfg.Server), inline: cfg.Inline, epoch: time.Now()}
}

// SetClosing marks the server as shutting down: from now on every answer says Connection: close
// and its connection is closed after it.
func (h *Handler) SetClosing() { h.closing.Store(true) }

// now is a monotonic clock in nanoseconds.
func (h *Handler) now() int64 { return int64(time.Since(h.epoch)) }

// InlineBench is the Inline predicate of the routes the app answers from memory: the plaintext
// and JSON baselines.
func InlineBench(id ledgerspec.RouteID) bool {
	return id == ledgerspec.RouteBenchPlaintext || id == ledgerspec.RouteBenchJSON
}

// Action is what the event loop must do next for a connection.
type Action int

const (
	// Wait: nothing to write; keep reading.
	Wait Action = iota
	// Send: write Out, then call Sent.
	Send
	// Dispatch: call Serve off the event loop (on a goroutine), then Done on the loop.
	Dispatch
	// Close: write Out if it holds anything, then close the connection (after a lingering
	// half-close: shut down writing and discard what arrives for a while, so the client reads
	// the answer rather than a reset).
	Close
)

func (a Action) String() string {
	switch a {
	case Wait:
		return "wait"
	case Send:
		return "send"
	case Dispatch:
		return "dispatch"
	case Close:
		return "close"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// maxBuffered bounds what a connection buffers while a request is with the app: a client that
// pipelines more than this is closed.
const maxBuffered = 1 << 20

// Conn is one connection's HTTP/1.1 state: the parser, the unread input, the output and the
// request with the app. The event loop owns it; between Dispatch and Done, Serve (on another
// goroutine) owns only the request and Out, and the loop touches neither.
type Conn struct {
	h   *Handler
	p   httpwire.Parser
	req httpwire.Request
	in  []byte // unread input, owned
	// Out holds the bytes to write. The loop sends them and calls Sent (after Send) or closes.
	Out []byte

	closeAfter bool // the connection ends after the current answer
	eof        bool // the client closed its side
	busy       bool // a request is with the app
	fresh      bool // no request has been read yet

	// the request with the app, and how to answer it
	areq      app.Request
	aresp     app.Response
	head      bool
	keepAlive bool
	minor     int
	served    bool // Serve decided to close (shutdown began)

	// timeouts, in Handler.now nanoseconds
	idleSince int64 // waiting for a request's first byte since
	headSince int64 // reading a head since
	readAt    int64 // last bytes received
}

// NewConn returns the state of a new connection.
func (h *Handler) NewConn() *Conn {
	now := h.now()
	return &Conn{h: h, fresh: true, idleSince: now, readAt: now}
}

// Busy reports a request with the app.
func (c *Conn) Busy() bool { return c.busy }

// Idle reports a connection waiting for a request, with nothing buffered or pending: one
// Shutdown may close at once.
func (c *Conn) Idle() bool {
	return !c.busy && len(c.Out) == 0 && len(c.in) == 0 && !c.closeAfter
}

// Input takes bytes received, which the Conn copies if it keeps them: data may be the loop's
// transient buffer. Call it only when the previous action has been carried out or while the
// request is with the app (the bytes are then kept for later, or dropped when the connection
// closes after the answer anyway).
func (c *Conn) Input(data []byte) Action {
	now := c.h.now()
	c.readAt = now
	if len(c.in) == 0 && !c.p.Started() {
		c.headSince = now
	}
	if c.busy || len(c.Out) > 0 {
		if c.closeAfter {
			return Wait // the connection ends after this answer: what follows is never read
		}
		c.in = append(c.in, data...)
		if len(c.in) > maxBuffered {
			c.closeAfter = true
			c.in = c.in[:0]
		}
		return Wait
	}
	if c.closeAfter {
		return Wait
	}
	return c.process(data)
}

// EOF records that the client closed its side: what is buffered is still answered.
func (c *Conn) EOF() Action {
	c.eof = true
	if c.busy || len(c.Out) > 0 {
		return Wait
	}
	return c.process(nil)
}

// Sent records that Out was written.
func (c *Conn) Sent() Action {
	c.Out = c.Out[:0]
	if cap(c.Out) > 256<<10 {
		c.Out = nil
	}
	if c.closeAfter {
		return Close
	}
	c.idleSince = c.h.now()
	return c.process(nil)
}

// process parses what is buffered (and data) and answers what it can.
func (c *Conn) process(data []byte) Action {
	buf, fromIn := c.in, true
	switch {
	case len(data) == 0:
	case len(c.in) == 0:
		buf, fromIn = data, false
	default:
		c.in = append(c.in, data...)
		buf = c.in
	}
	off := 0
	for {
		if off == len(buf) {
			c.stash(buf, off, fromIn)
			if c.eof {
				c.closeAfter = true
			}
			return c.flush()
		}
		n, err := c.p.Parse(buf[off:], &c.req)
		if err != nil {
			e := err.(*httpwire.Error)
			c.Out = c.h.writer.AppendError(c.Out, e.Status, e.Reason)
			c.closeAfter = true
			c.stash(nil, 0, false)
			return Close
		}
		if n == 0 {
			c.stash(buf, off, fromIn)
			if c.p.Continue() {
				c.Out = httpwire.AppendContinue(c.Out)
			}
			if c.eof { // the request will never be whole: no answer
				c.closeAfter = true
			}
			return c.flush()
		}
		c.fresh = false
		inline := c.fill(&c.req)
		off += n
		if !c.keepAlive {
			c.closeAfter = true
			off = len(buf) // nothing after this request is read
		}
		if !inline {
			c.stash(buf, off, fromIn)
			c.busy = true
			return Dispatch
		}
		c.h.app.Serve(c.h.ctx, &c.areq, &c.aresp)
		if c.answer() {
			c.closeAfter = true
		}
		if c.closeAfter {
			c.stash(nil, 0, false)
			return Close
		}
		c.headSince = c.h.now()
	}
}

// flush returns Close when the connection ends, else Send when there is output, else Wait.
func (c *Conn) flush() Action {
	switch {
	case c.closeAfter:
		return Close
	case len(c.Out) > 0:
		return Send
	}
	return Wait
}

// stash keeps buf[off:], the unread bytes, as the buffered input. buf is c.in (fromIn) or the
// loop's data, which must be copied.
func (c *Conn) stash(buf []byte, off int, fromIn bool) {
	rest := buf[off:]
	switch {
	case len(rest) == 0:
		c.in = c.in[:0]
		if cap(c.in) > 256<<10 {
			c.in = nil
		}
	case fromIn:
		if off > 0 {
			c.in = c.in[:copy(c.in, rest)]
		}
	default:
		c.in = append(c.in[:0], rest...)
	}
}

// fill moves what the app needs from r into the app's request, as copies the app owns, and
// reports whether the route is served inline.
func (c *Conn) fill(r *httpwire.Request) bool {
	route, param := c.h.router.match(r.Method, r.Path)
	c.areq = app.Request{Route: route.ID, Param: param}
	if len(r.Query) > 0 {
		c.areq.RawQuery = string(r.Query)
	}
	if ct := r.Header("content-type"); len(ct) > 0 {
		c.areq.ContentType = string(ct)
	}
	c.areq.HXRequest = string(r.Header("hx-request")) == ledgerspec.HTMLHXRequestTrue
	if t := r.Header("hx-target"); len(t) > 0 {
		c.areq.HXTarget = string(t)
	}
	if string(r.Method) == http.MethodPost {
		c.areq.BodyTooLarge = r.BodyTooLarge
		if len(r.Body) > 0 {
			c.areq.Body = append([]byte(nil), r.Body...) // the app's own: the buffer is reused
		}
	}
	c.head, c.keepAlive, c.minor = r.HeadOnly(), r.KeepAlive, r.Minor
	return c.h.inline != nil && c.h.inline(route.ID)
}

// answer appends the app's answer to Out and reports whether the connection closes after it
// (the request asks for it, or the server is shutting down).
func (c *Conn) answer() bool {
	closing := c.h.closing.Load() || !c.keepAlive
	conn := httpwire.Persist
	switch {
	case closing:
		conn = httpwire.Close
	case c.minor == 0:
		conn = httpwire.PersistHTTP10
	}
	c.Out = c.h.writer.Append(c.Out, &c.aresp, c.head, conn)
	c.areq, c.aresp = app.Request{}, app.Response{}
	return closing
}

// Serve runs the dispatched request through the app and writes its answer to Out. It runs off
// the event loop; call Done on the loop afterwards.
func (c *Conn) Serve() {
	c.h.app.Serve(c.h.ctx, &c.areq, &c.aresp)
	c.served = c.answer()
}

// Done takes the dispatched request back on the loop: Send its answer, or Close after it.
func (c *Conn) Done() Action {
	c.busy = false
	if c.served {
		c.closeAfter = true
	}
	if c.closeAfter {
		return Close
	}
	return Send
}

// Expired reports whether the connection has waited too long, at its clock: for a request's
// first byte (IdleTimeout, or ReadHeaderTimeout on a new connection), for the rest of a head
// (ReadHeaderTimeout), or for more of a body (IdleTimeout without a byte). When a request was
// partly read, Out then holds a 408 to send before closing.
func (c *Conn) Expired() bool {
	if c.busy || len(c.Out) > 0 {
		return false
	}
	now := c.h.now()
	var late bool
	switch {
	case c.closeAfter: // lingering: the loop bounds it
		return false
	case c.p.ReadingBody():
		late = now-c.readAt > int64(transport.IdleTimeout)
	case len(c.in) > 0:
		late = now-c.headSince > int64(transport.ReadHeaderTimeout)
	case c.fresh:
		return now-c.idleSince > int64(transport.ReadHeaderTimeout)
	default:
		return now-c.idleSince > int64(transport.IdleTimeout)
	}
	if late {
		c.Out = c.h.writer.AppendError(c.Out, http.StatusRequestTimeout, "the request did not arrive in time")
		c.closeAfter = true
	}
	return late
}
