package sonic

import (
	"strings"
	"testing"

	"github.com/bytedance/sonic"

	"stacklab/ledgerspec"
	"stacklab/stacks/codec/internal/strict"
	"stacklab/stacks/parttest/codectest"
)

// bodies are a typical request body and one with a long non-ASCII description.
var bodies = []struct{ name, body string }{
	{"body=typical", `{"id":"tx-0001-7f3a9c","postings":[` +
		`{"debit_account_id":"acc-alice","credit_account_id":"acc-bob","amount":1250},` +
		`{"debit_account_id":"acc-bob","credit_account_id":"acc-carol","amount":99999}],` +
		`"description":"rent for November, flat 3 <b>"}`},
	{"body=long_unicode", `{"id":"tx-1","postings":[{"debit_account_id":"a","credit_account_id":"b","amount":1}],` +
		`"description":"` + strings.Repeat("é€😀 ", 50) + `"}`},
}

// BenchmarkStrictCheck measures what the shared pre-check costs: check=on is Unmarshal, check=off
// the same strict decode without the check, check=only the check alone, and check=lenient plain
// sonic.Unmarshal (default config: no check of unknown fields, key case, UTF-8 or control
// characters) for reference.
func BenchmarkStrictCheck(b *testing.B) {
	variants := []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"check=on", Codec{}.Unmarshal},
		{"check=off", decode},
		{"check=only", strict.Check},
		{"check=lenient", sonic.Unmarshal},
	}
	for _, body := range bodies {
		for _, v := range variants {
			b.Run(body.name+"/"+v.name, func(b *testing.B) {
				data := []byte(body.body)
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					var tx codectest.NewTransaction
					if err := v.decode(data, &tx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkEncodeValidateString measures what the ValidateString option (invalid UTF-8 written as
// \ufffd, as encoding/json does) costs when encoding an account, against sonic's default config.
func BenchmarkEncodeValidateString(b *testing.B) {
	acc := ledgerspec.Account{ID: "acc-alice", Ledger: "USD", Name: "Alice <3 é",
		Flags:        ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true},
		DebitsPosted: 1250, CreditsPosted: 500000, Balance: 498750, CreatedAt: "2026-11-24T10:00:00.123456Z"}
	for _, v := range []struct {
		name    string
		marshal func(any) ([]byte, error)
	}{{"validate=on", Codec{}.Marshal}, {"validate=off", sonic.Marshal}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.marshal(&acc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
