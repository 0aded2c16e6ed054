package compare_test

import (
	"fmt"
	"os"
	"time"

	"stacklab/results"
	"stacklab/results/compare"
	"stacklab/results/stats"
)

// exampleRun is one stack measured over len(rates) rounds.
func exampleRun(id string, rates ...float64) *results.Run {
	run := results.NewRun(id, time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	st := results.StackInfo{Name: "http=nethttp/store=sqlc/json=std/redis=goredis",
		Dims: results.MustParseDims("http=nethttp/store=sqlc/json=std/redis=goredis"), Conformance: results.Conformance{Ran: true, Passed: 75}}
	run.Stacks = []results.StackInfo{st}
	for round, rate := range rates {
		run.Records = append(run.Records, results.Record{RunID: id, Stack: st.Name, Dims: st.Dims, Workload: "transfer", Op: "all",
			Round: round, Mode: "closed", Requests: int64(rate * 10), Rate: rate, Valid: true, Conformant: true})
	}
	return run
}

func ExampleCompare() {
	base := exampleRun("base", 1010, 990, 1002, 998, 1005, 995, 1001, 999)
	slower := exampleRun("new", 810, 790, 802, 798, 805, 795, 801, 799)
	res := compare.Compare(base, slower, compare.Options{Metrics: []stats.Metric{stats.Throughput}})
	fmt.Println("regressed:", res.Regressed())
	if err := res.Write(os.Stdout, compare.Text); err != nil {
		fmt.Println(err)
	}
	// Output:
	// regressed: true
	// base: base (commit unknown, 8 rounds)
	// new:  new (commit unknown, 8 rounds)
	// statistics: medians with 95% CIs; Mann-Whitney U test, alpha 0.05; minimum effects: throughput 5%; at least 6 samples per side
	//
	// throughput (req/s, higher is better; min effect 5%)
	// benchmark                                                                base         new         delta    p      n    verdict
	// http=nethttp/store=sqlc/json=std/redis=goredis/workload=transfer/op=all  1.000k ± 1%  800.0 ± 1%  -20.00%  0.000  8+8  REGRESSION
	//
	// verdict: 1 regression, 0 improvements, 0 below the minimum effect, 0 unchanged, 0 with insufficient samples (1 comparison)
	//   REGRESSION http=nethttp/store=sqlc/json=std/redis=goredis/workload=transfer/op=all throughput: 1.000k → 800.0 (-20.00%, p=0.000)
}

func ExampleAA() {
	run := results.NewRun("aa", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	for _, label := range []string{"a", "b"} {
		part := exampleRun("aa", 1010, 990, 1002, 998, 1005, 995, 1001, 999)
		part.Stacks[0].Label = label
		for i := range part.Records {
			part.Records[i].Label = label
			part.Records[i].Rate += map[string]float64{"a": 0, "b": 1}[label] // a hair apart
		}
		run.Stacks = append(run.Stacks, part.Stacks...)
		run.Records = append(run.Records, part.Records...)
	}
	aa := compare.AA(run, compare.Options{Metrics: []stats.Metric{stats.Throughput}})
	fmt.Printf("pairs: %v\n", aa.Pairs)
	fmt.Printf("throughput: median |Δ| %.2f%%, false regressions %d of %d\n",
		aa.Metrics[0].MedianAbsDelta, aa.Metrics[0].FalseRegressions, aa.Metrics[0].Comparisons)
	// Output:
	// pairs: [http=nethttp/store=sqlc/json=std/redis=goredis: a vs b]
	// throughput: median |Δ| 0.10%, false regressions 0 of 1
}
