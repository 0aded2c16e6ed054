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
)

func ExampleWorkloads() {
	fmt.Println(loadgen.Workloads())
	// Output: [json ledger-mix plaintext read ssr transfer]
}

// Run drives a stack for one run; the result says how it answered and whether the generator
// could be trusted, and writes itself as JSON, benchmark lines or a summary.
func ExampleRun() {
	srv := httptest.NewServer(testsrv.New(testsrv.Options{})) // a stack's base URL in real use
	defer srv.Close()
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		Target:   srv.URL,
		Workload: "json",
		Rate:     200, // requests per second, open loop
		Duration: time.Second,
		Name:     "BenchmarkLedger/http=nethttp/store=sqlc/json=std/redis=goredis",
		Progress: func(p loadgen.Progress) { fmt.Fprintln(os.Stderr, p.Phase, p.Completed) },
	})
	if err != nil {
		log.Fatal(err)
	}
	o := res.Ops[0]
	fmt.Println(o.Name, o.Requests > 150, o.ErrorCount, res.Mode)
	_ = res.WriteBench(os.Stderr) // BenchmarkLedger/.../op=json 200 … p99-ns … req/s …
	// Output: json true 0 open
}
