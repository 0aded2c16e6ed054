package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"stacklab/ledgerspec"
	"stacklab/loadgen/internal/httpc"
	"stacklab/loadgen/internal/record"
	"stacklab/loadgen/internal/sched"
	"stacklab/loadgen/internal/selfmon"
	"stacklab/loadgen/internal/workload"
)

// Workloads lists the workload names Config.Workload accepts.
func Workloads() []string { return workload.Names() }

// Run executes one run: the workload's setup (unless Config.SkipSetup), then Warmup+Duration of
// load, then a drain of the requests in flight (each bounded by Timeout). If ctx ends first,
// Run stops sending and returns the partial result, marked invalid, with ctx's error.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	u, _ := url.Parse(cfg.Target) // checked above
	wl, err := workload.New(cfg.Workload, workload.Params{Host: u.Host, Seed: cfg.Seed, RunID: cfg.RunID,
		Accounts: cfg.Accounts, Skew: cfg.Skew, ZipfS: cfg.ZipfS})
	if err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	res := &Result{Schema: Schema, SchemaVersion: SchemaVersion, Name: cfg.Name, Config: cfg, Mode: cfg.Mode}
	if cfg.Mode == ModeOpen {
		res.Arrival = cfg.Arrival
		res.RequestedRate = cfg.Rate
	}
	if err := setup(ctx, cfg, wl, res); err != nil {
		return nil, err
	}
	e, err := newEngine(cfg, wl, u.Host)
	if err != nil {
		return nil, err
	}
	return e.run(ctx, res)
}

func setup(ctx context.Context, cfg Config, wl *workload.Workload, res *Result) error {
	if !wl.Spec.Setup {
		return nil
	}
	res.Setup.Ledger = wl.Ledger()
	if cfg.SkipSetup {
		res.Setup.Skipped = true
		return nil
	}
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.SetupConns, MaxIdleConns: cfg.SetupConns}
	defer tr.CloseIdleConnections() // the run opens its own connections
	st, err := wl.Setup(ctx, ledgerspec.NewClient(cfg.Target, &http.Client{Transport: tr, Timeout: cfg.Timeout}), cfg.SetupConns)
	res.Setup.Accounts, res.Setup.Created, res.Setup.Requests, res.Setup.Seconds =
		st.Accounts, st.Created, st.Requests, st.Duration.Seconds()
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	return nil
}

type engine struct {
	cfg     Config
	wl      *workload.Workload
	ops     []workload.Op
	addr    string
	sch     sched.Schedule // open loop only
	n       int64          // scheduled requests
	ivLen   int64
	end     int64 // warm-up + duration, from start
	lagMax  int64
	timeout time.Duration
	start   time.Time
	coll    *record.Collector

	next      atomic.Int64 // next ticket (open loop)
	stop      atomic.Bool
	live      atomic.Int64 // workers running
	opened    atomic.Int64 // connections dialed
	reconns   atomic.Int64
	retries   atomic.Int64
	inflight  atomic.Int64
	needed    atomic.Int64
	workerSeq atomic.Int64

	mu      sync.Mutex
	workers []*worker
	wg      sync.WaitGroup
}

func newEngine(cfg Config, wl *workload.Workload, addr string) (*engine, error) {
	e := &engine{cfg: cfg, wl: wl, ops: wl.Ops(), addr: addr, ivLen: int64(cfg.Interval),
		end: int64(cfg.Warmup + cfg.Duration), lagMax: int64(cfg.Limits.MaxLag), timeout: cfg.Timeout}
	if cfg.Mode == ModeOpen {
		var err error
		total := cfg.Warmup + cfg.Duration
		if cfg.Arrival == ArrivalPoisson {
			e.sch, err = sched.NewPoisson(cfg.Rate, total, cfg.Seed)
		} else {
			e.sch, err = sched.NewConstant(cfg.Rate, total)
		}
		if err != nil {
			return nil, fmt.Errorf("loadgen: %w", err)
		}
		e.n = e.sch.Len()
	}
	e.coll = record.NewCollector(len(e.ops), int64(cfg.Warmup)/e.ivLen, e.end/e.ivLen)
	return e, nil
}

