package lab

import (
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"stacklab/harness/proc"
)

// A group is a set of processes whose usage is charged together: the stack, PostgreSQL (the
// backends of the stack's database and the server's shared background processes), Redis, Kafka,
// and the load generator (this process).
type group int

const (
	groupStack group = iota
	groupPostgres
	groupRedis
	groupKafka
	groupLoadgen
	numGroups
)

// groupUsage is one group's cumulative usage at one moment.
type groupUsage struct {
	cpu           time.Duration
	volCtx, invol int64
}

// sample is every group's usage at one moment. Each group's cumulative CPU is kept continuous
// across samples: a process that appears later is charged from zero, one that vanishes keeps what
// it had used (so the totals never go backwards).
type sample struct {
	at     time.Time
	groups [numGroups]groupUsage
}

// meter samples the groups' /proc usage every period while a trial runs, so the usage of any
// window within the trial (the measured window, or a sweep step) can be read afterwards.
type meter struct {
	period  time.Duration
	pids    func(group) []int
	mu      sync.Mutex
	samples []sample
	last    [numGroups]proc.Snapshot
	total   [numGroups]groupUsage
	stop    chan struct{}
	done    chan struct{}
}

// pgBackground names the PostgreSQL processes that serve every database; the lab charges them to
// the trial (nothing else uses the server while a trial runs).
var pgBackground = []string{"checkpointer", "background writer", "walwriter", "autovacuum launcher"}

// postgresPIDs lists the processes of a PostgreSQL server that work for database db: its backends
// and autovacuum workers, and the shared background processes.
func postgresPIDs(postmaster int, db string) []int {
	tree, err := proc.Tree(postmaster)
	if err != nil {
		return nil
	}
	var pids []int
	for _, pid := range tree[1:] {
		if servesDatabase(proc.Cmdline(pid), db) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// servesDatabase reads a PostgreSQL process title: "postgres: [cluster: ]checkpointer" or
// "postgres: [cluster: ]user db host(port) state" (Debian sets a cluster name such as 15/main).
func servesDatabase(title, db string) bool {
	rest, ok := strings.CutPrefix(title, "postgres: ")
	if !ok {
		return false
	}
	if first, after, ok := strings.Cut(rest, " "); ok && strings.HasSuffix(first, ":") {
		rest = after
	}
	if slices.Contains(pgBackground, rest) {
		return true
	}
	f := strings.Fields(rest)
	return len(f) >= 2 && f[1] == db || len(f) >= 3 && f[0] == "autovacuum" && f[2] == db
}

func newMeter(period time.Duration, pids func(group) []int) *meter {
	return &meter{period: period, pids: pids}
}

// start begins sampling.
func (m *meter) start() {
	m.stop, m.done = make(chan struct{}), make(chan struct{})
	m.take()
	go func() {
		defer close(m.done)
		t := time.NewTicker(m.period)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				m.take()
				return
			case <-t.C:
				m.take()
			}
		}
	}()
}

// endAfter stops sampling with a last sample taken no earlier than t: a load generator returns
// when its last request is answered, which can be a little before its measured window ends.
func (m *meter) endAfter(t time.Time) {
	time.Sleep(time.Until(t) + time.Millisecond)
	close(m.stop)
	<-m.done
}

func (m *meter) take() {
	now := time.Now()
	var cur [numGroups]proc.Snapshot
	for g := range numGroups {
		var pids []int
		if g == groupLoadgen {
			pids = []int{os.Getpid()}
		} else {
			pids = m.pids(g)
		}
		cur[g] = proc.SampleAll(pids)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := sample{at: now}
	for g := range numGroups {
		if m.last[g] != nil {
			m.total[g].cpu += cur[g].CPUSince(m.last[g])
			for pid, u := range cur[g] {
				before, ok := m.last[g][pid]
				if !ok || before.Started != u.Started {
					before = proc.Usage{}
				}
				m.total[g].volCtx += u.VolCtx - before.VolCtx
				m.total[g].invol += u.InvolCtx - before.InvolCtx
			}
		}
		m.last[g] = cur[g]
		s.groups[g] = m.total[g]
	}
	m.samples = append(m.samples, s)
}

// usage is what a group used within [from, to], interpolated linearly between the samples around
// each end. ok is false when the window is not covered by samples.
func (m *meter) usage(g group, from, to time.Time) (u groupUsage, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, okA := m.at(g, from)
	b, okB := m.at(g, to)
	if !okA || !okB {
		return groupUsage{}, false
	}
	return groupUsage{cpu: b.cpu - a.cpu, volCtx: b.volCtx - a.volCtx, invol: b.invol - a.invol}, true
}

// at interpolates a group's cumulative usage at t.
func (m *meter) at(g group, t time.Time) (groupUsage, bool) {
	s := m.samples
	if len(s) == 0 || t.Before(s[0].at) || t.After(s[len(s)-1].at) {
		return groupUsage{}, false
	}
	i, _ := slices.BinarySearchFunc(s, t, func(x sample, t time.Time) int { return x.at.Compare(t) })
	if i < len(s) && s[i].at.Equal(t) || i == 0 {
		return s[i].groups[g], true
	}
	lo, hi := s[i-1], s[i]
	f := float64(t.Sub(lo.at)) / float64(hi.at.Sub(lo.at))
	lerp := func(a, b int64) int64 { return a + int64(f*float64(b-a)) }
	return groupUsage{
		cpu:    time.Duration(lerp(int64(lo.groups[g].cpu), int64(hi.groups[g].cpu))),
		volCtx: lerp(lo.groups[g].volCtx, hi.groups[g].volCtx),
		invol:  lerp(lo.groups[g].invol, hi.groups[g].invol),
	}, true
}
