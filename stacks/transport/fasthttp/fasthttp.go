package fasthttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/valyala/fasthttp"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
)

// Server serves the app with a bare fasthttp.Server.
type Server struct {
	srv  *fasthttp.Server
	base *transport.Base

	mu       sync.Mutex
	ln       net.Listener
	shutdown bool
}

var _ transport.Server = (*Server)(nil)

// New returns a Server for the app.
func New(a *app.App, opt transport.Options) transport.Server {
	base := transport.NewBase()
	router, err := newRouter(ledgerspec.Routes)
	if err != nil {
		panic(fmt.Sprintf("fasthttp: the contract's routes: %v", err)) // static data: a bug, not a condition
	}
	h := &handler{app: a, ctx: base.Context(), router: router}
	return &Server{base: base, srv: &fasthttp.Server{
		Handler:      h.serve,
		ErrorHandler: errorReply,
		Name:         opt.ServerHeader(),
		// fasthttp has no header timeout: ReadTimeout bounds the whole request, headers and body.
		ReadTimeout: transport.ReadHeaderTimeout,
		IdleTimeout: transport.IdleTimeout,
		// The body reaches the handler as a stream (only its first 8 KiB read ahead), so the
		// transport reads at most MaxBodyBytes+1 of it; the rest is drained or the connection closed.
		StreamRequestBody:  true,
		MaxRequestBodySize: ledgerspec.MaxBodyBytes + 1,
		// A multipart body would otherwise be parsed (to memory or temporary files) before the
		// handler runs, whatever its size.
		DisablePreParseMultipartForm: true,
		// net/http sends no Content-Type when the app sets none (the 303 of the HTML form).
		NoDefaultContentType: true,
		Logger:               discard{},
	}}
}

// handler is the fasthttp request handler.
type handler struct {
	app    *app.App
	ctx    context.Context
	router *router
}

func (h *handler) serve(ctx *fasthttp.RequestCtx) {
	route, param := h.router.match(ctx.Method(), ctx.URI().PathOriginal())
	in := app.Request{Route: route.ID, Param: param}
	// Copies: the app owns what it is given, and fasthttp reuses these buffers.
	if q := ctx.URI().QueryString(); len(q) > 0 {
		in.RawQuery = string(q)
	}
	if ct := ctx.Request.Header.ContentType(); len(ct) > 0 {
		in.ContentType = string(ct)
	}
	in.HXRequest = string(ctx.Request.Header.Peek(ledgerspec.HeaderHXRequest)) == ledgerspec.HTMLHXRequestTrue
	if t := ctx.Request.Header.Peek(ledgerspec.HeaderHXTarget); len(t) > 0 {
		in.HXTarget = string(t)
	}
	if ctx.IsPost() {
		if body := ctx.RequestBodyStream(); body != nil {
			var err error
			in.Body, in.BodyTooLarge, err = transport.ReadBody(body, int64(ctx.Request.Header.ContentLength()))
			if err != nil {
				ctx.Response.Header.SetConnectionClose()
				plain(ctx, http.StatusBadRequest, err.Error())
				return
			}
		}
	}
	var out app.Response
	h.app.Serve(h.ctx, &in, &out)
	ctx.SetStatusCode(out.Status)
	if out.ContentType != "" {
		ctx.Response.Header.SetContentType(out.ContentType)
	}
	out.VisitHeaders(ctx.Response.Header.Set)
	ctx.Response.SetBodyRaw(out.Body) // the app's slice, never changed: no copy
}

// errorReply answers a request fasthttp could not read (it then closes the connection). Server
// and Date are added by fasthttp itself.
func errorReply(ctx *fasthttp.RequestCtx, err error) {
	status := http.StatusBadRequest
	var small *fasthttp.ErrSmallBuffer
	var netErr net.Error
	switch {
	case errors.As(err, &small):
		status = http.StatusRequestHeaderFieldsTooLarge
	case errors.As(err, &netErr) && netErr.Timeout():
		status = http.StatusRequestTimeout
	case errors.Is(err, fasthttp.ErrBodyTooLarge): // not reached while bodies are streamed
		status = http.StatusRequestEntityTooLarge
	}
	plain(ctx, status, http.StatusText(status))
}

func plain(ctx *fasthttp.RequestCtx, status int, msg string) {
	ctx.Response.Header.SetContentType(ledgerspec.ContentTypePlain)
	ctx.SetStatusCode(status)
	ctx.SetBodyString(msg + "\n")
}

// discard drops fasthttp's own log lines (connection errors); the app logs what matters.
type discard struct{}

func (discard) Printf(string, ...any) {}

// Serve answers on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	s.ln = ln
	s.mu.Unlock()
	if err := s.srv.Serve(ln); err != nil {
		s.mu.Lock()
		down := s.shutdown
		s.mu.Unlock()
		if !down {
			return fmt.Errorf("fasthttp: serving on %s: %w", ln.Addr(), err)
		}
	}
	return nil
}

// Shutdown stops accepting, closes idle connections and waits for in-flight requests; if ctx
// ends first, their context is cancelled.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	ln := s.ln
	s.mu.Unlock()
	return s.base.Shutdown(ctx, "fasthttp", func(ctx context.Context) error {
		if ln != nil {
			// Closed here too in case Serve has not handed it to fasthttp yet, which would then
			// find no listener to close and return at once.
			_ = ln.Close()
		}
		if err := s.srv.ShutdownWithContext(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	})
}
