//go:build !goexperiment.jsonv2

package codec_test

// stdOnV2: in this build encoding/json is its own implementation (no GOEXPERIMENT=jsonv2).
const stdOnV2 = false
