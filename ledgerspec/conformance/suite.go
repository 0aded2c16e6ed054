package conformance

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stacklab/ledgerspec"
)

// Check is one check of the suite.
type Check struct {
	// ID is short kebab-case, stable across versions of the suite (for -only).
	ID string
	// Title says in a sentence what the check verifies.
	Title string
	// Last marks a check that runs after all the others, because it reads what they left.
	Last bool
	// NeedsEvents marks a check that reads the broker (Target.Events); without one it is skipped.
	NeedsEvents bool

	run func(e *env) error
}

// Checks returns every check of the suite, in a stable order.
func Checks() []Check {
	out := make([]Check, len(checks))
	copy(out, checks)
	return out
}

// Run runs the suite against t and reports every check's verdict. It returns an error only when
// the suite cannot run: an invalid Target, an unknown id in Only, a URL that does not answer at all,
// or ctx ending before the run completed (the partial report is returned with that error).
func Run(ctx context.Context, t Target) (*Report, error) {
	s, err := t.settings()
	if err != nil {
		return nil, err
	}
	su, err := newSuite(s)
	if err != nil {
		return nil, err
	}
	if err := su.probe(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	var selected []Check
	for _, c := range checks {
		if s.only == nil || s.only[c.ID] {
			selected = append(selected, c)
		}
	}
	results := make([]Result, len(selected))
	for _, last := range []bool{false, true} {
		sem := make(chan struct{}, s.parallel)
		var wg sync.WaitGroup
		for i, c := range selected {
			if c.Last != last {
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				results[i] = su.runOne(ctx, c)
			}()
		}
		wg.Wait()
	}
	rep := &Report{URL: s.base, Duration: time.Since(start)}
	for _, r := range results {
		rep.add(r)
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("the run was interrupted: %w", err)
	}
	return rep, nil
}

// Test runs the suite against target and reports each check as a subtest of t (a skipped check
// calls t.Skip with its reason). It fails t at once when the suite cannot run.
func Test(t *testing.T, target Target) {
	t.Helper()
	rep, err := Run(t.Context(), target)
	if err != nil {
		t.Fatalf("conformance suite cannot run against %s: %v", target.URL, err)
	}
	t.Cleanup(func() { t.Logf("conformance of %s: %s", target.URL, rep.Summary()) })
	for _, r := range rep.Results {
		t.Run(r.ID, func(t *testing.T) {
			switch r.Status {
			case StatusFail:
				t.Errorf("%s: %s", r.Title, r.Err)
			case StatusSkip:
				t.Skip(r.Err)
			default:
				t.Logf("%s (%s)", r.Title, roundDuration(r.Duration))
			}
		})
	}
}

// suite is the state shared by the checks of one run.
type suite struct {
	s     *settings
	runID string // random, 8 characters of [A-Z2-7]: valid in ids and ledgers
	n     atomic.Int64
	rec   *record
}

func newSuite(s *settings) (*suite, error) {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("making the run's random suffix: %w", err)
	}
	return &suite{s: s, runID: base32.StdEncoding.EncodeToString(b[:]), rec: newRecord()}, nil
}

// probe makes sure the target answers HTTP at all; any status will do.
func (su *suite) probe(ctx context.Context) error {
	e := su.env(ctx, "probe")
	if _, err := e.send(request{method: "GET", path: ledgerspec.PathBenchPlaintext, allow5xx: true}); err != nil {
		return fmt.Errorf("the target does not answer: %w", err)
	}
	return nil
}

func (su *suite) runOne(ctx context.Context, c Check) Result {
	res := Result{ID: c.ID, Title: c.Title}
	if c.NeedsEvents && su.s.events == nil {
		res.Status, res.Err = StatusSkip, "no broker given"
		return res
	}
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	err := su.call(c, su.env(cctx, c.ID))
	res.Duration = time.Since(start)
	if err != nil {
		res.Status, res.Err = StatusFail, err.Error()
		if cctx.Err() != nil && ctx.Err() == nil {
			res.Err = fmt.Sprintf("the check did not finish within %s: %s", checkTimeout, res.Err)
		}
		return res
	}
	res.Status = StatusPass
	return res
}

// call runs a check and turns a panic (a bug of the suite, never of the stack) into a failure.
func (su *suite) call(c Check, e *env) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the suite itself broke (please report): %v\n%s", p, firstLines(string(debug.Stack()), 12))
		}
	}()
	return c.run(e)
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
