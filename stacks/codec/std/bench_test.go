package std

import (
	"encoding/json"
	"strings"
	"testing"

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
// the same decode without the check, check=only the check alone, and check=lenient plain
// json.Unmarshal (no check of keys, UTF-8 or trailing data) for reference.
func BenchmarkStrictCheck(b *testing.B) {
	variants := []struct {
		name   string
		decode func([]byte, any) error
	}{
		{"check=on", Codec{}.Unmarshal},
		{"check=off", decode},
		{"check=only", strict.Check},
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
