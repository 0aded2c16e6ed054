//go:build unix

package httpc

import (
	"net"
	"syscall"
)

// rawConn writes a request and reads the first bytes of its response in one pass of the
// runtime poller, saving the read that would fail with EAGAIN right after the write. The
// write happens inside RawConn.Read's callback, after the poller's read readiness has been
// reset, so a response arriving at any moment after the write wakes the wait: no wake-up can
// be lost.
type rawConn struct {
	rc    syscall.RawConn
	fn    func(fd uintptr) bool // c.step, bound once so a round trip does not allocate
	req   []byte
	wrote int
	dst   []byte
	n     int
	errno error
	phase uint8
}

const (
	rawWriting = iota // the request is being written
	rawReading        // the request is written; waiting for the first bytes
	rawBlocked        // the socket buffer is full: the rest of the write goes the slow way
)

func newRawConn(nc net.Conn) *rawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawConn{rc: rc}
	r.fn = r.step
	return r
}

func (r *rawConn) step(fd uintptr) bool {
	for {
		switch r.phase {
		case rawWriting:
			n, err := syscall.Write(int(fd), r.req[r.wrote:])
			if n > 0 {
				r.wrote += n
			}
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				r.phase = rawBlocked
				return true
			case err != nil:
				r.errno = err
				return true
			case r.wrote < len(r.req):
				continue
			}
			r.phase = rawReading
			return false // wait for the answer
		case rawReading:
			n, err := syscall.Read(int(fd), r.dst)
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				return false // woken early: wait again
			case err != nil:
				r.errno = err
			default:
				r.n = n
			}
			return true
		default:
			return true
		}
	}
}

// exchange writes req and reads at least one byte of the answer into dst. blocked reports that
// the write stopped at wrote bytes because the socket buffer was full; err is a poller error
// (deadline, closed) or the errno of a failed read or write.
func (r *rawConn) exchange(req, dst []byte) (n, wrote int, blocked bool, err error) {
	r.req, r.wrote, r.dst, r.n, r.errno, r.phase = req, 0, dst, 0, nil, rawWriting
	err = r.rc.Read(r.fn)
	if err == nil {
		err = r.errno
	}
	n, wrote, blocked = r.n, r.wrote, r.phase == rawBlocked
	r.req, r.dst = nil, nil
	return n, wrote, blocked, err
}

// wroteAll reports whether the last exchange got the whole request out.
func (r *rawConn) wroteAll() bool { return r.phase == rawReading }
