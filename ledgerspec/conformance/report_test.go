package conformance

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestReportWrite(t *testing.T) {
	for _, tc := range []struct {
		name    string
		results []Result
		want    string
	}{
		{"all pass", []Result{{ID: "a", Status: StatusPass, Duration: 12 * time.Millisecond}, {ID: "b", Status: StatusPass, Duration: 1500 * time.Microsecond}},
			"PASS a (12ms)\nPASS b (2ms)\n2 passed, 0 failed\n"},
		{"sub-millisecond", []Result{{ID: "a", Status: StatusPass, Duration: 420 * time.Microsecond}},
			"PASS a (420µs)\n1 passed, 0 failed\n"},
		{"a failure and a skip", []Result{
			{ID: "a", Status: StatusPass, Duration: time.Second},
			{ID: "b", Status: StatusFail, Err: "sent GET /x\n  want 200\n  got 500"},
			{ID: "c", Status: StatusSkip, Err: "no broker given"},
		}, "PASS a (1s)\nFAIL b: sent GET /x\n      want 200\n      got 500\nSKIP c: no broker given\n1 passed, 1 failed, 1 skipped\n"},
		{"a failure without a reason", []Result{{ID: "a", Status: StatusFail}}, "FAIL a: no reason given\n0 passed, 1 failed\n"},
		{"nothing run", nil, "0 passed, 0 failed\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Report
			for _, res := range tc.results {
				r.add(res)
			}
			var b strings.Builder
			if err := r.Write(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Fatalf("Write:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReportWriteError(t *testing.T) {
	var r Report
	r.add(Result{ID: "a", Status: StatusPass})
	if err := r.Write(failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Write to a failing writer = %v, want its error", err)
	}
}

func TestReportCounts(t *testing.T) {
	var r Report
	for _, s := range []Status{StatusPass, StatusFail, StatusSkip, StatusPass, StatusSkip} {
		r.add(Result{ID: "x", Status: s})
	}
	if r.Passed != 2 || r.Failed != 1 || r.Skipped != 2 || r.OK() {
		t.Fatalf("counts %d/%d/%d ok %v; want 2/1/2 and not ok", r.Passed, r.Failed, r.Skipped, r.OK())
	}
}

func ExampleReport_Write() {
	r := &Report{
		Results: []Result{
			{ID: "bench-plaintext", Status: StatusPass, Duration: 3 * time.Millisecond},
			{ID: "tx-replay", Status: StatusFail, Err: "sent POST /api/transactions\n  want header Idempotent-Replayed: true\n  got 200"},
			{ID: "events-alerts", Status: StatusSkip, Err: "no broker given"},
		},
		Passed: 1, Failed: 1, Skipped: 1,
	}
	_ = r.Write(os.Stdout)
	// Output:
	// PASS bench-plaintext (3ms)
	// FAIL tx-replay: sent POST /api/transactions
	//       want header Idempotent-Replayed: true
	//       got 200
	// SKIP events-alerts: no broker given
	// 1 passed, 1 failed, 1 skipped
}
