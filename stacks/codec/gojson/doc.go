// Package gojson is the lab's JSON codec on github.com/goccy/go-json.
//
// go-json has two APIs. Its encoding/json-compatible one (package json) decodes as encoding/json
// does: keys match fields case-insensitively, the last of duplicate keys wins, invalid UTF-8 is
// replaced, and it has no option to change that. Its encoding/json/v2-compatible one (package
// github.com/goccy/go-json/v2) is strict by default. So Unmarshal decodes with go-json's v2 API and
// its own option RejectUnknownMembers: exact keys, duplicate keys, invalid UTF-8, lone surrogate
// escapes, a byte order mark, trailing data, numbers that are not integer literals for integer
// fields, and objects or arrays where the type has none are all refused by go-json itself; this
// codec needs no shared pre-check. It only refuses an empty body or a bare null first (the v2 API
// decodes null into a struct as its zero value), as every codec does.
//
// Deviations: go-json's v2 API reads a JSON number into no string type, not even encoding/json's
// Number (encoding/json/v2 knows that one), so Balances' exact totals would not decode; the codec
// gives go-json an UnmarshalFunc for json.Number, go-json's own way to decode a type. The lab's
// request bodies hold no json.Number.
//
// Marshal uses the encoding/json-compatible API with DisableHTMLEscape, which writes the bytes
// encoding/json writes (compact, no HTML escaping, nil slices as null, invalid UTF-8 as U+FFFD,
// U+2028 and U+2029 escaped), also when encoding/json is built on encoding/json/v2.
//
// Decoded strings are copies: they never alias the caller's buffer.
package gojson
