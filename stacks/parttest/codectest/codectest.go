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

// decodeCase decodes in into a fresh target made by into; want is the target's value afterwards,
// or errWanted when decoding must fail.
type decodeCase struct {
	name string
	in   string
	into func() any
	want any
}

// errWanted marks a case whose decoding must fail.
var errWanted = &struct{ err bool }{true}

func intoTx() any      { return new(NewTransaction) }
func intoAccount() any { return new(NewAccount) }

// tx is the body of a one-posting transaction whose amount is the literal amount.
func tx(amount string) string {
	return `{"id":"tx-1","postings":[{"debit_account_id":"a","credit_account_id":"b","amount":` + amount + `}]}`
}

// txAmount is the decoded tx(amount) for an amount of n (nil: no amount).
func txAmount(n *int64) NewTransaction {
	return NewTransaction{ID: "tx-1", Postings: []Posting{{DebitAccountID: "a", CreditAccountID: "b", Amount: n}}}
}

// name is a body whose account name is the JSON string literal lit (quotes included).
func name(lit string) string { return `{"id":"a","ledger":"USD","name":` + lit + `}` }

func named(s string) NewAccount { return NewAccount{ID: "a", Ledger: "USD", Name: s} }

func decodeCases() []decodeCase {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	return []decodeCase{
		// Accepted bodies.
		{"full transaction", `{"id":"tx-1","postings":[{"debit_account_id":"a","credit_account_id":"b","amount":1250},` +
			`{"debit_account_id":"c","credit_account_id":"d","amount":1}],"description":"rent"}`, intoTx,
			NewTransaction{ID: "tx-1", Description: "rent", Postings: []Posting{
				{DebitAccountID: "a", CreditAccountID: "b", Amount: Int64(1250)},
				{DebitAccountID: "c", CreditAccountID: "d", Amount: Int64(1)}}}},
		{"full account", `{"id":"a","ledger":"USD","name":"Alice","flags":{"debits_must_not_exceed_credits":true,` +
			`"credits_must_not_exceed_debits":false}}`, intoAccount,
			NewAccount{ID: "a", Ledger: "USD", Name: "Alice", Flags: Flags{DebitsMustNotExceedCredits: true}}},
		{"empty object", `{}`, intoTx, NewTransaction{}},
		{"whitespace around the value", " \t\r\n{}\n\t \r", intoTx, NewTransaction{}},
		{"fields in any order", `{"description":"d","postings":[],"id":"x"}`, intoTx,
			NewTransaction{ID: "x", Description: "d", Postings: []Posting{}}},
		{"missing amount is nil", `{"id":"tx-1","postings":[{"debit_account_id":"a","credit_account_id":"b"}]}`,
			intoTx, txAmount(nil)},
		{"null amount is nil", tx("null"), intoTx, txAmount(nil)},
		{"null string leaves empty", `{"id":null,"description":null}`, intoTx, NewTransaction{}},
		{"null slice leaves nil", `{"postings":null}`, intoTx, NewTransaction{}},
		{"null posting is a zero posting", `{"postings":[null]}`, intoTx, NewTransaction{Postings: []Posting{{}}}},
		{"null bool leaves false", `{"flags":{"debits_must_not_exceed_credits":null}}`, intoAccount, NewAccount{}},
		{"null object leaves zero", `{"flags":null}`, intoAccount, NewAccount{}},
		{"amount -5", tx("-5"), intoTx, txAmount(Int64(-5))},
		{"amount 0", tx("0"), intoTx, txAmount(Int64(0))},
		{"amount -0", tx("-0"), intoTx, txAmount(Int64(0))},
		{"amount 2^53-1", tx("9007199254740991"), intoTx, txAmount(Int64(9007199254740991))},
		{"amount max int64", tx("9223372036854775807"), intoTx, txAmount(Int64(9223372036854775807))},
		{"amount min int64", tx("-9223372036854775808"), intoTx, txAmount(Int64(-9223372036854775808))},
		{"keys match case-insensitively", `{"ID":"x","Postings":[{"AMOUNT":7}]}`, intoTx,
			NewTransaction{ID: "x", Postings: []Posting{{Amount: Int64(7)}}}},
		{"duplicate key: last wins", `{"id":"a","id":"b"}`, intoTx, NewTransaction{ID: "b"}},
		{"escaped NUL decodes to NUL", name(`"a\u0000b"`), intoAccount, named("a\x00b")},
		{"escaped surrogate pair", name(`"\ud83d\ude00"`), intoAccount, named("😀")},
		{"escaped BMP rune", name(`"\u00e9\u20AC"`), intoAccount, named("é€")},
		{"lone high surrogate is U+FFFD", name(`"a\ud800b"`), intoAccount, named("a\ufffdb")},
		{"lone low surrogate is U+FFFD", name(`"\udc00"`), intoAccount, named("\ufffd")},
		{"high surrogate then non-surrogate escape", name(`"\ud800\u0041"`), intoAccount, named("\ufffdA")},
		{"two high surrogates", name(`"\ud800\ud800"`), intoAccount, named("\ufffd\ufffd")},
		{"simple escapes", name(`"\"\\\/\b\f\n\r\t"`), intoAccount, named("\"\\/\b\f\n\r\t")},
		{"raw non-ASCII and HTML characters", name(`"Alice <3 & é 😀 \u2028"`), intoAccount,
			named("Alice <3 & é 😀 \u2028")},
		{"raw DEL is allowed", name("\"a\x7fb\""), intoAccount, named("a\x7fb")},

		// Unknown fields.
		{"unknown field", `{"id":"a","extra":1}`, intoTx, errWanted},
		{"unknown null field", `{"extra":null}`, intoTx, errWanted},
		{"unknown field in posting", `{"postings":[{"amount":1,"memo":"x"}]}`, intoTx, errWanted},
		{"unknown field in flags", `{"flags":{"frozen":true}}`, intoAccount, errWanted},

		// Trailing data.
		{"two objects", `{} {}`, intoTx, errWanted},
		{"trailing letter", `{}x`, intoTx, errWanted},
		{"trailing brace", `{}}`, intoTx, errWanted},
		{"trailing bracket", `{}]`, intoTx, errWanted},
		{"trailing null", `{} null`, intoTx, errWanted},
		{"trailing NUL byte", "{}\x00", intoTx, errWanted},
		{"trailing form feed", "{}\f", intoTx, errWanted},

		// Not an object.
		{"empty input", ``, intoTx, errWanted},
		{"only whitespace", " \n\t ", intoTx, errWanted},
		{"bare null", `null`, intoTx, errWanted},
		{"bare null with whitespace", " null\n", intoTx, errWanted},
		{"array", `[]`, intoTx, errWanted},
		{"array of object", `[{}]`, intoTx, errWanted},
		{"string", `"x"`, intoTx, errWanted},
		{"number", `1`, intoTx, errWanted},
		{"bool", `true`, intoTx, errWanted},

		// Wrong types.
		{"number for string", `{"id":1}`, intoTx, errWanted},
		{"bool for string", `{"description":true}`, intoTx, errWanted},
		{"object for string", `{"id":{}}`, intoTx, errWanted},
		{"array for string", `{"id":["a"]}`, intoTx, errWanted},
		{"object for array", `{"postings":{}}`, intoTx, errWanted},
		{"string for array", `{"postings":"a"}`, intoTx, errWanted},
		{"number in array of objects", `{"postings":[1]}`, intoTx, errWanted},
		{"string for bool", `{"flags":{"debits_must_not_exceed_credits":"true"}}`, intoAccount, errWanted},
		{"number for bool", `{"flags":{"debits_must_not_exceed_credits":1}}`, intoAccount, errWanted},
		{"array for object", `{"flags":[]}`, intoAccount, errWanted},
		{"string for number", tx(`"10"`), intoTx, errWanted},
		{"bool for number", tx(`true`), intoTx, errWanted},
		{"object for number", tx(`{}`), intoTx, errWanted},
		{"array for number", tx(`[1]`), intoTx, errWanted},

		// Numbers that are not int64 integer literals.
		{"amount 1.5", tx("1.5"), intoTx, errWanted},
		{"amount 1e3", tx("1e3"), intoTx, errWanted},
		{"amount 1E3", tx("1E3"), intoTx, errWanted},
		{"amount 1e+3", tx("1e+3"), intoTx, errWanted},
		{"amount 1e0", tx("1e0"), intoTx, errWanted},
		{"amount 10.0", tx("10.0"), intoTx, errWanted},
		{"amount -0.0", tx("-0.0"), intoTx, errWanted},
		{"amount 0e0", tx("0e0"), intoTx, errWanted},
		{"amount 1e-3", tx("1e-3"), intoTx, errWanted},
		{"amount above int64", tx("9223372036854775808"), intoTx, errWanted},
		{"amount below int64", tx("-9223372036854775809"), intoTx, errWanted},
		{"amount 20 digits", tx("99999999999999999999"), intoTx, errWanted},
		{"amount -20 digits", tx("-99999999999999999999"), intoTx, errWanted},
		{"amount 400 digits", tx(strings.Repeat("9", 400)), intoTx, errWanted},
		{"amount leading zero", tx("01"), intoTx, errWanted},
		{"amount plus sign", tx("+1"), intoTx, errWanted},
		{"amount leading dot", tx(".5"), intoTx, errWanted},
		{"amount trailing dot", tx("1."), intoTx, errWanted},
		{"amount hex", tx("0x10"), intoTx, errWanted},
		{"amount NaN", tx("NaN"), intoTx, errWanted},
		{"amount Infinity", tx("Infinity"), intoTx, errWanted},
		{"amount lone minus", tx("-"), intoTx, errWanted},

		// Strings.
		{"invalid UTF-8 byte", name("\"a\xffb\""), intoAccount, errWanted},
		{"truncated UTF-8 sequence", name("\"\xe2\x82\""), intoAccount, errWanted},
		{"overlong UTF-8", name("\"\xc0\xaf\""), intoAccount, errWanted},
		{"UTF-8 encoded surrogate", name("\"\xed\xa0\x80\""), intoAccount, errWanted},
		{"UTF-8 above U+10FFFF", name("\"\xf4\x90\x80\x80\""), intoAccount, errWanted},
		{"invalid UTF-8 in key", "{\"i\xffd\":\"a\"}", intoAccount, errWanted},
		{"raw control character", name("\"a\x01b\""), intoAccount, errWanted},
		{"raw newline", name("\"a\nb\""), intoAccount, errWanted},
		{"raw tab", name("\"a\tb\""), intoAccount, errWanted},
		{"raw NUL", name("\"a\x00b\""), intoAccount, errWanted},
		{"unknown escape", name(`"\x41"`), intoAccount, errWanted},
		{"short unicode escape", name(`"\u12"`), intoAccount, errWanted},
		{"non-hex unicode escape", name(`"\u12g4"`), intoAccount, errWanted},
		{"unterminated string", `{"id":"a`, intoAccount, errWanted},
		{"single quotes", `{'id':'a'}`, intoAccount, errWanted},

		// Syntax.
		{"trailing comma", `{"id":"a",}`, intoTx, errWanted},
		{"trailing comma in array", `{"postings":[{},]}`, intoTx, errWanted},
		{"missing colon", `{"id" "a"}`, intoTx, errWanted},
		{"missing comma", `{"id":"a" "description":"b"}`, intoTx, errWanted},
		{"unquoted key", `{id:"a"}`, intoTx, errWanted},
		{"comment", `{/* c */}`, intoTx, errWanted},
		{"unclosed object", `{"id":"a"`, intoTx, errWanted},
		{"bad literal", `{"description":nul}`, intoTx, errWanted},
		{"byte order mark", "\ufeff{}", intoTx, errWanted},

		// Deep nesting fails without a crash.
		{"10000 open brackets", strings.Repeat("[", 10000), intoTx, errWanted},
		{"100000 nested arrays", deep(100000), intoTx, errWanted},
		{"deep arrays in a known field", `{"postings":` + deep(10000) + `}`, intoTx, errWanted},
		{"deep arrays in an unknown field", `{"x":` + deep(10000) + `}`, intoTx, errWanted},
		{"deep objects in an unknown field", `{"x":` + strings.Repeat(`{"a":`, 10000) + `1` +
			strings.Repeat(`}`, 10000) + `}`, intoTx, errWanted},
		{"deep arrays as amount", tx(deep(10000)), intoTx, errWanted},

		// Plain int64 fields (the response types) are as strict as *int64 ones.
		{"response int64 field 1e3", `{"debits_posted":1e3}`, func() any { return new(ledgerspec.Account) }, errWanted},
		{"response int64 field 2.0", `{"seq":2.0}`, func() any { return new(ledgerspec.Transaction) }, errWanted},
		{"response int64 field", `{"seq":42,"risk_flags":[]}`, func() any { return new(ledgerspec.Transaction) },
			ledgerspec.Transaction{Seq: 42, RiskFlags: []string{}}},
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

// encodeInvalidUTF8 checks that invalid UTF-8 in a string is encoded as \ufffd escapes, one per
// invalid byte, as encoding/json does.
func encodeInvalidUTF8(t *testing.T, c app.Codec) {
	in := ledgerspec.Message{Message: "a\xffb\xe2\x82"}
	got, err := c.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal(%q): %v", in.Message, err)
	}
	if want := `{"message":"a\ufffdb\ufffd\ufffd"}`; string(got) != want {
		t.Fatalf("Marshal(%q) = %s, want %s", in.Message, got, want)
	}
}
