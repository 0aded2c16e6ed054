package strict

import "errors"

// ErrEmpty is returned for a body that holds no JSON value (empty or only whitespace).
var ErrEmpty = errors.New("empty JSON input")

// ErrNull is returned for a body that is the bare literal null: the lab decodes request bodies,
// which are objects, and a null would otherwise silently leave the target's zero value.
var ErrNull = errors.New("JSON input is null")

// ErrInvalidUTF8 is returned for a body that is not valid UTF-8.
var ErrInvalidUTF8 = errors.New("JSON input is not valid UTF-8")

// Body reports ErrEmpty or ErrNull for a body that holds no value or only null. It looks at the
// first non-whitespace byte and, only when that is 'n', at the rest; it does not validate JSON.
func Body(data []byte) error {
	i := skipSpace(data, 0)
	if i == len(data) {
		return ErrEmpty
	}
	if data[i] != 'n' {
		return nil
	}
	const null = "null"
	if len(data)-i < len(null) || string(data[i:i+len(null)]) != null {
		return nil // not null: the library reports the syntax error
	}
	if skipSpace(data, i+len(null)) == len(data) {
		return ErrNull
	}
	return nil
}

// skipSpace returns the index of the first byte at or after i that is not JSON whitespace.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// OnlySpace reports whether data holds nothing but JSON whitespace.
func OnlySpace(data []byte) bool {
	return skipSpace(data, 0) == len(data)
}
