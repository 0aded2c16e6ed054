package lab

import (
	"errors"
	"strings"
	"testing"
	"time"

	"stacklab/harness/plan"
	"stacklab/loadgen"
	"stacklab/results"
	"stacklab/stacks"
)

// fakeMeter charges every group 1 ms of CPU per 10 ms of window, and knows nothing of Kafka.
type fakeMeter struct{ from, to time.Time }

func (f *fakeMeter) usage(g group, from, to time.Time) (groupUsage, bool) {
	f.from, f.to = from, to
	if g == groupKafka {
		return groupUsage{}, false
	}
	return groupUsage{cpu: to.Sub(from) / 10, volCtx: 7, invol: 3}, true
}

func TestRecordsOf(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	op := func(name string, n int64) loadgen.OpResult {
		return loadgen.OpResult{Name: name, Requests: n, ErrorCount: 1, Errors: map[string]int64{"status-5xx": 1}, Rate: float64(n) / 5,
			Corrected: results.Latency{Count: n, P50: 2e6, P99: 9e6, HDR: "HISTFAKE"}, Service: results.Latency{Count: n, P50: 1e6}}
	}
	res := &loadgen.Result{Mode: loadgen.ModeOpen, RequestedRate: 200, SentRate: 200, Started: start, WindowSeconds: 5, Valid: true,
		Config: loadgen.Config{Warmup: 2 * time.Second, Conns: 16},
		Ops:    []loadgen.OpResult{op("get_account", 600), op("transfer", 400)}, All: op("all", 1000)}
	res.Self.SchedLag.P99 = 1_500_000
	res.Self.Late = 10
	u := unit{spec: stacks.Baseline(), label: "a"}
	m := &fakeMeter{}
	recs := recordsOf(trialInfo{runID: "run1", unit: u, workload: "mix@200", kind: "ledger-mix", round: 3, trial: 7}, res, m, 42<<20)

	if len(recs) != 3 || recs[0].Op != "get_account" || recs[1].Op != "transfer" || recs[2].Op != "all" {
		t.Fatalf("records: %+v", recs)
	}
	if !m.from.Equal(start.Add(2*time.Second)) || !m.to.Equal(start.Add(7*time.Second)) {
		t.Errorf("meter window %v–%v, want the measured window after the 2 s warm-up", m.from, m.to)
	}
	all := recs[2]
	if all.StackCPU != 0.5 || all.PostgresCPU != 0.5 || all.KafkaCPU != 0 || all.StackCtxVol != 7 || all.StackRSSPeak != 42<<20 ||
		all.RedisCPU != 0.5 || all.LoadgenCPU != 0.5 || all.StackCtxInvol != 3 || !strings.Contains(all.ResourcesMeter, "not measured: [kafka]") {
		t.Errorf("the all record's resources: %+v", all)
	}
	if c := all.CPUPerRequest(); c != 500 { // 0.5 s over 1000 requests
		t.Errorf("CPU per request %v µs, want 500", c)
	}
	for _, r := range recs[:2] {
		if r.StackCPU != 0 || r.PostgresCPU != 0 || r.StackRSSPeak != 0 || r.CPUPerRequest() != 0 || r.ResourcesMeter != "on the op=all record" {
			t.Errorf("%s carries resources of the whole trial: %+v", r.Op, r)
		}
	}
	for _, r := range recs {
		if r.RunID != "run1" || r.Stack != u.spec.Name() || r.Label != "a" || r.Dims.String() != u.spec.Name() || r.Round != 3 || r.Trial != 7 ||
			r.RequestedRate != 200 || r.Mode != "open" || r.Corrected.HDR != "HISTFAKE" || r.ByClass["status-5xx"] != 1 ||
			r.GenLagP99 != 1_500_000 || r.GenLateFraction != 0.01 || !r.Valid || !r.Conformant {
			t.Errorf("record %s: %+v", r.Op, r)
		}
	}

	// A one-operation workload gives only its "all" record.
	res.Ops = res.Ops[:1]
	if recs := recordsOf(trialInfo{unit: u}, res, m, 0); len(recs) != 1 || recs[0].Op != "all" {
		t.Errorf("one-op workload: %+v", recs)
	}
}

