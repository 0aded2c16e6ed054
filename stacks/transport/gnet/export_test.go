package gnet

import (
	"stacklab/stacks/app"
	"stacklab/stacks/transport"
)

// NewBounded returns the transport with a connection bound of max.
func NewBounded(max int) transport.New {
	return func(a *app.App, opt transport.Options) transport.Server {
		s := newServer(a, opt, false)
		s.maxConns = int64(max)
		return s
	}
}
