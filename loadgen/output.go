package loadgen

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteSummary writes a short human summary of the result.
func (r *Result) WriteSummary(w io.Writer) error {
	var b strings.Builder
	c := r.Config
	if r.Mode == ModeOpen {
		fmt.Fprintf(&b, "%s: open loop, %s arrivals at %g req/s for %v (warm-up %v), %d connections (cap %d) → %s\n",
			c.Workload, r.Arrival, r.RequestedRate, c.Duration, c.Warmup, c.Conns, c.MaxConns, c.Target)
	} else {
		fmt.Fprintf(&b, "%s: CLOSED LOOP, %d connections as fast as possible for %v (warm-up %v) → %s\n",
			c.Workload, c.Conns, c.Duration, c.Warmup, c.Target)
	}
	if r.Valid {
		b.WriteString("valid: yes\n")
	} else {
		b.WriteString("INVALID:\n")
		for _, s := range r.InvalidReasons {
			fmt.Fprintf(&b, "  - %s\n", s)
		}
	}
	for _, s := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", s)
	}
	if r.Mode == ModeOpen {
		fmt.Fprintf(&b, "rate: requested %.1f/s, sent %.1f/s (%.2f%%), completed %.1f/s\n",
			r.RequestedRate, r.SentRate, 100*r.SentRate/r.RequestedRate, r.CompletedRate)
	} else {
		fmt.Fprintf(&b, "rate: completed %.1f/s\n", r.CompletedRate)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\trequests\terrors\tvalidated\tp50\tp90\tp99\tp99.9\tmax\tsvc p50\tsvc p99\t")
	row := func(o OpResult) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", o.Name, o.Requests, o.ErrorCount, o.Validated,
			dur(o.Corrected.P50), dur(o.Corrected.P90), dur(o.Corrected.P99), dur(o.Corrected.P999), dur(o.Corrected.Max),
			dur(o.Service.P50), dur(o.Service.P99))
	}
	for _, o := range r.Ops {
		row(o)
	}
	if len(r.Ops) > 1 {
		row(r.All)
	}
	tw.Flush()
	for _, o := range r.Ops {
		for _, class := range slices.Sorted(maps.Keys(o.FirstErrors)) {
			fmt.Fprintf(&b, "first %s error of %s (%d): %s\n", class, o.Name, o.Errors[class], o.FirstErrors[class])
		}
	}
	s := r.Self
	fmt.Fprintf(&b, "generator: CPU %.2f cores (%.0f%% of %d), GC %d cycles (max pause %v), goroutine wait p99 %v, %.2f allocs/request\n",
		s.CPUCores, 100*s.CPUFraction, s.GOMAXPROCS, s.GCCycles, dur(s.GCPauseMax), dur(s.SchedLatP99), s.AllocsPerReq)
	if r.Mode == ModeOpen {
		fmt.Fprintf(&b, "schedule: lag p50 %v p99 %v max %v; late %d, queued %d, unsent %d; connections %d opened (%d initial, cap %d), %d needed\n",
			dur(s.SchedLag.P50), dur(s.SchedLag.P99), dur(s.SchedLag.Max), s.Late, s.Queued, s.Unsent,
			s.ConnsOpened, s.ConnsInitial, s.ConnsMax, s.ConnsNeeded)
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("writing summary: %w", err)
	}
	return nil
}

func dur(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d >= time.Microsecond:
		return d.Round(time.Microsecond).String()
	}
	return d.String()
}
