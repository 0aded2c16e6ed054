package gojson_test

import (
	"testing"

	"stacklab/stacks/codec/gojson"
	"stacklab/stacks/codec/std"
	"stacklab/stacks/parttest/codectest"
)

func TestContract(t *testing.T) { codectest.Run(t, gojson.New()) }

// FuzzDecodeTransaction and FuzzDecodeAccount check that go-json never panics and accepts and
// refuses the request bodies the std codec does, decoding them to the same values.
func FuzzDecodeTransaction(f *testing.F) {
	codectest.FuzzDecode(f, gojson.New(), std.New(), codectest.Transaction)
}

func FuzzDecodeAccount(f *testing.F) {
	codectest.FuzzDecode(f, gojson.New(), std.New(), codectest.Account)
}
