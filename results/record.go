package results

import (
	"encoding/json"
	"fmt"
	"time"
)

// Schema names and versions the JSON form of a Run (the spool file). Readers refuse other schemas
// and newer versions.
const (
	Schema        = "stacklab.results.run"
	SchemaVersion = 1
)

// Run is one execution of a plan on one machine: the environment it ran in, the stacks it judged
// and every measurement it took. It is the unit that is spooled, published and compared.
type Run struct {
	Schema        string    `json:"schema"`
	SchemaVersion int       `json:"schema_version"`
	ID            string    `json:"id"` // unique, sortable by start time, e.g. 20261124T101500Z-3f9a2c
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished"`
	// Plan is the plan as it was run (its file's content after defaults), PlanName its name.
	PlanName string          `json:"plan_name"`
	Plan     json.RawMessage `json:"plan"`
	Env      Env             `json:"env"`
	Stacks   []StackInfo     `json:"stacks"`
	Records  []Record        `json:"records"`
	// Notes are run-level problems that did not stop the run (a stack that failed to build, …).
	Notes []string `json:"notes,omitempty"`
}

// Env is the environment fingerprint of a run: enough to tell whether two runs are comparable.
type Env struct {
	Hostname   string `json:"hostname"`
	CPUModel   string `json:"cpu_model"`
	Cores      int    `json:"cores"`
	MemoryMiB  int64  `json:"memory_mib"`
	Kernel     string `json:"kernel"`
	OS         string `json:"os"` // e.g. "Debian GNU/Linux 12 (bookworm)"
	GoVersion  string `json:"go_version"`
	GOAMD64    string `json:"goamd64"`
	GOMAXPROCS int    `json:"gomaxprocs"` // given to every stack process
	GitCommit  string `json:"git_commit"`
	GitDirty   bool   `json:"git_dirty"`
	// Services maps a service (postgres, redis, kafka, clickhouse) to its version and source,
	// e.g. "PostgreSQL 15.20 (standard-port)".
	Services map[string]string `json:"services"`
	// Tools maps a tool (loadgen, harness) to its version or build id.
	Tools map[string]string `json:"tools,omitempty"`
	// Pinning says where the system under test and the load generator ran (CPU sets), or that
	// they were not pinned.
	Pinning string `json:"pinning,omitempty"`
}

// StackInfo is one stack of a run: its parts, how it was built and whether it conforms.
type StackInfo struct {
	Name string `json:"name"` // the stack's name: key=part per dimension, e.g. http=…/store=…/json=…/redis=…
	// Dims are the parts the name lists, in its order (ParseDims(Name)).
	Dims Dims `json:"dims"`
	// Label tells apart two instances of the same stack in one run (A/A runs); "" otherwise.
	Label string `json:"label,omitempty"`
	// Modules maps each module path in the stack binary's build info to its version.
	Modules map[string]string `json:"modules,omitempty"`
	// BinarySHA256 identifies the exact binary measured.
	BinarySHA256 string `json:"binary_sha256,omitempty"`
	// Conformance is the suite's verdict; a stack that does not conform gets no ranking.
	Conformance Conformance `json:"conformance"`
	// Error is set when the stack could not be built or started; it then has no records.
	Error string `json:"error,omitempty"`
}

// Key is the stack's name with its label, unique within a run.
func (s *StackInfo) Key() string { return StackKey(s.Name, s.Label) }

// StackKey joins a stack name and an A/A label.
func StackKey(name, label string) string {
	if label == "" {
		return name
	}
	return name + "/label=" + label
}

// Dimensions lists the run's dimensions in the order its stacks name them: the first stack's,
// then any another stack adds, in the order it first names them.
func (r *Run) Dimensions() []string {
	var keys []string
	seen := map[string]bool{}
	for i := range r.Stacks {
		for _, d := range r.Stacks[i].Dims {
			if !seen[d.Key] {
				seen[d.Key] = true
				keys = append(keys, d.Key)
			}
		}
	}
	return keys
}

// Conformance is the conformance suite's verdict on a stack.
type Conformance struct {
	Ran      bool     `json:"ran"`
	Passed   int      `json:"passed"`
	Failed   int      `json:"failed"`
	Skipped  int      `json:"skipped"`
	Failures []string `json:"failures,omitempty"` // "check-id: reason", first lines
}

// OK reports whether the stack ran the suite and passed every check.
func (c Conformance) OK() bool { return c.Ran && c.Failed == 0 }

