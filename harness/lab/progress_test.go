package lab

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"stacklab/loadgen"
)

// Without a terminal the reporter writes plain lines: the run, each step, each trial with the
// count and the time left, each trial's summary.
func TestPlainReporter(t *testing.T) {
	var b bytes.Buffer
	r := NewReporter(&b)
	r.Start("run1", 3, 1)
	r.Step("building the stack binary")
	r.Skip(1)
	r.TrialStart("stack json round 0", 3*time.Second)
	r.Progress(loadgen.Progress{Phase: "measure"})
	r.TrialDone("26000 req/s, valid")
	r.Finish()
	out := b.String()
	for _, want := range []string{"run run1: 1 stacks, 3 trials", "building the stack binary", "trial 2/3", "stack json round 0", "26000 req/s, valid", "done"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
