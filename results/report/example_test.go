package report_test

import (
	"fmt"
	"os"
	"time"

	"stacklab/results"
	"stacklab/results/report"
)

func ExampleReport_WriteMarkdown() {
	run := results.NewRun("20261124T100000Z-abc123", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	run.Env = results.Env{CPUModel: "Test CPU", Cores: 2, Kernel: "6.18", GoVersion: "go1.26.8", GOMAXPROCS: 1, GitCommit: "deadbeef"}
	for _, json := range []string{"std", "sonic"} {
		name := "http=nethttp/store=sqlc/json=" + json + "/redis=goredis"
		d := results.MustParseDims(name)
		st := results.StackInfo{Name: name, Dims: d,
			Conformance: results.Conformance{Ran: true, Passed: 75}}
		run.Stacks = append(run.Stacks, st)
		for round := range 6 {
			rate := map[string]float64{"std": 2000, "sonic": 2200}[json] + float64(round)
			run.Records = append(run.Records, results.Record{RunID: run.ID, Stack: st.Name, Dims: d, Workload: "transfer", Op: "all",
				Round: round, Mode: "closed", Requests: int64(rate * 10), Rate: rate,
				Corrected: results.Latency{P50: 1e6, P99: 4e6, P999: 9e6}, Valid: true, Conformant: true})
		}
	}
	rep, err := report.Build([]*results.Run{run}, report.Options{Baseline: "http=nethttp/store=sqlc/json=std/redis=goredis"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := rep.WriteMarkdown(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ## stacklab report: run `20261124T100000Z-abc123`
	//
	// 6 rounds · Test CPU, 2 cores · 6.18 · go1.26.8 · GOMAXPROCS=1 · commit `deadbeef`
	//
	// **Conformance:** 2 of 2 stacks conform.
	//
	// ### transfer (closed loop, ranked by throughput)
	//
	// | # | stack | req/s | p50 | p99 | p99.9 | CPU/req | errors | valid |
	// |--:|---|--:|--:|--:|--:|--:|--:|--:|
	// | 1 | `http=nethttp/store=sqlc/json=sonic/redis=goredis` | 2.203k ± 0% | 1.00ms ± 0% | 4.00ms ± 0% | 9.00ms ± 0% | — | 0% | 6/6 |
	// | 2 | `http=nethttp/store=sqlc/json=std/redis=goredis` | 2.002k ± 0% | 1.00ms ± 0% | 4.00ms ± 0% | 9.00ms ± 0% | — | 0% | 6/6 |
	//
	// ### Verdicts
	//
	// Each part against the baseline `http=nethttp/store=sqlc/json=std/redis=goredis` (given), in a stack that differs from it in that dimension only: the change of the median with its 95% bootstrap interval. Rule: a difference counts only when it is significant (Mann-Whitney U, p < 0.05, at least 6 valid rounds a side), beyond the metric's minimum effect (throughput 5%, p99 10%, cpu/req 5%) and beyond the A/A noise floor: no A/A noise floor known; otherwise the stacks are equal (≈).
	//
	// - **http**: no variant of http in this run.
	// - **store**: no variant of store in this run.
	// - **json**: sonic vs std: transfer (closed loop): +10% throughput (95% CI +9.8…+10%)
	// - **redis**: no variant of redis in this run.
	//
	// ### Effect of each choice (others held fixed)
	//
	// Geometric mean of median ratios against the alternatives; (better/worse/pairs) counts the pairs the rule tells apart.
	//
	// | dimension | choice | throughput | p99 | cpu/req |
	// |---|---|--:|--:|--:|
	// | json | `sonic` | ×1.100 (1/0/1) | ×1.000 (0/0/1) | — |
	// | json | `std` | ×0.909 (0/1/1) | ×1.000 (0/0/1) | — |
	//
	// Medians across rounds ± 95% CI; † fewer than 6 valid rounds, no interval, no rank. Rank = 1 + the number of stacks significantly better; ≈ a rank shared with another stack.
}
