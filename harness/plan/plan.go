package plan

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Plan is what a lab run does: which stacks, which workloads, how long, how many rounds.
type Plan struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Stacks are stack names (http=…/store=…/…) or names of stacks.Sets: "all" (every combination),
	// "covering" (every pair of parts of two dimensions in one stack), "variants" (the baseline and one
	// other part at a time), "baseline".
	Stacks []string `json:"stacks"`
	// AA runs every stack twice, labelled "a" and "b", to measure the lab's noise floor.
	AA bool `json:"aa,omitempty"`
	// Rounds: in each round every stack runs every workload once, stacks in a shuffled order.
	Rounds int `json:"rounds"`
	// Seed drives the shuffles and the load generator's choices, so a plan replays exactly.
	Seed uint64 `json:"seed"`
	// GOMAXPROCS is given to every stack process, so no stack gets more cores than another.
	GOMAXPROCS int `json:"gomaxprocs"`
	// DBConns is each stack's PostgreSQL pool size.
	DBConns int `json:"db_conns"`
	// RedisConns is each stack's Redis connection budget (default 8), the same for every Redis
	// client: left to their defaults they differ (go-redis 10 per CPU, rueidis 1 at one CPU).
	RedisConns int `json:"redis_conns,omitempty"`
	// Limits are the load generator's validity limits: a trial that breaks one is invalid and its
	// numbers do not count. Zero values keep the load generator's strict defaults (1 ms).
	Limits Limits `json:"limits"`
	// CPUs confines the system under test (the stack, PostgreSQL, Redis, Kafka) and the load
	// generator to separate CPUs for the whole run, so the generator never starves and the stack
	// never shares its CPUs with the generator. Default: on a machine of n ≥ 2 CPUs, the generator on
	// the last and the system under test on the others; "off" leaves both unpinned.
	CPUs CPUs `json:"cpus,omitzero"`
	// Workloads each name the dimensions they exercise: a stack that differs from the baseline runs
	// a workload only when it differs in one of them; the baseline runs them all.
	Workloads []Workload `json:"workloads"`
	Sweeps    []Sweep    `json:"sweeps,omitempty"`
}

// CPUs are taskset-style CPU lists ("0", "0-2"), or Pin "off".
type CPUs struct {
	Pin       string `json:"pin,omitempty"` // "on" (default) or "off"
	SUT       string `json:"sut,omitempty"`
	Generator string `json:"generator,omitempty"`
}

// Limits say when the load generator was too slow to trust a trial's numbers. Every record carries
// the generator's own lag, so a reader sees how much of a latency was the generator's.
type Limits struct {
	// MaxLag is the largest scheduler lag p99 (how late requests were sent); a request sent later
	// than MaxLag counts as late.
	MaxLag Duration `json:"max_lag,omitempty"`
	// MaxLateFraction is the largest share of late requests.
	MaxLateFraction float64 `json:"max_late_fraction,omitempty"`
	// MaxSchedLatency is the largest p99 wait of the generator's goroutines for a processor.
	MaxSchedLatency Duration `json:"max_sched_latency,omitempty"`
	// MaxGCPause is the largest GC pause of the generator.
	MaxGCPause Duration `json:"max_gc_pause,omitempty"`
}

// Workload is one fixed-rate (open loop) or as-fast-as-possible (closed loop) trial.
type Workload struct {
	// Name identifies the entry in results, e.g. "transfer@300".
	Name string `json:"name"`
	// Workload is the load generator's workload (transfer, ledger-mix, read, ssr, plaintext, json, …).
	Workload string  `json:"workload"`
	Mode     string  `json:"mode"`           // "open" (default) or "closed"
	Rate     float64 `json:"rate,omitempty"` // requests per second, open loop
	Arrival  string  `json:"arrival,omitempty"`
	Conns    int     `json:"conns,omitempty"`
	// MaxConns caps the connections an open loop may open when every one is busy (default 8×Conns).
	MaxConns int      `json:"max_conns,omitempty"`
	Duration Duration `json:"duration"`
	Warmup   Duration `json:"warmup"`
	Accounts int      `json:"accounts,omitempty"`
	Skew     string   `json:"skew,omitempty"` // "uniform" or "zipf"
	// Dimensions are the dimensions (stack name keys: http, store, …) whose parts the workload
	// exercises. Empty: every stack runs it.
	Dimensions []string `json:"dimensions,omitempty"`
}

// For reports whether a stack whose parts differ from the baseline's in the dimensions differing
// runs the workload: the baseline (no difference) runs every workload; another stack those that
// name one of its differing dimensions, or that name none.
func (w Workload) For(differing []string) bool {
	if len(w.Dimensions) == 0 || len(differing) == 0 {
		return true
	}
	for _, d := range differing {
		if slices.Contains(w.Dimensions, d) {
			return true
		}
	}
	return false
}

// Sweep steps a workload's open-loop rate up until the SLO breaks, to draw the
// latency-versus-throughput curve and find the highest rate that meets the SLO.
type Sweep struct {
	Workload
	Start  float64 `json:"start"`
	Factor float64 `json:"factor"`
	Max    float64 `json:"max"`
	// SLO: the largest corrected p99; errors over 0.1% or achieved under 95% of requested also break it.
	SLOP99 Duration `json:"slo_p99"`
	// Rounds of the sweep (default 1: sweeps are long), interleaved like the workloads.
	Rounds int `json:"rounds,omitempty"`
}

// Duration is a time.Duration written as "5s" in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "1m30s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a string such as "1m30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// D is the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

//go:embed plans/*.json
var builtin embed.FS

