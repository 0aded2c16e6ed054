package fasthttp

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/valyala/fasthttp"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/internal/fastreq"
)

// Server serves the app with a bare fasthttp.Server.
type Server struct {
	srv  *fasthttp.Server
	life *fastreq.Lifecycle
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
	return &Server{life: &fastreq.Lifecycle{Name: "fasthttp", Base: base}, srv: &fasthttp.Server{
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
	if err := fastreq.Fill(ctx, &in); err != nil {
		ctx.Response.Header.SetConnectionClose()
		plain(ctx, http.StatusBadRequest, err.Error())
		return
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
	status := fastreq.ErrorStatus(err)
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
func (s *Server) Serve(ln net.Listener) error { return s.life.Serve(ln, s.srv.Serve) }

// Shutdown stops accepting, closes idle connections and waits for in-flight requests; if ctx
// ends first, their context is cancelled.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.life.Shutdown(ctx, s.srv.ShutdownWithContext)
}
