package record

import (
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: nanoseconds from 1 ns to 1 h with 3 significant digits.
const (
	Lowest  int64 = 1
	Highest int64 = int64(time.Hour)
	SigFigs       = 3
)

// NewHistogram returns an empty histogram with the package's geometry.
func NewHistogram() *hdr.PackedHistogram { return hdr.NewPacked(Lowest, Highest, SigFigs) }

// Add records v into h, clamped into the histogram's range.
func Add(h *hdr.PackedHistogram, v int64) {
	if v < 0 {
		v = 0
	} else if v > Highest {
		v = Highest
	}
	_ = h.RecordValue(v) // cannot fail once clamped
}

// Class is a kind of failed request.
type Class uint8

// Error classes. A request counts once, in the first class that applies.
const (
	ClassConnect     Class = iota // no connection could be opened for it
	ClassWrite                    // writing the request failed
	ClassRead                     // the connection broke while reading the response
	ClassTimeout                  // no full response before the request timeout
	ClassProtocol                 // the response is not valid HTTP/1.1
	ClassStatus2xx                // a 2xx other than the one the operation expects
	ClassStatus3xx                // an unexpected 3xx
	ClassStatus4xx                // an unexpected 4xx
	ClassStatus5xx                // a 5xx
	ClassStatusOther              // any other unexpected status
	ClassBody                     // a sampled body that does not match the contract
	NumClasses
)

var classNames = [NumClasses]string{"connect", "write", "read", "timeout", "protocol",
	"status_2xx", "status_3xx", "status_4xx", "status_5xx", "status_other", "body"}

func (c Class) String() string {
	if c < NumClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// StatusClass is the class of an unexpected status code.
func StatusClass(status int) Class {
	switch status / 100 {
	case 2:
		return ClassStatus2xx
	case 3:
		return ClassStatus3xx
	case 4:
		return ClassStatus4xx
	case 5:
		return ClassStatus5xx
	}
	return ClassStatusOther
}

// OpStats is what one interval recorded for one operation.
type OpStats struct {
	Requests  int64
	Errors    [NumClasses]int64
	Validated int64 // sampled bodies checked against the contract
	BodyBytes int64
	Corrected *hdr.PackedHistogram
	Service   *hdr.PackedHistogram
	// FirstErr holds the first error message seen per class (set once, so the hot path only
	// allocates when a request fails for a new class).
	FirstErr [NumClasses]string
}

// Record adds one request that took corrected ns from its intended send time and service ns
// from its actual send time.
func (o *OpStats) Record(corrected, service int64) {
	o.Requests++
	Add(o.Corrected, corrected)
	Add(o.Service, service)
}

// Fail counts a failure of class c; msg is kept if it is the first of its class. The request's
// latencies are recorded separately with Record: a failed request still took time.
func (o *OpStats) Fail(c Class, msg func() string) {
	o.Errors[c]++
	if o.FirstErr[c] == "" {
		o.FirstErr[c] = msg()
	}
}

// ErrorCount is the number of failed requests.
func (o *OpStats) ErrorCount() int64 {
	var n int64
	for _, e := range o.Errors {
		n += e
	}
	return n
}

func (o *OpStats) reset() {
	o.Requests, o.Validated, o.BodyBytes = 0, 0, 0
	o.Errors = [NumClasses]int64{}
	o.FirstErr = [NumClasses]string{}
	o.Corrected.Reset()
	o.Service.Reset()
}

// Set is one worker's record of one interval.
type Set struct {
	// Interval is the index of the interval: the requests recorded here were due in
	// [Interval·length, (Interval+1)·length) from the start.
	Interval int64
	Ops      []OpStats
	// Lag is the scheduler lag: how late the generator sent requests it had a free
	// connection for (open loop).
	Lag *hdr.PackedHistogram
	// Late counts requests sent later than the lag limit although a connection was free.
	Late int64
	// Queued counts requests that were due while every connection was busy.
	Queued int64
	// Sent counts requests written.
	Sent  int64
	owner *Recorder
}

// reserveBuckets is how many populated buckets a Set's histograms hold before they grow. One
// worker seldom sees more distinct latency buckets in one interval.
const reserveBuckets = 2048

// newReserved returns an empty histogram whose storage already holds reserveBuckets buckets
// with 4-byte counts, so that recording into it does not allocate: Reset keeps the capacity
// and the count width a histogram has grown to.
func newReserved() *hdr.PackedHistogram {
	h := NewHistogram()
	for v := int64(1); v <= reserveBuckets; v++ { // below 2048 every value is its own bucket
		_ = h.RecordValue(v)
	}
	_ = h.RecordValues(1, 1<<20) // widens the counts to 4 bytes
	h.Reset()
	return h
}

func newSet(nops int, owner *Recorder) *Set {
	s := &Set{Ops: make([]OpStats, nops), Lag: newReserved(), owner: owner}
	for i := range s.Ops {
		s.Ops[i].Corrected = newReserved()
		s.Ops[i].Service = newReserved()
	}
	return s
}

func (s *Set) reset() {
	for i := range s.Ops {
		s.Ops[i].reset()
	}
	s.Lag.Reset()
	s.Late, s.Queued, s.Sent = 0, 0, 0
}

// Recorder is one worker's recording state. It is used by one goroutine only.
type Recorder struct {
	cur   *Set
	spare chan *Set
	out   chan<- *Set
	nops  int
	// Allocated counts Sets this recorder had to allocate because no recycled one was back.
	Allocated int
}

// Set returns the set of interval idx, handing the current set to the collector first when it
// belongs to another interval. Intervals must not go backwards.
func (r *Recorder) Set(idx int64) *Set {
	if r.cur != nil && r.cur.Interval == idx {
		return r.cur
	}
	r.Flush()
	select {
	case s := <-r.spare:
		r.cur = s
	default:
		r.cur = newSet(r.nops, r)
		r.Allocated++
	}
	r.cur.Interval = idx
	return r.cur
}

// Flush hands the current set, if any, to the collector.
func (r *Recorder) Flush() {
	if r.cur != nil {
		r.out <- r.cur
		r.cur = nil
	}
}
