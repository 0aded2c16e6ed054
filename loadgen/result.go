package loadgen

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"stacklab/loadgen/internal/record"
	"stacklab/loadgen/internal/selfmon"
	"stacklab/results"
)

// SchemaVersion is the version of the Result JSON. It changes when a field changes meaning or
// disappears; new fields may appear without a change.
const SchemaVersion = 1

// Schema names the Result JSON.
const Schema = "stacklab.loadgen.result"

// Result is everything a run measured. Times are nanoseconds unless a field says otherwise.
type Result struct {
	Schema        string    `json:"schema"`
	SchemaVersion int       `json:"schema_version"`
	Name          string    `json:"name"`
	Config        Config    `json:"config"`
	Mode          Mode      `json:"mode"`
	Arrival       Arrival   `json:"arrival,omitempty"`
	Started       time.Time `json:"started"`
	// Window is the measured part of the run (Config.Duration), the denominator of the rates.
	WindowSeconds float64 `json:"window_s"`
	// Valid is false when the generator may have been the bottleneck or the run was cut short;
	// InvalidReasons says why. Warnings do not invalidate a run.
	Valid          bool     `json:"valid"`
	InvalidReasons []string `json:"invalid_reasons"`
	Warnings       []string `json:"warnings"`
	// RequestedRate is Config.Rate (0 in closed loop); SentRate counts requests sent, and
	// CompletedRate requests answered or failed, due in the window, per second of window.
	RequestedRate float64 `json:"requested_rate"`
	SentRate      float64 `json:"sent_rate"`
	CompletedRate float64 `json:"completed_rate"`
	// All merges every operation; Ops has one entry per operation of the workload.
	All       OpResult         `json:"all"`
	Ops       []OpResult       `json:"ops"`
	Intervals []IntervalResult `json:"intervals"`
	Self      SelfResult       `json:"self"`
	Setup     SetupResult      `json:"setup"`
	// Acknowledged lists every transaction the target answered 201 during the run, warm-up
	// included (Config.Acknowledged): the writes the ledger must hold afterwards. Not in the JSON
	// (a trial may write tens of thousands); AcknowledgedCount is.
	Acknowledged      []Ack `json:"-"`
	AcknowledgedCount int   `json:"acknowledged_count"`
}

// OpResult is one operation's record over the window.
type OpResult struct {
	Name     string `json:"name"`
	Requests int64  `json:"requests"`
	// Errors counts failed requests by class (connect, write, read, timeout, protocol,
	// status_2xx … status_5xx, status_other, body); FirstErrors keeps one message per class.
	Errors      map[string]int64  `json:"errors"`
	FirstErrors map[string]string `json:"first_errors,omitempty"`
	ErrorCount  int64             `json:"error_count"`
	ErrorRate   float64           `json:"error_rate"`
	// Validated counts sampled bodies checked against the contract (failures are errors.body).
	Validated int64   `json:"validated"`
	BodyBytes int64   `json:"body_bytes"`
	Rate      float64 `json:"rate"`
	// Corrected is latency from the intended send time; Service from the actual send time.
	// Every request, failed ones included, is recorded in both, in the lab's one latency type:
	// percentiles and the HDR histogram, HdrHistogram's V2 compressed encoding in base64 (decode
	// with hdrhistogram.Decode; any HdrHistogram implementation reads it).
	Corrected results.Latency `json:"corrected"`
	Service   results.Latency `json:"service"`
}

// IntervalResult is one interval of the series: requests due in [Start, Start+Interval).
type IntervalResult struct {
	Start     time.Duration   `json:"start_ns"`
	Warmup    bool            `json:"warmup"`
	Sent      int64           `json:"sent"`
	Requests  int64           `json:"requests"`
	Errors    int64           `json:"errors"`
	OpCounts  []int64         `json:"op_requests"`
	Corrected results.Latency `json:"corrected"`
	Service   results.Latency `json:"service"`
	LagP99    int64           `json:"sched_lag_p99_ns"`
	Late      int64           `json:"late"`
	Queued    int64           `json:"queued"`
	// CPUCores is the generator's CPU use during the interval (wall-clock aligned), in cores;
	// Allocs the heap objects the process allocated in it, as the runtime publishes them: in
	// batches of up to a span per size class and processor, so a single interval is approximate.
	CPUCores float64 `json:"cpu_cores"`
	Allocs   uint64  `json:"allocs"`
}

