package loadgen_test

import (
	"slices"
	"testing"
	"time"

	"stacklab/loadgen"
	"stacklab/results"
)

func syntheticResult() *loadgen.Result {
	start := time.Date(2026, 11, 24, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	op := func(name string, n int64) loadgen.OpResult {
		return loadgen.OpResult{Name: name, Requests: n, ErrorCount: 1, Errors: map[string]int64{"status_5xx": 1}, Rate: float64(n) / 5,
			Corrected: results.Latency{Count: n, P50: 2e6, P99: 9e6, P9999: 2e7, HDR: "HISTFAKE"}, Service: results.Latency{Count: n, P50: 1e6}}
	}
	res := &loadgen.Result{Mode: loadgen.ModeOpen, RequestedRate: 200, SentRate: 200, Started: start, WindowSeconds: 5, Valid: true,
		Config: loadgen.Config{Workload: "ledger-mix", Warmup: 2 * time.Second, Conns: 16},
		Ops:    []loadgen.OpResult{op("get_account", 600), op("transfer", 400)}, All: op("all", 1000)}
	res.Self.SchedLag.P99 = 1_500_000
	res.Self.Late = 10
	return res
}

func TestRecords(t *testing.T) {
	res := syntheticResult()
	const stack = "http=nethttp/store=sqlc/json=std/redis=goredis"
	base := results.Record{RunID: "run1", Stack: stack, Label: "a", Dims: results.MustParseDims(stack), Workload: "mix@200",
		WorkloadKind: "ledger-mix", Round: 3, Trial: 7, Conformant: true, StackCPU: 0.5}
	recs := res.Records(base)
	if len(recs) != 3 || recs[0].Op != "get_account" || recs[1].Op != "transfer" || recs[2].Op != "all" {
		t.Fatalf("records: %+v", recs)
	}
	for i, r := range recs {
		o := append(res.Ops, res.All)[i]
		if r.RunID != "run1" || r.Stack != stack || r.Label != "a" || r.Dims.Get("json") != "std" || r.Workload != "mix@200" ||
			r.WorkloadKind != "ledger-mix" || r.Round != 3 || r.Trial != 7 || !r.Conformant || r.StackCPU != 0.5 {
			t.Errorf("record %s lost what base said: %+v", r.Op, r)
		}
		if r.Mode != "open" || r.RequestedRate != 200 || !r.Started.Equal(res.Started) || r.Started.Location() != time.UTC ||
			r.Seconds != 5 || r.Conns != 16 || !r.Valid || r.GenLagP99 != 1_500_000 || r.GenLateFraction != 0.01 {
			t.Errorf("record %s: the run's measurements: %+v", r.Op, r)
		}
		if r.Requests != o.Requests || r.Errors != 1 || r.ByClass["status_5xx"] != 1 || r.Rate != o.Rate ||
			r.Corrected != o.Corrected || r.Service != o.Service || r.Corrected.P9999 != 2e7 || r.Corrected.HDR != "HISTFAKE" {
			t.Errorf("record %s: its operation's numbers: %+v", r.Op, r)
		}
	}
	if from, to := res.Window(); !from.Equal(res.Started.Add(2*time.Second)) || !to.Equal(res.Started.Add(7*time.Second)) {
		t.Errorf("window %v–%v, want the 5 s after the 2 s warm-up", from, to)
	}

	// A one-operation workload gives only its "all" record; an empty base takes the generator's
	// workload; closed loop has no requested rate; an invalid run says why.
	res.Ops = res.Ops[:1]
	res.Mode, res.Valid, res.InvalidReasons = loadgen.ModeClosed, false, []string{"lagged"}
	recs = res.Records(results.Record{})
	if len(recs) != 1 || recs[0].Op != "all" || recs[0].Workload != "ledger-mix" || recs[0].WorkloadKind != "ledger-mix" ||
		recs[0].RequestedRate != 0 || recs[0].Mode != "closed" || recs[0].Valid || !slices.Equal(recs[0].InvalidReasons, []string{"lagged"}) {
		t.Errorf("one-op closed invalid workload: %+v", recs)
	}
	recs[0].InvalidReasons[0] = "changed"
	if res.InvalidReasons[0] != "lagged" {
		t.Error("the records share the result's reasons")
	}
}

func TestSweepRecords(t *testing.T) {
	step1, step2 := syntheticResult(), syntheticResult()
	step2.RequestedRate = 400
	sw := &loadgen.SweepResult{Runs: []*loadgen.Result{step1, step2},
		Points: []loadgen.SweepPoint{{MeetsSLO: true}, {MeetsSLO: false, Breaks: []string{"p99 140ms over 100ms"}}}}
	recs := sw.Records(results.Record{RunID: "r", Round: 1})
	if len(recs) != 6 {
		t.Fatalf("%d records, want 3 per step", len(recs))
	}
	for i, r := range recs {
		step := i/3 + 1
		if r.Step != step || r.RunID != "r" || r.Round != 1 || r.SLOMet != (step == 1) || (step == 2) != (len(r.SLOBreaks) == 1) ||
			r.RequestedRate != sw.Runs[step-1].RequestedRate {
			t.Errorf("record %d (%s): step %d, SLO met %v %v, rate %v", i, r.Op, r.Step, r.SLOMet, r.SLOBreaks, r.RequestedRate)
		}
	}
}
