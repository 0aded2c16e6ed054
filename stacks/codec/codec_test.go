package codec_test

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"stacklab/ledgerspec"
	"stacklab/stacks"
	"stacklab/stacks/app"
	"stacklab/stacks/parttest/codectest"
)

// unavailable is what a codec that cannot work in this binary (jsonv2 without its GOEXPERIMENT)
// implements to say so.
type unavailable interface{ Unavailable() error }

// registered returns every codec of the registry that works in this binary, sorted by name, with
// the std codec first: it is the reference the others are compared with.
func registered(tb testing.TB) []app.Codec {
	tb.Helper()
	var out []app.Codec
	for _, name := range slices.Sorted(maps.Keys(stacks.Codecs)) {
		c := stacks.Codecs[name]()
		if u, ok := c.(unavailable); ok && u.Unavailable() != nil {
			tb.Logf("codec %s is not compared in this binary: %v", name, u.Unavailable())
			continue
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b app.Codec) int {
		return cmpBool(b.Name() == "std", a.Name() == "std")
	})
	if len(out) == 0 || out[0].Name() != "std" {
		tb.Fatal("the registry has no std codec")
	}
	return out
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// TestRegistry checks that each codec is registered under its own name, and that a codec that
// cannot work in this binary refuses to encode and decode with the reason it gives.
func TestRegistry(t *testing.T) {
	if len(stacks.Codecs) < 4 {
		t.Errorf("%d codecs registered, want at least std, sonic, gojson and jsonv2", len(stacks.Codecs))
	}
	for name, newCodec := range stacks.Codecs {
		c := newCodec()
		if c.Name() != name {
			t.Errorf("codec registered as %q is named %q", name, c.Name())
		}
		u, ok := c.(unavailable)
		if !ok || u.Unavailable() == nil {
			continue
		}
		why := u.Unavailable()
		if _, err := c.Marshal(account); err == nil || err.Error() != why.Error() {
			t.Errorf("unavailable codec %s: Marshal error %v, want %v", name, err, why)
		}
		var v codectest.NewAccount
		if err := c.Unmarshal([]byte(`{"id":"a","ledger":"USD"}`), &v); err == nil || err.Error() != why.Error() {
			t.Errorf("unavailable codec %s: Unmarshal error %v, want %v", name, err, why)
		}
	}
}

// agreeDecode decodes data as shape with every codec and fails unless all refuse it or all
// decode it to equal values.
func agreeDecode(t *testing.T, codecs []app.Codec, data []byte, shape codectest.Shape) {
	t.Helper()
	ref := shape.New()
	refErr := codecs[0].Unmarshal(data, ref)
	for _, c := range codecs[1:] {
		got := shape.New()
		err := c.Unmarshal(data, got)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("codecs disagree on %s %s:\n%8s: %v\n%8s: %v", shape, quote(data), codecs[0].Name(), refErr, c.Name(), err)
		}
		if err == nil && !reflect.DeepEqual(got, ref) {
			t.Fatalf("codecs decode %s %s differently:\n%8s: %#v\n%8s: %#v", shape, quote(data), codecs[0].Name(), ref, c.Name(), got)
		}
	}
}

func quote(data []byte) string {
	if len(data) > 160 {
		return fmt.Sprintf("%q… (%d bytes)", data[:160], len(data))
	}
	return fmt.Sprintf("%q", data)
}

// TestCorpusAgree checks that every codec reaches the same decision on every corpus body and
// decodes the accepted ones to the same values (each codec's own test checks them against the
// contract's decision).
func TestCorpusAgree(t *testing.T) {
	codecs := registered(t)
	for _, b := range codectest.Corpus() {
		t.Run(b.Shape.String()+"/"+b.Name, func(t *testing.T) {
			agreeDecode(t, codecs, []byte(b.JSON), b.Shape)
		})
	}
}

