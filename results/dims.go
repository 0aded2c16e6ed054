package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Dim is one dimension of a stack and the stack's part in it, e.g. {"json", "sonic"}.
type Dim struct {
	Key  string
	Part string
}

// Dims are the parts of a stack, one per dimension, in the order of the stack's name. Which
// dimensions there are is not known here: they are whatever the stack's name lists (the stacks
// registry decides), so a run with other or more dimensions reads and reports the same way.
//
// In JSON, Dims are an object from dimension to part whose keys keep their order, e.g.
// {"http":"nethttp","store":"sqlc","json":"std","redis":"goredis"} (the form of schema version 1).
type Dims []Dim

// ParseDims reads a stack name, key=part pairs joined by '/' (for example
// "http=nethttp/store=sqlc/json=std/redis=goredis"), keeping their order. Any keys, any number of
// them; each key once, and neither a key nor a part may be empty.
func ParseDims(name string) (Dims, error) {
	if name == "" {
		return nil, errors.New("parsing the dimensions of a stack: empty name")
	}
	var d Dims
	for kv := range strings.SplitSeq(name, "/") {
		k, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok || k == "" || v == "":
			return nil, fmt.Errorf("parsing the dimensions of stack %q: %q is not key=part", name, kv)
		case d.Has(k):
			return nil, fmt.Errorf("parsing the dimensions of stack %q: dimension %q given twice", name, k)
		}
		d = append(d, Dim{Key: k, Part: v})
	}
	return d, nil
}

// MustParseDims is ParseDims for names known to be well formed (a stacks.Spec's Name, a test's
// literal); it panics on a malformed name.
func MustParseDims(name string) Dims {
	d, err := ParseDims(name)
	if err != nil {
		panic(err)
	}
	return d
}

// Get returns the part of dimension key ("" when the stack has no such dimension).
func (d Dims) Get(key string) string {
	for _, x := range d {
		if x.Key == key {
			return x.Part
		}
	}
	return ""
}

// Has reports whether the stack has dimension key.
func (d Dims) Has(key string) bool {
	for _, x := range d {
		if x.Key == key {
			return true
		}
	}
	return false
}

// Keys lists the dimensions in name order.
func (d Dims) Keys() []string {
	keys := make([]string, len(d))
	for i, x := range d {
		keys[i] = x.Key
	}
	return keys
}

// String is the stack name the dimensions were parsed from: key=part pairs joined by '/'.
func (d Dims) String() string {
	kv := make([]string, len(d))
	for i, x := range d {
		kv[i] = x.Key + "=" + x.Part
	}
	return strings.Join(kv, "/")
}

// MarshalJSON writes the dimensions as one object, keys in order; no dimensions is {}.
func (d Dims) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(x.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(x.Part)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of string parts, keeping the order of its keys; null is no
// dimensions. A key given twice is an error.
func (d *Dims) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("reading dimensions: %w", err)
	}
	if tok == nil {
		*d = nil
		return nil
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("reading dimensions: want an object of dimension to part, got %v", tok)
	}
	out := Dims{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("reading dimensions: %w", err)
		}
		key := tok.(string) // inside an object, the decoder's tokens alternate key, value
		var part string
		if err := dec.Decode(&part); err != nil {
			return fmt.Errorf("reading dimension %q: %w", key, err)
		}
		if out.Has(key) {
			return fmt.Errorf("reading dimensions: %q given twice", key)
		}
		out = append(out, Dim{Key: key, Part: part})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fmt.Errorf("reading dimensions: %w", err)
	}
	*d = out
	return nil
}
