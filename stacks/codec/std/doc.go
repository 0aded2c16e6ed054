// Package std is the lab's JSON codec on the standard library's encoding/json.
//
// Unmarshal is strict (see package stacklab/stacks/codec for the behaviour every codec shares): it
// decodes with a json.Decoder that disallows unknown fields and then refuses anything but
// whitespace after the value.
//
// Deviations: encoding/json matches object keys to fields case-insensitively (also folding "ſ" to
// "s" and the Kelvin sign to "k"), keeps the last of duplicate keys, replaces invalid UTF-8 and
// escaped lone surrogates by U+FFFD, and has no option to change any of that. So before decoding,
// the codec runs the lab's shared pre-check (package stacklab/stacks/codec/internal/strict), which
// refuses keys that are not exactly a field's name, duplicate keys, invalid UTF-8, lone surrogate
// escapes, a byte order mark, and objects or arrays where the target type has none. It costs about
// one more pass over the body, without allocating (BenchmarkStrictCheck).
//
// Marshal writes compact JSON without HTML escaping and without a trailing newline.
//
// Built with GOEXPERIMENT=jsonv2, encoding/json is itself implemented on encoding/json/v2: it
// accepts and refuses the same bodies here, but it is another implementation to measure (and it
// writes invalid UTF-8 as a raw U+FFFD instead of the escape \ufffd).
package std
