package fiberv3_test

import (
	"testing"

	"stacklab/stacks/transport/fiberv3"
	"stacklab/stacks/transport/transporttest"
)

// TestEngineReplies: the engine lets the transport shape its own error replies, so each carries
// Date, Server and Content-Length.
func TestEngineReplies(t *testing.T) {
	transporttest.EngineRepliesComplete(t, "fiberv3", fiberv3.New)
}
