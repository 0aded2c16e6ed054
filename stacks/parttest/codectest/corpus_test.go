package codectest

import (
	"errors"
	"reflect"
	"testing"

	"stacklab/ledgerspec"
)

// TestCorpus checks the corpus against itself: the independent Decide reaches the same
// decision as each body's Want, and the app's rules (restated here from the contract) refuse
// exactly the decoded values marked Invalid.
func TestCorpus(t *testing.T) {
	bodies := Corpus()
	if len(bodies) < 150 {
		t.Errorf("the corpus has %d bodies, want at least 150", len(bodies))
	}
	names := map[string]bool{}
	count := map[Shape]map[Want]int{Transaction: {}, Account: {}}
	for _, b := range bodies {
		key := b.Shape.String() + "/" + b.Name
		if names[key] {
			t.Errorf("two bodies named %q", key)
		}
		names[key] = true
		count[b.Shape][b.Want]++

		err := Decide([]byte(b.JSON), b.Shape.New())
		if (err == nil) != (b.Want != Malformed) {
			t.Errorf("%s: Decide = %v, but the body is %s", key, err, b.Want)
		}
		if b.Want == Malformed {
			if b.Value != nil {
				t.Errorf("%s: a malformed body has a value", key)
			}
			continue
		}
		if reflect.TypeOf(b.Value) != reflect.TypeOf(b.Shape.New()).Elem() {
			t.Errorf("%s: value %T for a %s body", key, b.Value, b.Shape)
			continue
		}
		if refused := appRefuses(b.Value); refused != (b.Want == Invalid) {
			t.Errorf("%s: the app's rules refuse %#v: %v, but the body is %s", key, b.Value, refused, b.Want)
		}
	}
	for shape, byWant := range count {
		for _, w := range []Want{WellFormed, Malformed, Invalid} {
			if byWant[w] < 5 {
				t.Errorf("%d %s %s bodies, want at least 5", byWant[w], w, shape)
			}
		}
	}
}

// appRefuses restates the contract's value rules for a decoded request body: what the app answers
// 400 after the codec decoded the body.
func appRefuses(v any) bool {
	switch v := v.(type) {
	case NewAccount:
		return !ledgerspec.ValidID(v.ID) || !ledgerspec.ValidLedger(v.Ledger) || !ledgerspec.ValidText(v.Name, ledgerspec.MaxNameRunes)
	case NewTransaction:
		if !ledgerspec.ValidID(v.ID) || len(v.Postings) < 1 || len(v.Postings) > ledgerspec.MaxPostings ||
			!ledgerspec.ValidText(v.Description, ledgerspec.MaxDescriptionRunes) {
			return true
		}
		for _, p := range v.Postings {
			if p.Amount == nil || !ledgerspec.ValidID(p.DebitAccountID) || !ledgerspec.ValidID(p.CreditAccountID) {
				return true
			}
		}
		return false
	}
	panic("appRefuses: not a request body")
}

func TestDecide(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{`{"id":"a"}`, nil},
		{`{"id":1}`, ErrType},
		{`{"id":1,"x":1}`, ErrStructure}, // a structural fault after a type error wins
		{`{"postings":"x"}`, ErrType},
		{`{"postings":{}}`, ErrStructure},
		{`{"postings":[{"amount":1.0}]}`, ErrType},
		{`{"postings":[{"amount":-0}]}`, nil},
		{`{"postings":[{"amount":9223372036854775808}]}`, ErrType},
		{`{"description":"\ud83d\ude00\u0041"}`, nil},
		{`{"description":"\\ud800"}`, nil}, // an escaped backslash, then text
		{`{"description":"\\\ud800"}`, ErrStructure},
		{`{"description":"\ud800\\u0041"}`, ErrStructure},
		{`{"ID":"a"}`, ErrStructure},
		{`{"id":"a","id":"a"}`, ErrStructure},
		{`{} {}`, ErrStructure},
		{`null`, ErrStructure},
		{``, ErrStructure},
	}
	for _, tt := range tests {
		err := Decide([]byte(tt.in), new(NewTransaction))
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("Decide(%s) = %v, want %v", tt.in, err, tt.want)
		}
	}
}
