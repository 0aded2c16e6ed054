package codectest

import (
	"fmt"
	"strings"
)

// Shape is which request body a corpus entry is.
type Shape int

const (
	Transaction Shape = iota // POST /api/transactions: NewTransaction
	Account                  // POST /api/accounts: NewAccount
)

func (s Shape) String() string {
	if s == Account {
		return "account"
	}
	return "transaction"
}

// New returns a pointer to a fresh value of the shape's request type.
func (s Shape) New() any {
	if s == Account {
		return new(NewAccount)
	}
	return new(NewTransaction)
}

// Want is the contract's decision on a body.
type Want int

const (
	// WellFormed: the codec decodes the body to Value, and the contract does not call it
	// malformed (the answer is a 201 or 200, or a 422 of the ledger's rules).
	WellFormed Want = iota
	// Malformed: the codec refuses the body (400 malformed_request).
	Malformed
	// Invalid: the codec decodes the body to Value, a null or a missing field leaving its zero
	// value, and the app refuses a value (a missing required field, a bad id, a NUL): a 400
	// malformed_request too, decided by the app rather than the codec.
	Invalid
)

func (w Want) String() string {
	switch w {
	case Malformed:
		return "malformed"
	case Invalid:
		return "invalid"
	}
	return "well-formed"
}

// Body is one request body of the corpus with the contract's decision for it.
type Body struct {
	Name  string
	Shape Shape
	JSON  string
	Want  Want
	Value any // NewTransaction or NewAccount, for WellFormed and Invalid
}

// The corpus's accounts and postings.
const (
	p5  = `{"debit_account_id":"a","credit_account_id":"b","amount":5}`
	acc = `"id":"acc-1","ledger":"USD"`
)

var posting5 = Posting{DebitAccountID: "a", CreditAccountID: "b", Amount: Int64(5)}

// t is a transaction body "tx-1" with one posting p5 and then the members rest (with their
// leading comma).
func t(rest string) string { return `{"id":"tx-1","postings":[` + p5 + `]` + rest + `}` }

// tp is a transaction body "tx-1" whose postings array holds exactly ps.
func tp(ps string) string { return `{"id":"tx-1","postings":` + ps + `}` }

// amount is a transaction body whose one posting has the literal amount a.
func amount(a string) string {
	return tp(`[{"debit_account_id":"a","credit_account_id":"b","amount":` + a + `}]`)
}

// a is an account body "acc-1" in ledger USD with then the members rest (leading comma included).
func a(rest string) string { return `{` + acc + rest + `}` }

func tx(desc string, ps ...Posting) NewTransaction {
	return NewTransaction{ID: "tx-1", Postings: ps, Description: desc}
}

func amountTx(n *int64) NewTransaction {
	return tx("", Posting{DebitAccountID: "a", CreditAccountID: "b", Amount: n})
}

func account(name string, f Flags) NewAccount {
	return NewAccount{ID: "acc-1", Ledger: "USD", Name: name, Flags: f}
}

