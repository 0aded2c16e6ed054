package plan_test

import (
	"strings"
	"testing"
	"time"

	"stacklab/harness/plan"
)

func TestBuiltin(t *testing.T) {
	for _, name := range []string{"default", "quick", "gate"} {
		p, err := plan.Builtin(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Name != name || p.Rounds < 1 || len(p.Workloads) == 0 {
			t.Errorf("%s: %+v", name, p)
		}
	}
	for _, name := range []string{"default", "gate"} {
		if p, _ := plan.Builtin(name); p.Rounds < 6 {
			t.Errorf("the %s plan has %d rounds; compare needs 6 samples for a verdict", name, p.Rounds)
		}
	}
	if _, err := plan.Builtin("nope"); err == nil {
		t.Error("an unknown built-in plan was found")
	}
}

func TestDefaults(t *testing.T) {
	p, err := plan.Parse([]byte(`{"name":"x","workloads":[{"workload":"transfer","rate":100},{"workload":"json","mode":"closed"}],
		"sweeps":[{"name":"s","workload":"read","start":10,"max":100}]}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	w := p.Workloads[0]
	if p.Rounds != 6 || p.GOMAXPROCS != 1 || p.Seed != 1 || p.Stacks[0] != "variants" ||
		w.Name != "transfer@100" || w.Mode != "open" || w.Duration.D() != 5*time.Second || w.MaxConns != 8*w.Conns {
		t.Errorf("defaults: %+v %+v", p, w)
	}
	if c := p.Workloads[1]; c.Name != "json" || c.MaxConns != c.Conns {
		t.Errorf("closed-loop defaults: %+v", c)
	}
	if s := p.Sweeps[0]; s.Factor != 1.5 || s.Rounds != 1 || s.SLOP99.D() != 100*time.Millisecond || s.Mode != "open" {
		t.Errorf("sweep defaults: %+v", s)
	}
	if p.Trials() != 6*2+1 {
		t.Errorf("trials = %d", p.Trials())
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"name":"x","workloads":[{"workload":"json","mode":"closed"}],"extra":1}`, "unknown field"},
		{`{"name":"x","workloads":[{"workload":"transfer"}]}`, "needs a rate"},
		{`{"name":"x","workloads":[{"workload":"json","mode":"sideways"}]}`, "mode"},
		{`{"name":"x","workloads":[{"name":"a","workload":"json","mode":"closed"},{"name":"a","workload":"json","mode":"closed"}]}`, "two workloads"},
		{`{"name":"x","workloads":[{"name":"a/b","workload":"json","mode":"closed"}]}`, "no '/'"},
		{`{"name":"x","workloads":[{"workload":"json","mode":"closed","duration":"soon"}]}`, "duration"},
		{`{"name":"x","workloads":[{"workload":"json","mode":"closed","warmup":"500ms"}]}`, "whole seconds"},
		{`{"name":"x"}`, "no workloads"},
		{`{"workloads":[{"workload":"json","mode":"closed"}]}`, "name is empty"},
		{`{"name":"x","sweeps":[{"name":"s","workload":"read","start":10,"factor":1,"max":100}]}`, "factor > 1"},
		{`{"name":"x","workloads":[{"workload":"json","mode":"closed"}]} {}`, "after the plan"},
	} {
		_, err := plan.Parse([]byte(tc.in), "test")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}
