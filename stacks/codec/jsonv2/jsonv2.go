//go:build goexperiment.jsonv2

package jsonv2

import (
	"encoding/json/jsontext"
	"encoding/json/v2"
	"fmt"

	"stacklab/stacks/app"
	"stacklab/stacks/codec/internal/strict"
)

// Available reports whether the binary was built with GOEXPERIMENT=jsonv2, so the codec works.
func Available() bool { return true }

var (
	// decodeOptions are encoding/json/v2's defaults (exact names, no duplicate names, UTF-8 only,
	// no lone surrogate escapes) and the refusal of unknown members.
	decodeOptions = json.RejectUnknownMembers(true)
	// encodeOptions make v2 write what encoding/json writes for the lab's types: nil slices as
	// null, U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD rather than an error.
	encodeOptions = json.JoinOptions(
		json.FormatNilSliceAsNull(true),
		jsontext.EscapeForJS(true),
		jsontext.AllowInvalidUTF8(true),
	)
)

// Codec is the encoding/json/v2 codec. Its zero value is ready to use.
type Codec struct{}

var _ app.Codec = Codec{}

// New returns the encoding/json/v2 codec.
func New() app.Codec { return Codec{} }

// Name returns "jsonv2".
func (Codec) Name() string { return "jsonv2" }

// Unavailable returns nil: this binary was built with GOEXPERIMENT=jsonv2.
func (Codec) Unavailable() error { return nil }

// Marshal encodes v as compact JSON, without HTML escaping.
func (Codec) Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v, encodeOptions)
	if err != nil {
		return nil, fmt.Errorf("jsonv2 codec: encoding %T: %w", v, err)
	}
	return b, nil
}

// Unmarshal decodes data into v strictly: see the package comment.
func (Codec) Unmarshal(data []byte, v any) error {
	if err := strict.Body(data); err != nil {
		return fmt.Errorf("jsonv2 codec: decoding %T: %w", v, err)
	}
	if err := json.Unmarshal(data, v, decodeOptions); err != nil {
		return fmt.Errorf("jsonv2 codec: decoding %T: %w", v, err)
	}
	return nil
}
