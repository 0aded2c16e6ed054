package codectest

import (
	"reflect"
	"testing"

	"stacklab/stacks/app"
)

// FuzzDecode is the body of a codec's fuzz target for one request shape. It seeds f with the
// corpus's bodies of that shape (the target's testdata/fuzz adds its own) and checks that c never
// panics and accepts and refuses what ref does, decoding to the same value. A nil ref compares
// c's decision with Decide, the contract's reference, instead (for the std codec itself).
func FuzzDecode(f *testing.F, c, ref app.Codec, shape Shape) {
	f.Helper()
	for _, b := range Corpus() {
		if b.Shape == shape {
			f.Add([]byte(b.JSON))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := shape.New()
		err := c.Unmarshal(data, got)
		if ref == nil {
			if want := Decide(data, shape.New()); (err == nil) != (want == nil) {
				t.Fatalf("%s: Unmarshal(%s) = %v, but the contract's reference says %v", c.Name(), quote(string(data)), err, want)
			}
			return
		}
		want := shape.New()
		refErr := ref.Unmarshal(data, want)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("Unmarshal(%s):\n%s: %v\n%s: %v", quote(string(data)), c.Name(), err, ref.Name(), refErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Unmarshal(%s):\n%s: %#v\n%s: %#v", quote(string(data)), c.Name(), deref(got), ref.Name(), deref(want))
		}
	})
}
