// Package codectest is the contract of app.Codec: Run checks that a codec decodes the lab's request
// bodies strictly and encodes the lab's response types so that they decode back to equal values.
// Every codec runs the same table, so two codecs that pass it accept and refuse the same inputs and
// decode them to the same values. The behaviour it pins is documented in package stacklab/stacks/codec.
package codectest
