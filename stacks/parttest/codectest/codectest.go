package codectest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
)

// Run checks c against the codec contract. Each case is a subtest; the names say what is pinned.
func Run(t *testing.T, c app.Codec) {
	t.Helper()
	if c.Name() == "" {
		t.Error("Name() is empty")
	}
	t.Run("corpus", func(t *testing.T) {
		for _, b := range Corpus() {
			t.Run(b.Shape.String()+"/"+b.Name, func(t *testing.T) { b.Check(t, c) })
		}
	})
	t.Run("decode", func(t *testing.T) {
		for _, tc := range decodeCases() {
			t.Run(tc.name, func(t *testing.T) { tc.check(t, c) })
		}
	})
	t.Run("encode", func(t *testing.T) {
		for _, tc := range encodeCases() {
			t.Run(tc.name, func(t *testing.T) { tc.check(t, c) })
		}
		t.Run("invalid UTF-8 is replaced", func(t *testing.T) { encodeInvalidUTF8(t, c) })
		t.Run("unsupported value", func(t *testing.T) {
			if b, err := c.Marshal(map[string]any{"f": func() {}}); err == nil {
				t.Fatalf("Marshal(func) = %s, want an error", b)
			}
		})
		t.Run("invalid json.Number", func(t *testing.T) {
			if b, err := c.Marshal(ledgerspec.Balances{TotalDebits: "12abc", TotalCredits: "0"}); err == nil {
				t.Fatalf("Marshal(json.Number 12abc) = %s, want an error", b)
			}
		})
	})
}

