package uring

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/pawelgaczynski/giouring"
	"golang.org/x/sys/unix"

	"stacklab/stacks/transport/httpwire/serve"
)

// The operations a user_data names, in its top byte.
const (
	opAccept uint8 = iota + 1
	opRecv
	opSend
	opTimer
	opCancel
	opWake
)

func userData(op uint8, idx uint32, gen uint32) uint64 {
	return uint64(op)<<56 | uint64(gen&0xffffff)<<32 | uint64(idx)
}

func splitUserData(ud uint64) (op uint8, idx uint32, gen uint32) {
	return uint8(ud >> 56), uint32(ud), uint32(ud>>32) & 0xffffff
}

// conn is one connection of a loop.
type conn struct {
	s   *serve.Conn
	fd  int
	idx uint32
	gen uint32

	recv    bool // a recv is armed
	sending bool // a send is in flight
	sent    int  // bytes of s.Out sent
	busy    bool // the request is with the app, on a goroutine
	eof     bool // the client closed its side, or the connection failed

	closing   bool  // the rest of Out, then a lingering close
	lingering bool  // write side shut down; discarding input until EOF or lingerAt
	lingerAt  int64 // Handler clock nanoseconds
	final     bool  // closing now: waiting for the operations in flight, then close(2)

	rbuf []byte // the single-shot recv buffer (without provided buffers)
}

// linger is how long a closing connection discards what the client still sends after its
// answer, so that the client reads the answer rather than a reset.
const linger = time.Second

// loop is one event loop: a ring on a locked OS thread, its connections, and the completions of
// the requests it handed to goroutines.
type loop struct {
	srv  *Server
	ring *giouring.Ring
	bufs *bufRing
	lfd  int // the listening socket (shared by the loops)

	efd     int // eventfd the ring signals; handlers and Shutdown write it to wake a parked loop
	efdFile *os.File
	efdConn syscall.RawConn
	efdBuf  [8]byte
	wakefd  int     // eventfd the ring reads: Shutdown writes it to wake a loop blocked in the ring
	wakeBuf [8]byte // the ring reads wakefd into it
	state   atomic.Int32
	busy    int  // requests with the app
	spawned bool // requests handed to goroutines since the loop last yielded

	mu        sync.Mutex
	done      []*conn // requests back from the app
	doneSpare []*conn
	spare     []*conn // conn structs to reuse
	nextGen   uint32

	conns     []*conn
	free      []uint32
	live      int
	accepting bool // the multishot accept is armed
	retry     bool // arm the accept again at the next tick (it failed)
	stopping  bool // Shutdown began: no more accepts, idle connections closed
	forced    bool // Shutdown's context ended: every connection closed now
	cqes      [512]*giouring.CompletionQueueEvent
	timer     syscall.Timespec
	start     time.Time
}

