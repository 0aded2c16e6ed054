package record

import (
	"sort"
	"sync"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Totals is the merged record of one operation over the measurement window.
type Totals struct {
	Requests  int64
	Errors    [NumClasses]int64
	FirstErr  [NumClasses]string
	Validated int64
	BodyBytes int64
	Corrected *hdr.PackedHistogram
	Service   *hdr.PackedHistogram
}

func newTotals() *Totals { return &Totals{Corrected: NewHistogram(), Service: NewHistogram()} }

func (t *Totals) add(o *OpStats) {
	t.Requests += o.Requests
	t.Validated += o.Validated
	t.BodyBytes += o.BodyBytes
	for c := range o.Errors {
		t.Errors[c] += o.Errors[c]
		if t.FirstErr[c] == "" {
			t.FirstErr[c] = o.FirstErr[c]
		}
	}
	t.Corrected.Merge(o.Corrected)
	t.Service.Merge(o.Service)
}

// ErrorCount is the number of failed requests.
func (t *Totals) ErrorCount() int64 {
	var n int64
	for _, e := range t.Errors {
		n += e
	}
	return n
}

// Interval is the merged record of every worker for one interval.
type Interval struct {
	Index int64
	// Ops holds each operation's counts; its histograms are the all-operations ones below.
	Requests []int64
	Errors   []int64
	All      *Totals
	Lag      *hdr.PackedHistogram
	Late     int64
	Queued   int64
	Sent     int64
}

// Collector merges the sets the recorders hand in.
type Collector struct {
	in   chan *Set
	nops int
	// window: intervals [from, to) count in the totals.
	from, to int64

	mu        sync.Mutex
	ops       []*Totals
	all       *Totals
	lag       *hdr.PackedHistogram
	late      int64
	queued    int64
	sent      int64
	intervals map[int64]*Interval
	done      chan struct{}
}

// NewCollector returns a collector for nops operations whose totals hold intervals [from, to).
// Start it with Run.
func NewCollector(nops int, from, to int64) *Collector {
	c := &Collector{in: make(chan *Set, 1024), nops: nops, from: from, to: to,
		all: newTotals(), lag: NewHistogram(), intervals: map[int64]*Interval{}, done: make(chan struct{})}
	for range nops {
		c.ops = append(c.ops, newTotals())
	}
	return c
}

// NewRecorder returns a recorder that hands its sets to c.
func (c *Collector) NewRecorder() *Recorder {
	return &Recorder{spare: make(chan *Set, 2), out: c.in, nops: c.nops}
}

// Run merges sets until Close; call it in its own goroutine.
func (c *Collector) Run() {
	defer close(c.done)
	for s := range c.in {
		c.merge(s)
		s.reset()
		select {
		case s.owner.spare <- s:
		default:
		}
	}
}

// Close ends Run once every set handed in so far is merged. Recorders must have flushed.
func (c *Collector) Close() {
	close(c.in)
	<-c.done
}

func (c *Collector) merge(s *Set) {
	c.mu.Lock()
	defer c.mu.Unlock()
	iv := c.intervals[s.Interval]
	if iv == nil {
		iv = &Interval{Index: s.Interval, Requests: make([]int64, c.nops), Errors: make([]int64, c.nops),
			All: newTotals(), Lag: NewHistogram()}
		c.intervals[s.Interval] = iv
	}
	inWindow := s.Interval >= c.from && s.Interval < c.to
	for i := range s.Ops {
		o := &s.Ops[i]
		iv.Requests[i] += o.Requests
		iv.Errors[i] += o.ErrorCount()
		iv.All.add(o)
		if inWindow {
			c.ops[i].add(o)
			c.all.add(o)
		}
	}
	iv.Lag.Merge(s.Lag)
	iv.Late += s.Late
	iv.Queued += s.Queued
	iv.Sent += s.Sent
	if inWindow {
		c.lag.Merge(s.Lag)
		c.late += s.Late
		c.queued += s.Queued
		c.sent += s.Sent
	}
}

// Summary is the collector's state after Close.
type Summary struct {
	Ops       []*Totals
	All       *Totals
	Lag       *hdr.PackedHistogram
	Late      int64
	Queued    int64
	Sent      int64
	Intervals []*Interval // ascending
}

// Summary returns the merged record. Call it after Close (or for a live view, accept that it
// changes: it is a snapshot taken under the collector's lock, sharing the histograms).
func (c *Collector) Summary() Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Summary{Ops: c.ops, All: c.all, Lag: c.lag, Late: c.late, Queued: c.queued, Sent: c.sent}
	for _, iv := range c.intervals {
		s.Intervals = append(s.Intervals, iv)
	}
	sort.Slice(s.Intervals, func(i, j int) bool { return s.Intervals[i].Index < s.Intervals[j].Index })
	return s
}

// Latest returns a copy of the counts of the newest interval before idx, for progress reports.
func (c *Collector) Latest(idx int64) (Interval, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	best := int64(-1)
	for k := range c.intervals {
		if k < idx && k > best {
			best = k
		}
	}
	if best < 0 {
		return Interval{}, false
	}
	iv := c.intervals[best]
	cp := *iv
	cp.Requests = append([]int64(nil), iv.Requests...)
	cp.Errors = append([]int64(nil), iv.Errors...)
	cp.All = &Totals{Requests: iv.All.Requests, Errors: iv.All.Errors,
		Corrected: iv.All.Corrected.Clone(), Service: iv.All.Service.Clone()}
	cp.Lag = iv.Lag.Clone()
	return cp, true
}
