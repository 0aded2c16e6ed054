package transport

import (
	"context"
	"net"

	"stacklab/stacks/app"
)

// Server is a running HTTP transport.
type Server interface {
	// Serve answers requests on ln until Shutdown is called; it then returns nil.
	Serve(ln net.Listener) error
	// Shutdown stops accepting connections and waits for in-flight requests to finish or for ctx
	// to end, whichever comes first.
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

// WireStrict is an optional capability of a Server: it promises to meet every case of the lab's
// HTTP/1.1 wire suite (ledgerspec/conformance/wire). The lab's own transports, which parse HTTP
// themselves, implement it and their tests fail on any deviation; a transport built on a library
// does not, and its deviations are reported next to its numbers.
type WireStrict interface {
	WireStrict()
}
