package uring_test

import (
	"testing"

	"stacklab/stacks/transport/httpwire/serve/servetest"
	"stacklab/stacks/transport/transporttest"
	"stacklab/stacks/transport/uring"
)

func TestTransport(t *testing.T) {
	transporttest.Run(t, "uring", uring.New)
}

func TestEngineReplies(t *testing.T) {
	transporttest.EngineRepliesComplete(t, "uring", uring.New)
}

func TestWireStrict(t *testing.T) {
	servetest.WireStrict(t, "uring", uring.New)
}