func (e *engine) now() int64 { return int64(time.Since(e.start)) }

type worker struct {
	e       *engine
	gen     *workload.Gen
	rec     *record.Recorder
	conn    *httpc.Conn
	pub     atomic.Pointer[httpc.Conn] // conn, for the cancel watcher
	sleeper *sched.Sleeper
	resp    httpc.Response
	buf     []byte
	n       int
	acks    []Ack // acknowledged transactions (Config.Acknowledged)
	sent    atomic.Int64
	done    atomic.Int64
	errs    atomic.Int64
}

func (e *engine) newWorker() (*worker, error) {
	id := int(e.workerSeq.Add(1))
	w := &worker{e: e, gen: e.wl.Gen(id), rec: e.coll.NewRecorder(), buf: make([]byte, 0, 4096)}
	if e.cfg.Mode == ModeOpen {
		s, err := sched.NewSleeper()
		if err != nil {
			return nil, fmt.Errorf("loadgen: %w", err)
		}
		w.sleeper = s
	}
	e.mu.Lock()
	e.workers = append(e.workers, w)
	e.mu.Unlock()
	return w, nil
}

func (w *worker) dial() error {
	c, err := httpc.Dial(context.Background(), w.e.addr, w.e.timeout)
	if err != nil {
		return err
	}
	if w.conn != nil {
		w.e.reconns.Add(1)
	}
	w.e.opened.Add(1)
	w.conn = c
	w.pub.Store(c)
	return nil
}

func (w *worker) close() {
	w.rec.Flush()
	if w.conn != nil {
		w.conn.Close()
	}
	if w.sleeper != nil {
		w.sleeper.Close()
	}
}

func (e *engine) run(ctx context.Context, res *Result) (*Result, error) {
	// Open the initial connections before the clock starts.
	initial := make([]*worker, e.cfg.Conns)
	errs := make([]error, e.cfg.Conns)
	var dials sync.WaitGroup
	for i := range initial {
		w, err := e.newWorker()
		if err != nil {
			return nil, err
		}
		initial[i] = w
		dials.Add(1)
		go func() {
			defer dials.Done()
			errs[i] = w.dial()
		}()
	}
	dials.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed == len(initial) {
		for _, w := range initial {
			w.close()
		}
		return nil, fmt.Errorf("loadgen: no connection to %s: %w", e.addr, errs[0])
	}
	if failed > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d of %d initial connections failed (first: %v); those workers redial", failed, len(initial), errors.Join(errs...)))
	}

	go e.coll.Run()
	selfmon.Flush()
	before := selfmon.Take()
	mon := newMonitor(e, before)
	e.start = time.Now()
	res.Started = e.start
	e.live.Store(int64(len(initial)))
	for _, w := range initial {
		e.wg.Add(1)
		go w.loop()
	}
	if e.cfg.Mode == ModeOpen && e.cfg.MaxConns > e.cfg.Conns {
		e.wg.Add(1)
		go e.watch()
	}
	stopWatch := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			e.stop.Store(true)
			e.mu.Lock()
			for _, w := range e.workers {
				if c := w.pub.Load(); c != nil {
					c.SetDeadline(time.Now()) // unblock requests in flight
				}
			}
			e.mu.Unlock()
		case <-stopWatch:
		}
	}()
	monDone := make(chan struct{})
	go func() {
		defer close(monDone)
		mon.loop(stopWatch)
	}()
	e.wg.Wait()
	close(stopWatch)
	<-monDone
	e.coll.Close()
	selfmon.Flush()
	after := selfmon.Take()
	e.build(res, selfmon.Diff(before, after), mon.usage())
	if err := ctx.Err(); err != nil {
		res.Valid = false
		res.InvalidReasons = append(res.InvalidReasons, "the run was cancelled: "+err.Error())
		return res, fmt.Errorf("loadgen: run cancelled: %w", err)
	}
	return res, nil
}

func (w *worker) loop() {
	defer w.e.wg.Done()
	defer w.e.live.Add(-1)
	defer w.close()
	if w.e.cfg.Mode == ModeClosed {
		w.runClosed()
	} else {
		w.runOpen()
	}
}

