package gojson

import (
	"encoding/json"
	"fmt"

	gojson "github.com/goccy/go-json"
	gojsonv2 "github.com/goccy/go-json/v2"

	"stacklab/stacks/app"
	"stacklab/stacks/codec/internal/strict"
)

// decodeOptions are go-json v2's defaults (exact names, no duplicate names, UTF-8 only, no lone
// surrogate escapes), the refusal of unknown members, and the decoding of encoding/json's Number,
// which go-json's v2 API does not know (it reads a JSON number into no string type).
var decodeOptions = gojsonv2.JoinOptions(
	gojsonv2.RejectUnknownMembers(true),
	gojsonv2.WithUnmarshalers(gojsonv2.UnmarshalFunc(decodeNumber)),
)

// decodeNumber decodes a JSON number, already checked by go-json, into a json.Number; null leaves
// it empty.
func decodeNumber(b []byte, n *json.Number) error {
	switch {
	case string(b) == "null":
		*n = ""
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*n = json.Number(b)
	default:
		return fmt.Errorf("cannot decode %.20s into a json.Number", b)
	}
	return nil
}

// Codec is the go-json codec. Its zero value is ready to use.
type Codec struct{}

var _ app.Codec = Codec{}

// New returns the go-json codec.
func New() app.Codec { return Codec{} }

// Name returns "gojson".
func (Codec) Name() string { return "gojson" }

// Marshal encodes v as compact JSON, without HTML escaping, as encoding/json does.
func (Codec) Marshal(v any) ([]byte, error) {
	b, err := gojson.MarshalWithOption(v, gojson.DisableHTMLEscape())
	if err != nil {
		return nil, fmt.Errorf("gojson codec: encoding %T: %w", v, err)
	}
	return b, nil
}

// Unmarshal decodes data into v strictly: see the package comment.
func (Codec) Unmarshal(data []byte, v any) error {
	if err := strict.Body(data); err != nil {
		return fmt.Errorf("gojson codec: decoding %T: %w", v, err)
	}
	if err := gojsonv2.Unmarshal(data, v, decodeOptions); err != nil {
		return fmt.Errorf("gojson codec: decoding %T: %w", v, err)
	}
	return nil
}