// SelfResult is the generator's measure of itself over the whole run (warm-up included).
type SelfResult struct {
	// SchedLag is how late requests were sent when a connection was free (open loop).
	SchedLag results.Latency `json:"sched_lag"`
	// Late counts requests sent more than Limits.MaxLag after they were due although a
	// connection was free; Queued those that waited longer than that for a connection because
	// every connection was waiting for an answer.
	Late   int64 `json:"late"`
	Queued int64 `json:"queued"`
	// Unsent counts scheduled requests of the window never sent before the end.
	Unsent int64 `json:"unsent"`
	// ConnsInitial were opened at the start; ConnsOpened in all (growth and reconnects
	// included); ConnsMax is the cap; ConnsNeeded the most requests that were due or in flight
	// at once.
	ConnsInitial int   `json:"conns_initial"`
	ConnsOpened  int64 `json:"conns_opened"`
	ConnsMax     int   `json:"conns_max"`
	ConnsNeeded  int64 `json:"conns_needed"`
	Reconnects   int64 `json:"reconnects"`
	// Retries counts requests resent once on a new connection because a reused connection had
	// been closed by the server before answering.
	Retries      int64   `json:"retries"`
	CPUUser      float64 `json:"cpu_user_s"`
	CPUSystem    float64 `json:"cpu_system_s"`
	CPUCores     float64 `json:"cpu_cores"`
	CPUFraction  float64 `json:"cpu_fraction"`
	GOMAXPROCS   int     `json:"gomaxprocs"`
	NumCPU       int     `json:"num_cpu"`
	GCCycles     uint64  `json:"gc_cycles"`
	GCPauseTotal int64   `json:"gc_pause_total_ns"`
	GCPauseMax   int64   `json:"gc_pause_max_ns"`
	SchedLatP50  int64   `json:"sched_latency_p50_ns"`
	SchedLatP99  int64   `json:"sched_latency_p99_ns"`
	SchedLatMax  int64   `json:"sched_latency_max_ns"`
	AllocBytes   uint64  `json:"alloc_bytes"`
	AllocObjects uint64  `json:"alloc_objects"`
	// AllocsPerReq is heap objects allocated per request over the run, start-up of the
	// recording buffers included. It counts the whole process, so an in-process server's
	// allocations are included.
	AllocsPerReq   float64 `json:"allocs_per_request"`
	RecorderAllocs int     `json:"recorder_set_allocs"`
}

// SetupResult says what the setup phase did.
type SetupResult struct {
	Skipped  bool    `json:"skipped"`
	Accounts int     `json:"accounts"`
	Created  int     `json:"created"`
	Requests int     `json:"requests"`
	Seconds  float64 `json:"seconds"`
	Ledger   string  `json:"ledger,omitempty"`
}

// percentiles reported for every histogram.
var quantiles = []float64{50, 90, 99, 99.9, 99.99}

// latencyOf summarises a histogram; with encode, the histogram is carried encoded.
func latencyOf(h *hdr.PackedHistogram, encode bool) results.Latency {
	l := results.Latency{Count: h.TotalCount()}
	if l.Count == 0 {
		return l
	}
	v := h.ValueAtPercentilesSlice(quantiles)
	l.Min, l.Mean, l.Max = h.Min(), h.Mean(), h.Max()
	l.P50, l.P90, l.P99, l.P999, l.P9999 = v[0], v[1], v[2], v[3], v[4]
	if encode {
		if b, err := h.Encode(); err == nil {
			l.HDR = string(b)
		}
	}
	return l
}

func opResult(name string, t *record.Totals, window float64) OpResult {
	o := OpResult{Name: name, Requests: t.Requests, Errors: map[string]int64{}, Validated: t.Validated,
		BodyBytes: t.BodyBytes, ErrorCount: t.ErrorCount(),
		Corrected: latencyOf(t.Corrected, true), Service: latencyOf(t.Service, true)}
	for c := record.Class(0); c < record.NumClasses; c++ {
		if n := t.Errors[c]; n > 0 {
			o.Errors[c.String()] = n
			if o.FirstErrors == nil {
				o.FirstErrors = map[string]string{}
			}
			o.FirstErrors[c.String()] = t.FirstErr[c]
		}
	}
	if o.Requests > 0 {
		o.ErrorRate = float64(o.ErrorCount) / float64(o.Requests)
	}
	if window > 0 {
		o.Rate = float64(o.Requests) / window
	}
	return o
}

func selfResult(u selfmon.Usage) SelfResult {
	return SelfResult{CPUUser: u.User.Seconds(), CPUSystem: u.System.Seconds(), CPUCores: u.Cores,
		CPUFraction: u.Fraction, GOMAXPROCS: u.GOMAXPROCS, NumCPU: u.NumCPU, GCCycles: u.GCCycles,
		GCPauseTotal: int64(u.GCPauses.Total), GCPauseMax: int64(u.GCPauses.Max),
		SchedLatP50: int64(u.SchedLatency.P50), SchedLatP99: int64(u.SchedLatency.P99),
		SchedLatMax: int64(u.SchedLatency.Max), AllocBytes: u.AllocBytes, AllocObjects: u.AllocObjects}
}
