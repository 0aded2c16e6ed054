package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
)

// Server is a running HTTP transport.
type Server interface {
	// Serve answers requests on ln until Shutdown is called; it then returns nil.
	Serve(ln net.Listener) error
	// Shutdown stops accepting connections and waits for in-flight requests to finish or for ctx
	// to end, whichever comes first. When ctx ends first, the context of the requests still running
	// is cancelled and Shutdown returns an error that wraps ctx's.
	Shutdown(ctx context.Context) error
}

// Options tune a transport.
type Options struct {
	// Name is the transport's name, sent in the Server header as "stacklab-<name>".
	Name string
}

// New builds a transport's Server for an app.
type New func(a *app.App, opt Options) Server

// ServerHeader is the value of the Server header a transport sends.
func (o Options) ServerHeader() string { return "stacklab-" + o.Name }

// The timeouts every transport uses, so that a comparison is on equal terms (net/http's names).
const (
	// ReadHeaderTimeout bounds reading a request's line and headers (engines without a header
	// timeout of their own bound the whole request read with it).
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout bounds waiting for the next request on a keep-alive connection.
	IdleTimeout = 120 * time.Second
)

// Base is the context every request of one Server runs in (see the package comment): it is not
// cancelled when a client goes away, only when Shutdown gives up waiting. Its zero value is not
// usable; make one with NewBase.
type Base struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// NewBase returns a fresh base context.
func NewBase() *Base {
	ctx, cancel := context.WithCancel(context.Background())
	return &Base{ctx: ctx, cancel: cancel}
}

// Context is the context to pass to (*app.App).Serve.
func (b *Base) Context() context.Context { return b.ctx }

// Shutdown runs the engine's graceful shutdown with ctx. When that fails (ctx ended before the
// in-flight requests finished), the base context is cancelled so that what still runs gives up,
// and the error is returned wrapped with the transport's name.
func (b *Base) Shutdown(ctx context.Context, name string, shutdown func(context.Context) error) error {
	err := shutdown(ctx)
	if err == nil {
		return nil
	}
	b.cancel()
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%w)", ctxErr, err)
	}
	return fmt.Errorf("%s: shutting down: %w", name, err)
}

// ErrBodyRead is wrapped by ReadBody's errors: the body could not be read as framed (the client
// went away, broke the chunked encoding, or sent less than its Content-Length). A transport
// answers it with 400 and closes the connection.
var ErrBodyRead = errors.New("reading the request body")

// ReadBody reads a request body for app.Request: at most ledgerspec.MaxBodyBytes+1 bytes, into a
// new slice that the app owns (a codec may decode strings that alias it, so it must never be a
// buffer the engine reuses). contentLength is the declared length, or negative when the body is
// chunked or its length is unknown. A declared length over the limit is not read at all: the
// body is too large whatever it holds, and the engine drains or closes the connection after the
// answer. tooLarge reports a body over ledgerspec.MaxBodyBytes; body is then nil.
func ReadBody(r io.Reader, contentLength int64) (body []byte, tooLarge bool, err error) {
	switch {
	case contentLength > ledgerspec.MaxBodyBytes:
		return nil, true, nil
	case contentLength == 0:
		return nil, false, nil
	case contentLength > 0:
		body = make([]byte, contentLength)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, false, fmt.Errorf("%w: %w", ErrBodyRead, err)
		}
		return body, false, nil
	}
	body, err = io.ReadAll(io.LimitReader(r, ledgerspec.MaxBodyBytes+1))
	switch {
	case err != nil:
		return nil, false, fmt.Errorf("%w: %w", ErrBodyRead, err)
	case len(body) > ledgerspec.MaxBodyBytes:
		return nil, true, nil
	case len(body) == 0:
		return nil, false, nil
	}
	return body, false, nil
}

// CanonicalPath reports whether an escaped request path is in the form net/http's ServeMux
// routes without redirecting: it starts with "/" and has no empty, "." or ".." segment (a trailing
// slash is allowed). Every transport answers a path that is not canonical with the app's
// not_found, where ServeMux would redirect to the cleaned path.
func CanonicalPath[P ~string | ~[]byte](p P) bool {
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	start := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		switch n := i - start; {
		case n == 0 && i < len(p): // an empty segment before the end: "//"
			return false
		case n == 1 && p[start] == '.', n == 2 && p[start] == '.' && p[start+1] == '.':
			return false
		}
		start = i + 1
	}
	return true
}

// PathParam decodes an escaped path segment as net/http's PathValue does (an invalid escape
// leaves it as it is) into a new string: never a view of raw, whose buffer an engine may reuse.
func PathParam[P ~string | ~[]byte](raw P) string {
	for i := 0; i < len(raw); i++ {
		if raw[i] == '%' {
			if u, err := url.PathUnescape(string(raw)); err == nil {
				return u // built anew, since raw holds an escape
			}
			break
		}
	}
	switch r := any(raw).(type) {
	case []byte:
		return string(r)
	case string:
		return strings.Clone(r)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		b.WriteByte(raw[i])
	}
	return b.String()
}

// WireStrict is an optional capability of a Server: it promises to meet every case of the lab's
// HTTP/1.1 wire suite (ledgerspec/conformance/wire). The lab's own transports, which parse HTTP
// themselves, implement it and their tests fail on any deviation; a transport built on a library
// does not, and its deviations are reported next to its numbers.
type WireStrict interface {
	WireStrict()
}