// Each step of a sweep is charged the resources of its own window, on its own "all" record.
func TestSweepRecords(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	step := func(at time.Duration, rate float64) *loadgen.Result {
		return &loadgen.Result{Mode: loadgen.ModeOpen, RequestedRate: rate, Started: start.Add(at), WindowSeconds: 2, Valid: true,
			Config: loadgen.Config{Warmup: time.Second}, All: loadgen.OpResult{Name: "all", Requests: int64(2 * rate)},
			Ops: []loadgen.OpResult{{Name: "read", Requests: int64(rate)}, {Name: "transfer", Requests: int64(rate)}}}
	}
	sw := &loadgen.SweepResult{Runs: []*loadgen.Result{step(0, 100), step(10*time.Second, 200)},
		Points: []loadgen.SweepPoint{{MeetsSLO: true}, {Breaks: []string{"p99 over"}}}}
	m := &windowMeter{}
	recs := sweepRecords(trialInfo{runID: "r", unit: unit{spec: stacks.Baseline()}, workload: "sweep"}, sw, m)
	if len(recs) != 6 {
		t.Fatalf("%d records, want 3 per step", len(recs))
	}
	for i, r := range recs {
		step := i/3 + 1
		if r.Step != step || r.SLOMet != (step == 1) || r.Workload != "sweep" || r.RunID != "r" {
			t.Errorf("record %d: %+v", i, r)
		}
		if r.Op == "all" {
			// 0.1 s of CPU per second of window, from the step's own window (after its warm-up).
			if r.StackCPU != 0.2 || r.StackRSSPeak != 0 {
				t.Errorf("step %d all: CPU %v, RSS %v", step, r.StackCPU, r.StackRSSPeak)
			}
		} else if r.StackCPU != 0 {
			t.Errorf("step %d %s charged %v", step, r.Op, r.StackCPU)
		}
	}
	wantFrom := []time.Time{start.Add(time.Second), start.Add(11 * time.Second)}
	if len(m.froms) != 10 || !m.froms[0].Equal(wantFrom[0]) || !m.froms[9].Equal(wantFrom[1]) {
		t.Errorf("metered windows from %v, want 5 groups from each of %v", m.froms, wantFrom)
	}
}

// windowMeter charges 0.1 s of CPU per second of window and remembers the windows asked for.
type windowMeter struct{ froms []time.Time }

func (w *windowMeter) usage(g group, from, to time.Time) (groupUsage, bool) {
	w.froms = append(w.froms, from)
	return groupUsage{cpu: to.Sub(from) / 10}, true
}

func TestFailedRecord(t *testing.T) {
	u := unit{spec: stacks.Baseline()}
	r := failedRecord(trialInfo{runID: "r", unit: u, workload: "transfer@150", round: 1}, "open", 150, errors.New("connection refused"))
	if r.Valid || r.Op != "all" || r.RequestedRate != 150 || len(r.InvalidReasons) != 1 || !strings.Contains(r.InvalidReasons[0], "connection refused") {
		t.Errorf("failed record: %+v", r)
	}
}

// A stack that does not start gets an invalid record under each workload it would have run, so
// the report shows the failure where its numbers would have been.
func TestSessionFailedRecords(t *testing.T) {
	l := &lab{run: results.NewRun("run1", time.Now()), report: Discard{}, trial: 4}
	u := unit{spec: stacks.Baseline(), label: "b"}
	ws := []plan.Workload{{Name: "json", Workload: "json", Mode: "closed"}, {Name: "mix@200", Workload: "ledger-mix", Mode: "open", Rate: 200}}
	l.sessionFailed(u, 2, ws, errors.New("exited before serving"))
	if len(l.run.Records) != 2 || len(l.run.Notes) != 1 || l.trial != 6 {
		t.Fatalf("records %d, notes %v, next trial %d", len(l.run.Records), l.run.Notes, l.trial)
	}
	for i, r := range l.run.Records {
		if r.Workload != ws[i].Name || r.WorkloadKind != ws[i].Workload || r.Mode != ws[i].Mode || r.Round != 2 || r.Trial != 4+i ||
			r.Label != "b" || r.Valid || !strings.Contains(r.InvalidReasons[0], "exited before serving") {
			t.Errorf("record %d: %+v", i, r)
		}
	}
	if l.run.Records[1].RequestedRate != 200 || l.run.Records[0].RequestedRate != 0 {
		t.Errorf("requested rates: %v, %v", l.run.Records[0].RequestedRate, l.run.Records[1].RequestedRate)
	}
}
