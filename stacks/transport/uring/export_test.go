package uring

import (
	"github.com/pawelgaczynski/giouring"

	"stacklab/stacks/app"
	"stacklab/stacks/transport"
)

// RefuseSetup makes every ring setup fail with err, as on a kernel without io_uring; the returned
// func restores it.
func RefuseSetup(err error) (restore func()) {
	setup := setupRing
	setupRing = func(uint32, uint32) (*giouring.Ring, error) { return nil, err }
	return func() { setupRing = setup }
}

// NewBounded returns the transport with a connection bound of max.
func NewBounded(max int) transport.New {
	return func(a *app.App, opt transport.Options) transport.Server {
		s := newServer(a, opt, false)
		s.opts.maxConns = max
		return s
	}
}