// Check decodes the body with c and checks the decision and, when c accepts it, the value.
func (b Body) Check(t *testing.T, c app.Codec) {
	t.Helper()
	target := b.Shape.New()
	err := c.Unmarshal([]byte(b.JSON), target)
	if b.Want == Malformed {
		if err == nil {
			t.Fatalf("%s: Unmarshal(%s) = nil error, decoded %+v; want an error (malformed)", c.Name(), quote(b.JSON), deref(target))
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: Unmarshal(%s): %v; want %#v (%s)", c.Name(), quote(b.JSON), err, b.Value, b.Want)
	}
	if got := deref(target); !reflect.DeepEqual(got, b.Value) {
		t.Fatalf("%s: Unmarshal(%s)\n got %#v\nwant %#v", c.Name(), quote(b.JSON), got, b.Value)
	}
}

// decodeCase decodes in into a fresh target made by into; want is the target's value afterwards,
// or errWanted when decoding must fail. The request bodies are in Corpus; these are the rest.
type decodeCase struct {
	name string
	in   string
	into func() any
	want any
}

// errWanted marks a case whose decoding must fail.
var errWanted = &struct{ err bool }{true}

func decodeCases() []decodeCase {
	account := func() any { return new(ledgerspec.Account) }
	transaction := func() any { return new(ledgerspec.Transaction) }
	return []decodeCase{
		// Plain int64 fields (the response types) are as strict as *int64 ones.
		{"response int64 field 1e3", `{"debits_posted":1e3}`, account, errWanted},
		{"response int64 field 2.0", `{"seq":2.0}`, transaction, errWanted},
		{"response int64 field", `{"seq":42,"risk_flags":[]}`, transaction, ledgerspec.Transaction{Seq: 42, RiskFlags: []string{}}},
		{"response string slice", `{"risk_flags":["velocity",null]}`, transaction,
			ledgerspec.Transaction{RiskFlags: []string{"velocity", ""}}},
		{"response key in another case", `{"Seq":42}`, transaction, errWanted},
		{"response duplicate key", `{"seq":1,"seq":1}`, transaction, errWanted},
		{"response string slice nested", `{"risk_flags":[["velocity"]]}`, transaction, errWanted},
		{"page", `{"items":[{"id":"t","seq":1,"postings":[{"debit_account_id":"a","credit_account_id":"b","amount":5}],` +
			`"description":"","risk_flags":[],"created_at":"x"}],"next_after":1,"has_more":true}`,
			func() any { return new(ledgerspec.TransactionPage) },
			ledgerspec.TransactionPage{Items: []ledgerspec.Transaction{{ID: "t", Seq: 1, Postings: []ledgerspec.Posting{
				{DebitAccountID: "a", CreditAccountID: "b", Amount: 5}}, RiskFlags: []string{}, CreatedAt: "x"}},
				NextAfter: Int64(1), HasMore: true}},
		{"balances json.Number", `{"ledger":"USD","as_of_seq":1,"accounts":[],"total_debits":18446744073709551614,"total_credits":-5}`,
			func() any { return new(ledgerspec.Balances) },
			ledgerspec.Balances{Ledger: "USD", AsOfSeq: 1, Accounts: []ledgerspec.AccountBalance{},
				TotalDebits: "18446744073709551614", TotalCredits: "-5"}},
	}
}

func (tc decodeCase) check(t *testing.T, c app.Codec) {
	t.Helper()
	target := tc.into()
	err := c.Unmarshal([]byte(tc.in), target)
	if tc.want == errWanted {
		if err == nil {
			t.Fatalf("Unmarshal(%s) = nil error, decoded %+v; want an error", quote(tc.in), deref(target))
		}
		return
	}
	if err != nil {
		t.Fatalf("Unmarshal(%s): %v", quote(tc.in), err)
	}
	if got := deref(target); !reflect.DeepEqual(got, tc.want) {
		t.Fatalf("Unmarshal(%s)\n got %#v\nwant %#v", quote(tc.in), got, tc.want)
	}
}

func deref(p any) any { return reflect.ValueOf(p).Elem().Interface() }

// quote shortens long inputs in messages.
func quote(s string) string {
	if len(s) > 120 {
		return fmt.Sprintf("%q… (%d bytes)", s[:120], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// encodeCase marshals in; want, when set, is the exact encoding. The encoding must be valid JSON,
// and decoding it with the same codec into a fresh value of in's type must give in back.
type encodeCase struct {
	name string
	in   any
	want string
}

func encodeCases() []encodeCase {
	created := "2026-11-24T10:00:00.123456Z"
	acc := ledgerspec.Account{ID: "acc-1", Ledger: "USD", Name: "Alice <3 & \"Bob\" é 😀",
		Flags:        ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true},
		DebitsPosted: 9223372036854775807, CreditsPosted: 5, Balance: -9223372036854775802, CreatedAt: created}
	txn := ledgerspec.Transaction{ID: "tx-1", Seq: 42, Description: "rent <b>&amp;</b> ünïcödé",
		Postings:  []ledgerspec.Posting{{DebitAccountID: "a", CreditAccountID: "b", Amount: 1250}},
		RiskFlags: []string{}, CreatedAt: created}
	flagged := txn
	flagged.RiskFlags = []string{string(ledgerspec.RiskVelocity), string(ledgerspec.RiskLargeAmount)}
	seq := int64(42)
	idx := 3
	return []encodeCase{
		{"account", acc, `{"id":"acc-1","ledger":"USD","name":"Alice <3 & \"Bob\" é 😀","flags":` +
			`{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":false},` +
			`"debits_posted":9223372036854775807,"credits_posted":5,"balance":-9223372036854775802,` +
			`"created_at":"2026-11-24T10:00:00.123456Z"}`},
		{"account pointer", &acc, ""},
		{"transaction with empty risk flags", txn, `{"id":"tx-1","seq":42,"postings":[{"debit_account_id":"a",` +
			`"credit_account_id":"b","amount":1250}],"description":"rent <b>&amp;</b> ünïcödé","risk_flags":[],` +
			`"created_at":"2026-11-24T10:00:00.123456Z"}`},
		{"transaction with risk flags", flagged, ""},
		{"transaction with nil risk flags", ledgerspec.Transaction{ID: "t"},
			`{"id":"t","seq":0,"postings":null,"description":"","risk_flags":null,"created_at":""}`},
		{"empty page", ledgerspec.TransactionPage{Items: []ledgerspec.Transaction{}},
			`{"items":[],"next_after":null,"has_more":false}`},
		{"page", ledgerspec.TransactionPage{Items: []ledgerspec.Transaction{txn, flagged}, NextAfter: &seq, HasMore: true}, ""},
		{"balances beyond int64", ledgerspec.Balances{Ledger: "USD", AsOfSeq: 7,
			Accounts:    []ledgerspec.AccountBalance{{ID: "a", Balance: -3, DebitsPosted: 3}},
			TotalDebits: "18446744073709551614", TotalCredits: "-5"},
			`{"ledger":"USD","as_of_seq":7,"accounts":[{"id":"a","balance":-3,"debits_posted":3,"credits_posted":0}],` +
				`"total_debits":18446744073709551614,"total_credits":-5}`},
		{"empty balances", ledgerspec.Balances{Ledger: "X", Accounts: []ledgerspec.AccountBalance{},
			TotalDebits: "0", TotalCredits: "0"},
			`{"ledger":"X","as_of_seq":0,"accounts":[],"total_debits":0,"total_credits":0}`},
		{"problem", ledgerspec.Problem{Type: "/problems/not_found", Title: "Not found", Status: 404,
			Code: ledgerspec.CodeNotFound},
			`{"type":"/problems/not_found","title":"Not found","status":404,"code":"not_found"}`},
		{"posting problem", ledgerspec.Problem{Type: "/problems/exceeds_credits", Title: "t", Status: 422,
			Code: ledgerspec.CodeExceedsCredits, PostingIndex: &idx},
			`{"type":"/problems/exceeds_credits","title":"t","status":422,"code":"exceeds_credits","posting_index":3}`},
		{"message", ledgerspec.Message{Message: "Hello, World!"}, `{"message":"Hello, World!"}`},
		{"control characters", ledgerspec.Message{Message: "a\x00b\x01c\n\t\"\\/\x7f"},
			`{"message":"a\u0000b\u0001c\n\t\"\\/` + "\x7f" + `"}`},
		{"line separators", ledgerspec.Message{Message: "a\u2028b\u2029c"}, ""},
		{"request body", NewTransaction{ID: "t", Postings: []Posting{{DebitAccountID: "a", Amount: Int64(-1)}, {}}},
			`{"id":"t","postings":[{"debit_account_id":"a","credit_account_id":"","amount":-1},` +
				`{"debit_account_id":"","credit_account_id":"","amount":null}],"description":""}`},
	}
}

func (tc encodeCase) check(t *testing.T, c app.Codec) {
	t.Helper()
	got, err := c.Marshal(tc.in)
	if err != nil {
		t.Fatalf("Marshal(%#v): %v", tc.in, err)
	}
	if tc.want != "" && string(got) != tc.want {
		t.Fatalf("Marshal(%#v)\n got %s\nwant %s", tc.in, got, tc.want)
	}
	if !json.Valid(got) {
		t.Fatalf("Marshal(%#v) = %s, not valid JSON", tc.in, got)
	}
	if len(got) > 0 && bytes.ContainsAny(got[len(got)-1:], " \n") {
		t.Fatalf("Marshal(%#v) = %q ends with whitespace", tc.in, got)
	}
	typ := reflect.TypeOf(tc.in)
	want := tc.in
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
		want = deref(tc.in)
	}
	back := reflect.New(typ)
	if err := c.Unmarshal(got, back.Interface()); err != nil {
		t.Fatalf("Unmarshal(Marshal(%#v) = %s): %v", tc.in, got, err)
	}
	if !reflect.DeepEqual(back.Elem().Interface(), want) {
		t.Fatalf("round trip through %s\n got %#v\nwant %#v", got, back.Elem().Interface(), want)
	}
}

// encodeInvalidUTF8 checks that invalid UTF-8 in a string is encoded as U+FFFD, one per invalid
// byte, as encoding/json does. encoding/json writes it as the escape \ufffd, and as the character
// itself when it is built on encoding/json/v2 (GOEXPERIMENT=jsonv2); either is allowed.
func encodeInvalidUTF8(t *testing.T, c app.Codec) {
	in := ledgerspec.Message{Message: "a\xffb\xe2\x82"}
	got, err := c.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal(%q): %v", in.Message, err)
	}
	if want := `{"message":"a\ufffdb\ufffd\ufffd"}`; string(got) != want &&
		string(got) != strings.ReplaceAll(want, `\ufffd`, "\ufffd") {
		t.Fatalf("Marshal(%q) = %s, want %s (or with U+FFFD unescaped)", in.Message, got, want)
	}
}
