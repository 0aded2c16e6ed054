package gnet_test

import (
	"testing"

	"stacklab/stacks/transport/gnet"
	"stacklab/stacks/transport/httpwire/serve/servetest"
	"stacklab/stacks/transport/transporttest"
)

func TestTransport(t *testing.T) {
	transporttest.Run(t, "gnet", gnet.New)
}

func TestTransportInline(t *testing.T) {
	transporttest.Run(t, "gnet-inline", gnet.NewInline)
}

func TestEngineReplies(t *testing.T) {
	transporttest.EngineRepliesComplete(t, "gnet", gnet.New)
}

func TestWireStrict(t *testing.T) {
	servetest.WireStrict(t, "gnet", gnet.New)
}

func TestHalfCloseWhileBusy(t *testing.T) {
	servetest.HalfCloseWhileBusy(t, "gnet", gnet.New)
}

func TestBoundedConnections(t *testing.T) {
	servetest.BoundedConnections(t, "gnet", gnet.NewBounded(3), 3)
}
