package codectest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The two kinds of refusal Decide tells apart.
var (
	// ErrStructure: the body is not one I-JSON value of the target's shape: a syntax error, invalid
	// UTF-8, an escaped lone surrogate, an empty body or a bare null, an unknown key (keys are
	// case-sensitive), a duplicate key, or an object or array where the type has none.
	ErrStructure = errors.New("not one strict JSON value of the target's shape")
	// ErrType: a scalar of the wrong JSON type where the target expects a string, bool, number,
	// array or object, or a number that is not an integer literal in range for an integer field.
	ErrType = errors.New("wrong JSON type or number")
)

// Decide is the contract's decision on decoding data into the value v points to, made slowly
// and independently of the codecs, from encoding/json's tokenizer: nil when the contract lets
// a codec decode it, else an error wrapping ErrStructure or ErrType. It reports ErrType only
// when the body has no structural fault anywhere, so a check of structure alone (such as the
// codecs' shared pre-check) must accept exactly the bodies Decide does not call ErrStructure.
//
// It knows the types of the lab's bodies: structs of tagged fields (no embedding), slices,
// pointers, strings, bools, integers and json.Number; it panics on others.
func Decide(data []byte, v any) error {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
		panic(fmt.Sprintf("codectest.Decide: %T is not a pointer", v))
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: invalid UTF-8", ErrStructure)
	}
	if err := loneSurrogate(data); err != nil {
		return err
	}
	d := decider{dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.UseNumber()
	tok, err := d.dec.Token()
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", ErrStructure, err)
	case tok == nil:
		return fmt.Errorf("%w: the body is null", ErrStructure)
	}
	if err := d.value(tok, t.Elem(), "$"); err != nil {
		return err
	}
	if tok, err := d.dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: trailing data (%v, %v)", ErrStructure, tok, err)
	}
	return d.typeErr
}

type decider struct {
	dec     *json.Decoder
	typeErr error // the first type error, reported when the structure is sound
}

func (d *decider) mistyped(path string, tok any, t reflect.Type) {
	if d.typeErr == nil {
		d.typeErr = fmt.Errorf("%w: %v at %s for %s", ErrType, tok, path, t)
	}
}

var numberType = reflect.TypeFor[json.Number]()

// value checks the value that starts with tok against t.
func (d *decider) value(tok json.Token, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok := tok.(type) {
	case nil:
		return nil // null is the zero value of every field
	case json.Delim:
		switch {
		case tok == '{' && t.Kind() == reflect.Struct:
			return d.object(t, path)
		case tok == '[' && t.Kind() == reflect.Slice:
			return d.array(t.Elem(), path)
		}
		return fmt.Errorf("%w: %v at %s where %s has none", ErrStructure, tok, path, t)
	case string:
		if t.Kind() != reflect.String || t == numberType {
			d.mistyped(path, tok, t)
		}
	case bool:
		if t.Kind() != reflect.Bool {
			d.mistyped(path, tok, t)
		}
	case json.Number:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if strings.ContainsAny(string(tok), ".eE") {
				d.mistyped(path, tok, t)
			} else if _, err := strconv.ParseInt(string(tok), 10, t.Bits()); err != nil {
				d.mistyped(path, tok, t)
			}
		case reflect.String:
			if t != numberType {
				d.mistyped(path, tok, t)
			}
		default:
			d.mistyped(path, tok, t)
		}
	default:
		panic(fmt.Sprintf("codectest.Decide: token %T", tok))
	}
	return nil
}

func (d *decider) object(t reflect.Type, path string) error {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			panic("codectest.Decide: embedded fields are not supported")
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if name != "-" && f.IsExported() {
			fields[name] = f.Type
		}
	}
	seen := map[string]bool{}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrStructure, err)
		}
		key := tok.(string)
		ft, ok := fields[key]
		switch {
		case !ok:
			return fmt.Errorf("%w: unknown key %q at %s", ErrStructure, key, path)
		case seen[key]:
			return fmt.Errorf("%w: duplicate key %q at %s", ErrStructure, key, path)
		}
		seen[key] = true
		if tok, err = d.dec.Token(); err != nil {
			return fmt.Errorf("%w: %v", ErrStructure, err)
		}
		if err := d.value(tok, ft, path+"."+key); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil { // the closing brace
		return fmt.Errorf("%w: %v", ErrStructure, err)
	}
	return nil
}

func (d *decider) array(elem reflect.Type, path string) error {
	for i := 0; d.dec.More(); i++ {
		tok, err := d.dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrStructure, err)
		}
		if err := d.value(tok, elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil { // the closing bracket
		return fmt.Errorf("%w: %v", ErrStructure, err)
	}
	return nil
}

// loneSurrogate finds a \u escape of a surrogate that is not half of a pair in a string of data
// (encoding/json's tokenizer turns one into U+FFFD without a word).
func loneSurrogate(data []byte) error {
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString:
			if i+1 < len(data) && data[i+1] == 'u' {
				r, ok := hexRune(data, i+2)
				switch {
				case ok && r >= 0xdc00 && r <= 0xdfff:
					return fmt.Errorf("%w: lone low surrogate at offset %d", ErrStructure, i)
				case ok && r >= 0xd800 && r <= 0xdbff:
					low, ok := rune(0), false
					if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
						low, ok = hexRune(data, i+8)
					}
					if !ok || low < 0xdc00 || low > 0xdfff {
						return fmt.Errorf("%w: lone high surrogate at offset %d", ErrStructure, i)
					}
					i += 6 // past the high half; the loop steps over the low half's backslash
				}
			}
			i++ // the escaped byte
		}
	}
	return nil
}

func hexRune(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(n), err == nil
}
