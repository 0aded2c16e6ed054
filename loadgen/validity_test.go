package loadgen

import (
	"strings"
	"testing"
	"time"

	"stacklab/results"
)

func TestAssess(t *testing.T) {
	cfg := Config{Mode: ModeOpen, Rate: 1000, Duration: 10 * time.Second, Conns: 8}.withDefaults()
	healthy := func() *Result {
		return &Result{Mode: ModeOpen, RequestedRate: 1000, SentRate: 1000, CompletedRate: 1000,
			All: OpResult{Requests: 10000},
			Self: SelfResult{SchedLag: results.Latency{P99: int64(100 * time.Microsecond)}, CPUFraction: 0.3,
				SchedLatP99: int64(50 * time.Microsecond), GCPauseMax: int64(200 * time.Microsecond),
				GCPauseTotal: int64(time.Millisecond), ConnsOpened: 8, ConnsMax: 8, ConnsNeeded: 5}}
	}
	tests := []struct {
		name    string
		edit    func(*Result, *Config)
		invalid string // substring of the only reason, "" for a valid run
		warning string
	}{
		{"healthy", func(*Result, *Config) {}, "", ""},
		{"rate shortfall", func(r *Result, _ *Config) { r.SentRate = 980 }, "of the requested", ""},
		{"just enough sent", func(r *Result, _ *Config) { r.SentRate = 990 }, "", ""},
		{"scheduler lag", func(r *Result, _ *Config) { r.Self.SchedLag.P99 = int64(2 * time.Millisecond) }, "scheduler lag", ""},
		{"late starts", func(r *Result, _ *Config) { r.Self.Late = 200 }, "although a connection was free", ""},
		{"queued", func(r *Result, _ *Config) { r.Self.Queued = 200 }, "no connection was free", ""},
		{"few queued", func(r *Result, _ *Config) { r.Self.Queued = 100 }, "", ""},
		{"cpu", func(r *Result, _ *Config) { r.Self.CPUFraction = 0.95 }, "processors", ""},
		{"goroutine wait", func(r *Result, _ *Config) { r.Self.SchedLatP99 = int64(5 * time.Millisecond) }, "waited p99", ""},
		{"gc pause", func(r *Result, _ *Config) { r.Self.GCPauseMax = int64(3 * time.Millisecond) }, "GC pause", ""},
		{"gc total", func(r *Result, _ *Config) { r.Self.GCPauseTotal = int64(200 * time.Millisecond) }, "over 1% of the run", ""},
		{"looser limit", func(r *Result, c *Config) {
			r.Self.SchedLag.P99 = int64(2 * time.Millisecond)
			c.Limits.MaxLag = 5 * time.Millisecond
		}, "", ""},
		{"closed loop", func(r *Result, c *Config) {
			r.Mode, c.Mode, r.RequestedRate, r.SentRate = ModeClosed, ModeClosed, 0, 0
			r.Self.SchedLag.P99 = int64(time.Second) // not applicable in closed loop
		}, "", "closed loop"},
		{"reconnects", func(r *Result, _ *Config) { r.Self.Reconnects, r.Self.Retries = 3, 2 }, "", "3 reconnects"},
		{"connect errors", func(r *Result, _ *Config) { r.Ops = []OpResult{{Errors: map[string]int64{"connect": 4}}} }, "", "4 requests found no connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c := healthy(), cfg
			tt.edit(r, &c)
			invalid, warn := assess(r, c, nil)
			switch {
			case tt.invalid == "" && len(invalid) > 0:
				t.Errorf("invalid: %q, want valid", invalid)
			case tt.invalid != "" && (len(invalid) != 1 || !strings.Contains(invalid[0], tt.invalid)):
				t.Errorf("invalid: %q, want exactly one reason about %q", invalid, tt.invalid)
			}
			if got := strings.Join(warn, "\n"); tt.warning == "" && got != "" || !strings.Contains(got, tt.warning) {
				t.Errorf("warnings %q, want %q", warn, tt.warning)
			}
		})
	}
}
