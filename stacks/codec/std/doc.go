// Package std is the lab's JSON codec on the standard library's encoding/json.
//
// Unmarshal is strict (see package stacklab/stacks/codec for the behaviour every codec shares):
// before decoding it checks that the body is valid UTF-8, because encoding/json would silently
// replace invalid bytes in strings by U+FFFD; it decodes with a json.Decoder that disallows
// unknown fields and then refuses anything but whitespace after the value.
//
// Marshal writes compact JSON without HTML escaping and without a trailing newline.
package std
