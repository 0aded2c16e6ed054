package stats

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"stacklab/results"
)

// Key identifies what a sample measures: a stack (with its A/A label), a workload, an operation
// and a sweep step.
type Key struct {
	Stack    string // the stack's name
	Label    string // the A/A label, "" outside A/A runs
	Workload string
	Op       string
	Step     int
}

// StackKey is the stack's name with its label (results.StackKey).
func (k Key) StackKey() string { return results.StackKey(k.Stack, k.Label) }

// Case is the key without the stack: what is measured, whoever measures it.
func (k Key) Case() Case { return Case{Workload: k.Workload, Op: k.Op, Step: k.Step} }

// String names the key like a benchmark: stack/workload=W/op=O, with /step=N for a sweep step.
func (k Key) String() string { return k.StackKey() + "/" + k.Case().String() }

// Case is a workload, op and step.
type Case struct {
	Workload string
	Op       string
	Step     int
}

// String is workload=W/op=O, with /step=N for a sweep step.
func (c Case) String() string {
	s := "workload=" + c.Workload + "/op=" + c.Op
	if c.Step > 0 {
		s += fmt.Sprintf("/step=%d", c.Step)
	}
	return s
}

// CompareCases orders cases by workload, then step, then op with "all" first.
func CompareCases(a, b Case) int {
	if c := cmp.Compare(a.Workload, b.Workload); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Step, b.Step); c != 0 {
		return c
	}
	if (a.Op == "all") != (b.Op == "all") {
		if a.Op == "all" {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.Op, b.Op)
}

// CompareKeys orders keys by case, then stack, then label.
func CompareKeys(a, b Key) int {
	if c := CompareCases(a.Case(), b.Case()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Stack, b.Stack); c != 0 {
		return c
	}
	return cmp.Compare(a.Label, b.Label)
}

// Sample is every record of one key across the rounds of a run.
type Sample struct {
	Key Key
	// Valid are the valid records in round order; Invalid the others.
	Valid, Invalid []*results.Record
	// Conformant is false when the stack failed (or did not run) the conformance suite, by its
	// StackInfo or by any of its records.
	Conformant bool
	// Mode and RequestedRate are the first record's.
	Mode          string
	RequestedRate float64
}

// Values returns the metric's values over the valid records.
func (s *Sample) Values(m Metric) []float64 { return m.Values(s.Valid) }

// Summary summarises the metric over the valid records.
func (s *Sample) Summary(m Metric, confidence float64) Summary {
	return Summarize(s.Values(m), confidence)
}

// InvalidReasons lists each invalid record as "round N: reason; reason".
func (s *Sample) InvalidReasons() []string {
	out := make([]string, 0, len(s.Invalid))
	for _, r := range s.Invalid {
		reason := strings.Join(r.InvalidReasons, "; ")
		if reason == "" {
			reason = "marked invalid without a reason"
		}
		out = append(out, fmt.Sprintf("round %d: %s", r.Round, reason))
	}
	return out
}

// Samples groups a run's records into samples, sorted by CompareKeys.
func Samples(run *results.Run) []*Sample {
	conform := map[string]bool{}
	for i := range run.Stacks {
		conform[run.Stacks[i].Key()] = run.Stacks[i].Conformance.OK() && run.Stacks[i].Error == ""
	}
	byKey := map[Key]*Sample{}
	for i := range run.Records {
		r := &run.Records[i]
		k := Key{Stack: r.Stack, Label: r.Label, Workload: r.Workload, Op: r.Op, Step: r.Step}
		s := byKey[k]
		if s == nil {
			ok, listed := conform[k.StackKey()]
			s = &Sample{Key: k, Conformant: ok || !listed, Mode: r.Mode, RequestedRate: r.RequestedRate}
			byKey[k] = s
		}
		if !r.Conformant {
			s.Conformant = false
		}
		if r.Valid {
			s.Valid = append(s.Valid, r)
		} else {
			s.Invalid = append(s.Invalid, r)
		}
	}
	out := make([]*Sample, 0, len(byKey))
	for _, s := range byKey {
		byRound := func(a, b *results.Record) int { return cmp.Compare(a.Round, b.Round) }
		slices.SortStableFunc(s.Valid, byRound)
		slices.SortStableFunc(s.Invalid, byRound)
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Sample) int { return CompareKeys(a.Key, b.Key) })
	return out
}

// Rounds counts the distinct rounds of a run's records.
func Rounds(run *results.Run) int {
	seen := map[int]bool{}
	for i := range run.Records {
		seen[run.Records[i].Round] = true
	}
	return len(seen)
}