// run is the loop's goroutine: it locks its OS thread, sets up the ring on it and reports the
// outcome on ready, then serves until Shutdown has closed every connection.
func (l *loop) run(ready chan<- error) error {
	o := l.srv.opts
	if o.lockThread {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	if err := l.setup(); err != nil {
		ready <- err
		return err
	}
	ready <- nil
	defer l.teardown()
	l.armAccept()
	l.armWake()
	l.timer = syscall.NsecToTimespec(int64(250 * time.Millisecond))
	e := l.sqe()
	prep(e, giouring.OpTimeout, -1, uintptr(unsafe.Pointer(&l.timer)), 1, userData(opTimer, 0, 0))
	e.OpcodeFlags = giouring.TimeoutMultishot
	for {
		// With no request with the app, nothing but the ring can give the loop work: it submits
		// and waits in one io_uring_enter. Else it only submits and collects, and parks below.
		var err error
		if l.busy == 0 {
			err = l.enterWait()
		} else {
			_, err = l.enter()
		}
		if err != nil {
			return fmt.Errorf("uring: io_uring_enter: %w", err)
		}
		worked := l.reap()
		worked = l.takeDone() || worked
		if l.srv.stopping.Load() && !l.stopping {
			l.stop()
		}
		if l.srv.forced.Load() && !l.forced {
			l.force()
		}
		if l.stopping && l.live == 0 && !l.accepting {
			return nil
		}
		if l.spawned { // let the requests just handed to goroutines run, then take their answers
			l.spawned = false
			runtime.Gosched()
			continue
		}
		if worked || l.ring.SQReady() > 0 || l.busy == 0 {
			continue
		}
		if err := l.park(); err != nil {
			return fmt.Errorf("uring: waiting for completions: %w", err)
		}
	}
}

func (l *loop) setup() error {
	o := l.srv.opts
	flags := giouring.SetupCoopTaskrun | giouring.SetupTaskrunFlag
	if o.deferTaskrun {
		flags = giouring.SetupSingleIssuer | giouring.SetupDeferTaskrun
	}
	ring, err := setupRing(4096, flags)
	if err != nil {
		return unavailable(err)
	}
	l.ring = ring
	l.start = time.Now()
	if o.providedBuffers {
		if l.bufs, err = newBufRing(ring, o.bufCount, o.bufSize); err != nil {
			ring.QueueExit()
			return err
		}
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		l.release()
		return fmt.Errorf("uring: eventfd: %w", err)
	}
	if _, err := ring.RegisterEventFd(efd); err != nil {
		_ = unix.Close(efd)
		l.release()
		return fmt.Errorf("%w: registering an eventfd: %v", ErrUnavailable, err)
	}
	// The ring reads wakefd, so it must block (a non-blocking one would fail the read at once).
	if l.wakefd, err = unix.Eventfd(0, unix.EFD_CLOEXEC); err != nil {
		_ = unix.Close(efd)
		l.release()
		return fmt.Errorf("uring: eventfd: %w", err)
	}
	// A non-blocking descriptor becomes a pollable File: the loop parks in Go's netpoller.
	l.efd, l.efdFile = efd, os.NewFile(uintptr(efd), "uring-eventfd")
	if l.efdConn, err = l.efdFile.SyscallConn(); err != nil {
		l.efdFile.Close()
		_ = unix.Close(l.wakefd)
		l.release()
		return fmt.Errorf("uring: eventfd: %w", err)
	}
	return nil
}

func (l *loop) release() {
	if l.bufs != nil {
		l.bufs.free()
	}
	l.ring.QueueExit()
}

func (l *loop) teardown() {
	l.mu.Lock()
	l.efd = -1 // handlers that finish later no longer wake anyone
	wakefd := l.wakefd
	l.wakefd = -1
	l.mu.Unlock()
	l.release()
	_ = l.efdFile.Close()
	_ = unix.Close(wakefd)
}

// The loop's states, for whoever wakes it.
const (
	running int32 = iota
	parked        // in Go's netpoller, on efd
	blocked       // in io_uring_enter, which wakefd's read completes
)

// armWake arms the read of wakefd.
func (l *loop) armWake() {
	e := l.sqe()
	prep(e, giouring.OpRead, l.wakefd, uintptr(unsafe.Pointer(&l.wakeBuf[0])), 8, userData(opWake, 0, 0))
	e.Off = ^uint64(0) // the file's position: an eventfd has none
}

// enterWait submits what is queued and waits for at least one completion, in one system call.
// The loop's thread holds its P meanwhile; it does so only when no request is with the app, so
// no goroutine of a request waits on it (the runtime's sysmon hands the P to others after a
// while).
func (l *loop) enterWait() error {
	l.state.Store(blocked)
	if l.srv.stopping.Load() != l.stopping || l.srv.forced.Load() != l.forced {
		l.state.Store(running)
		_, err := l.enter()
		return err
	}
	_, err := l.ring.SubmitAndWait(1)
	l.state.Store(running)
	if errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ETIME) {
		return nil
	}
	return err
}

// enter submits what is queued and, with deferred task work, runs the kernel's completions.
func (l *loop) enter() (uint, error) {
	for {
		n, err := l.ring.SubmitAndGetEvents()
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EAGAIN) {
			return n, nil // the completion queue is full: reap first
		}
		return n, err
	}
}

