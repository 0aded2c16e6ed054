package loadgen_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"time"

	"stacklab/loadgen"
	"stacklab/loadgen/internal/testsrv"
	"stacklab/results"
)

func ExampleWorkloads() {
	fmt.Println(loadgen.Workloads())
	// Output: [balances codec json ledger-mix plaintext read ssr transfer]
}

// Run drives a stack for one run; the result says how it answered and whether the generator
// could be trusted. It writes itself as JSON or a summary, and becomes the lab's records, which
// the lab's writer turns into benchmark lines.
func ExampleRun() {
	srv := httptest.NewServer(testsrv.New(testsrv.Options{})) // a stack's base URL in real use
	defer srv.Close()
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		Target:   srv.URL,
		Workload: "json",
		Rate:     200, // requests per second, open loop
		Duration: time.Second,
		Progress: func(p loadgen.Progress) { fmt.Fprintln(os.Stderr, p.Phase, p.Completed) },
	})
	if err != nil {
		log.Fatal(err)
	}
	o := res.Ops[0]
	fmt.Println(o.Name, o.Requests > 150, o.ErrorCount, res.Mode)
	stack := "http=nethttp/store=sqlc/json=std/redis=goredis"
	recs := res.Records(results.Record{Stack: stack, Dims: results.MustParseDims(stack)})
	_ = results.WriteBench(os.Stderr, nil, recs, nil) // BenchmarkLedger/http=…/workload=json/op=all 200 … p99-ns … req/s …
	// Output: json true 0 open
}
