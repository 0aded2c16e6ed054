// Package jsonv2 is the lab's JSON codec on the standard library's encoding/json/v2, which exists
// only in a binary built with GOEXPERIMENT=jsonv2 (Needs). Without it the package still builds, so
// the registry's line compiles, but its codec refuses every call with an error naming the
// experiment; Available and the codec's Unavailable method tell a caller beforehand, and its
// Experiment method names the experiment in every build (the registry's Experimental capability).
//
// Unmarshal decodes with encoding/json/v2's defaults and its own option RejectUnknownMembers: exact
// keys, duplicate keys, invalid UTF-8, lone surrogate escapes, a byte order mark, trailing data,
// numbers that are not integer literals for integer fields, and objects or arrays where the type
// has none are all refused by the library itself; this codec needs no shared pre-check. It only
// refuses an empty body or a bare null first (v2 decodes null into a struct as its zero value), as
// every codec does.
//
// Marshal writes compact JSON without HTML escaping (v2's default), with the options that make v2
// write what encoding/json writes for the lab's types: FormatNilSliceAsNull, EscapeForJS (U+2028
// and U+2029 escaped) and AllowInvalidUTF8. Deviations: the one byte difference left is that v2
// writes a U+FFFD that replaces invalid UTF-8 as the character itself, where encoding/json (built
// without the experiment) writes the escape \ufffd; both decode to the same string.
//
// Measuring: under GOEXPERIMENT=jsonv2, encoding/json (v1) is itself reimplemented on
// encoding/json/v2, so the std codec measured in a jsonv2-experiment binary is not the std codec
// of an ordinary build. Compare jsonv2 with std measured in a build without the experiment.
package jsonv2