// Builtin returns one of the plans that ship with the lab (Builtins lists them).
func Builtin(name string) (*Plan, error) {
	b, err := builtin.ReadFile("plans/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("no built-in plan %q (built in: %s)", name, strings.Join(Builtins(), ", "))
	}
	return Parse(b, name+".json")
}

// Builtins lists the names of the built-in plans.
func Builtins() []string {
	entries, _ := builtin.ReadDir("plans") // the embedded folder always reads
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	return names
}

// Load reads a plan file.
func Load(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	return Parse(b, path)
}

// Parse reads a plan strictly (unknown fields are errors, so a typo never silently changes a
// run), applies defaults and checks it.
func Parse(b []byte, source string) (*Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("plan %s: %w", source, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("plan %s: data after the plan object", source)
	}
	p.defaults()
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("plan %s: %w", source, err)
	}
	return &p, nil
}

func (p *Plan) defaults() {
	if p.Rounds == 0 {
		p.Rounds = 6
	}
	if p.Seed == 0 {
		p.Seed = 1
	}
	if p.GOMAXPROCS == 0 {
		p.GOMAXPROCS = 1
	}
	if p.DBConns == 0 {
		p.DBConns = 8
	}
	if p.RedisConns == 0 {
		p.RedisConns = 8
	}
	if len(p.Stacks) == 0 {
		p.Stacks = []string{"variants"}
	}
	if p.CPUs.Pin == "" {
		p.CPUs.Pin = "on"
	}
	for i := range p.Workloads {
		p.Workloads[i].defaults()
	}
	for i := range p.Sweeps {
		s := &p.Sweeps[i]
		s.Mode = "open"
		if s.Rate == 0 {
			s.Rate = s.Start // a sweep's first rate; its steps set their own
		}
		s.Workload.defaults()
		if s.Factor == 0 {
			s.Factor = 1.5
		}
		if s.Rounds == 0 {
			s.Rounds = 1
		}
		if s.SLOP99 == 0 {
			s.SLOP99 = Duration(100 * time.Millisecond)
		}
	}
}

func (w *Workload) defaults() {
	if w.Mode == "" {
		w.Mode = "open"
	}
	if w.Name == "" {
		w.Name = w.Workload
		if w.Mode == "open" && w.Rate > 0 {
			w.Name = fmt.Sprintf("%s@%g", w.Workload, w.Rate)
		}
	}
	if w.Conns == 0 {
		w.Conns = 16
	}
	if w.MaxConns == 0 {
		w.MaxConns = w.Conns
		if w.Mode == "open" {
			w.MaxConns = 8 * w.Conns
		}
	}
	if w.Duration == 0 {
		w.Duration = Duration(5 * time.Second)
	}
	if w.Warmup == 0 {
		w.Warmup = Duration(time.Second)
	}
}

func (p *Plan) check() error {
	var errs []error
	if p.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if p.CPUs.Pin != "on" && p.CPUs.Pin != "off" {
		errs = append(errs, fmt.Errorf("cpus.pin %q: want on or off", p.CPUs.Pin))
	}
	if p.Rounds < 1 || p.GOMAXPROCS < 1 || p.DBConns < 1 || p.RedisConns < 1 {
		errs = append(errs, fmt.Errorf("rounds (%d), gomaxprocs (%d), db_conns (%d) and redis_conns (%d) must be at least 1", p.Rounds, p.GOMAXPROCS, p.DBConns, p.RedisConns))
	}
	if len(p.Workloads)+len(p.Sweeps) == 0 {
		errs = append(errs, errors.New("no workloads and no sweeps"))
	}
	seen := map[string]bool{}
	for _, w := range p.Workloads {
		if err := w.check(); err != nil {
			errs = append(errs, err)
		}
		if seen[w.Name] {
			errs = append(errs, fmt.Errorf("two workloads are named %q", w.Name))
		}
		seen[w.Name] = true
	}
	for _, s := range p.Sweeps {
		if err := s.Workload.check(); err != nil {
			errs = append(errs, err)
		}
		if s.Start <= 0 || s.Factor <= 1 || s.Max < s.Start {
			errs = append(errs, fmt.Errorf("sweep %q: want start > 0, factor > 1 and max ≥ start", s.Name))
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("two workloads are named %q", s.Name))
		}
		seen[s.Name] = true
	}
	return errors.Join(errs...)
}

func (w *Workload) check() error {
	switch {
	case w.Workload == "":
		return fmt.Errorf("workload %q: no load generator workload given", w.Name)
	case strings.ContainsAny(w.Name, "/ \t"):
		return fmt.Errorf("workload %q: a name has no '/' or spaces (it becomes part of a benchmark name)", w.Name)
	case w.Mode != "open" && w.Mode != "closed":
		return fmt.Errorf("workload %q: mode %q, want open or closed", w.Name, w.Mode)
	case w.Mode == "open" && w.Rate <= 0:
		return fmt.Errorf("workload %q: an open-loop workload needs a rate > 0", w.Name)
	case w.Duration <= 0 || w.Warmup < 0:
		return fmt.Errorf("workload %q: duration must be > 0 and warmup ≥ 0", w.Name)
	case w.Duration.D()%time.Second != 0 || w.Warmup.D()%time.Second != 0:
		return fmt.Errorf("workload %q: duration and warmup must be whole seconds (the load generator keeps one histogram per second)", w.Name)
	}
	return nil
}

// Trials is how many measured trials the plan makes per stack.
func (p *Plan) Trials() int {
	n := p.Rounds * len(p.Workloads)
	for _, s := range p.Sweeps {
		n += s.Rounds
	}
	return n
}

// JSON is the plan as run, defaults applied.
func (p *Plan) JSON() json.RawMessage {
	b, _ := json.Marshal(p) // a Plan always marshals
	return b
}
