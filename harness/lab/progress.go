package lab

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"stacklab/loadgen"
)

// Reporter shows a run's progress. The lab calls it from one goroutine, except Progress, which the
// load generator calls from its own.
type Reporter interface {
	// Start announces the run and how many trials it plans.
	Start(runID string, trials, stacks int)
	// Step tells what the lab does now (building, conformance, a note).
	Step(msg string)
	// Skip counts trials that will not run (a stack that does not conform or start).
	Skip(trials int)
	// TrialStart begins a trial expected to take about planned (0: unknown, e.g. a sweep).
	TrialStart(desc string, planned time.Duration)
	// Progress is the load generator's progress within the current trial.
	Progress(p loadgen.Progress)
	// TrialDone ends the current trial with a one-line summary.
	TrialDone(summary string)
	// Finish ends the display.
	Finish()
}

// NewReporter returns a live display (progress bars) when w is a terminal, else plain log lines.
func NewReporter(w io.Writer) Reporter {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return &terminal{w: w}
		}
	}
	return &plain{w: w}
}

// Discard shows nothing.
type Discard struct{}

func (Discard) Start(string, int, int)           {}
func (Discard) Step(string)                      {}
func (Discard) Skip(int)                         {}
func (Discard) TrialStart(string, time.Duration) {}
func (Discard) Progress(loadgen.Progress)        {}
func (Discard) TrialDone(string)                 {}
func (Discard) Finish()                          {}

// counter keeps the trial count and estimates the time left from the trials done so far.
type counter struct {
	start       time.Time
	total, done int
}

func (c *counter) eta() string {
	if c.done == 0 || c.done >= c.total {
		return "?"
	}
	per := time.Since(c.start) / time.Duration(c.done)
	return (per * time.Duration(c.total-c.done)).Round(time.Second).String()
}

func (c *counter) elapsed() string {
	d := time.Since(c.start).Round(time.Second)
	return fmt.Sprintf("%02d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// plain writes one line per step and per trial: what CI logs show.
type plain struct {
	w   io.Writer
	c   counter
	cur string
}

func (p *plain) Start(runID string, trials, stacks int) {
	p.c = counter{start: time.Now(), total: trials}
	fmt.Fprintf(p.w, "run %s: %d stacks, %d trials\n", runID, stacks, trials)
}

func (p *plain) Step(msg string) { fmt.Fprintf(p.w, "[%s] %s\n", p.c.elapsed(), msg) }

func (p *plain) Skip(n int) { p.c.done += n }

func (p *plain) TrialStart(desc string, _ time.Duration) {
	p.cur = desc
	fmt.Fprintf(p.w, "[%s] trial %d/%d (left ≈ %s): %s\n", p.c.elapsed(), p.c.done+1, p.c.total, p.c.eta(), desc)
}

func (p *plain) Progress(loadgen.Progress) {}

func (p *plain) TrialDone(summary string) {
	p.c.done++
	fmt.Fprintf(p.w, "[%s]   %s\n", p.c.elapsed(), summary)
}

func (p *plain) Finish() { fmt.Fprintf(p.w, "[%s] done\n", p.c.elapsed()) }

// terminal shows an overall bar (trials, time left) and a bar for the running trial.
type terminal struct {
	w       io.Writer
	p       *mpb.Progress
	overall *mpb.Bar
	trial   *mpb.Bar
	total   int64 // the running trial's bar length, tenths of a second
	c       counter
	mu      sync.Mutex
	last    loadgen.Progress
}

func (t *terminal) Start(runID string, trials, stacks int) {
	t.c = counter{start: time.Now(), total: trials}
	t.p = mpb.New(mpb.WithOutput(t.w), mpb.WithWidth(32))
	fmt.Fprintf(t.p, "run %s: %d stacks, %d trials\n", runID, stacks, trials)
	t.overall = t.p.AddBar(int64(trials),
		mpb.PrependDecorators(decor.Name("trials "), decor.CountersNoUnit("%d/%d")),
		mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.Any(func(decor.Statistics) string {
			return "  left ≈ " + t.c.eta()
		})))
}

func (t *terminal) Step(msg string) { fmt.Fprintf(t.p, "[%s] %s\n", t.c.elapsed(), msg) }

func (t *terminal) Skip(n int) {
	t.c.done += n
	t.overall.IncrBy(n)
}

func (t *terminal) TrialStart(desc string, planned time.Duration) {
	total := int64(planned / (100 * time.Millisecond))
	if total <= 0 {
		total = 1 // unknown length: the bar fills when the trial ends
	}
	t.mu.Lock()
	t.last = loadgen.Progress{}
	t.mu.Unlock()
	t.total = total
	t.trial = t.p.AddBar(total, mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name(desc+" ")),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			t.mu.Lock()
			defer t.mu.Unlock()
			if t.last.Phase == "" {
				return " setup"
			}
			return fmt.Sprintf(" %s %v, sent %d, errors %d", t.last.Phase, t.last.Elapsed.Round(time.Second), t.last.Sent, t.last.Errors)
		})))
}

func (t *terminal) Progress(p loadgen.Progress) {
	t.mu.Lock()
	t.last = p
	t.mu.Unlock()
	if t.trial != nil { // the bar completes when the trial ends, not when its planned time has passed
		t.trial.SetCurrent(min(int64(p.Elapsed/(100*time.Millisecond)), t.total-1))
	}
}

func (t *terminal) TrialDone(summary string) {
	t.c.done++
	if t.trial != nil {
		t.trial.SetTotal(-1, true)
		t.trial = nil
	}
	t.overall.Increment()
	fmt.Fprintf(t.p, "[%s]   %s\n", t.c.elapsed(), summary)
}

func (t *terminal) Finish() {
	t.overall.SetTotal(-1, true)
	t.p.Wait()
}
