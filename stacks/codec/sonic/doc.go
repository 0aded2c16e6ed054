// Package sonic is the lab's JSON codec on github.com/bytedance/sonic (JIT and SIMD on amd64 and
// arm64; on other platforms sonic itself falls back to encoding/json).
//
// It decodes as strictly as every codec (see package stacklab/stacks/codec) with one frozen sonic
// configuration: DisallowUnknownFields; CaseSensitive (sonic matches keys case-insensitively by
// default); UseUnicodeErrors, which refuses a \u escape of a lone surrogate; and ValidateString,
// without which sonic accepts raw control characters inside strings. sonic's Unmarshal copies the
// body once, so decoded strings never alias the caller's buffer (a transport may reuse it) but
// they do keep that copy alive while they live.
//
// Deviations: sonic has no option to refuse duplicate keys (it keeps the last) nor invalid UTF-8
// (ValidateString replaces it by U+FFFD). So before decoding, the codec runs the lab's shared
// pre-check (package stacklab/stacks/codec/internal/strict), which refuses those, and the rest of
// the contract's structural faults, in one pass without allocating (BenchmarkStrictCheck).
//
// sonic compiles an encoder and a decoder per type on first use; Pretouch (found by a type
// assertion) compiles them ahead of the first request.
//
// Marshal writes compact JSON without HTML escaping; ValidateString makes it replace invalid UTF-8
// in strings by \ufffd, as encoding/json does.
package sonic
