//go:build !goexperiment.jsonv2

package jsonv2_test

import (
	"strings"
	"testing"

	"stacklab/stacks/codec/jsonv2"
)

// TestUnavailable checks that, built without GOEXPERIMENT=jsonv2, the codec says so and refuses
// every call with an error naming the experiment.
func TestUnavailable(t *testing.T) {
	c := jsonv2.New()
	if jsonv2.Available() {
		t.Error("Available() = true without the experiment")
	}
	if e, ok := c.(interface{ Experiment() string }); !ok || "GOEXPERIMENT="+e.Experiment() != jsonv2.Needs {
		t.Errorf("the codec does not name the experiment it needs (%v)", ok)
	}
	if c.Name() != "jsonv2" {
		t.Errorf("Name() = %q", c.Name())
	}
	u, ok := c.(interface{ Unavailable() error })
	if !ok || u.Unavailable() == nil || !strings.Contains(u.Unavailable().Error(), jsonv2.Needs) {
		t.Fatalf("the codec does not report itself unavailable (%v)", ok)
	}
	if b, err := c.Marshal(struct{}{}); err == nil || b != nil || !strings.Contains(err.Error(), "GOEXPERIMENT=jsonv2") {
		t.Errorf("Marshal = %q, %v; want an error naming GOEXPERIMENT=jsonv2", b, err)
	}
	var v struct{}
	if err := c.Unmarshal([]byte(`{}`), &v); err == nil || !strings.Contains(err.Error(), "GOEXPERIMENT=jsonv2") {
		t.Errorf("Unmarshal = %v; want an error naming GOEXPERIMENT=jsonv2", err)
	}
}