func deep(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// Corpus returns the shared request bodies with the contract's decision for each, written from
// LEDGER-CONTRACT.md (v1.1), not from what any library does. The decisions the contract leaves
// open are those of ledgerspec's "Decided:" lines: an escaped key is the key it spells (RFC 8259
// compares member names after unescaping), and a \u escape of a lone surrogate is malformed
// (it names no character; RFC 7493).
func Corpus() []Body {
	var bodies []Body
	add := func(shape Shape, want Want, name, json string, value any) {
		bodies = append(bodies, Body{Name: name, Shape: shape, JSON: json, Want: want, Value: value})
	}
	wellTx := func(name, json string, v NewTransaction) { add(Transaction, WellFormed, name, json, v) }
	wellAcc := func(name, json string, v NewAccount) { add(Account, WellFormed, name, json, v) }
	invalidTx := func(name, json string, v NewTransaction) { add(Transaction, Invalid, name, json, v) }
	invalidAcc := func(name, json string, v NewAccount) { add(Account, Invalid, name, json, v) }
	badTx := func(name, json string) { add(Transaction, Malformed, name, json, nil) }
	badAcc := func(name, json string) { add(Account, Malformed, name, json, nil) }

	// Well-formed transactions.
	wellTx("tx full", `{"id":"tx-1","postings":[`+p5+`,{"debit_account_id":"c","credit_account_id":"d","amount":1}],"description":"rent"}`,
		tx("rent", posting5, Posting{DebitAccountID: "c", CreditAccountID: "d", Amount: Int64(1)}))
	wellTx("tx without description", t(``), tx("", posting5))
	wellTx("tx null description", t(`,"description":null`), tx("", posting5))
	wellTx("tx empty description", t(`,"description":""`), tx("", posting5))
	wellTx("tx members in any order", `{"description":"d","postings":[`+p5+`],"id":"tx-1"}`, tx("d", posting5))
	wellTx("tx posting members in any order", tp(`[{"amount":5,"credit_account_id":"b","debit_account_id":"a"}]`), tx("", posting5))
	wellTx("tx whitespace around every token", " \t\r\n{ \"id\" :\t\"tx-1\" ,\r\n \"postings\" : [ { \"debit_account_id\" : \"a\" , "+
		"\"credit_account_id\":\"b\"\n,\"amount\"\t:\r5 } ] , \"description\" : \"\" }\n\t \r", tx("", posting5))
	wellTx("tx no whitespace at all", `{"id":"tx-1","postings":[`+p5+`]}`, tx("", posting5))
	wellTx("tx one key in two postings", tp(`[`+p5+`,`+p5+`]`), tx("", posting5, posting5))
	wellTx("tx 16 postings", tp(`[`+strings.Repeat(p5+`,`, 15)+p5+`]`), tx("", repeat(posting5, 16)...))
	wellTx("tx escaped key id", `{"\u0069d":"tx-1","postings":[`+p5+`]}`, tx("", posting5))
	wellTx("tx every key escaped", `{"\u0069\u0064":"tx-1","\u0070ostings":[{"debit\u005faccount_id":"a","credit_account_\u0069d":"b",`+
		`"\u0061mount":5}],"descr\u0069ption":"x"}`, tx("x", posting5))
	wellTx("tx escaped ids", `{"id":"tx\u002d1","postings":[{"debit_account_id":"\u0061","credit_account_id":"\u0062","amount":5}]}`, tx("", posting5))
	wellTx("tx description simple escapes", t(`,"description":"\"\\\/\b\f\n\r\t"`), tx("\"\\/\b\f\n\r\t", posting5))
	wellTx("tx description surrogate pair", t(`,"description":"\ud83d\ude00 \uD83D\uDE00"`), tx("😀 😀", posting5))
	wellTx("tx description BMP escapes", t(`,"description":"\u00e9\u20AC\uffff"`), tx("é€\uffff", posting5))
	wellTx("tx description raw text", t(`,"description":"Alice <3 & é 😀 `+"\u2028\u2029"+`"`), tx("Alice <3 & é 😀 \u2028\u2029", posting5))
	wellTx("tx description raw DEL", t(`,"description":"a`+"\x7f"+`b"`), tx("a\x7fb", posting5))
	wellTx("tx description holds a U+FEFF", t(`,"description":"`+"\ufeff"+`x\ufeff"`), tx("\ufeffx\ufeff", posting5))
	wellTx("tx description 500 characters", t(`,"description":"`+strings.Repeat("é", 500)+`"`), tx(strings.Repeat("é", 500), posting5))
	wellTx("amount 1", amount("1"), amountTx(Int64(1)))
	wellTx("amount 2^53-1", amount("9007199254740991"), amountTx(Int64(9007199254740991)))
	wellTx("amount 0 (422)", amount("0"), amountTx(Int64(0)))
	wellTx("amount -0 (422)", amount("-0"), amountTx(Int64(0)))
	wellTx("amount -5 (422)", amount("-5"), amountTx(Int64(-5)))
	wellTx("amount 2^53 (422)", amount("9007199254740992"), amountTx(Int64(9007199254740992)))
	wellTx("amount max int64 (422)", amount("9223372036854775807"), amountTx(Int64(9223372036854775807)))
	wellTx("amount min int64 (422)", amount("-9223372036854775808"), amountTx(Int64(-9223372036854775808)))
	wellTx("tx same account twice (422)", tp(`[{"debit_account_id":"a","credit_account_id":"a","amount":5}]`),
		tx("", Posting{DebitAccountID: "a", CreditAccountID: "a", Amount: Int64(5)}))

	// Transactions the app refuses: a required field missing, null or bad.
	invalidTx("tx empty object", `{}`, NewTransaction{})
	invalidTx("tx id missing", `{"postings":[`+p5+`]}`, NewTransaction{Postings: []Posting{posting5}})
	invalidTx("tx id null", `{"id":null,"postings":[`+p5+`]}`, NewTransaction{Postings: []Posting{posting5}})
	invalidTx("tx id empty", `{"id":"","postings":[`+p5+`]}`, NewTransaction{Postings: []Posting{posting5}})
	invalidTx("tx id with a space", `{"id":"tx 1","postings":[`+p5+`]}`, NewTransaction{ID: "tx 1", Postings: []Posting{posting5}})
	invalidTx("tx postings missing", `{"id":"tx-1"}`, tx(""))
	invalidTx("tx postings null", `{"id":"tx-1","postings":null}`, tx(""))
	invalidTx("tx postings empty", `{"id":"tx-1","postings":[]}`, tx("", []Posting{}...))
	invalidTx("tx postings null then description", `{"id":"tx-1","postings":null,"description":"x"}`, tx("x"))
	invalidTx("tx posting null", tp(`[null]`), tx("", Posting{}))
	invalidTx("tx second posting null", tp(`[`+p5+`,null]`), tx("", posting5, Posting{}))
	invalidTx("tx posting empty object", tp(`[{}]`), tx("", Posting{}))
	invalidTx("tx debit null", tp(`[{"debit_account_id":null,"credit_account_id":"b","amount":5}]`),
		tx("", Posting{CreditAccountID: "b", Amount: Int64(5)}))
	invalidTx("tx debit missing", tp(`[{"credit_account_id":"b","amount":5}]`), tx("", Posting{CreditAccountID: "b", Amount: Int64(5)}))
	invalidTx("tx credit null", tp(`[{"debit_account_id":"a","credit_account_id":null,"amount":5}]`),
		tx("", Posting{DebitAccountID: "a", Amount: Int64(5)}))
	invalidTx("tx credit missing", tp(`[{"debit_account_id":"a","amount":5}]`), tx("", Posting{DebitAccountID: "a", Amount: Int64(5)}))
	invalidTx("tx amount null", amount("null"), amountTx(nil))
	invalidTx("tx amount missing", tp(`[{"debit_account_id":"a","credit_account_id":"b"}]`), amountTx(nil))
	invalidTx("tx 17 postings", tp(`[`+strings.Repeat(p5+`,`, 16)+p5+`]`), tx("", repeat(posting5, 17)...))
	invalidTx("tx description escaped NUL", t(`,"description":"a\u0000b"`), tx("a\x00b", posting5))
	invalidTx("tx description 501 characters", t(`,"description":"`+strings.Repeat("a", 501)+`"`), tx(strings.Repeat("a", 501), posting5))
	invalidTx("tx every field null", `{"id":null,"postings":null,"description":null}`, NewTransaction{})

	// Well-formed accounts.
	wellAcc("account full", a(`,"name":"Alice","flags":{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":false}`),
		account("Alice", Flags{DebitsMustNotExceedCredits: true}))
	wellAcc("account id and ledger only", a(``), account("", Flags{}))
	wellAcc("account null name", a(`,"name":null`), account("", Flags{}))
	wellAcc("account null flags", a(`,"flags":null`), account("", Flags{}))
	wellAcc("account null debits flag", a(`,"flags":{"debits_must_not_exceed_credits":null,"credits_must_not_exceed_debits":true}`),
		account("", Flags{CreditsMustNotExceedDebits: true}))
	wellAcc("account null credits flag", a(`,"flags":{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":null}`),
		account("", Flags{DebitsMustNotExceedCredits: true}))
	wellAcc("account every optional field null", a(`,"name":null,"flags":null`), account("", Flags{}))
	wellAcc("account empty flags", a(`,"flags":{}`), account("", Flags{}))
	wellAcc("account flags in any order", a(`,"flags":{"credits_must_not_exceed_debits":true,"debits_must_not_exceed_credits":false}`),
		account("", Flags{CreditsMustNotExceedDebits: true}))
	wellAcc("account members in any order", `{"name":"n","ledger":"USD","flags":{},"id":"acc-1"}`, account("n", Flags{}))
	wellAcc("account every key escaped", `{"\u0069d":"acc-1","l\u0065dger":"USD","n\u0061me":"x","fl\u0061gs":{"debits\u005fmust_not_exceed_credits":true}}`,
		account("x", Flags{DebitsMustNotExceedCredits: true}))
	wellAcc("account both flags (422)", a(`,"flags":{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":true}`),
		account("", Flags{DebitsMustNotExceedCredits: true, CreditsMustNotExceedDebits: true}))
	wellAcc("account name escapes", a(`,"name":"Alice \u00e9 \ud83d\ude00 \"q\" \\ \/"`), account(`Alice é 😀 "q" \ /`, Flags{}))
	wellAcc("account name raw text", a(`,"name":"<b>Bob</b> & 'Ève' 日本"`), account("<b>Bob</b> & 'Ève' 日本", Flags{}))
	wellAcc("account name 200 characters", a(`,"name":"`+strings.Repeat("😀", 200)+`"`), account(strings.Repeat("😀", 200), Flags{}))
	wellAcc("account whitespace", "\n{\n  \"id\": \"acc-1\",\n  \"ledger\": \"USD\",\n  \"flags\": {\n  }\n}\n", account("", Flags{}))

	// Accounts the app refuses.
	invalidAcc("account empty object", `{}`, NewAccount{})
	invalidAcc("account id missing", `{"ledger":"USD"}`, NewAccount{Ledger: "USD"})
	invalidAcc("account id null", `{"id":null,"ledger":"USD"}`, NewAccount{Ledger: "USD"})
	invalidAcc("account ledger missing", `{"id":"acc-1"}`, NewAccount{ID: "acc-1"})
	invalidAcc("account ledger null", `{"id":"acc-1","ledger":null}`, NewAccount{ID: "acc-1"})
	invalidAcc("account ledger lowercase", `{"id":"acc-1","ledger":"usd"}`, NewAccount{ID: "acc-1", Ledger: "usd"})
	invalidAcc("account name escaped NUL", a(`,"name":"\u0000"`), account("\x00", Flags{}))
	invalidAcc("account every field null", `{"id":null,"ledger":null,"name":null,"flags":null}`, NewAccount{})

	// Keys are case-sensitive: every key in another case is unknown.
	for _, k := range []string{"ID", "Id", "iD"} {
		badTx("tx key "+k, `{"`+k+`":"tx-1","postings":[`+p5+`]}`)
		badAcc("account key "+k, `{"`+k+`":"acc-1","ledger":"USD"}`)
	}
	for _, k := range []string{"POSTINGS", "Postings", "postingS"} {
		badTx("tx key "+k, `{"id":"tx-1","`+k+`":[`+p5+`]}`)
	}
	for _, k := range []string{"DESCRIPTION", "Description"} {
		badTx("tx key "+k, t(`,"`+k+`":"x"`))
	}
	for _, k := range []string{"DEBIT_ACCOUNT_ID", "Debit_Account_Id", "debit_account_ID"} {
		badTx("posting key "+k, tp(`[{"`+k+`":"a","credit_account_id":"b","amount":5}]`))
	}
	for _, k := range []string{"CREDIT_ACCOUNT_ID", "Credit_account_id"} {
		badTx("posting key "+k, tp(`[{"debit_account_id":"a","`+k+`":"b","amount":5}]`))
	}
	for _, k := range []string{"AMOUNT", "Amount", "amounT"} {
		badTx("posting key "+k, tp(`[{"debit_account_id":"a","credit_account_id":"b","`+k+`":5}]`))
	}
	for _, k := range []string{"LEDGER", "Ledger"} {
		badAcc("account key "+k, `{"id":"acc-1","`+k+`":"USD"}`)
	}
	for _, k := range []string{"NAME", "Name"} {
		badAcc("account key "+k, a(`,"`+k+`":"x"`))
	}
	for _, k := range []string{"FLAGS", "Flags"} {
		badAcc("account key "+k, a(`,"`+k+`":{}`))
	}
	for _, k := range []string{"DEBITS_MUST_NOT_EXCEED_CREDITS", "Debits_Must_Not_Exceed_Credits", "CREDITS_MUST_NOT_EXCEED_DEBITS", "credits_must_not_exceed_Debits"} {
		badAcc("flags key "+k, a(`,"flags":{"`+k+`":true}`))
	}
	// encoding/json folds U+017F (ſ) to s and U+212A (K) to k when it matches keys.
	badTx("tx key with long s (U+017F)", `{"id":"tx-1","po`+"\u017f"+`tings":[`+p5+`]}`)
	badTx("tx key with escaped long s", `{"id":"tx-1","po\u017ftings":[`+p5+`]}`)
	badTx("tx description key with long s", t(`,"de`+"\u017f"+`cription":"x"`))
	badAcc("flags key with long s", a(`,"flag`+"\u017f"+`":{}`))
	badAcc("flag key with long s", a(`,"flags":{"debit`+"\u017f"+`_must_not_exceed_credits":true}`))
	badTx("tx key escaped to ID", `{"\u0049D":"tx-1","postings":[`+p5+`]}`)
	badTx("tx key ID beside id", `{"id":"tx-1","ID":"tx-2","postings":[`+p5+`]}`)
	badAcc("account key Name beside name", a(`,"name":"x","Name":"y"`))

	// A key twice in one object.
	badTx("duplicate id, same value", `{"id":"tx-1","id":"tx-1","postings":[`+p5+`]}`)
	badTx("duplicate id, another value", `{"id":"tx-1","postings":[`+p5+`],"id":"tx-2"}`)
	badTx("duplicate id, null first", `{"id":null,"id":"tx-1","postings":[`+p5+`]}`)
	badTx("duplicate id, once escaped", `{"id":"tx-1","\u0069d":"tx-1","postings":[`+p5+`]}`)
	badTx("duplicate id, both escaped", `{"\u0069d":"tx-1","i\u0064":"tx-1","postings":[`+p5+`]}`)
	badTx("duplicate postings", `{"id":"tx-1","postings":[`+p5+`],"postings":[`+p5+`]}`)
	badTx("duplicate postings, null second", `{"id":"tx-1","postings":[`+p5+`],"postings":null}`)
	badTx("duplicate description", t(`,"description":"a","description":"b"`))
	badTx("duplicate description, null first", t(`,"description":null,"description":"b"`))
	badTx("duplicate amount", tp(`[{"debit_account_id":"a","credit_account_id":"b","amount":5,"amount":6}]`))
	badTx("duplicate amount, null first", tp(`[{"debit_account_id":"a","credit_account_id":"b","amount":null,"amount":5}]`))
	badTx("duplicate debit account", tp(`[{"debit_account_id":"a","debit_account_id":"c","credit_account_id":"b","amount":5}]`))
	badTx("duplicate credit account, same value", tp(`[{"debit_account_id":"a","credit_account_id":"b","amount":5,"credit_account_id":"b"}]`))
	badTx("duplicate key in the second posting", tp(`[`+p5+`,{"debit_account_id":"a","credit_account_id":"b","amount":5,"amount":5}]`))
	badAcc("duplicate account id", `{"id":"acc-1","ledger":"USD","id":"acc-2"}`)
	badAcc("duplicate ledger", `{"id":"acc-1","ledger":"USD","ledger":"EUR"}`)
	badAcc("duplicate name", a(`,"name":"a","name":"a"`))
	badAcc("duplicate flags", a(`,"flags":{},"flags":{"debits_must_not_exceed_credits":true}`))
	badAcc("duplicate debits flag", a(`,"flags":{"debits_must_not_exceed_credits":true,"debits_must_not_exceed_credits":false}`))
	badAcc("duplicate credits flag, null first", a(`,"flags":{"credits_must_not_exceed_debits":null,"credits_must_not_exceed_debits":true}`))
	badAcc("duplicate flag, once escaped", a(`,"flags":{"debits_must_not_exceed_credits":true,"debits\u005fmust_not_exceed_credits":true}`))

	// Byte order marks and invalid UTF-8.
	badTx("byte order mark", "\ufeff"+t(``))
	badAcc("byte order mark before an account", "\ufeff"+a(``))
	badTx("byte order mark after the value", t(``)+"\ufeff")
	badTx("byte order mark between tokens", `{"id":"tx-1",`+"\ufeff"+`"postings":[`+p5+`]}`)
	badTx("UTF-16 byte order mark", "\xff\xfe"+t(``))
	badTx("UTF-16LE body", utf16LE(t(``)))
	badTx("invalid byte in description", t(`,"description":"a`+"\xff"+`b"`))
	badTx("invalid byte in id", `{"id":"tx`+"\xfe"+`","postings":[`+p5+`]}`)
	badTx("invalid byte in account id", tp(`[{"debit_account_id":"a`+"\x80"+`","credit_account_id":"b","amount":5}]`))
	badTx("invalid byte in a key", `{"i`+"\xff"+`d":"tx-1","postings":[`+p5+`]}`)
	badTx("invalid byte in an unknown key", t(`,"x`+"\xc3"+`":1`))
	badTx("invalid byte between tokens", `{"id":"tx-1",`+"\xa0"+`"postings":[`+p5+`]}`)
	badTx("truncated sequence at the end", t(``)+"\xe2\x82")
	badAcc("truncated sequence in name", a(`,"name":"`+"\xe2\x82"+`"`))
	badAcc("overlong encoding in name", a(`,"name":"`+"\xc0\xaf"+`"`))
	badAcc("encoded surrogate in name", a(`,"name":"`+"\xed\xa0\x80"+`"`))
	badAcc("above U+10FFFF in name", a(`,"name":"`+"\xf4\x90\x80\x80"+`"`))
	badAcc("Latin-1 é in name", a(`,"name":"Caf`+"\xe9"+`"`))
	badAcc("lone continuation byte in ledger", `{"id":"acc-1","ledger":"US`+"\x80"+`D"}`)
	badAcc("lone high surrogate escape", a(`,"name":"a\ud800b"`))
	badAcc("lone low surrogate escape", a(`,"name":"\udc00"`))
	badAcc("high surrogate then a letter escape", a(`,"name":"\ud800\u0041"`))
	badAcc("two high surrogates", a(`,"name":"\ud800\ud800"`))
	badAcc("surrogates in reverse order", a(`,"name":"\ude00\ud83d"`))
	badAcc("high surrogate at the end of a string", a(`,"name":"x\uDBFF"`))
	badTx("lone surrogate in description", t(`,"description":"\udfff"`))
	badTx("lone surrogate in a key", `{"id\ud800":"tx-1","postings":[`+p5+`]}`)

	// Nesting deeper than the types.
	badTx("postings nested one level too deep", tp(`[[`+p5+`]]`))
	badTx("postings nested 10000 deep", tp(strings.Repeat("[", 10000)+p5+strings.Repeat("]", 10000)))
	badTx("postings as 10000 nested arrays", tp(deep(10000)))
	badTx("id as an array", `{"id":["tx-1"],"postings":[`+p5+`]}`)
	badTx("id as an object", `{"id":{"id":"tx-1"},"postings":[`+p5+`]}`)
	badTx("description as nested arrays", t(`,"description":[[[]]]`))
	badTx("account id in a posting as an object", tp(`[{"debit_account_id":{"id":"a"},"credit_account_id":"b","amount":5}]`))
	badTx("amount as an array", amount(`[5]`))
	badTx("amount as 10000 nested arrays", amount(deep(10000)))
	badTx("amount as an object", amount(`{"value":5}`))
	badTx("postings element as an array of an object", tp(`[[{}]]`))
	badAcc("flags as an array", a(`,"flags":[]`))
	badAcc("flag as an object", a(`,"flags":{"debits_must_not_exceed_credits":{"value":true}}`))
	badAcc("flag as an array", a(`,"flags":{"debits_must_not_exceed_credits":[true]}`))
	badAcc("name as an array", a(`,"name":["x"]`))
	badAcc("ledger as 10000 nested objects", `{"id":"acc-1","ledger":`+strings.Repeat(`{"a":`, 10000)+`1`+strings.Repeat(`}`, 10000)+`}`)
	badTx("10000 open brackets", strings.Repeat("[", 10000))
	badTx("100000 nested arrays", deep(100000))
	badTx("unknown key with deep arrays", `{"x":`+deep(10000)+`}`)
	badTx("unknown key with deep objects", `{"x":`+strings.Repeat(`{"a":`, 10000)+`1`+strings.Repeat(`}`, 10000)+`}`)
	badTx("object in an array of objects", `[`+t(``)+`]`)

	// Numbers that are not int64 integer literals.
	for _, n := range []string{"1.5", "1e3", "1E3", "1e+3", "1e0", "10.0", "5.00", "-0.0", "0e0", "1e-3", "-1.0",
		"9223372036854775808", "-9223372036854775809", "99999999999999999999", "-99999999999999999999", strings.Repeat("9", 400),
		"01", "-01", "00", "+1", ".5", "1.", "0x10", "NaN", "Infinity", "-Infinity", "-", `"10"`, `"5"`, "1_000", "5 5", "true", "{}"} {
		name := n
		if len(name) > 24 {
			name = fmt.Sprintf("%s… (%d digits)", n[:3], len(n))
		}
		badTx("amount "+name, amount(n))
	}

	// Whitespace: only space, tab, line feed and carriage return.
	badTx("form feed between tokens", `{"id":"tx-1",`+"\f"+`"postings":[`+p5+`]}`)
	badTx("vertical tab between tokens", `{"id":"tx-1",`+"\v"+`"postings":[`+p5+`]}`)
	badTx("no-break space between tokens", `{"id":"tx-1",`+"\u00a0"+`"postings":[`+p5+`]}`)
	badTx("line separator between tokens", `{"id":"tx-1",`+"\u2028"+`"postings":[`+p5+`]}`)
	badTx("NUL between tokens", `{"id":"tx-1",`+"\x00"+`"postings":[`+p5+`]}`)
	badTx("form feed before the value", "\f"+t(``))

	// Trailing data.
	for _, s := range []struct{ name, tail string }{{"an object", ` {}`}, {"a letter", `x`}, {"a brace", `}`}, {"a bracket", `]`},
		{"null", ` null`}, {"a NUL byte", "\x00"}, {"a form feed", "\f"}, {"a comma", `,`}, {"a comment", ` // c`},
		{"the body again", t(``)}, {"a number", ` 1`}} {
		badTx("trailing "+s.name, t(``)+s.tail)
	}
	badAcc("trailing data after an account", a(``)+` {}`)

	// Escapes.
	badTx("unknown escape", t(`,"description":"\x41"`))
	badTx("capital U escape", t(`,"description":"\U0041"`))
	badTx("escaped single quote", t(`,"description":"\'"`))
	badTx("short unicode escape", t(`,"description":"\u12"`))
	badTx("non-hex unicode escape", t(`,"description":"\u12g4"`))
	badTx("backslash at the end", t(`,"description":"\`))
	badTx("bad escape in a key", `{"i\d":"tx-1","postings":[`+p5+`]}`)
	badTx("escaped solidus makes another key", t(`,"de\/scription":"x"`))
	badTx("escaped NUL in a key", `{"id\u0000":"tx-1","postings":[`+p5+`]}`)
	badAcc("raw control character in name", a(`,"name":"a`+"\x01"+`b"`))
	badAcc("raw newline in name", a(`,"name":"a`+"\n"+`b"`))
	badAcc("raw tab in name", a(`,"name":"a`+"\t"+`b"`))
	badAcc("raw NUL in name", a(`,"name":"a`+"\x00"+`b"`))

	// Syntax.
	badTx("trailing comma", t(`,`))
	badTx("trailing comma in postings", tp(`[`+p5+`,]`))
	badTx("leading comma", `{,"id":"tx-1","postings":[`+p5+`]}`)
	badTx("missing colon", `{"id" "tx-1","postings":[`+p5+`]}`)
	badTx("missing comma", `{"id":"tx-1" "postings":[`+p5+`]}`)
	badTx("unquoted key", `{id:"tx-1","postings":[`+p5+`]}`)
	badTx("single quotes", `{'id':'tx-1','postings':[`+p5+`]}`)
	badTx("block comment", `{/* c */"id":"tx-1","postings":[`+p5+`]}`)
	badTx("unclosed object", `{"id":"tx-1","postings":[`+p5+`]`)
	badTx("unclosed array", `{"id":"tx-1","postings":[`+p5)
	badTx("unclosed string", `{"id":"tx-1`)
	badTx("bad literal", t(`,"description":nul`))
	badTx("capitalised literal", t(`,"description":NULL`))
	badTx("key that is not a string", `{1:"tx-1"}`)
	badTx("empty key", t(`,"":1`))

	// Not an object.
	for _, s := range []struct{ name, body string }{{"empty body", ``}, {"only whitespace", " \n\t\r "}, {"bare null", `null`},
		{"bare null in whitespace", " null\n"}, {"an array", `[]`}, {"a string", `"tx-1"`}, {"a number", `1`}, {"true", `true`}} {
		badTx("body "+s.name, s.body)
	}
	badAcc("account body null", `null`)
	badAcc("account body array", `[`+a(``)+`]`)

	// Wrong types.
	badTx("number for id", `{"id":1,"postings":[`+p5+`]}`)
	badTx("bool for description", t(`,"description":true`))
	badTx("number for description", t(`,"description":5`))
	badTx("string for postings", `{"id":"tx-1","postings":"a"}`)
	badTx("object for postings", `{"id":"tx-1","postings":`+p5+`}`)
	badTx("number in postings", tp(`[1]`))
	badTx("string in postings", tp(`["a"]`))
	badTx("number for account id in a posting", tp(`[{"debit_account_id":7,"credit_account_id":"b","amount":5}]`))
	badAcc("string for a flag", a(`,"flags":{"debits_must_not_exceed_credits":"true"}`))
	badAcc("number for a flag", a(`,"flags":{"debits_must_not_exceed_credits":1}`))
	badAcc("string for flags", a(`,"flags":"debits_must_not_exceed_credits"`))
	badAcc("bool for flags", a(`,"flags":true`))
	badAcc("number for name", a(`,"name":5`))
	badAcc("number for ledger", `{"id":"acc-1","ledger":5}`)

	// Unknown fields, also the response's.
	badTx("unknown field", t(`,"memo":"x"`))
	badTx("unknown null field", t(`,"memo":null`))
	badTx("unknown field in a posting", tp(`[{"debit_account_id":"a","credit_account_id":"b","amount":5,"currency":"USD"}]`))
	for _, k := range []string{"seq", "risk_flags", "created_at"} {
		badTx("response field "+k, t(`,"`+k+`":null`))
	}
	badAcc("unknown field in flags", a(`,"flags":{"frozen":true}`))
	for _, k := range []string{"balance", "debits_posted", "created_at"} {
		badAcc("response field "+k, a(`,"`+k+`":0`))
	}
	return bodies
}

func repeat(p Posting, n int) []Posting {
	ps := make([]Posting, n)
	for i := range ps {
		ps[i] = p
	}
	return ps
}

// utf16LE encodes an ASCII string as UTF-16LE with a byte order mark.
func utf16LE(s string) string {
	b := []byte{0xff, 0xfe}
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return string(b)
}
