// Package codec holds the lab's interchangeable JSON codecs, each an app.Codec in its own package:
// std (encoding/json) and sonic (github.com/bytedance/sonic). This package itself has no code; its
// tests check that the codecs agree with each other and benchmark them side by side:
//
//	go test -run '^$' -bench . -count 6 ./codec/
//
// Every codec passes parttest/codectest.Run, which pins the behaviour both share:
//   - decoding is strict: unknown fields, trailing data, wrong types, numbers that are not integer
//     literals (or are outside int64) for integer fields, raw control characters and invalid UTF-8
//     in strings are errors;
//   - the body must hold a JSON value: empty input, only whitespace, or a bare null are errors;
//   - a null for a field leaves the field's zero value (nil pointer, "" string);
//   - object keys match struct field names case-insensitively, as encoding/json does (neither codec
//     can refuse "ID" for "id" without a scanner of its own; sonic is configured to agree);
//   - \u0000 decodes to a NUL, an escaped surrogate pair to its rune, and a lone surrogate escape
//     to U+FFFD (both libraries' default);
//   - encoding does not escape HTML characters (<, >, & are written as they are), writes nil slices
//     as null and empty slices as [], and replaces invalid UTF-8 in strings by \ufffd.
//
// The two codecs encode the lab's types to the same bytes, except for control characters and
// U+2028/U+2029 in strings: encoding/json writes \b and \f and always escapes the two separators,
// where sonic writes \u0008 and \u000c and the separators as they are. Either codec decodes the
// other's output to the same value (FuzzEncodeAgree).
package codec
