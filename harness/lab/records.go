package lab

import (
	"fmt"
	"time"

	"stacklab/loadgen"
	"stacklab/results"
)

// trialInfo is what identifies a trial's records.
type trialInfo struct {
	runID    string
	unit     unit
	workload string // the plan entry's name
	kind     string // the load generator's workload
	round    int
	trial    int
	step     int
}

// usageMeter is what records need from a meter: each group's usage in a window.
type usageMeter interface {
	usage(g group, from, to time.Time) (groupUsage, bool)
}

// recordsOf turns one load generator result into records: one per operation of a mix, and one
// for the whole ("all"). The resources of the measured window go on the "all" record only: a
// trial's CPU cannot be split by operation.
func recordsOf(t trialInfo, res *loadgen.Result, m usageMeter, peakRSS int64) []results.Record {
	base := results.Record{
		RunID: t.runID, Stack: t.unit.spec.Name(), Label: t.unit.label, Dims: t.unit.dims(),
		Workload: t.workload, WorkloadKind: t.kind, Round: t.round, Trial: t.trial, Step: t.step,
		Mode: string(res.Mode), Started: res.Started.UTC(), Seconds: res.WindowSeconds, Conns: res.Config.Conns,
		Valid: res.Valid, InvalidReasons: res.InvalidReasons, Conformant: true, StackRSSPeak: peakRSS,
		GenLagP99: res.Self.SchedLag.P99,
	}
	if sent := res.SentRate * res.WindowSeconds; sent > 0 {
		base.GenLateFraction = float64(res.Self.Late) / sent
	}
	if res.Mode == loadgen.ModeOpen {
		base.RequestedRate = res.RequestedRate
	}
	from, to := window(res)
	var missing []string
	for g, dst := range map[group]*float64{groupStack: &base.StackCPU, groupPostgres: &base.PostgresCPU,
		groupRedis: &base.RedisCPU, groupKafka: &base.KafkaCPU, groupLoadgen: &base.LoadgenCPU} {
		u, ok := m.usage(g, from, to)
		if !ok {
			missing = append(missing, groupNames[g])
			continue
		}
		*dst = u.cpu.Seconds()
		if g == groupStack {
			base.StackCtxVol, base.StackCtxInvol = u.volCtx, u.invol
		}
	}
	base.ResourcesMeter = "/proc sampled every 200 ms, interpolated at the measured window's ends; " +
		"postgres: the database's backends and the server's background processes; peak RSS over the whole trial"
	if len(missing) > 0 {
		base.ResourcesMeter += fmt.Sprintf("; not measured: %v", missing)
	}
	ops := res.Ops
	if len(ops) == 1 { // a one-operation workload: its "all" is that operation
		ops = nil
	}
	recs := make([]results.Record, 0, len(ops)+1)
	for _, o := range append(ops, res.All) {
		r := base
		r.Op = o.Name
		if len(recs) == len(ops) {
			r.Op = "all"
		}
		r.Requests, r.Errors, r.Rate = o.Requests, o.ErrorCount, o.Rate
		if len(o.Errors) > 0 {
			r.ByClass = o.Errors
		}
		r.Corrected, r.Service = latency(o.Corrected), latency(o.Service)
		if r.Op != "all" {
			r.StackCPU, r.PostgresCPU, r.RedisCPU, r.KafkaCPU, r.LoadgenCPU = 0, 0, 0, 0, 0
			r.StackRSSPeak, r.StackCtxVol, r.StackCtxInvol, r.ResourcesMeter = 0, 0, 0, "on the op=all record"
		}
		recs = append(recs, r)
	}
	return recs
}

// window is the measured window of a result: warm-up excluded.
func window(res *loadgen.Result) (from, to time.Time) {
	from = res.Started.Add(res.Config.Warmup)
	return from, from.Add(time.Duration(res.WindowSeconds * float64(time.Second)))
}

var groupNames = [numGroups]string{"stack", "postgres", "redis", "kafka", "loadgen"}

func latency(l loadgen.Latency) results.Latency {
	return results.Latency{Count: l.Count, Min: l.Min, Mean: l.Mean, P50: l.P50, P90: l.P90, P99: l.P99,
		P999: l.P999, Max: l.Max, HDR: l.Histogram}
}

// failedRecord stands for a trial that could not run or finish: it is invalid and says why, so the
// report shows the failure where the numbers would have been.
func failedRecord(t trialInfo, mode string, rate float64, err error) results.Record {
	r := results.Record{RunID: t.runID, Stack: t.unit.spec.Name(), Label: t.unit.label, Dims: t.unit.dims(),
		Workload: t.workload, WorkloadKind: t.kind, Op: "all", Round: t.round, Trial: t.trial, Step: t.step,
		Mode: mode, Started: time.Now().UTC(), Valid: false, Conformant: true,
		InvalidReasons: []string{"trial failed: " + err.Error()}}
	if mode == string(loadgen.ModeOpen) {
		r.RequestedRate = rate
	}
	return r
}