func (w *worker) runClosed() {
	e := w.e
	for !e.stop.Load() {
		now := e.now()
		if now >= e.end {
			return
		}
		w.do(-1, 0, false)
	}
}

func (w *worker) runOpen() {
	e := w.e
	for !e.stop.Load() {
		i := e.next.Add(1) - 1
		if i >= e.n {
			return
		}
		due := int64(e.sch.At(i))
		claim := e.now()
		if claim >= e.end {
			return // overdue past the end of the run: counted as unsent
		}
		// ready is when the generator could have sent: the due time, unless every other
		// connection was waiting for an answer, in which case it is now (the wait was for a
		// connection and counts as queued, not as the generator's lag).
		ready, queued := due, false
		if claim < due {
			if !w.sleepUntil(due) {
				return
			}
		} else if e.inflight.Load() >= e.live.Load()-1 {
			ready = claim
			if claim-due > e.lagMax {
				queued = true
				e.noteQueued(i, claim)
			}
		}
		w.do(due, ready, queued)
	}
}

// maxSleep bounds one wait so a cancelled run stops promptly.
const maxSleep = 100 * time.Millisecond

func (w *worker) sleepUntil(due int64) bool {
	spin := int64(w.e.cfg.Spin)
	for {
		d := time.Duration(due - spin - w.e.now())
		if d <= 0 {
			break
		}
		if w.e.stop.Load() {
			return false
		}
		if err := w.sleeper.Sleep(min(d, maxSleep)); err != nil {
			time.Sleep(min(d, maxSleep)) // the timerfd failed: coarser but still correct
		}
	}
	for w.e.now() < due {
		runtime.Gosched()
	}
	return true
}

// noteQueued records that ticket i was claimed at now, after it was due, while every
// connection was waiting for an answer: it updates the connections needed.
func (e *engine) noteQueued(i, now int64) {
	e.raiseNeeded(e.live.Load() + e.sch.DueBy(time.Duration(now)) - i)
}

// watch opens connections (up to MaxConns) when a request falls due while every connection is
// waiting for an answer: it wakes when the next unclaimed request has been due for MaxLag,
// claims it if no worker has, and starts a worker with a new connection to send it. Without
// it a request would wait, unsent, for a connection to come free (coordinated omission).
func (e *engine) watch() {
	defer e.wg.Done()
	sl, err := sched.NewSleeper()
	if err != nil {
		return
	}
	defer sl.Close()
	for !e.stop.Load() {
		i := e.next.Load()
		if i >= e.n {
			return
		}
		now := e.now()
		if now >= e.end {
			return
		}
		if check := int64(e.sch.At(i)) + e.lagMax; now < check {
			sl.Sleep(time.Duration(min(check-now, int64(maxSleep))))
			continue
		}
		if e.live.Load() >= int64(e.cfg.MaxConns) {
			sl.Sleep(time.Duration(e.lagMax)) // at the cap: the workers count what waits
			continue
		}
		if !e.next.CompareAndSwap(i, i+1) {
			continue // a worker took it meanwhile
		}
		e.noteQueued(i, now)
		w, err := e.newWorker()
		if err != nil {
			return
		}
		e.live.Add(1)
		e.wg.Add(1)
		go w.first(i)
	}
}

// first starts a worker the watcher opened for ticket i: it dials, sends i (queued: it
// waited for a connection) and goes on like any worker.
func (w *worker) first(i int64) {
	defer w.e.wg.Done()
	defer w.e.live.Add(-1)
	defer w.close()
	if err := w.dial(); err != nil {
		w.conn = nil // the request below redials and counts the error
	}
	w.do(int64(w.e.sch.At(i)), w.e.now(), true)
	w.runOpen()
}

