// Package strict is the lab's shared pre-check of a JSON request body, for the codecs whose library
// cannot be configured to read JSON as strictly as contract v1.1 asks (std and sonic). Check scans
// the body once, without allocating, against the shape of the target type (analysed once per type
// and cached): exactly one RFC 8259 value, UTF-8 only, no \u escape of a lone surrogate, object keys
// that are exactly (case-sensitively, after unescaping) the names encoding/json would give the
// target's struct fields, each at most once per object, and no object or array where the type has
// none. It leaves scalar types and number ranges to the library. Body is the part every codec runs:
// it refuses an empty body and a bare null.
//
// Check is fuzzed against codectest.Decide, an independent reference (FuzzCheck), and measured
// next to encoding/json's own syntax check (BenchmarkCheck).
package strict
