package std

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"stacklab/stacks/parttest/codectest"
)

// utf8Bodies are a typical request body and one with a long non-ASCII description.
var utf8Bodies = []struct{ name, body string }{
	{"body=typical", `{"id":"tx-0001-7f3a9c","postings":[` +
		`{"debit_account_id":"acc-alice","credit_account_id":"acc-bob","amount":1250},` +
		`{"debit_account_id":"acc-bob","credit_account_id":"acc-carol","amount":99999}],` +
		`"description":"rent for November, flat 3 <b>"}`},
	{"body=long_unicode", `{"id":"tx-1","postings":[{"debit_account_id":"a","credit_account_id":"b","amount":1}],` +
		`"description":"` + strings.Repeat("é€😀 ", 50) + `"}`},
}

// BenchmarkUTF8Check measures what the utf8.Valid check costs: check=on is Unmarshal, check=off
// the same strict decode without the check, check=only the check alone, and check=lenient plain
// json.Unmarshal (no check of unknown fields, UTF-8 or trailing data) for reference.
func BenchmarkUTF8Check(b *testing.B) {
	variants := []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"check=on", Codec{}.Unmarshal},
		{"check=off", decode},
		{"check=only", nil},
		{"check=lenient", json.Unmarshal},
	}
	for _, body := range utf8Bodies {
		for _, v := range variants {
			b.Run(body.name+"/"+v.name, func(b *testing.B) {
				data := []byte(body.body)
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				if v.decode == nil {
					for b.Loop() {
						if !utf8.Valid(data) {
							b.Fatal("invalid UTF-8")
						}
					}
					return
				}
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