// do sends one request due at due (the generator was ready for it at ready) and records it.
// In closed loop due is −1: the request is due when it is sent.
func (w *worker) do(due, ready int64, queued bool) {
	e := w.e
	if due < 0 {
		due = e.now()
	}
	set := w.rec.Set(due / e.ivLen)
	if queued {
		set.Queued++
	}
	op, req := w.gen.Next(w.buf[:0])
	w.buf = req[:0]
	st := &set.Ops[op]
	w.n++
	sample := e.cfg.SampleEvery > 0 && w.n%e.cfg.SampleEvery == 0
	keep := e.cfg.Acknowledged && w.gen.Writes()
	capture := sample || keep

	send := due
	if e.cfg.Mode == ModeOpen {
		send = e.now()
		lag := send - ready
		record.Add(set.Lag, lag)
		if lag > e.lagMax {
			set.Late++
		}
		v := e.inflight.Add(1)
		if v > e.needed.Load() {
			e.raiseNeeded(v)
		}
		defer e.inflight.Add(-1)
	}
	set.Sent++
	w.sent.Add(1)
	err := w.roundTrip(req, capture, send)
	end := e.now()
	st.Record(end-due, end-send)
	w.done.Add(1)
	if err != nil {
		w.errs.Add(1)
		st.Fail(classOf(err), err.Error)
		if e.cfg.Mode == ModeClosed && w.conn == nil {
			time.Sleep(10 * time.Millisecond) // the target refuses connections: do not spin
		}
		return
	}
	st.BodyBytes += w.resp.BodyLen
	if want := e.ops[op].Expect; w.resp.Status != want {
		w.errs.Add(1)
		status, body := w.resp.Status, w.resp.Body
		st.Fail(record.StatusClass(status), func() string {
			return fmt.Sprintf("status %d, want %d; body %.200q", status, want, body)
		})
		return
	}
	if keep {
		ack, err := acknowledged(w.gen.WrittenID(), w.resp.Body)
		if err != nil {
			w.errs.Add(1)
			st.Fail(record.ClassBody, err.Error)
			return
		}
		w.acks = append(w.acks, ack) // warm-up included: the ledger must hold every acknowledged write
	}
	if sample {
		if w.resp.Truncated {
			w.errs.Add(1)
			st.Fail(record.ClassBody, func() string { return "body longer than the capture limit" })
			return
		}
		if err := w.gen.Check(w.resp.ContentType, w.resp.Body); err != nil {
			w.errs.Add(1)
			st.Fail(record.ClassBody, err.Error)
			return
		}
		st.Validated++
	}
}

func (e *engine) raiseNeeded(v int64) {
	for {
		old := e.needed.Load()
		if v <= old || e.needed.CompareAndSwap(old, v) {
			return
		}
	}
}

// errDialed marks a request that failed because no connection could be opened.
type dialError struct{ err error }

func (d *dialError) Error() string { return d.err.Error() }
func (d *dialError) Unwrap() error { return d.err }

// roundTrip sends req on the worker's connection, dialling first when it has none, and resends
// once on a new connection when a reused connection was closed before any answer arrived.
func (w *worker) roundTrip(req []byte, capture bool, send int64) error {
	e := w.e
	for attempt := 0; ; attempt++ {
		if w.conn == nil || !w.conn.Usable() {
			if err := w.dial(); err != nil {
				w.conn = nil
				return &dialError{err}
			}
		}
		if err := w.conn.SetDeadline(e.start.Add(time.Duration(send) + e.timeout)); err != nil {
			return &httpc.Error{Stage: httpc.StageWrite, Err: fmt.Errorf("setting deadline: %w", err)}
		}
		reused := w.conn.Served() > 0
		err := w.conn.RoundTrip(req, capture, &w.resp)
		if err == nil {
			return nil
		}
		var he *httpc.Error
		if attempt == 0 && reused && errors.As(err, &he) && he.NoResponse && !he.Timeout && !e.stop.Load() &&
			(he.Stage == httpc.StageRead || he.Stage == httpc.StageWrite) {
			e.retries.Add(1)
			continue
		}
		return err
	}
}

func classOf(err error) record.Class {
	var de *dialError
	if errors.As(err, &de) {
		return record.ClassConnect
	}
	var he *httpc.Error
	if errors.As(err, &he) {
		switch {
		case he.Timeout:
			return record.ClassTimeout
		case he.Stage == httpc.StageConnect:
			return record.ClassConnect
		case he.Stage == httpc.StageWrite:
			return record.ClassWrite
		case he.Stage == httpc.StageProtocol:
			return record.ClassProtocol
		}
	}
	return record.ClassRead
}
