package fiber_test

import (
	"testing"

	"stacklab/stacks/transport/fiber"
	"stacklab/stacks/transport/transporttest"
)

// TestEngineReplies: the engine lets the transport shape its own error replies, so each carries
// Date, Server and Content-Length.
func TestEngineReplies(t *testing.T) {
	transporttest.EngineRepliesComplete(t, "fiber", fiber.New)
}
