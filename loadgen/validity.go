package loadgen

import (
	"fmt"
	"time"
)

// assess lists why a run is invalid (the generator may have been the bottleneck) and what is
// worth a warning. Every rule states the measured value and the limit.
func assess(r *Result, cfg Config, warnings []string) (invalid, warn []string) {
	l := cfg.Limits
	s := r.Self
	warn = warnings
	requests := max(r.All.Requests, 1)
	if r.Mode == ModeOpen {
		if want := r.RequestedRate * l.MinSentFraction; r.SentRate < want {
			invalid = append(invalid, fmt.Sprintf("sent %.1f req/s, %.1f%% of the requested %.1f (limit %.0f%%); %d scheduled requests never sent",
				r.SentRate, 100*r.SentRate/r.RequestedRate, r.RequestedRate, 100*l.MinSentFraction, s.Unsent))
		}
		if lag := time.Duration(s.SchedLag.P99); lag > l.MaxLag {
			invalid = append(invalid, fmt.Sprintf("scheduler lag p99 %v exceeds %v: the generator sent late although a connection was free", lag, l.MaxLag))
		}
		if f := float64(s.Late) / float64(requests); f > l.MaxLateFraction {
			invalid = append(invalid, fmt.Sprintf("%d requests (%.2f%%) started more than %v after they were due although a connection was free (limit %.2f%%)",
				s.Late, 100*f, l.MaxLag, 100*l.MaxLateFraction))
		}
		if f := float64(s.Queued) / float64(requests); f > l.MaxLateFraction {
			invalid = append(invalid, fmt.Sprintf("%d requests (%.2f%%) were due while no connection was free (every one waiting for an answer): up to %d requests were due or in flight at once, %d connections opened (cap %d); their wait is in the corrected latency",
				s.Queued, 100*f, s.ConnsNeeded, s.ConnsOpened, s.ConnsMax))
		}
	} else {
		warn = append(warn, fmt.Sprintf("closed loop: %d connections sending as fast as answers come back; latencies are service times and hide stalls (coordinated omission)", cfg.Conns))
	}
	if s.CPUFraction > l.MaxCPUFraction {
		invalid = append(invalid, fmt.Sprintf("the generator used %.0f%% of its %d processors (limit %.0f%%)", 100*s.CPUFraction, s.GOMAXPROCS, 100*l.MaxCPUFraction))
	}
	if p := time.Duration(s.SchedLatP99); p > l.MaxSchedLatency {
		invalid = append(invalid, fmt.Sprintf("the generator's runnable goroutines waited p99 %v for a processor (limit %v): it was short of CPU", p, l.MaxSchedLatency))
	}
	if p := time.Duration(s.GCPauseMax); p > l.MaxGCPause {
		invalid = append(invalid, fmt.Sprintf("a GC pause of the generator reached %v (limit %v)", p, l.MaxGCPause))
	}
	if wall := cfg.Warmup + cfg.Duration; s.GCPauseTotal > int64(wall)/100 {
		invalid = append(invalid, fmt.Sprintf("GC pauses of the generator took %v, over 1%% of the run", time.Duration(s.GCPauseTotal)))
	}
	if s.Reconnects > 0 {
		warn = append(warn, fmt.Sprintf("%d reconnects (%d requests resent once after the server closed an idle connection)", s.Reconnects, s.Retries))
	}
	var connectErrs int64
	for _, o := range r.Ops {
		connectErrs += o.Errors["connect"]
	}
	if connectErrs > 0 {
		warn = append(warn, fmt.Sprintf("%d requests found no connection (connect errors)", connectErrs))
	}
	return invalid, warn
}
