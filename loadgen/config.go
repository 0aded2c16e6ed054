package loadgen

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"stacklab/loadgen/internal/workload"
)

// Mode is the load model.
type Mode string

// Modes.
const (
	// ModeOpen sends on a schedule fixed in advance, whatever the answers (no coordinated omission).
	ModeOpen Mode = "open"
	// ModeClosed keeps Conns connections busy, each sending its next request when the previous
	// answer arrived. Its latencies are service times: they hide stalls.
	ModeClosed Mode = "closed"
)

// Arrival is how open-loop requests are spaced.
type Arrival string

// Arrivals.
const (
	ArrivalConstant Arrival = "constant" // one request every 1/Rate seconds
	ArrivalPoisson  Arrival = "poisson"  // exponential gaps with mean 1/Rate, drawn from Seed
)

// Config is one run. Zero fields take the defaults documented on them.
type Config struct {
	// Target is the stack's base URL, http://host:port (loopback in this lab).
	Target string `json:"target"`
	// Workload names a workload: ledger-mix, transfer, read, ssr, plaintext, json.
	Workload string `json:"workload"`
	// Mode is ModeOpen (default) or ModeClosed.
	Mode Mode `json:"mode"`
	// Rate is the requested rate in requests per second (open loop; required there).
	Rate float64 `json:"rate"`
	// Arrival is ArrivalConstant (default) or ArrivalPoisson.
	Arrival Arrival `json:"arrival"`
	// Duration is the measured part of the run (default 10s); Warmup runs before it and is kept
	// in the interval series only (default 0). Both are multiples of Interval.
	Duration time.Duration `json:"duration_ns"`
	Warmup   time.Duration `json:"warmup_ns"`
	// Interval is the length of one interval of the series (default 1s).
	Interval time.Duration `json:"interval_ns"`
	// Conns is the number of connections opened at the start (default 16).
	Conns int `json:"conns"`
	// MaxConns caps the connections an open-loop run may open when a request is due and every
	// connection is busy (default Conns: no growth; such requests are counted as queued).
	MaxConns int `json:"max_conns"`
	// Spin makes an open-loop worker wake this much before a request is due and spin (yielding
	// the processor) until it is (default 0). A timer wakes a parked goroutine tens of
	// microseconds late on a virtual machine; spinning removes that lag from the corrected
	// latency at a CPU cost of about Rate×Spin.
	Spin time.Duration `json:"spin_ns"`
	// Timeout bounds one request (default 10s).
	Timeout time.Duration `json:"timeout_ns"`
	// Seed fixes the setup and every random choice (default 1).
	Seed uint64 `json:"seed"`
	// RunID goes into every id created during the run, 1–16 letters or digits (default: from the clock).
	RunID string `json:"run_id"`
	// Accounts is the number of accounts the setup creates and funds (default 1000).
	Accounts int `json:"accounts"`
	// Skew is how accounts are chosen: "uniform" (default) or "zipf" with exponent ZipfS (default 1.1).
	Skew  string  `json:"skew"`
	ZipfS float64 `json:"zipf_s"`
	// SampleEvery validates the body of one response in SampleEvery per connection against
	// the contract (default 100: 1%; 1: all; negative: none). Every status is always checked.
	SampleEvery int `json:"sample_every"`
	// Acknowledged keeps the id and seq of every transaction the target acknowledged with a 201
	// (Result.Acknowledged), so that a lab can check afterwards that each is in the ledger. It
	// captures the bodies of write responses to read their seq.
	Acknowledged bool `json:"acknowledged"`
	// SkipSetup skips the setup phase (the accounts exist from an earlier run with the same Seed).
	SkipSetup bool `json:"skip_setup"`
	// SetupConns is the setup's concurrency (default 16).
	SetupConns int `json:"setup_conns"`
	// Name names the run in its Result, e.g. the lab's benchmark name of the trial (default
	// "BenchmarkLoadgen/workload=W"). Benchmark lines are named from the records (Result.Records,
	// results.WriteBench).
	Name string `json:"name"`
	// Limits decide when the generator itself invalidates the run.
	Limits Limits `json:"limits"`
	// Progress, when set, is called once per interval from the run's own goroutine.
	Progress func(Progress) `json:"-"`
}

