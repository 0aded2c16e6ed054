// Package servetest holds the tests the lab's own transports (those built on package serve)
// share beyond transporttest.Run: the whole HTTP/1.1 wire suite, run against the transport in
// front of the real app on in-memory fakes, with no deviation allowed.
package servetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"stacklab/ledgerspec/conformance/wire"
	"stacklab/stacks"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/transporttest"
)

// WireStrict runs the wire suite against the transport and fails on every deviation.
func WireStrict(t *testing.T, name string, newServer transport.New) {
	f := transporttest.Start(t, name, newServer, stacks.Codecs["std"]())
	if _, ok := f.Server.(transport.WireStrict); !ok {
		t.Errorf("%s does not declare transport.WireStrict", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := wire.Run(ctx, wire.Target{Addr: f.Addr})
	if err != nil {
		t.Fatalf("the wire suite cannot run: %v", err)
	}
	for _, d := range rep.Deviations() {
		t.Errorf("%s [%s %s] %s: %s (%s)", d.ID, d.Section, d.Level, d.Title, d.Detail, d.Rule)
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", name, rep.Summary())
	if testing.Verbose() {
		t.Log("\n" + b.String())
	}
}
