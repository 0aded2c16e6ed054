//go:build goexperiment.jsonv2

package jsonv2_test

import (
	"testing"

	"stacklab/stacks/codec/jsonv2"
	"stacklab/stacks/codec/std"
	"stacklab/stacks/parttest/codectest"
)

func TestContract(t *testing.T) {
	if !jsonv2.Available() || jsonv2.New().(interface{ Unavailable() error }).Unavailable() != nil {
		t.Fatal("built with GOEXPERIMENT=jsonv2, the codec says it is unavailable")
	}
	if e := jsonv2.New().(interface{ Experiment() string }).Experiment(); e != "jsonv2" {
		t.Errorf("Experiment() = %q, want jsonv2", e)
	}
	codectest.Run(t, jsonv2.New())
}

// FuzzDecodeTransaction and FuzzDecodeAccount check that encoding/json/v2 never panics and accepts
// and refuses the request bodies the std codec does, decoding them to the same values.
func FuzzDecodeTransaction(f *testing.F) {
	codectest.FuzzDecode(f, jsonv2.New(), std.New(), codectest.Transaction)
}

func FuzzDecodeAccount(f *testing.F) {
	codectest.FuzzDecode(f, jsonv2.New(), std.New(), codectest.Account)
}
