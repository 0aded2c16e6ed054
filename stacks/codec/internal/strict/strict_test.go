package strict

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/parttest/codectest"
)

func TestBody(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{" \t\r\n", ErrEmpty},
		{"null", ErrNull},
		{" null \n", ErrNull},
		{"nul", nil},
		{"nullx", nil},
		{"null null", nil},
		{"{}", nil},
		{"[]", nil},
		{"\fnull", nil}, // form feed is not JSON whitespace: left to the syntax check
	}
	for _, tt := range tests {
		if got := Body([]byte(tt.in)); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
			t.Errorf("Body(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestOnlySpace(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{" \n\t\r", true},
		{" x", false},
		{"\f", false},
	}
	for _, tt := range tests {
		if got := OnlySpace([]byte(tt.in)); got != tt.want {
			t.Errorf("OnlySpace(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// Types that exercise the schema: embedding, recursion, opaque values, many fields.
type (
	inner struct {
		A string `json:"a"`
		B int    `json:"b"`
	}
	Embedded struct {
		E     string `json:"e"`
		Shade string `json:"shade"` // shadowed by outer.Shade
		Tie   string // two untagged fields of one name at one depth: neither decodes
	}
	Other struct {
		Tie  string
		Pick string `json:"pick"`
	}
	Another struct {
		Pick string // loses to Other's tagged pick
	}
	outer struct {
		Embedded
		*Other
		Another
		Shade  string          `json:"shade"`
		Name   string          // no tag: the Go name
		Opt    string          `json:",omitempty"` // empty tag name: the Go name
		Skip   string          `json:"-"`
		Dash   string          `json:"-,"` // the key "-"
		hidden string          //nolint:unused // unexported: no key
		In     inner           `json:"in"`
		Ins    []inner         `json:"ins"`
		Ptr    *inner          `json:"ptr"`
		Arr    [2]inner        `json:"arr"`
		Bytes  []byte          `json:"bytes"`
		M      map[string]int  `json:"m"`
		Any    any             `json:"any"`
		Raw    json.RawMessage `json:"raw"`
		When   time.Time       `json:"when"`
		Num    json.Number     `json:"num"`
		Self   *outer          `json:"self"`
		Kids   []outer         `json:"kids"`
	}
	wide struct {
		F00, F01, F02, F03, F04, F05, F06, F07, F08, F09, F10, F11, F12, F13, F14, F15 int
		F16, F17, F18, F19, F20, F21, F22, F23, F24, F25, F26, F27, F28, F29, F30, F31 int
		F32, F33, F34, F35, F36, F37, F38, F39, F40, F41, F42, F43, F44, F45, F46, F47 int
		F48, F49, F50, F51, F52, F53, F54, F55, F56, F57, F58, F59, F60, F61, F62, F63 int
		F64, F65, F66, F67, F68, F69                                                   int
	}
)

func TestCheck(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{`{"e":"x","shade":"y","Name":"n","Opt":"o","-":"d","pick":"p","in":{"a":"","b":1}}`, nil},
		{`{"Tie":"x"}`, ErrUnknownKey},    // two fields at one depth, none tagged: no key
		{`{"Skip":"x"}`, ErrUnknownKey},   // json:"-"
		{`{"hidden":"x"}`, ErrUnknownKey}, // unexported
		{`{"name":"x"}`, ErrUnknownKey},   // the Go name, case-sensitive
		{`{"Embedded":{}}`, ErrUnknownKey},
		{`{"shade":"a","shade":"b"}`, ErrDuplicateKey},
		{`{"in":{"a":"x","a":"y"}}`, ErrDuplicateKey},
		{`{"in":{"A":"x"}}`, ErrUnknownKey},
		{`{"in":[]}`, ErrShape},
		{`{"ins":[{"a":""},null,{"b":2}]}`, nil},
		{`{"ins":{}}`, ErrShape},
		{`{"ins":[[]]}`, ErrShape},
		{`{"ins":[{"c":1}]}`, ErrUnknownKey},
		{`{"ptr":{"a":""}}`, nil},
		{`{"ptr":{"a":"","a":""}}`, ErrDuplicateKey},
		{`{"arr":[{"a":""},{"b":1}]}`, nil},
		{`{"arr":[{"x":1}]}`, ErrUnknownKey},
		{`{"bytes":"AAE="}`, nil},
		{`{"bytes":[1]}`, ErrShape},
		{`{"m":{"a":1,"a":2,"A":3}}`, nil}, // opaque: a map's keys are its own
		{`{"m":{"a":[{"b":{}}]}}`, nil},
		{`{"any":[{"x":[1,{"y":null}]}],"raw":{"k":[]},"when":"2026-01-01T00:00:00Z","num":1e3}`, nil},
		{`{"any":{"x":1,}}`, ErrSyntax}, // opaque values are still syntax-checked
		{`{"any":"\ud800"}`, ErrSurrogate},
		{`{"self":{"self":{"in":{"a":""}}}}`, nil},
		{`{"self":{"self":{"in":{"z":""}}}}`, ErrUnknownKey},
		{`{"kids":[{"kids":[{"Name":"x"}]}]}`, nil},
		{`{"kids":[{"kids":[{"Name":"x","Name":"y"}]}]}`, ErrDuplicateKey},
		{`{"self":` + strings.Repeat(`{"self":`, MaxDepth) + `null` + strings.Repeat(`}`, MaxDepth+1) + `}`, ErrDepth},
		{`{"any":` + strings.Repeat(`[`, MaxDepth) + strings.Repeat(`]`, MaxDepth) + `}`, ErrDepth},
		{`{"any":` + strings.Repeat(`[`, MaxDepth-1) + strings.Repeat(`]`, MaxDepth-1) + `}`, nil},
		{`{"n\u0061me":"x"}`, ErrUnknownKey},
		{`{"N\u0061me":"x","Name":"y"}`, ErrDuplicateKey},
		{`{"` + strings.Repeat(`\u0061`, 100) + `":1}`, ErrUnknownKey},
		{`{"Name":"` + strings.Repeat(`\u00e9\ud83d\ude00`, 100) + `"}`, nil},
		{"\ufeff{}", ErrSyntax},
		{"{}\ufeff", ErrSyntax},
		{`{"Name":"` + "\xff" + `"}`, ErrInvalidUTF8},
		{`{"Name":"a` + "\x1f" + `"}`, ErrSyntax},
		{`{"num":-}`, ErrSyntax},
		{`{"num":1.}`, ErrSyntax},
		{`{"num":1e}`, ErrSyntax},
		{`{"num":01}`, ErrSyntax},
		{`{"num":-0.0e-0}`, nil},
		{`{"Name":tru}`, ErrSyntax},
		{`{"Name":"\ud800\u"}`, ErrSyntax},
		{`{"Name":"\ud800\uzzzz"}`, ErrSyntax},
		{`{`, ErrSyntax},
		{`{"Name"`, ErrSyntax},
		{`{"Name":"x"`, ErrSyntax},
		{`[`, ErrShape},
		{``, ErrEmpty},
		{` null `, ErrNull},
	}
	for _, tt := range tests {
		err := Check([]byte(tt.in), new(outer))
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			in := tt.in
			if len(in) > 80 {
				in = in[:80] + "…"
			}
			t.Errorf("Check(%q) = %v, want %v", in, err, tt.want)
		}
	}
}

func TestCheckWide(t *testing.T) {
	if err := Check([]byte(`{"F00":1,"F63":1,"F64":1,"F69":1}`), new(wide)); err != nil {
		t.Errorf("Check: %v", err)
	}
	for _, in := range []string{`{"F69":1,"F69":1}`, `{"F00":1,"F00":1}`, `{"F64":1,"F01":1,"F64":1}`} {
		if err := Check([]byte(in), new(wide)); !errors.Is(err, ErrDuplicateKey) {
			t.Errorf("Check(%s) = %v, want %v", in, err, ErrDuplicateKey)
		}
	}
	if err := Check([]byte(`{"f00":1}`), new(wide)); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Check(f00) = %v, want %v", err, ErrUnknownKey)
	}
}

func TestCheckTargets(t *testing.T) {
	for _, v := range []any{nil, outer{}, new(any), new(map[string]any), new([]any)} {
		if err := Check([]byte(`[1,{"a":"b","a":"c"}]`), v); err != nil {
			t.Errorf("Check into %T: %v, want nil (nothing to check beyond syntax)", v, err)
		}
	}
	if err := Check([]byte(`[1,{}]`), new([]int)); !errors.Is(err, ErrShape) {
		t.Errorf("Check into *[]int: %v, want %v", err, ErrShape)
	}
}

func TestError(t *testing.T) {
	err := Check([]byte(`{"id":"a", "I\u0044":1}`), new(codectest.NewTransaction))
	var e *Error
	if !errors.As(err, &e) || e.Offset != 11 || e.Key != "ID" || !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Check = %#v", err)
	}
	if got, want := err.Error(), `strict JSON: unknown key "ID" at offset 11`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err = Check([]byte(`{"id":"a","id":"a"}`), new(codectest.NewTransaction))
	if got, want := err.Error(), `strict JSON: duplicate key "id" at offset 10`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err = Check([]byte(`{}x`), new(codectest.NewTransaction))
	if got, want := err.Error(), `strict JSON: invalid JSON syntax at offset 2`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestCorpus checks Check against the shared corpus: it refuses exactly the bodies whose fault is
// structural (Decide says ErrStructure) and leaves type faults to the codecs' libraries.
func TestCorpus(t *testing.T) {
	for _, b := range codectest.Corpus() {
		agree(t, []byte(b.JSON), b.Shape.New())
	}
}

// agree fails unless Check refuses data exactly when Decide finds a structural fault.
func agree(t *testing.T, data []byte, v any) {
	t.Helper()
	ref := codectest.Decide(data, v)
	err := Check(data, v)
	if structural := errors.Is(ref, codectest.ErrStructure); structural != (err != nil) {
		in := string(data)
		if len(in) > 200 {
			in = in[:200] + "…"
		}
		t.Fatalf("Check(%q) = %v, but the reference says %v", in, err, ref)
	}
}

// FuzzCheck compares Check with the reference on the lab's request types and a response type.
func FuzzCheck(f *testing.F) {
	for _, b := range codectest.Corpus() {
		if len(b.JSON) < 4096 {
			f.Add([]byte(b.JSON))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		agree(t, data, new(codectest.NewTransaction))
		agree(t, data, new(codectest.NewAccount))
		agree(t, data, new(ledgerspec.Transaction))
	})
}

// typical are request bodies as the load generator sends them, and one with escapes.
var typical = []struct {
	name, body string
	into       func() any
}{
	{"body=transaction", `{"id":"tx-0001-7f3a9c","postings":[` +
		`{"debit_account_id":"acc-alice","credit_account_id":"acc-bob","amount":1250},` +
		`{"debit_account_id":"acc-bob","credit_account_id":"acc-carol","amount":99999}],` +
		`"description":"rent for November, flat 3 <b>"}`, func() any { return new(codectest.NewTransaction) }},
	{"body=account", `{"id":"acc-alice","ledger":"USD","name":"Alice <3",` +
		`"flags":{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":false}}`,
		func() any { return new(codectest.NewAccount) }},
	{"body=escaped", `{"\u0069d":"tx-1","postings":[{"debit_account_id":"a","credit_account_id":"b","amount":1}],` +
		`"description":"` + strings.Repeat(`é€😀 \u00e9\ud83d\ude00\n`, 20) + `"}`, func() any { return new(codectest.NewTransaction) }},
}

// TestCheckAllocs pins that Check allocates nothing on a body it accepts.
func TestCheckAllocs(t *testing.T) {
	for _, b := range typical {
		data, v := []byte(b.body), b.into()
		if err := Check(data, v); err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = Check(data, v) }); n != 0 {
			t.Errorf("%s: Check allocates %v times per call, want 0", b.name, n)
		}
	}
}

// BenchmarkCheck measures the check alone (check=strict) next to what every codec already pays
// for: encoding/json's syntax check (check=json.Valid) — the check costs about one more such pass.
func BenchmarkCheck(b *testing.B) {
	for _, body := range typical {
		data, v := []byte(body.body), body.into()
		b.Run(body.name+"/check=strict", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := Check(data, v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(body.name+"/check=json.Valid", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if !json.Valid(data) {
					b.Fatal("invalid")
				}
			}
		})
	}
}
