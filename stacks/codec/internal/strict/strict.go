package strict

import (
	"errors"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of the values whose depth the target type does not bound (a recursive
// type, or a value the check cannot see into), as encoding/json and encoding/json/v2 do.
const MaxDepth = 10000

// The reasons Check refuses an input. Check returns them wrapped in an *Error, except ErrEmpty and
// ErrNull, which Body returns as they are.
var (
	// ErrEmpty is returned for a body that holds no JSON value (empty or only whitespace).
	ErrEmpty = errors.New("empty JSON input")
	// ErrNull is returned for a body that is the bare literal null: the lab decodes request bodies,
	// which are objects, and a null would otherwise silently leave the target's zero value.
	ErrNull = errors.New("JSON input is null")
	// ErrSyntax is JSON that RFC 8259 does not allow: a byte order mark, a raw control character in
	// a string, a bad escape or literal or number, a missing delimiter, trailing data.
	ErrSyntax = errors.New("invalid JSON syntax")
	// ErrInvalidUTF8 is a byte sequence that is not UTF-8.
	ErrInvalidUTF8 = errors.New("JSON input is not valid UTF-8")
	// ErrSurrogate is a \u escape of a UTF-16 surrogate that is not half of a pair: it names no
	// Unicode character, so the decoded text could not be UTF-8 (RFC 7493, I-JSON, section 2.1).
	ErrSurrogate = errors.New("escaped lone surrogate")
	// ErrUnknownKey is an object key that is not exactly the name of a field of the target struct
	// (the names are case-sensitive; an escaped key is compared after unescaping).
	ErrUnknownKey = errors.New("unknown key")
	// ErrDuplicateKey is a key that appears twice in one object.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrShape is an object or an array where the target type has none: a scalar field, or an
	// array where a struct is expected and the reverse.
	ErrShape = errors.New("object or array where the target type has none")
	// ErrDepth is nesting deeper than MaxDepth.
	ErrDepth = errors.New("nested too deeply")
)

// Error is a refused input: the reason, where it was found and, for a key, which.
type Error struct {
	Offset int    // byte offset in the input
	Key    string // the key, unescaped, for ErrUnknownKey and ErrDuplicateKey
	Err    error  // one of the Err values of this package
}

func (e *Error) Error() string {
	if e.Key != "" || errors.Is(e.Err, ErrUnknownKey) || errors.Is(e.Err, ErrDuplicateKey) {
		return fmt.Sprintf("strict JSON: %v %q at offset %d", e.Err, e.Key, e.Offset)
	}
	return fmt.Sprintf("strict JSON: %v at offset %d", e.Err, e.Offset)
}

func (e *Error) Unwrap() error { return e.Err }

// Check reports whether data is exactly one JSON value that the lab may decode into the value v
// points to: I-JSON (RFC 7493: UTF-8, no lone surrogate escapes, no duplicate keys) and, where v's
// type tells, keys that are exactly the names of its struct fields and no object or array where
// the type has none. It does not check scalar types or number ranges (the codec's library does).
//
// Values of a map, an interface or a type with its own UnmarshalJSON or UnmarshalText are checked
// for syntax, UTF-8 and MaxDepth only; the lab's request types have none. v's type is analysed
// once and cached. Check does not allocate unless it refuses the input.
func Check(data []byte, v any) error {
	if err := Body(data); err != nil {
		return err
	}
	n := opaque
	if t := reflect.TypeOf(v); t != nil && t.Kind() == reflect.Pointer {
		n = schemaOf(t.Elem())
	}
	s := scanner{data: data}
	i, err := s.value(skipSpace(data, 0), n, 0)
	if err != nil {
		return err
	}
	if i = skipSpace(data, i); i != len(data) {
		return s.fail(i, ErrSyntax)
	}
	return nil
}

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

// OnlySpace reports whether data holds nothing but JSON whitespace.
func OnlySpace(data []byte) bool {
	return skipSpace(data, 0) == len(data)
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

// scanner walks one input. Every method takes the index of the first byte of what it scans and
// returns the index just past it.
type scanner struct {
	data []byte
}

func (s *scanner) fail(i int, err error) error { return &Error{Offset: i, Err: err} }

// value scans the value at i against n; depth is the number of enclosing arrays and objects.
func (s *scanner) value(i int, n *node, depth int) (int, error) {
	if i >= len(s.data) {
		return i, s.fail(i, ErrSyntax)
	}
	switch c := s.data[i]; c {
	case '{':
		if n.kind != kindObject && n.kind != kindOpaque {
			return i, s.fail(i, ErrShape)
		}
		if depth >= MaxDepth {
			return i, s.fail(i, ErrDepth)
		}
		return s.object(i, n, depth+1)
	case '[':
		if n.kind != kindArray && n.kind != kindOpaque {
			return i, s.fail(i, ErrShape)
		}
		if depth >= MaxDepth {
			return i, s.fail(i, ErrDepth)
		}
		elem := opaque
		if n.kind == kindArray {
			elem = n.elem
		}
		return s.array(i, elem, depth+1)
	case '"':
		end, _, err := s.str(i)
		return end, err
	case 't':
		return s.literal(i, "true")
	case 'f':
		return s.literal(i, "false")
	case 'n':
		return s.literal(i, "null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return s.number(i)
		}
		return i, s.fail(i, ErrSyntax)
	}
}

func (s *scanner) literal(i int, lit string) (int, error) {
	if len(s.data)-i < len(lit) || string(s.data[i:i+len(lit)]) != lit {
		return i, s.fail(i, ErrSyntax)
	}
	return i + len(lit), nil
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; the byte after it is the caller's.
func (s *scanner) number(i int) (int, error) {
	d, start := s.data, i
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = s.digits(i + 1)
	default:
		return i, s.fail(start, ErrSyntax)
	}
	if i < len(d) && d[i] == '.' {
		j := s.digits(i + 1)
		if j == i+1 {
			return j, s.fail(start, ErrSyntax)
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := s.digits(i)
		if j == i {
			return j, s.fail(start, ErrSyntax)
		}
		i = j
	}
	return i, nil
}

func (s *scanner) digits(i int) int {
	for i < len(s.data) && s.data[i] >= '0' && s.data[i] <= '9' {
		i++
	}
	return i
}

func (s *scanner) array(i int, elem *node, depth int) (int, error) {
	d := s.data
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = s.value(i, elem, depth); err != nil {
			return i, err
		}
		i = skipSpace(d, i)
		if i >= len(d) {
			return i, s.fail(i, ErrSyntax)
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, s.fail(i, ErrSyntax)
		}
	}
}

// object scans an object: against n's fields when n is a struct (exact keys, each at most once),
// or, when n is opaque, any keys with opaque values.
func (s *scanner) object(i int, n *node, depth int) (int, error) {
	d := s.data
	var seen uint64       // the fields seen so far, when n has at most 64
	var seenMore []uint64 // the same for a struct of more fields
	if n.kind == kindObject && len(n.fields) > 64 {
		seenMore = make([]uint64, (len(n.fields)+63)/64)
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return i, s.fail(i, ErrSyntax)
		}
		start := i
		end, escaped, err := s.str(i)
		if err != nil {
			return end, err
		}
		valueNode := opaque
		if n.kind == kindObject {
			raw := d[start+1 : end-1]
			f := n.lookup(raw, escaped)
			if f < 0 {
				return start, &Error{Offset: start, Key: keyString(raw, escaped), Err: ErrUnknownKey}
			}
			word, bit := f/64, uint64(1)<<(f%64)
			if seenMore != nil {
				if seenMore[word]&bit != 0 {
					return start, &Error{Offset: start, Key: n.fields[f].name, Err: ErrDuplicateKey}
				}
				seenMore[word] |= bit
			} else {
				if seen&bit != 0 {
					return start, &Error{Offset: start, Key: n.fields[f].name, Err: ErrDuplicateKey}
				}
				seen |= bit
			}
			valueNode = n.fields[f].node
		}
		i = skipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return i, s.fail(i, ErrSyntax)
		}
		if i, err = s.value(skipSpace(d, i+1), valueNode, depth); err != nil {
			return i, err
		}
		i = skipSpace(d, i)
		if i >= len(d) {
			return i, s.fail(i, ErrSyntax)
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, s.fail(i, ErrSyntax)
		}
	}
}

// plain marks the bytes a string holds as they are: printable ASCII other than '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str scans the string whose opening quote is at i and reports whether it holds an escape.
func (s *scanner) str(i int) (end int, escaped bool, err error) {
	d := s.data
	j := i + 1
	for {
		for j < len(d) && plain[d[j]] {
			j++
		}
		if j >= len(d) {
			return j, escaped, s.fail(i, ErrSyntax) // unterminated
		}
		switch c := d[j]; {
		case c == '"':
			return j + 1, escaped, nil
		case c == '\\':
			escaped = true
			if j, err = s.escape(j); err != nil {
				return j, escaped, err
			}
		case c < 0x20:
			return j, escaped, s.fail(j, ErrSyntax) // a raw control character
		default:
			r, size := utf8.DecodeRune(d[j:])
			if r == utf8.RuneError && size == 1 {
				return j, escaped, s.fail(j, ErrInvalidUTF8)
			}
			j += size
		}
	}
}

// escape scans the escape whose backslash is at i; a \u escape of a high surrogate must be
// followed by one of a low surrogate.
func (s *scanner) escape(i int) (int, error) {
	d := s.data
	if i+1 >= len(d) {
		return i, s.fail(i, ErrSyntax)
	}
	switch d[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2, nil
	case 'u':
	default:
		return i, s.fail(i, ErrSyntax)
	}
	r, ok := hex4(d, i+2)
	if !ok {
		return i, s.fail(i, ErrSyntax)
	}
	switch {
	case r >= 0xdc00 && r <= 0xdfff:
		return i, s.fail(i, ErrSurrogate)
	case r < 0xd800 || r > 0xdbff:
		return i + 6, nil
	}
	if i+7 >= len(d) || d[i+6] != '\\' || d[i+7] != 'u' {
		return i, s.fail(i, ErrSurrogate)
	}
	low, ok := hex4(d, i+8)
	if !ok {
		return i + 6, s.fail(i+6, ErrSyntax)
	}
	if low < 0xdc00 || low > 0xdfff {
		return i, s.fail(i, ErrSurrogate)
	}
	return i + 12, nil
}

// hex4 decodes the four hex digits at d[i:].
func hex4(d []byte, i int) (rune, bool) {
	if len(d)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// unescape appends the text of the raw string content (already scanned, so well formed) to dst.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, _ := hex4(raw, i+2)
			if r >= 0xd800 && r <= 0xdbff {
				low, _ := hex4(raw, i+8)
				r = (r-0xd800)<<10 | (low - 0xdc00) + 0x10000
				i += 6
			}
			dst = utf8.AppendRune(dst, r)
			i += 6
			continue
		default: // '"', '\\', '/'
			dst = append(dst, raw[i+1])
		}
		i += 2
	}
	return dst
}

// keyString is the unescaped key, for an error.
func keyString(raw []byte, escaped bool) string {
	if !escaped {
		return string(raw)
	}
	return string(unescape(nil, raw))
}
