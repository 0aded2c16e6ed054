//go:build !goexperiment.jsonv2

package jsonv2

import (
	"errors"

	"stacklab/stacks/app"
)

// Available reports whether the binary was built with GOEXPERIMENT=jsonv2, so the codec works.
func Available() bool { return false }

// errUnavailable is every method's error in a binary built without the experiment.
var errUnavailable = errors.New("codec jsonv2: this binary was built without " + Needs)

// Codec stands in for the encoding/json/v2 codec in a binary built without GOEXPERIMENT=jsonv2,
// where encoding/json/v2 does not exist: it keeps the registry's line compiling, and refuses to
// encode or decode anything.
type Codec struct{}

var _ app.Codec = Codec{}

// New returns the stand-in codec.
func New() app.Codec { return Codec{} }

// Name returns "jsonv2".
func (Codec) Name() string { return "jsonv2" }

// Unavailable returns the reason the codec does not work in this binary.
func (Codec) Unavailable() error { return errUnavailable }

// Marshal returns an error naming the missing GOEXPERIMENT.
func (Codec) Marshal(any) ([]byte, error) { return nil, errUnavailable }

// Unmarshal returns an error naming the missing GOEXPERIMENT.
func (Codec) Unmarshal([]byte, any) error { return errUnavailable }
