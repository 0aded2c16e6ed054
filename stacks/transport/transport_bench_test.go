package transport_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"stacklab/ledgerspec"
	"stacklab/stacks"
	"stacklab/stacks/transport/transporttest"
)

// BenchmarkTransport measures every transport of the registry in-process over loopback, in front
// of the app on in-memory fakes (std codec), with keep-alive raw-TCP clients sending pre-built
// requests and reading Content-Length answers: the transport's cost and the app's, without a
// database or Redis.
//
//	go test -run '^$' -bench Transport -benchtime 2s -count 6 ./transport/
func BenchmarkTransport(b *testing.B) {
	ops := []struct{ name, path string }{
		{"plaintext", ledgerspec.PathBenchPlaintext},
		{"json", ledgerspec.PathBenchJSON},
		{"ledger_page", ledgerspec.LedgerPagePath("BENCH")},
	}
	for _, name := range slices.Sorted(maps.Keys(stacks.Transports)) {
		f := transporttest.Start(b, name, stacks.Transports[name], stacks.Codecs["std"]())
		seedBench(b, f)
		for _, op := range ops {
			raw := transporttest.Request("GET", op.path, nil)
			b.Run("http="+name+"/op="+op.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetParallelism(2) // 2 × GOMAXPROCS connections
				b.RunParallel(func(pb *testing.PB) {
					c, err := transporttest.Dial(f.Addr)
					if err != nil {
						b.Error(err)
						return
					}
					defer c.Close()
					var buf []byte
					var status int
					for pb.Next() {
						if status, buf, err = c.RoundTrip(raw, buf); err != nil || status != 200 {
							b.Errorf("%s: status %d, %v", op.path, status, err)
							return
						}
					}
				})
			})
		}
	}
}

// seedBench gives ledger BENCH 20 accounts and 20 transactions, so its page has rows to render.
func seedBench(b *testing.B, f *transporttest.Fixture) {
	c, err := transporttest.Dial(f.Addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	do := func(path string, body string) {
		r, err := c.Do(transporttest.Request("POST", path, []byte(body), transporttest.JSON...), false)
		if err != nil || r.Status != 201 {
			b.Fatalf("seeding %s %s: %v %+v", path, body, err, r)
		}
	}
	for i := range 20 {
		do(ledgerspec.PathAccounts, fmt.Sprintf(`{"id":"b-%02d","ledger":"BENCH","name":"account %d"}`, i, i))
	}
	for i := range 20 {
		do(ledgerspec.PathTransactions, fmt.Sprintf(`{"id":"bt-%02d","postings":[{"debit_account_id":"b-%02d","credit_account_id":"b-%02d","amount":%d}],"description":"transfer %d"}`,
			i, i, (i+1)%20, 100+i, i))
	}
}
