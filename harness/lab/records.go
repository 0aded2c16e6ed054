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

// base is what the lab knows of a trial's records; the load generator fills in what it measured
// (loadgen.Result.Records). Only conforming stacks are measured.
func (t trialInfo) base() results.Record {
	return results.Record{RunID: t.runID, Stack: t.unit.spec.Name(), Label: t.unit.label, Dims: t.unit.dims(),
		Workload: t.workload, WorkloadKind: t.kind, Round: t.round, Trial: t.trial, Step: t.step, Conformant: true}
}

// usageMeter is what records need from a meter: each group's usage in a window.
type usageMeter interface {
	usage(g group, from, to time.Time) (groupUsage, bool)
}

// recordsOf turns one load generator result into records (loadgen.Result.Records) and puts the
// resources of its measured window on them (charge).
func recordsOf(t trialInfo, res *loadgen.Result, m usageMeter, peakRSS int64) []results.Record {
	recs := res.Records(t.base())
	charge(recs, res, m, peakRSS)
	return recs
}

// sweepRecords turns a sweep into records (loadgen.SweepResult.Records: step i has Step i and
// says whether it met the SLO) and puts the resources of each step's measured window on that
// step's records. The peak RSS of a sweep's steps is not known (the peak is reset per trial).
func sweepRecords(t trialInfo, res *loadgen.SweepResult, m usageMeter) []results.Record {
	recs := res.Records(t.base())
	for i := 0; i < len(recs); {
		j := i
		for j < len(recs) && recs[j].Step == recs[i].Step {
			j++
		}
		charge(recs[i:j], res.Runs[recs[i].Step-1], m, 0)
		i = j
	}
	return recs
}

// charge puts the resources used during the result's measured window on its "all" record: a
// trial's CPU cannot be split by operation, so the per-operation records say where to look.
func charge(recs []results.Record, res *loadgen.Result, m usageMeter, peakRSS int64) {
	from, to := window(res)
	for i := range recs {
		r := &recs[i]
		if r.Op != "all" {
			r.StackCPU, r.PostgresCPU, r.RedisCPU, r.KafkaCPU, r.LoadgenCPU = 0, 0, 0, 0, 0
			r.StackRSSPeak, r.StackCtxVol, r.StackCtxInvol, r.ResourcesMeter = 0, 0, 0, "on the op=all record"
			continue
		}
		r.StackRSSPeak = peakRSS
		var missing []string
		for g, dst := range map[group]*float64{groupStack: &r.StackCPU, groupPostgres: &r.PostgresCPU,
			groupRedis: &r.RedisCPU, groupKafka: &r.KafkaCPU, groupLoadgen: &r.LoadgenCPU} {
			u, ok := m.usage(g, from, to)
			if !ok {
				missing = append(missing, groupNames[g])
				continue
			}
			*dst = u.cpu.Seconds()
			if g == groupStack {
				r.StackCtxVol, r.StackCtxInvol = u.volCtx, u.invol
			}
		}
		r.ResourcesMeter = "/proc sampled every 200 ms, interpolated at the measured window's ends; " +
			"postgres: the database's backends and the server's background processes; peak RSS over the whole trial"
		if len(missing) > 0 {
			r.ResourcesMeter += fmt.Sprintf("; not measured: %v", sortedNames(missing))
		}
	}
}

// sortedNames orders group names as the groups are numbered (map iteration is random).
func sortedNames(names []string) []string {
	var out []string
	for _, n := range groupNames {
		for _, m := range names {
			if m == n {
				out = append(out, n)
			}
		}
	}
	return out
}

// window is the measured window of a result: warm-up excluded.
func window(res *loadgen.Result) (from, to time.Time) { return res.Window() }

var groupNames = [numGroups]string{"stack", "postgres", "redis", "kafka", "loadgen"}

// failedRecord stands for a trial that could not run or finish: it is invalid and says why, so the
// report shows the failure where the numbers would have been.
func failedRecord(t trialInfo, mode string, rate float64, err error) results.Record {
	r := t.base()
	r.Op, r.Mode, r.Started, r.Valid = "all", mode, time.Now().UTC(), false
	r.InvalidReasons = []string{"trial failed: " + err.Error()}
	if mode == string(loadgen.ModeOpen) {
		r.RequestedRate = rate
	}
	return r
}