// sqe returns a free submission entry, submitting when the queue is full.
func (l *loop) sqe() *giouring.SubmissionQueueEntry {
	for {
		if e := l.ring.GetSQE(); e != nil {
			return e
		}
		if _, err := l.enter(); err != nil {
			panic(fmt.Sprintf("uring: io_uring_enter with a full submission queue: %v", err))
		}
	}
}

// park waits in Go's netpoller until the ring's eventfd is signalled (a completion, deferred
// task work, a handler's answer, Shutdown), so the loop never blocks its P in a system call.
func (l *loop) park() error {
	l.state.Store(parked)
	l.mu.Lock()
	pending := len(l.done) > 0
	l.mu.Unlock()
	if pending || l.srv.stopping.Load() != l.stopping || l.srv.forced.Load() != l.forced || l.ring.CQReady() > 0 {
		l.state.Store(running)
		return nil
	}
	err := l.efdConn.Read(func(fd uintptr) bool {
		_, err := unix.Read(int(fd), l.efdBuf[:])
		return err != unix.EAGAIN
	})
	l.state.Store(running)
	return err
}

// wake makes a parked or blocked loop run (from any goroutine).
func (l *loop) wake() {
	var fd *int
	switch {
	case l.state.CompareAndSwap(parked, running):
		fd = &l.efd
	case l.state.CompareAndSwap(blocked, running):
		fd = &l.wakefd
	default:
		return
	}
	l.mu.Lock()
	if *fd >= 0 {
		one := [8]byte{1}
		_, _ = unix.Write(*fd, one[:])
	}
	l.mu.Unlock()
}

// reap handles every completion in the queue; it reports whether there was any.
func (l *loop) reap() bool {
	worked := false
	for {
		n := l.ring.PeekBatchCQE(l.cqes[:])
		if n == 0 {
			break
		}
		worked = true
		for i := uint32(0); i < n; i++ {
			c := l.cqes[i]
			l.complete(c.UserData, c.Res, c.Flags)
		}
		l.ring.CQAdvance(n)
	}
	if l.bufs != nil {
		l.bufs.publish()
	}
	return worked
}

func (l *loop) complete(ud uint64, res int32, flags uint32) {
	op, idx, gen := splitUserData(ud)
	switch op {
	case opAccept:
		l.accepted(res, flags)
		return
	case opTimer:
		l.tick()
		if flags&giouring.CQEFMore == 0 && !l.stopping {
			e := l.sqe()
			prep(e, giouring.OpTimeout, -1, uintptr(unsafe.Pointer(&l.timer)), 1, userData(opTimer, 0, 0))
			e.OpcodeFlags = giouring.TimeoutMultishot
		}
		return
	case opCancel:
		return
	case opWake:
		if res != -int32(unix.ECANCELED) {
			l.armWake()
		}
		return
	}
	if int(idx) >= len(l.conns) || l.conns[idx] == nil || l.conns[idx].gen != gen {
		if op == opRecv && flags&giouring.CQEFBuffer != 0 && l.bufs != nil {
			l.bufs.put(int(flags >> cqeBufferShift))
		}
		return
	}
	c := l.conns[idx]
	switch op {
	case opRecv:
		l.received(c, res, flags)
	case opSend:
		l.wrote(c, res)
	}
	if c.final {
		l.finish(c)
	}
}

// armAccept arms the multishot accept on the listening socket.
func (l *loop) armAccept() {
	e := l.sqe()
	prep(e, giouring.OpAccept, l.lfd, 0, 0, userData(opAccept, 0, 0))
	e.IoPrio = giouring.AcceptMultishot
	e.OpcodeFlags = unix.SOCK_CLOEXEC
	l.accepting = true
}

func (l *loop) accepted(res int32, flags uint32) {
	more := flags&giouring.CQEFMore != 0
	if !more {
		l.accepting = false
	}
	switch {
	case res < 0:
		// ECANCELED after Shutdown; anything else (EMFILE, ENFILE) ends this multishot accept,
		// which is armed again at the next tick rather than at once.
		if !l.accepting && !l.stopping {
			l.retry = true
		}
		return
	case l.stopping || l.srv.conns.Load() >= int64(l.srv.opts.maxConns):
		_ = unix.Close(int(res)) // shutting down, or at the connection bound
	default:
		l.open(int(res))
	}
	if !l.accepting && !l.stopping {
		l.armAccept()
	}
}

