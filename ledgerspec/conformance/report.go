package conformance

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Status is the verdict on one check.
type Status string

// The verdicts.
const (
	StatusPass Status = "PASS"
	StatusFail Status = "FAIL"
	StatusSkip Status = "SKIP"
)

// Result is the verdict on one check.
type Result struct {
	ID, Title string
	Status    Status
	// Err says why the check failed or was skipped; "" for a pass.
	Err      string
	Duration time.Duration
}

// Report holds the results of a run, in the order of Checks.
type Report struct {
	URL                     string
	Results                 []Result
	Passed, Failed, Skipped int
	Duration                time.Duration
}

// OK reports whether no check failed (skipped checks do not fail a run).
func (r *Report) OK() bool { return r.Failed == 0 }

func (r *Report) add(res Result) {
	r.Results = append(r.Results, res)
	switch res.Status {
	case StatusPass:
		r.Passed++
	case StatusFail:
		r.Failed++
	case StatusSkip:
		r.Skipped++
	}
}

// Summary is the report's closing line: "N passed, M failed", with ", K skipped" when any check
// was skipped.
func (r *Report) Summary() string {
	s := fmt.Sprintf("%d passed, %d failed", r.Passed, r.Failed)
	if r.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", r.Skipped)
	}
	return s
}

// Write prints one line per check ("PASS id (12ms)", "FAIL id: reason", "SKIP id: reason"; the
// further lines of a long reason are indented) and a closing "N passed, M failed" with
// ", K skipped" when any check was skipped.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	for _, res := range r.Results {
		switch res.Status {
		case StatusPass:
			fmt.Fprintf(&b, "%s %s (%s)\n", res.Status, res.ID, roundDuration(res.Duration))
		default:
			reason := strings.TrimRight(res.Err, "\n")
			if reason == "" {
				reason = "no reason given"
			}
			fmt.Fprintf(&b, "%s %s: %s\n", res.Status, res.ID, strings.ReplaceAll(reason, "\n", "\n    "))
		}
	}
	b.WriteString(r.Summary())
	b.WriteString("\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// roundDuration keeps report lines short: milliseconds, or microseconds below one millisecond.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
