package stacks_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"stacklab/ledgerspec/conformance/wire"
	"stacklab/stacks"
	"stacklab/stacks/transport"
)

// TestWire runs the HTTP/1.1 wire suite against every transport of the registry (the other parts
// at the baseline) and logs the transport × section table. A library transport's deviations are
// reported, not failed; a transport whose server promises the whole suite (transport.WireStrict:
// the lab's own) fails on any deviation.
func TestWire(t *testing.T) {
	http, _ := stacks.DimensionOf("http")
	var rows []wire.TableRow
	for _, part := range http.Parts() {
		spec := stacks.Baseline().With("http", part)
		t.Run(spec.Name(), func(t *testing.T) {
			svc := newServices(t)
			st := start(t, spec, svc.cfg)
			u, err := url.Parse(st.url)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			rep, err := wire.Run(ctx, wire.Target{Addr: u.Host})
			if err != nil {
				t.Fatalf("the wire suite cannot run against %s: %v", spec, err)
			}
			rows = append(rows, wire.TableRow{Name: part, Report: rep})
			strict := isWireStrict(spec)
			for _, d := range rep.Deviations() {
				if strict {
					t.Errorf("%s [%s %s] %s: %s (%s)", d.ID, d.Section, d.Level, d.Title, d.Detail, d.Rule)
				} else {
					t.Logf("deviation %s [%s %s]: %s", d.ID, d.Section, d.Level, d.Detail)
				}
			}
			t.Logf("%s: %s", part, rep.Summary())
		})
	}
	var table strings.Builder
	if err := wire.WriteTable(&table, rows); err != nil {
		t.Fatal(err)
	}
	t.Logf("wire suite, transport × section (passed/total):\n%s", table.String())
}

// isWireStrict reports whether the transport's server promises the whole wire suite.
func isWireStrict(spec stacks.Spec) bool {
	newServer, ok := stacks.Transports[spec.HTTP]
	if !ok {
		return false
	}
	_, strict := newServer(nil, transport.Options{Name: spec.HTTP}).(transport.WireStrict)
	return strict
}
