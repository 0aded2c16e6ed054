package std

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"stacklab/stacks/app"
	"stacklab/stacks/codec/internal/strict"
)

// Codec is the encoding/json codec. Its zero value is ready to use.
type Codec struct{}

var _ app.Codec = Codec{}

// New returns the encoding/json codec.
func New() app.Codec { return Codec{} }

// Name returns "std".
func (Codec) Name() string { return "std" }

// maxPooled bounds the buffers kept for reuse, so one huge value does not pin its buffer forever.
const maxPooled = 64 << 10

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Marshal encodes v as compact JSON, without HTML escaping.
func (Codec) Marshal(v any) ([]byte, error) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooled {
			buffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("std codec: encoding %T: %w", v, err)
	}
	b := buf.Bytes()
	// Encode ends the value with a newline; the copy leaves it out and frees the pooled buffer.
	out := make([]byte, len(b)-1)
	copy(out, b)
	return out, nil
}

// Unmarshal decodes data into v strictly: see the package comment.
func (Codec) Unmarshal(data []byte, v any) error {
	if err := strict.Check(data, v); err != nil {
		return fmt.Errorf("std codec: decoding %T: %w", v, err)
	}
	return decode(data, v)
}

// decode is Unmarshal without the shared check, kept apart so a benchmark can measure the check.
func decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("std codec: decoding %T: %w", v, err)
	}
	if off := dec.InputOffset(); !strict.OnlySpace(data[off:]) {
		return fmt.Errorf("std codec: decoding %T: trailing data at offset %d", v, off)
	}
	return nil
}
