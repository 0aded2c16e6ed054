package fiberv3

import (
	"testing"

	"stacklab/ledgerspec"
)

func TestPattern(t *testing.T) {
	for in, want := range map[string]string{
		"/api/accounts":                   "/api/accounts",
		"/api/accounts/{id}":              "/api/accounts/:id",
		"/api/accounts/{id}/transactions": "/api/accounts/:id/transactions",
		"/files/{path...}":                "/files/*",
	} {
		if got, err := pattern(ledgerspec.Route{ID: "r", Pattern: in}); err != nil || got != want {
			t.Errorf("pattern(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"/a/:b", "/a/*", "/a/{b...}/c", "/a/b?"} {
		if got, err := pattern(ledgerspec.Route{ID: "r", Pattern: in}); err == nil {
			t.Errorf("pattern(%q) = %q, want an error", in, got)
		}
	}
}
