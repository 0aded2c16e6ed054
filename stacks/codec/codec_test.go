package codec_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/codec/sonic"
	"stacklab/stacks/codec/std"
	"stacklab/stacks/parttest/codectest"
)

var codecs = []app.Codec{std.New(), sonic.New()}

// agreeDecode decodes data with both codecs into fresh values made by into and fails unless both
// refuse it or both decode it to equal values.
func agreeDecode(t *testing.T, data []byte, into func() any) {
	t.Helper()
	a, b := into(), into()
	errA := std.New().Unmarshal(data, a)
	errB := sonic.New().Unmarshal(data, b)
	if (errA == nil) != (errB == nil) {
		t.Fatalf("codecs disagree on %q:\n std: %v\nsonic: %v", data, errA, errB)
	}
	if errA == nil && !reflect.DeepEqual(a, b) {
		t.Fatalf("codecs decode %q differently:\n  std: %#v\nsonic: %#v", data, a, b)
	}
}

func intoTx() any      { return new(codectest.NewTransaction) }
func intoAccount() any { return new(codectest.NewAccount) }

var seeds = []string{
	`{"id":"tx-1","postings":[{"debit_account_id":"a","credit_account_id":"b","amount":1250}],"description":"rent"}`,
	`{"id":"a","ledger":"USD","name":"Alice \u00e9 \ud83d\ude00","flags":{"debits_must_not_exceed_credits":true}}`,
	`{"postings":[{"amount":1e3}]}`, `{"postings":[{"amount":-0}]}`, `{"postings":[null]}`,
	`{"name":"\ud800\udbff\udfff"}`, `{"ID":"x"}`, `{} `, `null`, `[]`, "{\"name\":\"\x01\"}",
}

// FuzzAgree checks that the std and sonic codecs accept and refuse the same request bodies and
// decode them to the same values. go test runs the seeds; go test -fuzz FuzzAgree explores.
func FuzzAgree(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		agreeDecode(t, data, intoTx)
		agreeDecode(t, data, intoAccount)
	})
}

// FuzzEncodeAgree checks that each codec decodes the other's encoding of an account to the same
// value, and that both encode it to the same bytes unless a string holds a control character or
// U+2028/U+2029: encoding/json writes \b and \f and always escapes U+2028 and U+2029, where sonic
// writes \u0008, \u000c and the two separators as they are.
func FuzzEncodeAgree(f *testing.F) {
	f.Add("Alice <3 & \"Bob\" é 😀", "acc-1")
	f.Add("a\x00\x1f\x7f\\/", "\xff")
	f.Add("\u2028\u2029\b\f", "x")
	f.Fuzz(func(t *testing.T, name, id string) {
		in := ledgerspec.Account{ID: id, Ledger: "USD", Name: name, DebitsPosted: int64(len(name))}
		a, errA := std.New().Marshal(in)
		b, errB := sonic.New().Marshal(in)
		if errA != nil || errB != nil {
			t.Fatalf("Marshal(%#v): std %v, sonic %v", in, errA, errB)
		}
		var backA, backB ledgerspec.Account
		if err := std.New().Unmarshal(b, &backA); err != nil {
			t.Fatalf("std cannot decode sonic's %s: %v", b, err)
		}
		if err := sonic.New().Unmarshal(a, &backB); err != nil {
			t.Fatalf("sonic cannot decode std's %s: %v", a, err)
		}
		if backA != backB {
			t.Fatalf("encodings decode differently: %#v vs %#v", backA, backB)
		}
		escapedDifferently := strings.ContainsFunc(name+id, func(r rune) bool {
			return r < 0x20 || r == '\u2028' || r == '\u2029'
		})
		if !escapedDifferently && !bytes.Equal(a, b) {
			t.Fatalf("encodings differ for %#v:\n  std: %s\nsonic: %s", in, a, b)
		}
	})
}

// requestBody is a NewTransaction-shaped request with two postings.
var requestBody = []byte(`{"id":"tx-0001-7f3a9c","postings":[` +
	`{"debit_account_id":"acc-alice","credit_account_id":"acc-bob","amount":1250},` +
	`{"debit_account_id":"acc-bob","credit_account_id":"acc-carol","amount":99999}],` +
	`"description":"rent for November, flat 3 <b>"}`)

var transaction = ledgerspec.Transaction{ID: "tx-0001-7f3a9c", Seq: 123456,
	Postings: []ledgerspec.Posting{
		{DebitAccountID: "acc-alice", CreditAccountID: "acc-bob", Amount: 1250},
		{DebitAccountID: "acc-bob", CreditAccountID: "acc-carol", Amount: 99999}},
	Description: "rent for November, flat 3 <b>", RiskFlags: []string{},
	CreatedAt: "2026-11-24T10:00:00.123456Z"}

var account = ledgerspec.Account{ID: "acc-alice", Ledger: "USD", Name: "Alice <3",
	Flags:        ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true},
	DebitsPosted: 1250, CreditsPosted: 500000, Balance: 498750, CreatedAt: "2026-11-24T10:00:00.123456Z"}

// BenchmarkCodec compares the codecs side by side: benchstat -col /json compares them per op.
func BenchmarkCodec(b *testing.B) {
	for _, c := range codecs {
		b.Run("json="+c.Name()+"/op=decode_transaction", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(requestBody)))
			for b.Loop() {
				var v codectest.NewTransaction
				if err := c.Unmarshal(requestBody, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, op := range []struct {
			name string
			v    any
		}{{"encode_transaction", &transaction}, {"encode_account", &account}} {
			b.Run("json="+c.Name()+"/op="+op.name, func(b *testing.B) {
				b.ReportAllocs()
				out, err := c.Marshal(op.v)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
				for b.Loop() {
					if _, err := c.Marshal(op.v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
