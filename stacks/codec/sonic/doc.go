// Package sonic is the lab's JSON codec on github.com/bytedance/sonic (JIT and SIMD on amd64 and
// arm64; on other platforms sonic itself falls back to encoding/json).
//
// It decodes as strictly as the std codec (see package stacklab/stacks/codec) with one frozen sonic
// configuration: DisallowUnknownFields, and ValidateString, without which sonic accepts raw control
// characters and invalid UTF-8 inside strings. A shared pre-check refuses empty bodies and a bare
// null. sonic's Unmarshal copies the body once, so decoded strings never alias the caller's buffer
// (a transport may reuse it) but they do keep that copy alive while they live.
//
// sonic compiles an encoder and a decoder per type on first use; Pretouch (found by a type
// assertion) compiles them ahead of the first request.
//
// Marshal writes compact JSON without HTML escaping; ValidateString makes it replace invalid UTF-8
// in strings by \ufffd, as encoding/json does.
package sonic
