package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// SweepSchema names the SweepResult JSON; it shares SchemaVersion with Result.
const SweepSchema = "stacklab.loadgen.sweep"

// SLO is the objective a rate sweep holds each step to.
type SLO struct {
	// P99 is the largest corrected p99 latency (default 100ms).
	P99 time.Duration `json:"p99_ns"`
	// MaxErrorRate is the largest share of failed requests (default 0.001).
	MaxErrorRate float64 `json:"max_error_rate"`
	// MinAchieved is the smallest completed rate as a share of the requested one (default 0.95).
	MinAchieved float64 `json:"min_achieved"`
}

// SweepConfig steps the open-loop rate: Start, then ×Factor (or +Step when Step > 0) per step,
// until the SLO breaks, a run is invalid, or the rate would pass Max.
type SweepConfig struct {
	Start  float64 `json:"start"`
	Factor float64 `json:"factor"` // default 1.25
	Step   float64 `json:"step"`
	Max    float64 `json:"max"`
	SLO    SLO     `json:"slo"`
}

// SweepPoint is one step of the latency-versus-throughput curve.
type SweepPoint struct {
	Requested float64  `json:"requested_rate"`
	Sent      float64  `json:"sent_rate"`
	Completed float64  `json:"completed_rate"`
	P50       int64    `json:"p50_ns"`
	P99       int64    `json:"p99_ns"`
	P999      int64    `json:"p999_ns"`
	SvcP99    int64    `json:"svc_p99_ns"`
	ErrorRate float64  `json:"error_rate"`
	Valid     bool     `json:"valid"`
	MeetsSLO  bool     `json:"meets_slo"`
	Breaks    []string `json:"slo_breaks,omitempty"`
}

// What ended a sweep (SweepResult.EndedBy).
const (
	EndedBySLO       = "slo"
	EndedByGenerator = "generator"
	EndedByMax       = "max"
)

// SweepResult is a sweep's steps and where it stopped.
type SweepResult struct {
	Schema        string      `json:"schema"`
	SchemaVersion int         `json:"schema_version"`
	Name          string      `json:"name"`
	Sweep         SweepConfig `json:"sweep"`
	MaxRate       float64     `json:"max_rate"` // highest requested rate meeting the SLO in a valid run; 0 if none
	// EndedBy says what ended the sweep: EndedBySLO (the stack broke its SLO: MaxRate is its
	// limit), EndedByGenerator (a step was invalid: the generator was the limit, and MaxRate only
	// says the lab could not resolve beyond it) or EndedByMax (the plan's highest rate was met).
	EndedBy string       `json:"ended_by"`
	Stopped string       `json:"stopped"`
	Points  []SweepPoint `json:"points"`
	Runs    []*Result    `json:"runs"`
}

func (s SweepConfig) withDefaults() SweepConfig {
	if s.Factor == 0 {
		s.Factor = 1.25
	}
	if s.SLO.P99 == 0 {
		s.SLO.P99 = 100 * time.Millisecond
	}
	if s.SLO.MaxErrorRate == 0 {
		s.SLO.MaxErrorRate = 0.001
	}
	if s.SLO.MinAchieved == 0 {
		s.SLO.MinAchieved = 0.95
	}
	return s
}

// SweepMaxConns is the connection cap of a sweep whose Config.MaxConns is 0.
const SweepMaxConns = 256

