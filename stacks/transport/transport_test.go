package transport_test

import (
	"maps"
	"slices"
	"testing"

	"stacklab/stacks"
	"stacklab/stacks/transport/transporttest"
)

// TestTransports runs the transport contract on every transport of the registry.
func TestTransports(t *testing.T) {
	for _, name := range slices.Sorted(maps.Keys(stacks.Transports)) {
		t.Run("http="+name, func(t *testing.T) {
			transporttest.Run(t, name, stacks.Transports[name])
		})
	}
}
