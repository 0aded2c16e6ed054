package uring_test

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"

	"stacklab/stacks/transport"
	"stacklab/stacks/transport/httpwire/serve/servetest"
	"stacklab/stacks/transport/transporttest"
	"stacklab/stacks/transport/uring"
)

func TestTransport(t *testing.T) {
	transporttest.Run(t, "uring", uring.New)
}

func TestTransportInline(t *testing.T) {
	transporttest.Run(t, "uring-inline", uring.NewInline)
}

func TestEngineReplies(t *testing.T) {
	transporttest.EngineRepliesComplete(t, "uring", uring.New)
}

func TestWireStrict(t *testing.T) {
	servetest.WireStrict(t, "uring", uring.New)
}

func TestHalfCloseWhileBusy(t *testing.T) {
	servetest.HalfCloseWhileBusy(t, "uring", uring.New)
}

func TestBoundedConnections(t *testing.T) {
	servetest.BoundedConnections(t, "uring", uring.NewBounded(3), 3)
}

// TestTuned runs the transport contract with the measured alternatives: loops not locked to
// their thread (and no deferred task work), single-shot recv into each connection's buffer, and
// two loops without deferred task work.
func TestTuned(t *testing.T) {
	for _, tune := range []string{"nolock", "nopbuf", "notaskrun,loops=2"} {
		t.Run(tune, func(t *testing.T) {
			t.Setenv(uring.TuneEnv, tune)
			transporttest.Run(t, "uring", uring.New)
		})
	}
}

// TestUnavailable: when the kernel refuses io_uring (a setup failing as a seccomp filter,
// io_uring_disabled or an old kernel make it fail), Serve returns an error that names the
// transport and wraps uring.ErrUnavailable, and nothing is served: there is no fallback.
func TestUnavailable(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EPERM, syscall.ENOSYS} {
		t.Run(errno.Error(), func(t *testing.T) {
			defer uring.RefuseSetup(errno)()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			err = uring.New(nil, transport.Options{Name: "uring"}).Serve(ln)
			if !errors.Is(err, uring.ErrUnavailable) || !strings.HasPrefix(err.Error(), "uring: ") {
				t.Fatalf("Serve returned %v", err)
			}
			t.Log(err)
			if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
				c.Close()
				t.Error("the listener is still open after Serve failed")
			}
		})
	}
}