// Record is one measurement: one operation of one workload on one stack in one trial. A trial's
// workload mix gives one record per operation plus one with Op "all".
type Record struct {
	RunID string `json:"run_id"`
	Stack string `json:"stack"`
	Label string `json:"label,omitempty"`
	Dims  Dims   `json:"dims"`
	// Workload names the plan entry (e.g. "transfer@2000"), WorkloadKind the load generator's
	// workload (e.g. "transfer").
	Workload     string `json:"workload"`
	WorkloadKind string `json:"workload_kind"`
	Op           string `json:"op"`
	// Round is the interleaving round (0-based), Trial the trial's index in the whole run, Step the
	// rate step of a sweep (0 for a fixed-rate workload).
	Round int `json:"round"`
	Trial int `json:"trial"`
	Step  int `json:"step"`
	// Mode is "open" or "closed"; RequestedRate is 0 in closed loop.
	Mode          string    `json:"mode"`
	RequestedRate float64   `json:"requested_rate"`
	Started       time.Time `json:"started"`
	Seconds       float64   `json:"seconds"` // the measured window, warm-up excluded
	Conns         int       `json:"conns"`
	// CPUs is where the trial ran: "sut=0 gen=1" (taskset lists), or "" when not pinned.
	CPUs string `json:"cpus,omitempty"`

	Requests int64            `json:"requests"`
	Errors   int64            `json:"errors"`
	ByClass  map[string]int64 `json:"errors_by_class,omitempty"`
	Rate     float64          `json:"rate"` // completed requests per second
	// Corrected latency is measured from the intended send time (coordinated omission corrected),
	// Service latency from the actual send time.
	Corrected Latency `json:"corrected"`
	Service   Latency `json:"service"`

	// Resources used during the measured window, on the "all" record only: a trial's CPU cannot
	// be split by operation, so per-operation records leave them zero. Seconds of CPU are
	// user+system.
	StackCPU       float64 `json:"stack_cpu_s"`
	StackRSSPeak   int64   `json:"stack_rss_peak_bytes"`
	StackCtxVol    int64   `json:"stack_ctx_switches_voluntary"`
	StackCtxInvol  int64   `json:"stack_ctx_switches_involuntary"`
	PostgresCPU    float64 `json:"postgres_cpu_s"`
	RedisCPU       float64 `json:"redis_cpu_s"`
	KafkaCPU       float64 `json:"kafka_cpu_s"`
	LoadgenCPU     float64 `json:"loadgen_cpu_s"`
	ResourcesMeter string  `json:"resources_meter,omitempty"` // how they were measured, or why not

	Valid          bool     `json:"valid"`
	InvalidReasons []string `json:"invalid_reasons,omitempty"`
	// Wrong lists the ledger invariants the stack broke during the trial (checked in its database
	// afterwards: conservation, counters, caps, seqs, acknowledged writes, events). A trial with
	// wrong answers is invalid, and its stack gets no rank on the workload.
	Wrong      []string `json:"wrong,omitempty"`
	Conformant bool     `json:"conformant"`
	// GenLagP99 is how late the load generator sent (its scheduler lag, p99, ns) and
	// GenLateFraction the share of requests it sent later than its validity limit: the part of the
	// corrected latency that is the generator's, not the stack's.
	GenLagP99       int64   `json:"loadgen_lag_p99_ns"`
	GenLateFraction float64 `json:"loadgen_late_fraction"`

	// SLOMet and SLOBreaks are set on sweep steps (Step > 0): whether the step met the sweep's SLO,
	// and how it broke it.
	SLOMet    bool     `json:"slo_met,omitempty"`
	SLOBreaks []string `json:"slo_breaks,omitempty"`
}

// Latency is a latency distribution: percentiles in nanoseconds and the HDR histogram itself,
// encoded (hdrhistogram-go's Encode, base64 of the compressed V2 format). It is the one latency
// type of the lab: the load generator records its operations in it.
type Latency struct {
	Count int64   `json:"count"`
	Min   int64   `json:"min_ns"`
	Mean  float64 `json:"mean_ns"`
	P50   int64   `json:"p50_ns"`
	P90   int64   `json:"p90_ns"`
	P99   int64   `json:"p99_ns"`
	P999  int64   `json:"p999_ns"`
	// P9999 is the 99.99th percentile; 0 in runs recorded before it was kept.
	P9999 int64  `json:"p9999_ns,omitempty"`
	Max   int64  `json:"max_ns"`
	HDR   string `json:"hdr,omitempty"`
}

// CPUPerRequest is the stack process's CPU time per completed request, in microseconds
// (0 when unknown).
func (r *Record) CPUPerRequest() float64 {
	if r.Requests == 0 || r.StackCPU == 0 {
		return 0
	}
	return r.StackCPU / float64(r.Requests) * 1e6
}

// TotalCPUPerRequest adds the CPU of PostgreSQL, Redis and Kafka to the stack's, per request (µs):
// what a request costs the whole system apart from the load generator.
func (r *Record) TotalCPUPerRequest() float64 {
	total := r.StackCPU + r.PostgresCPU + r.RedisCPU + r.KafkaCPU
	if r.Requests == 0 || total == 0 {
		return 0
	}
	return total / float64(r.Requests) * 1e6
}

// ErrorRate is Errors/Requests.
func (r *Record) ErrorRate() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Errors) / float64(r.Requests)
}

// Key identifies what a record measures, across rounds: stack (with label), workload, op and step.
func (r *Record) Key() string {
	return fmt.Sprintf("%s/workload=%s/op=%s/step=%d", StackKey(r.Stack, r.Label), r.Workload, r.Op, r.Step)
}

// NewRun returns an empty run with its schema set.
func NewRun(id string, started time.Time) *Run {
	return &Run{Schema: Schema, SchemaVersion: SchemaVersion, ID: id, Started: started.UTC()}
}

// Check reports what makes a run unreadable or inconsistent: a wrong schema, a newer version,
// records of another run or of a stack the run does not list.
func (r *Run) Check() error {
	if r.Schema != Schema {
		return fmt.Errorf("run %q: schema %q, want %q", r.ID, r.Schema, Schema)
	}
	if r.SchemaVersion < 1 || r.SchemaVersion > SchemaVersion {
		return fmt.Errorf("run %q: schema version %d, this program reads up to %d", r.ID, r.SchemaVersion, SchemaVersion)
	}
	if r.ID == "" {
		return fmt.Errorf("run without an id")
	}
	stacks := map[string]bool{}
	for i := range r.Stacks {
		stacks[r.Stacks[i].Key()] = true
	}
	for i := range r.Records {
		rec := &r.Records[i]
		if rec.RunID != r.ID {
			return fmt.Errorf("run %q: record %d belongs to run %q", r.ID, i, rec.RunID)
		}
		if !stacks[StackKey(rec.Stack, rec.Label)] {
			return fmt.Errorf("run %q: record %d measures stack %q, which the run does not list", r.ID, i, StackKey(rec.Stack, rec.Label))
		}
	}
	return nil
}
