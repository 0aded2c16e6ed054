// Package codec holds the lab's interchangeable JSON codecs, each an app.Codec in its own package:
// std (encoding/json), sonic (github.com/bytedance/sonic), gojson (github.com/goccy/go-json) and
// jsonv2 (encoding/json/v2, which works only in a binary built with GOEXPERIMENT=jsonv2). This
// package itself has no code; its tests range over the registry (stacklab/stacks.Codecs), check
// that the codecs agree with each other, and benchmark them side by side:
//
//	go test -run '^$' -bench . -count 6 ./codec/ > codecs.txt && benchstat -col /json codecs.txt
//	GOEXPERIMENT=jsonv2 go test -run '^$' -bench . -count 6 ./codec/   # with jsonv2
//
// Every codec passes parttest/codectest.Run, whose corpus of request bodies carries the contract's
// decision (v1.1: "JSON is read strictly and the same way by every codec") for each:
//   - decoding is strict: unknown fields, trailing data, wrong types, numbers that are not integer
//     literals (or are outside int64) for integer fields, raw control characters are errors;
//   - object keys are case-sensitive ("ID" is an unknown field, never id), and a key that spells a
//     field's name through escapes is that field ("\u0069d" is id, RFC 8259 compares names
//     unescaped); a key twice in one object is an error, also when one is escaped;
//   - invalid UTF-8 anywhere, a \u escape of a lone surrogate (it names no character, RFC 7493), a
//     byte order mark, and an object or array where the target type has none are errors;
//   - the body must hold a JSON value: empty input, only whitespace, or a bare null are errors;
//   - a null for a field leaves the field's zero value (nil pointer, "" string): null in an
//     optional field is its default, and the app refuses the zero value of a required one;
//   - \u0000 decodes to a NUL (the app then refuses it in text);
//   - encoding does not escape HTML characters (<, >, & are written as they are), writes nil slices
//     as null and empty slices as [], and replaces invalid UTF-8 in strings by U+FFFD.
//
// Where a library cannot be configured to decode so strictly, the codec runs the shared pre-check
// of package internal/strict first and says so in a "Deviations" paragraph: std (case-insensitive
// keys, duplicates, UTF-8 and surrogates) and sonic (duplicates and UTF-8). gojson and jsonv2 need
// no pre-check.
//
// The codecs encode the lab's types to the same bytes as std, except for these escapes: sonic
// writes \u0008 and \u000c where encoding/json writes \b and \f, and U+2028/U+2029 as they are
// where encoding/json escapes them; jsonv2 writes the U+FFFD that replaces invalid UTF-8 as it is
// where encoding/json writes \ufffd (as encoding/json itself does when built on v2). Every codec
// decodes every other's output to the same value (FuzzEncodeAgree).
package codec