// FuzzAgree checks that all codecs accept and refuse the same request bodies and decode them to
// the same values. go test runs the seeds; go test -fuzz FuzzAgree explores.
func FuzzAgree(f *testing.F) {
	for _, b := range codectest.Corpus() {
		if len(b.JSON) < 4096 {
			f.Add([]byte(b.JSON))
		}
	}
	codecs := registered(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		agreeDecode(t, codecs, data, codectest.Transaction)
		agreeDecode(t, codecs, data, codectest.Account)
	})
}

// escapedDifferently are the strings a codec may write with other escapes than encoding/json, as
// its package comment documents. Every codec not named here writes encoding/json's bytes. (In a
// build where encoding/json is itself built on encoding/json/v2, stdOnV2, the std codec is the one
// that writes invalid UTF-8 differently, so no codec is compared with it there on such strings.)
var escapedDifferently = map[string]func(string) bool{
	// sonic writes \u0008 and \u000c where encoding/json writes \b and \f, and U+2028 and U+2029
	// as they are where encoding/json escapes them.
	"sonic": func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == '\u2028' || r == '\u2029' })
	},
	// encoding/json/v2 writes the U+FFFD that replaces invalid UTF-8 as it is, not as \ufffd.
	"jsonv2": func(s string) bool { return !utf8.ValidString(s) },
}

// FuzzEncodeAgree checks that each codec decodes every other's encoding of an account to the same
// value, and that each encodes it to encoding/json's bytes except for the escapes documented in
// escapedDifferently.
func FuzzEncodeAgree(f *testing.F) {
	f.Add("Alice <3 & \"Bob\" é 😀", "acc-1")
	f.Add("a\x00\x1f\x7f\\/", "\xff")
	f.Add("\u2028\u2029\b\f", "x")
	codecs := registered(f)
	f.Fuzz(func(t *testing.T, name, id string) {
		in := ledgerspec.Account{ID: id, Ledger: "USD", Name: name, DebitsPosted: int64(len(name))}
		out := make([][]byte, len(codecs))
		for i, c := range codecs {
			b, err := c.Marshal(in)
			if err != nil {
				t.Fatalf("%s: Marshal(%#v): %v", c.Name(), in, err)
			}
			out[i] = b
		}
		for i, c := range codecs {
			differs := escapedDifferently[c.Name()]
			allowed := differs != nil && differs(name+id) || stdOnV2 && !utf8.ValidString(name+id)
			if !bytes.Equal(out[i], out[0]) && !allowed {
				t.Fatalf("encodings differ for %#v:\n%8s: %s\n%8s: %s", in, codecs[0].Name(), out[0], c.Name(), out[i])
			}
			var want ledgerspec.Account
			if err := c.Unmarshal(out[0], &want); err != nil {
				t.Fatalf("%s cannot decode %s's %s: %v", c.Name(), codecs[0].Name(), out[0], err)
			}
			for j, other := range codecs {
				var got ledgerspec.Account
				if err := c.Unmarshal(out[j], &got); err != nil {
					t.Fatalf("%s cannot decode %s's %s: %v", c.Name(), other.Name(), out[j], err)
				}
				if got != want {
					t.Fatalf("%s decodes %s's %s and %s's %s differently: %#v vs %#v",
						c.Name(), other.Name(), out[j], codecs[0].Name(), out[0], got, want)
				}
			}
		}
	})
}

