package std_test

import (
	"testing"

	"stacklab/stacks/codec/std"
	"stacklab/stacks/parttest/codectest"
)

func TestContract(t *testing.T) { codectest.Run(t, std.New()) }
