package std

import (
	"encoding/json"
	"strings"
	"testing"

	"stacklab/stacks/parttest/codectest"
)

// BenchmarkUTF8Check measures what the utf8.Valid check costs on top of the strict decode, on a
// typical request body and on one with a long non-ASCII description; lenient is plain
// json.Unmarshal (no check of unknown fields, UTF-8 or trailing data) for reference.
func BenchmarkUTF8Check(b *testing.B) {
	bodies := []struct{ name, body string }{
		{"body=typical", `{"id":"tx-0001-7f3a9c","postings":[` +
			`{"debit_account_id":"acc-alice","credit_account_id":"acc-bob","amount":1250},` +
			`{"debit_account_id":"acc-bob","credit_account_id":"acc-carol","amount":99999}],` +
			`"description":"rent for November, flat 3 <b>"}`},
		{"body=long_unicode", `{"id":"tx-1","postings":[{"debit_account_id":"a","credit_account_id":"b","amount":1}],` +
			`"description":"` + strings.Repeat("é€😀 ", 50) + `"}`},
	}
	variants := []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"check=on", Codec{}.Unmarshal},
		{"check=off", decode},
		{"check=lenient", json.Unmarshal},
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