func (l *loop) open(fd int) {
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) // as Go's net does
	var idx uint32
	if n := len(l.free); n > 0 {
		idx = l.free[n-1]
		l.free = l.free[:n-1]
	} else {
		idx = uint32(len(l.conns))
		l.conns = append(l.conns, nil)
	}
	var c *conn
	if n := len(l.spare); n > 0 {
		c, l.spare = l.spare[n-1], l.spare[:n-1]
		*c = conn{rbuf: c.rbuf[:0]}
	} else {
		c = &conn{}
	}
	l.nextGen++
	c.s, c.fd, c.idx, c.gen = l.srv.handler.NewConn(), fd, idx, l.nextGen&0xffffff
	l.conns[idx] = c
	l.live++
	l.srv.conns.Add(1)
	l.armRecv(c)
}

// armRecv arms a recv: multishot from the provided buffers, or one recv into the connection's
// own buffer.
func (l *loop) armRecv(c *conn) {
	if c.recv || c.eof {
		return
	}
	e := l.sqe()
	if l.bufs != nil {
		prep(e, giouring.OpRecv, c.fd, 0, 0, userData(opRecv, c.idx, c.gen))
		e.IoPrio = giouring.RecvMultishot
		e.Flags = giouring.SqeBufferSelect
		e.BufIG = bufGroup
	} else {
		if cap(c.rbuf) == 0 {
			c.rbuf = make([]byte, l.srv.opts.bufSize)
		}
		c.rbuf = c.rbuf[:cap(c.rbuf)]
		prep(e, giouring.OpRecv, c.fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uint32(len(c.rbuf)), userData(opRecv, c.idx, c.gen))
	}
	c.recv = true
}

func (l *loop) received(c *conn, res int32, flags uint32) {
	if l.bufs == nil || flags&giouring.CQEFMore == 0 {
		c.recv = false
	}
	var data []byte
	bid := -1
	if res > 0 {
		if l.bufs != nil {
			bid = int(flags >> cqeBufferShift)
			data = l.bufs.data(bid, int(res))
		} else {
			data = c.rbuf[:res]
		}
	}
	switch {
	case res == -int32(unix.ENOBUFS): // the provided buffers ran out: arm again below
	case res <= 0: // the client closed its side, the connection failed, or the recv was cancelled
		c.eof = true
		switch {
		case c.final:
		case c.lingering, c.closing:
			l.finalize(c)
		case res == 0:
			l.act(c, c.s.EOF())
		default:
			c.closing = true
			l.finalize(c)
		}
	case c.lingering || c.closing || c.final: // the connection ends: what arrives is dropped
	default:
		l.act(c, c.s.Input(data))
	}
	if bid >= 0 {
		l.bufs.put(bid)
	}
	if !c.recv && !c.eof && !c.final && (l.bufs != nil || !c.busy && !c.sending) {
		l.armRecv(c)
	}
}

// act carries out what the connection's state asks for.
func (l *loop) act(c *conn, a serve.Action) {
	switch a {
	case serve.Wait:
		if l.bufs == nil && !c.busy && !c.sending {
			l.armRecv(c)
		}
	case serve.Send:
		l.send(c)
	case serve.Dispatch:
		if l.forced { // Shutdown gave up: no new request reaches the app
			c.eof, c.closing = true, true
			l.finalize(c)
			return
		}
		c.busy = true
		l.busy++
		l.spawned = true
		go l.serve(c)
	case serve.Close:
		c.closing = true
		if len(c.s.Out) > c.sent {
			l.send(c)
		} else {
			l.startLinger(c)
		}
	}
}

// serve runs a request through the app on its own goroutine and hands the connection back.
func (l *loop) serve(c *conn) {
	c.s.Serve()
	l.mu.Lock()
	l.done = append(l.done, c)
	l.mu.Unlock()
	l.wake()
}

