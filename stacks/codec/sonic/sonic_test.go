package sonic_test

import (
	"testing"

	"stacklab/stacks/codec/sonic"
	"stacklab/stacks/parttest/codectest"
)

func TestContract(t *testing.T) { codectest.Run(t, sonic.New()) }
