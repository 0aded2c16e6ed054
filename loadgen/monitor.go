package loadgen

import (
	"time"

	"stacklab/loadgen/internal/selfmon"
)

// monitor samples the generator's CPU once per interval and reports progress.
type monitor struct {
	e    *engine
	last selfmon.Snapshot
	// series holds the generator's use of each wall-clock interval since the start.
	series []usage
}

type usage struct {
	cores  float64
	allocs uint64
}

func newMonitor(e *engine, start selfmon.Snapshot) *monitor { return &monitor{e: e, last: start} }

func (m *monitor) loop(stop <-chan struct{}) {
	e := m.e
	t := time.NewTicker(e.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		s := selfmon.Take()
		u := selfmon.Diff(m.last, s)
		m.series = append(m.series, usage{u.Cores, u.AllocObjects})
		m.last = s
		if e.cfg.Progress != nil {
			e.cfg.Progress(m.progress())
		}
	}
}

func (m *monitor) progress() Progress {
	e := m.e
	el := time.Since(e.start)
	p := Progress{Elapsed: el, Conns: e.live.Load()}
	switch {
	case el < e.cfg.Warmup:
		p.Phase = "warmup"
	case int64(el) < e.end:
		p.Phase = "measure"
	default:
		p.Phase = "drain"
	}
	e.mu.Lock()
	for _, w := range e.workers {
		p.Sent += w.sent.Load()
		p.Completed += w.done.Load()
		p.Errors += w.errs.Load()
	}
	e.mu.Unlock()
	if iv, ok := e.coll.Latest(int64(el) / e.ivLen); ok {
		r := e.intervalResult(&iv, m.series, false)
		p.Last = &r
	}
	return p
}

func (m *monitor) usage() []usage { return m.series }