// takeDone takes back the connections whose requests the app has answered.
func (l *loop) takeDone() bool {
	l.mu.Lock()
	done := l.done
	l.done = l.doneSpare[:0]
	l.mu.Unlock()
	l.busy -= len(done)
	for _, c := range done {
		c.busy = false
		if c.final {
			l.finish(c)
			continue
		}
		l.act(c, c.s.Done())
	}
	clear(done)
	l.doneSpare = done[:0]
	return len(done) > 0
}

func (l *loop) send(c *conn) {
	out := c.s.Out[c.sent:]
	e := l.sqe()
	prep(e, giouring.OpSend, c.fd, uintptr(unsafe.Pointer(&out[0])), uint32(len(out)), userData(opSend, c.idx, c.gen))
	e.OpcodeFlags = unix.MSG_NOSIGNAL
	c.sending = true
}

func (l *loop) wrote(c *conn, res int32) {
	c.sending = false
	if res < 0 || c.final {
		c.eof = true
		c.closing = true
		l.finalize(c)
		return
	}
	c.sent += int(res)
	if c.sent < len(c.s.Out) {
		l.send(c)
		return
	}
	c.sent = 0
	if c.closing {
		c.s.Out = c.s.Out[:0]
		l.startLinger(c)
		return
	}
	l.act(c, c.s.Sent())
}

// startLinger half-closes a connection whose last answer is written: shut down writing (the
// client reads its end of stream) and discard what it still sends until it closes or the linger
// time passes.
func (l *loop) startLinger(c *conn) {
	if c.eof || l.forced {
		l.finalize(c)
		return
	}
	_ = unix.Shutdown(c.fd, unix.SHUT_WR)
	c.lingering = true
	c.lingerAt = l.now() + int64(linger)
	l.armRecv(c)
}

// finalize closes a connection once its operations in flight are done: an armed recv is
// cancelled, a send in flight awaited, a request with the app awaited.
func (l *loop) finalize(c *conn) {
	if !c.final {
		c.final = true
		if c.recv {
			e := l.sqe()
			prep(e, giouring.OpAsyncCancel, -1, uintptr(userData(opRecv, c.idx, c.gen)), 0, userData(opCancel, 0, 0))
		}
	}
	l.finish(c)
}

// finish closes the socket and frees the slot when nothing is in flight any more.
func (l *loop) finish(c *conn) {
	if c.recv || c.sending || c.busy || l.conns[c.idx] != c {
		return
	}
	_ = unix.Close(c.fd)
	l.conns[c.idx] = nil
	l.free = append(l.free, c.idx)
	l.live--
	l.srv.conns.Add(-1)
	c.s = nil
	if len(l.spare) < 1024 {
		l.spare = append(l.spare, c)
	}
}

func (l *loop) now() int64 { return int64(time.Since(l.start)) }

// tick times out connections (idle, slow heads and bodies, lingering), several times a second.
func (l *loop) tick() {
	if l.retry && !l.accepting && !l.stopping {
		l.retry = false
		l.armAccept()
	}
	now := l.now()
	for _, c := range l.conns {
		switch {
		case c == nil || c.final:
		case c.lingering:
			if now > c.lingerAt {
				l.finalize(c)
			}
		case c.busy || c.sending || c.closing:
		case c.s.Expired():
			l.act(c, serve.Close)
		case l.stopping && c.s.Idle():
			l.finalize(c)
		}
	}
}

// stop begins the shutdown: the accept is cancelled and idle connections closed; the others
// close after their current answer (the Handler says Connection: close).
func (l *loop) stop() {
	l.stopping = true
	if l.accepting {
		e := l.sqe()
		prep(e, giouring.OpAsyncCancel, -1, uintptr(userData(opAccept, 0, 0)), 0, userData(opCancel, 0, 0))
	}
	l.srv.stoppedAccepting() // the armed accept keeps the socket until it is cancelled
	for _, c := range l.conns {
		if c != nil && !c.final && !c.busy && !c.sending && !c.closing && c.s.Idle() {
			l.finalize(c)
		}
	}
}

// force closes every connection now (Shutdown's context ended); requests still with the app
// close their connection when they return.
func (l *loop) force() {
	l.forced = true
	if !l.stopping {
		l.stop()
	}
	for _, c := range l.conns {
		if c != nil && !c.final {
			c.eof = true
			l.finalize(c)
		}
	}
}