// Limits are the thresholds beyond which a run is marked invalid because the generator may
// have been the bottleneck. Zero fields take the defaults.
type Limits struct {
	// MaxLag is the largest scheduler lag p99 (default 1ms); a request due more than MaxLag
	// before it could start counts as late or queued.
	MaxLag time.Duration `json:"max_lag_ns"`
	// MaxLateFraction is the largest share of requests that may start late or queued (default 0.01).
	MaxLateFraction float64 `json:"max_late_fraction"`
	// MinSentFraction is the smallest share of the requested rate that must be sent (default 0.99).
	MinSentFraction float64 `json:"min_sent_fraction"`
	// MaxCPUFraction is the largest share of its processors the generator may use (default 0.9).
	MaxCPUFraction float64 `json:"max_cpu_fraction"`
	// MaxSchedLatency is the largest p99 of the time the generator's runnable goroutines waited
	// for a processor (default 1ms).
	MaxSchedLatency time.Duration `json:"max_sched_latency_ns"`
	// MaxGCPause is the largest stop-the-world GC pause (default 1ms); GC pauses may also take at
	// most 1% of the run.
	MaxGCPause time.Duration `json:"max_gc_pause_ns"`
}

// Progress is reported once per interval during a run.
type Progress struct {
	Elapsed   time.Duration
	Phase     string // "warmup", "measure" or "drain"
	Sent      int64
	Completed int64
	Errors    int64
	Conns     int64
	// Last is the newest finished interval, nil before the first.
	Last *IntervalResult
}

func (c Config) withDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeOpen
	}
	if c.Arrival == "" {
		c.Arrival = ArrivalConstant
	}
	if c.Duration == 0 {
		c.Duration = 10 * time.Second
	}
	if c.Interval == 0 {
		c.Interval = time.Second
	}
	if c.Conns == 0 {
		c.Conns = 16
	}
	if c.MaxConns == 0 {
		c.MaxConns = c.Conns
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.RunID == "" {
		c.RunID = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	if c.Accounts == 0 {
		c.Accounts = 1000
	}
	if c.SampleEvery == 0 {
		c.SampleEvery = 100
	}
	if c.SetupConns == 0 {
		c.SetupConns = 16
	}
	if c.Name == "" {
		c.Name = "BenchmarkLoadgen/workload=" + c.Workload
	}
	l := &c.Limits
	if l.MaxLag == 0 {
		l.MaxLag = time.Millisecond
	}
	if l.MaxLateFraction == 0 {
		l.MaxLateFraction = 0.01
	}
	if l.MinSentFraction == 0 {
		l.MinSentFraction = 0.99
	}
	if l.MaxCPUFraction == 0 {
		l.MaxCPUFraction = 0.9
	}
	if l.MaxSchedLatency == 0 {
		l.MaxSchedLatency = time.Millisecond
	}
	if l.MaxGCPause == 0 {
		l.MaxGCPause = time.Millisecond
	}
	return c
}

func (c Config) check() error {
	var errs []error
	u, err := url.Parse(c.Target)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("target %q: %w", c.Target, err))
	case u.Scheme != "http" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "":
		errs = append(errs, fmt.Errorf("target %q: want http://host:port", c.Target))
	}
	if _, err := workload.Lookup(c.Workload); err != nil {
		errs = append(errs, err)
	}
	switch c.Mode {
	case ModeOpen:
		if !(c.Rate > 0) {
			errs = append(errs, fmt.Errorf("open loop needs a positive rate, got %v", c.Rate))
		}
	case ModeClosed:
	default:
		errs = append(errs, fmt.Errorf("mode %q is neither %q nor %q", c.Mode, ModeOpen, ModeClosed))
	}
	if c.Arrival != ArrivalConstant && c.Arrival != ArrivalPoisson {
		errs = append(errs, fmt.Errorf("arrival %q is neither %q nor %q", c.Arrival, ArrivalConstant, ArrivalPoisson))
	}
	if c.Interval <= 0 || c.Duration <= 0 || c.Warmup < 0 || c.Duration%c.Interval != 0 || c.Warmup%c.Interval != 0 {
		errs = append(errs, fmt.Errorf("duration %v and warm-up %v must be multiples of the interval %v", c.Duration, c.Warmup, c.Interval))
	}
	if c.Conns < 1 || c.MaxConns < c.Conns {
		errs = append(errs, fmt.Errorf("conns %d and max conns %d: need 1 ≤ conns ≤ max conns", c.Conns, c.MaxConns))
	}
	if c.Spin < 0 || c.Spin > 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("spin %v must be within 0…10ms", c.Spin))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout %v must be positive", c.Timeout))
	}
	return errors.Join(errs...)
}