// TestEncodeAgree checks that every codec encodes the contract's response types to encoding/json's
// bytes.
func TestEncodeAgree(t *testing.T) {
	codecs := registered(t)
	idx := 2
	values := []any{account, &account, transaction, page(20), ledgerspec.TransactionPage{Items: []ledgerspec.Transaction{}},
		ledgerspec.Balances{Ledger: "USD", AsOfSeq: 9, Accounts: []ledgerspec.AccountBalance{{ID: "a", Balance: -5, DebitsPosted: 5}},
			TotalDebits: "18446744073709551614", TotalCredits: "0"},
		ledgerspec.NewProblem(ledgerspec.CodeExceedsCredits, 2), ledgerspec.Problem{Type: "t", Title: "x", Status: 400, PostingIndex: &idx},
		ledgerspec.NewProblem(ledgerspec.CodeMalformedRequest, -1), ledgerspec.Message{Message: "Hello, World!"},
		ledgerspec.Transaction{ID: "nil slices"}}
	for _, v := range values {
		want, err := codecs[0].Marshal(v)
		if err != nil {
			t.Fatalf("%s: Marshal(%T): %v", codecs[0].Name(), v, err)
		}
		for _, c := range codecs[1:] {
			got, err := c.Marshal(v)
			if err != nil {
				t.Fatalf("%s: Marshal(%T): %v", c.Name(), v, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: Marshal(%T)\n got %s\nwant %s (%s)", c.Name(), v, got, want, codecs[0].Name())
			}
		}
	}
}

// requestBody is a NewTransaction-shaped request with two postings; accountBody a NewAccount.
var (
	requestBody = []byte(`{"id":"tx-0001-7f3a9c","postings":[` +
		`{"debit_account_id":"acc-alice","credit_account_id":"acc-bob","amount":1250},` +
		`{"debit_account_id":"acc-bob","credit_account_id":"acc-carol","amount":99999}],` +
		`"description":"rent for November, flat 3 <b>"}`)
	accountBody = []byte(`{"id":"acc-alice","ledger":"USD","name":"Alice <3",` +
		`"flags":{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":false}}`)
)

var transaction = ledgerspec.Transaction{ID: "tx-0001-7f3a9c", Seq: 123456,
	Postings: []ledgerspec.Posting{
		{DebitAccountID: "acc-alice", CreditAccountID: "acc-bob", Amount: 1250},
		{DebitAccountID: "acc-bob", CreditAccountID: "acc-carol", Amount: 99999}},
	Description: "rent for November, flat 3 <b>", RiskFlags: []string{},
	CreatedAt: "2026-11-24T10:00:00.123456Z"}

var account = ledgerspec.Account{ID: "acc-alice", Ledger: "USD", Name: "Alice <3",
	Flags:        ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true},
	DebitsPosted: 1250, CreditsPosted: 500000, Balance: 498750, CreatedAt: "2026-11-24T10:00:00.123456Z"}

// page is a page of n transactions of 16 postings each, as GET /api/accounts/{id}/transactions
// answers with the default limit.
func page(n int) ledgerspec.TransactionPage {
	p := ledgerspec.TransactionPage{HasMore: true}
	for i := range n {
		tx := ledgerspec.Transaction{ID: fmt.Sprintf("tx-%06d", i), Seq: int64(1000 + i), Description: "payroll run, batch " + fmt.Sprint(i),
			RiskFlags: []string{}, CreatedAt: "2026-11-24T10:00:00.123456Z"}
		if i%5 == 0 {
			tx.RiskFlags = []string{string(ledgerspec.RiskVelocity), string(ledgerspec.RiskLargeAmount)}
		}
		for j := range ledgerspec.MaxPostings {
			tx.Postings = append(tx.Postings, ledgerspec.Posting{DebitAccountID: "acc-employer",
				CreditAccountID: fmt.Sprintf("acc-employee-%02d", j), Amount: int64(250000 + 137*j)})
		}
		p.Items = append(p.Items, tx)
	}
	last := p.Items[n-1].Seq
	p.NextAfter = &last
	return p
}

// BenchmarkCodec compares the registered codecs side by side: benchstat -col /json compares them
// per op. A codec that cannot work in this binary (jsonv2 without its GOEXPERIMENT) is left out.
func BenchmarkCodec(b *testing.B) {
	encodePage := page(20)
	for _, c := range registered(b) {
		for _, op := range []struct {
			name string
			body []byte
			into codectest.Shape
		}{{"decode_transaction", requestBody, codectest.Transaction}, {"decode_account", accountBody, codectest.Account}} {
			b.Run("json="+c.Name()+"/op="+op.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(op.body)))
				for b.Loop() {
					if err := c.Unmarshal(op.body, op.into.New()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		for _, op := range []struct {
			name string
			v    any
		}{{"encode_transaction", &transaction}, {"encode_account", &account}, {"encode_page", &encodePage}} {
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
