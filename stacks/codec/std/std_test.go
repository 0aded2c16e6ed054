package std_test

import (
	"testing"

	"stacklab/stacks/codec/std"
	"stacklab/stacks/parttest/codectest"
)

func TestContract(t *testing.T) { codectest.Run(t, std.New()) }

// FuzzDecodeTransaction and FuzzDecodeAccount check that the std codec never panics and accepts
// and refuses exactly the request bodies the contract's reference (codectest.Decide) does.
func FuzzDecodeTransaction(f *testing.F) {
	codectest.FuzzDecode(f, std.New(), nil, codectest.Transaction)
}

func FuzzDecodeAccount(f *testing.F) {
	codectest.FuzzDecode(f, std.New(), nil, codectest.Account)
}
