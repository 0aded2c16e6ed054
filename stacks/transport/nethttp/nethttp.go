package nethttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
)

// Server serves the app with net/http.
type Server struct {
	srv  *http.Server
	base *transport.Base
}

var _ transport.Server = (*Server)(nil)

// New returns a Server for the app.
func New(a *app.App, opt transport.Options) transport.Server {
	base := transport.NewBase()
	return &Server{base: base, srv: &http.Server{
		Handler:           Handler(base.Context(), a, opt),
		ReadHeaderTimeout: transport.ReadHeaderTimeout,
		IdleTimeout:       transport.IdleTimeout,
	}}
}

// Handler routes every route of the contract to the app, which it serves in ctx; anything else
// (another path, another method, a path ServeMux would redirect to its cleaned form) is answered
// by the app as not found.
func Handler(ctx context.Context, a *app.App, opt transport.Options) http.Handler {
	mux := http.NewServeMux()
	for _, r := range ledgerspec.Routes {
		mux.Handle(r.Method+" "+r.Pattern, route(ctx, a, r))
	}
	notFound := route(ctx, a, ledgerspec.Route{})
	mux.Handle("/", notFound)
	server := []string{opt.ServerHeader()}
	return http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		// Set before routing, so that whatever answers carries it.
		w.Header()["Server"] = server
		if !transport.CanonicalPath(hr.URL.EscapedPath()) {
			notFound(w, hr)
			return
		}
		mux.ServeHTTP(w, hr)
	})
}

func route(ctx context.Context, a *app.App, r ledgerspec.Route) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		in := app.Request{
			Route:       r.ID,
			RawQuery:    hr.URL.RawQuery,
			ContentType: hr.Header.Get("Content-Type"),
			HXRequest:   hr.Header.Get(ledgerspec.HeaderHXRequest) == ledgerspec.HTMLHXRequestTrue,
			HXTarget:    hr.Header.Get(ledgerspec.HeaderHXTarget),
		}
		if r.Param != "" {
			in.Param = hr.PathValue(r.Param)
		}
		if hr.Method == http.MethodPost {
			var err error
			if in.Body, in.BodyTooLarge, err = transport.ReadBody(hr.Body, hr.ContentLength); err != nil {
				w.Header().Set("Connection", "close")
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		var out app.Response
		// The transport's base context, not hr.Context(): a client that goes away does not
		// cancel what the ledger started.
		a.Serve(ctx, &in, &out)
		h := w.Header()
		if out.ContentType != "" {
			h["Content-Type"] = []string{out.ContentType}
		}
		out.VisitHeaders(h.Set)
		h["Content-Length"] = []string{strconv.Itoa(len(out.Body))}
		w.WriteHeader(out.Status)
		_, _ = w.Write(out.Body) // a write error means the client went away; nothing to tell it
	}
}

// Serve answers on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("nethttp: serving on %s: %w", ln.Addr(), err)
	}
	return nil
}

// Shutdown stops accepting and waits for in-flight requests; if ctx ends first, their context
// is cancelled.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.base.Shutdown(ctx, "nethttp", s.srv.Shutdown)
}
