package loadgen

import (
	"time"

	"stacklab/loadgen/internal/record"
	"stacklab/loadgen/internal/selfmon"
)

// build fills res from the collector's record and the generator's usage.
func (e *engine) build(res *Result, u selfmon.Usage, use []usage) {
	sum := e.coll.Summary()
	window := e.cfg.Duration.Seconds()
	res.WindowSeconds = window
	res.All = opResult("all", sum.All, window)
	for i, op := range e.ops {
		res.Ops = append(res.Ops, opResult(op.Name, sum.Ops[i], window))
	}
	e.mu.Lock()
	for _, w := range e.workers {
		res.Acknowledged = append(res.Acknowledged, w.acks...)
	}
	e.mu.Unlock()
	res.AcknowledgedCount = len(res.Acknowledged)
	res.SentRate = float64(sum.Sent) / window
	res.CompletedRate = float64(sum.All.Requests) / window
	var total int64
	for _, iv := range sum.Intervals {
		res.Intervals = append(res.Intervals, e.intervalResult(iv, use, true))
		total += iv.All.Requests
	}

	s := selfResult(u)
	s.SchedLag = latencyOf(sum.Lag, true)
	s.Late, s.Queued = sum.Late, sum.Queued
	if e.sch != nil {
		scheduled := e.sch.DueBy(time.Duration(e.end-1)) - e.sch.DueBy(e.cfg.Warmup-1)
		s.Unsent = max(scheduled-sum.Sent, 0)
	}
	s.ConnsInitial, s.ConnsMax = e.cfg.Conns, e.cfg.MaxConns
	s.ConnsOpened, s.Reconnects, s.Retries = e.opened.Load(), e.reconns.Load(), e.retries.Load()
	s.ConnsNeeded = e.needed.Load()
	if e.cfg.Mode == ModeClosed {
		s.ConnsNeeded = int64(e.cfg.Conns)
	}
	if total > 0 {
		s.AllocsPerReq = float64(s.AllocObjects) / float64(total)
	}
	for _, w := range e.workers {
		s.RecorderAllocs += w.rec.Allocated
	}
	res.Self = s
	res.InvalidReasons, res.Warnings = assess(res, e.cfg, res.Warnings)
	res.Valid = len(res.InvalidReasons) == 0
	if res.InvalidReasons == nil {
		res.InvalidReasons = []string{} // [] rather than null in the JSON
	}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
}

// intervalResult summarises one interval; with encode, its histograms are carried encoded.
func (e *engine) intervalResult(iv *record.Interval, use []usage, encode bool) IntervalResult {
	r := IntervalResult{Start: time.Duration(iv.Index * e.ivLen), Sent: iv.Sent, Requests: iv.All.Requests,
		Errors: iv.All.ErrorCount(), OpCounts: iv.Requests,
		Corrected: latencyOf(iv.All.Corrected, encode), Service: latencyOf(iv.All.Service, encode),
		LagP99: iv.Lag.ValueAtPercentile(99), Late: iv.Late, Queued: iv.Queued}
	r.Warmup = r.Start < e.cfg.Warmup
	if iv.Index >= 0 && iv.Index < int64(len(use)) {
		r.CPUCores, r.Allocs = use[iv.Index].cores, use[iv.Index].allocs
	}
	return r
}
