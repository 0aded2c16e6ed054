package loadgen

import (
	"time"

	"stacklab/results"
)

// Records turns the result into the lab's records (the one place a load generator result becomes
// results.Records): one per operation of a mix, in the workload's order, then one for the whole
// with Op "all" (a one-operation workload gives only that one). base says what the generator does
// not know (run id, stack, dimensions, round, trial, conformance, …); Records fills in what it
// measured: mode, requested rate (open loop), the measured window (start, seconds),
// connections, validity and its reasons, the generator's lag and share of late requests, and per
// record the requests, errors by class, rate and both latency distributions. A Workload or
// WorkloadKind left empty in base is the generator's workload. Resources (CPU, memory) are the
// caller's to measure: Records leaves them as base has them, on every record.
func (r *Result) Records(base results.Record) []results.Record {
	if base.Workload == "" {
		base.Workload = r.Config.Workload
	}
	if base.WorkloadKind == "" {
		base.WorkloadKind = r.Config.Workload
	}
	base.Mode = string(r.Mode)
	base.RequestedRate = 0
	if r.Mode == ModeOpen {
		base.RequestedRate = r.RequestedRate
	}
	base.Started = r.Started.UTC()
	base.Seconds = r.WindowSeconds
	base.Conns = r.Config.Conns
	base.Valid = r.Valid
	base.InvalidReasons = nil
	if len(r.InvalidReasons) > 0 {
		base.InvalidReasons = append([]string(nil), r.InvalidReasons...)
	}
	base.GenLagP99 = r.Self.SchedLag.P99
	base.GenLateFraction = 0
	if sent := r.SentRate * r.WindowSeconds; sent > 0 {
		base.GenLateFraction = float64(r.Self.Late) / sent
	}
	ops := r.Ops
	if len(ops) == 1 { // a one-operation workload: its "all" is that operation
		ops = nil
	}
	recs := make([]results.Record, 0, len(ops)+1)
	for i, o := range append(ops[:len(ops):len(ops)], r.All) {
		rec := base
		rec.Op = o.Name
		if i == len(ops) {
			rec.Op = "all"
		}
		rec.Requests, rec.Errors, rec.Rate = o.Requests, o.ErrorCount, o.Rate
		rec.ByClass = nil
		if len(o.Errors) > 0 {
			rec.ByClass = o.Errors
		}
		rec.Corrected, rec.Service = o.Corrected, o.Service
		recs = append(recs, rec)
	}
	return recs
}

// Window is the result's measured window: warm-up excluded.
func (r *Result) Window() (from, to time.Time) {
	from = r.Started.Add(r.Config.Warmup)
	return from, from.Add(time.Duration(r.WindowSeconds * float64(time.Second)))
}

// Records turns every step of the sweep into records (Result.Records): step i (from 1) of the
// sweep has Step i, and its records say whether the step met the sweep's SLO and how it broke it.
func (s *SweepResult) Records(base results.Record) []results.Record {
	var recs []results.Record
	for i, run := range s.Runs {
		b := base
		b.Step = i + 1
		step := run.Records(b)
		if i < len(s.Points) {
			for j := range step {
				step[j].SLOMet = s.Points[i].MeetsSLO
				step[j].SLOBreaks = s.Points[i].Breaks
			}
		}
		recs = append(recs, step...)
	}
	return recs
}
