package fastreq

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

// Fill copies the query, Content-Type, HX-Request and HX-Target of ctx's request into in, and for
// a POST reads its body (the server must stream request bodies) as transport.ReadBody does. The
// strings and the body are the app's: fasthttp reuses its buffers once the handler returns. An
// error wraps transport.ErrBodyRead: answer 400 and close the connection.
func Fill(ctx *fasthttp.RequestCtx, in *app.Request) error {
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
	if !ctx.IsPost() {
		return nil
	}
	body := ctx.RequestBodyStream()
	if body == nil { // no Content-Length and not chunked: no body
		return nil
	}
	var err error
	in.Body, in.BodyTooLarge, err = transport.ReadBody(body, int64(ctx.Request.Header.ContentLength()))
	return err
}

// ErrorStatus is the status that answers an error fasthttp met reading a request.
func ErrorStatus(err error) int {
	var small *fasthttp.ErrSmallBuffer
	var netErr net.Error
	switch {
	case errors.As(err, &small):
		return http.StatusRequestHeaderFieldsTooLarge
	case errors.As(err, &netErr) && netErr.Timeout():
		return http.StatusRequestTimeout
	case errors.Is(err, fasthttp.ErrBodyTooLarge): // not met while bodies are streamed
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// Lifecycle runs an engine's Serve and Shutdown for a transport.Server.
type Lifecycle struct {
	Name string // the transport's, for errors
	Base *transport.Base

	mu   sync.Mutex
	ln   net.Listener
	down bool
}

// Serve runs serve(ln) unless Shutdown came first; an error after Shutdown began is not one.
func (l *Lifecycle) Serve(ln net.Listener, serve func(net.Listener) error) error {
	l.mu.Lock()
	if l.down {
		l.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	l.ln = ln
	l.mu.Unlock()
	if err := serve(ln); err != nil {
		l.mu.Lock()
		down := l.down
		l.mu.Unlock()
		if !down {
			return fmt.Errorf("%s: serving on %s: %w", l.Name, ln.Addr(), err)
		}
	}
	return nil
}

// Shutdown closes the listener (the engine may not have it yet, and would then return at once
// without closing it) and runs the engine's shutdown under Base.Shutdown.
func (l *Lifecycle) Shutdown(ctx context.Context, shutdown func(context.Context) error) error {
	l.mu.Lock()
	l.down = true
	ln := l.ln
	l.mu.Unlock()
	return l.Base.Shutdown(ctx, l.Name, func(ctx context.Context) error {
		if ln != nil {
			_ = ln.Close()
		}
		if err := shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	})
}
