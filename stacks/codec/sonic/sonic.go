package sonic

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/bytedance/sonic"

	"stacklab/stacks/app"
	"stacklab/stacks/codec/internal/strict"
)

// api is built once; a frozen sonic Config is safe for concurrent use. CaseSensitive and
// UseUnicodeErrors are sonic's own options for two of the contract's rules (exact keys, no lone
// surrogate escapes); ValidateString makes the decoder refuse raw control characters in strings
// (without it sonic accepts them) but it replaces invalid UTF-8 by U+FFFD instead of refusing
// it, which the shared check does, with duplicate keys.
var api = sonic.Config{
	DisallowUnknownFields: true,
	CaseSensitive:         true,
	UseUnicodeErrors:      true,
	ValidateString:        true,
}.Froze()

// Codec is the sonic codec. Its zero value is ready to use.
type Codec struct{}

var _ app.Codec = Codec{}

// New returns the sonic codec.
func New() app.Codec { return Codec{} }

// Name returns "sonic".
func (Codec) Name() string { return "sonic" }

// Marshal encodes v as compact JSON, without HTML escaping.
func (Codec) Marshal(v any) ([]byte, error) {
	b, err := api.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("sonic codec: encoding %T: %w", v, err)
	}
	return b, nil
}

// Unmarshal decodes data into v strictly: see the package comment.
func (Codec) Unmarshal(data []byte, v any) error {
	if err := strict.Check(data, v); err != nil {
		return fmt.Errorf("sonic codec: decoding %T: %w", v, err)
	}
	return decode(data, v)
}

// decode is Unmarshal without the shared check, kept apart so a benchmark can measure the check.
func decode(data []byte, v any) error {
	if err := api.Unmarshal(data, v); err != nil {
		return fmt.Errorf("sonic codec: decoding %T: %w", v, err)
	}
	return nil
}

// Pretouch compiles sonic's encoder and decoder for the types of vs (values or pointers) now, so
// the first request of each type does not pay for the JIT compilation. It is optional: a caller
// that knows its types finds it with a type assertion on interface{ Pretouch(...any) error }.
func (Codec) Pretouch(vs ...any) error {
	types := make([]reflect.Type, 0, len(vs))
	for _, v := range vs {
		t := reflect.TypeOf(v)
		if t == nil {
			return errors.New("sonic codec: pretouch of a nil interface")
		}
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		types = append(types, t)
	}
	if err := sonic.PretouchMany(types); err != nil {
		return fmt.Errorf("sonic codec: pretouch: %w", err)
	}
	return nil
}