// Sweep runs cfg (open loop) at increasing rates and reports the highest rate that meets the
// SLO. The setup runs once, before the first step; each step gets its own run id. Unless
// cfg.MaxConns is set, connections may grow to SweepMaxConns.
func Sweep(ctx context.Context, cfg Config, sw SweepConfig) (*SweepResult, error) {
	sw = sw.withDefaults()
	if cfg.Mode == ModeClosed {
		return nil, errors.New("loadgen: a rate sweep needs open loop")
	}
	if !(sw.Start > 0) || !(sw.Max >= sw.Start) || (sw.Step <= 0 && !(sw.Factor > 1)) {
		return nil, fmt.Errorf("loadgen: sweep from %v to %v needs 0 < start ≤ max and a step > 0 or a factor > 1", sw.Start, sw.Max)
	}
	if cfg.MaxConns == 0 {
		// A sweep looks for the stack's limit: let connections grow so that a saturated stack
		// shows as latency and a rate shortfall rather than as requests waiting unsent.
		cfg.MaxConns = max(cfg.Conns, SweepMaxConns)
	}
	cfg = cfg.withDefaults()
	base := cfg.RunID
	if len(base) > 13 {
		base = base[len(base)-13:]
	}
	out := &SweepResult{Schema: SweepSchema, SchemaVersion: SchemaVersion, Name: cfg.Name, Sweep: sw}
	for step, rate := 0, sw.Start; ; step++ {
		c := cfg
		c.Rate = rate
		c.RunID = base + "s" + strconv.Itoa(step)
		c.SkipSetup = cfg.SkipSetup || step > 0
		res, err := Run(ctx, c)
		if err != nil {
			return out, fmt.Errorf("loadgen: sweep step %d at %v req/s: %w", step, rate, err)
		}
		out.Runs = append(out.Runs, res)
		p := point(res, sw.SLO)
		out.Points = append(out.Points, p)
		if !p.Valid {
			out.EndedBy = EndedByGenerator
			out.Stopped = fmt.Sprintf("the lab could not resolve beyond %g req/s: the run at %g req/s is invalid: %s",
				out.MaxRate, rate, strings.Join(res.InvalidReasons, "; "))
			break
		}
		if !p.MeetsSLO {
			out.EndedBy = EndedBySLO
			out.Stopped = fmt.Sprintf("the SLO broke at %g req/s: %s", rate, strings.Join(p.Breaks, "; "))
			break
		}
		out.MaxRate = rate
		next := rate * sw.Factor
		if sw.Step > 0 {
			next = rate + sw.Step
		}
		if next > sw.Max {
			out.EndedBy = EndedByMax
			out.Stopped = fmt.Sprintf("reached the maximum rate %g req/s", sw.Max)
			break
		}
		rate = next
	}
	return out, nil
}

func point(r *Result, slo SLO) SweepPoint {
	p := SweepPoint{Requested: r.RequestedRate, Sent: r.SentRate, Completed: r.CompletedRate,
		P50: r.All.Corrected.P50, P99: r.All.Corrected.P99, P999: r.All.Corrected.P999,
		SvcP99: r.All.Service.P99, ErrorRate: r.All.ErrorRate, Valid: r.Valid}
	if d := time.Duration(p.P99); d > slo.P99 {
		p.Breaks = append(p.Breaks, fmt.Sprintf("p99 %v over %v", d, slo.P99))
	}
	if p.ErrorRate > slo.MaxErrorRate {
		p.Breaks = append(p.Breaks, fmt.Sprintf("errors %.3f%% over %.3f%%", 100*p.ErrorRate, 100*slo.MaxErrorRate))
	}
	if p.Requested > 0 && p.Completed < slo.MinAchieved*p.Requested {
		p.Breaks = append(p.Breaks, fmt.Sprintf("completed %.1f req/s, under %.0f%% of %g", p.Completed, 100*slo.MinAchieved, p.Requested))
	}
	p.MeetsSLO = len(p.Breaks) == 0
	return p
}

// WriteSummary writes the latency-versus-throughput curve and the highest rate meeting the SLO.
func (s *SweepResult) WriteSummary(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "sweep: SLO p99 ≤ %v, errors ≤ %.2f%%, completed ≥ %.0f%% of requested\n",
		s.Sweep.SLO.P99, 100*s.Sweep.SLO.MaxErrorRate, 100*s.Sweep.SLO.MinAchieved)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "requested/s\tsent/s\tcompleted/s\tp50\tp99\tp99.9\tsvc p99\terrors\tvalid\tSLO\t")
	for _, p := range s.Points {
		fmt.Fprintf(tw, "%.0f\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t%.3f%%\t%t\t%t\t\n", p.Requested, p.Sent, p.Completed,
			dur(p.P50), dur(p.P99), dur(p.P999), dur(p.SvcP99), 100*p.ErrorRate, p.Valid, p.MeetsSLO)
	}
	tw.Flush()
	fmt.Fprintf(&b, "highest rate meeting the SLO: %g req/s (%s)\n", s.MaxRate, s.Stopped)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing sweep summary: %w", err)
	}
	return nil
}
