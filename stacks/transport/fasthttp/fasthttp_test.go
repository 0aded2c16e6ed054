package fasthttp_test

import (
	"testing"

	"stacklab/stacks/transport/fasthttp"
	"stacklab/stacks/transport/transporttest"
)

// TestEngineReplies: the engine lets the transport shape its own error replies, so each carries
// Date, Server and Content-Length.
func TestEngineReplies(t *testing.T) {
	transporttest.EngineRepliesComplete(t, "fasthttp", fasthttp.New)
}
