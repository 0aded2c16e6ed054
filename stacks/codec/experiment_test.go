//go:build goexperiment.jsonv2

package codec_test

// stdOnV2: in this build encoding/json is implemented on encoding/json/v2, and writes the U+FFFD
// that replaces invalid UTF-8 as it is, not as \ufffd.
const stdOnV2 = true
