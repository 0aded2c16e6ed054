package nethttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
)

// Server serves the app with net/http.
type Server struct {
	srv *http.Server
}

var _ transport.Server = (*Server)(nil)

// New returns a Server for the app.
func New(a *app.App, opt transport.Options) transport.Server {
	return &Server{srv: &http.Server{
		Handler:           Handler(a, opt),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}}
}

// Handler routes every route of the contract to the app; anything else is answered by the app as
// not found.
func Handler(a *app.App, opt transport.Options) http.Handler {
	mux := http.NewServeMux()
	server := []string{opt.ServerHeader()}
	for _, r := range ledgerspec.Routes {
		mux.Handle(r.Method+" "+r.Pattern, route(a, r, server))
	}
	mux.Handle("/", route(a, ledgerspec.Route{}, server))
	return mux
}

func route(a *app.App, r ledgerspec.Route, server []string) http.HandlerFunc {
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
			body, err := io.ReadAll(io.LimitReader(hr.Body, ledgerspec.MaxBodyBytes+1))
			if err != nil {
				http.Error(w, "reading request body: "+err.Error(), http.StatusBadRequest)
				return
			}
			in.Body, in.BodyTooLarge = body, len(body) > ledgerspec.MaxBodyBytes
		}
		var out app.Response
		a.Serve(hr.Context(), &in, &out)
		h := w.Header()
		h["Server"] = server
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

// Shutdown stops accepting and waits for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("nethttp: shutting down: %w", err)
	}
	return nil
}
