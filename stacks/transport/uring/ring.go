package uring

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"unsafe"

	"github.com/pawelgaczynski/giouring"
	"golang.org/x/sys/unix"
)

// ErrUnavailable is wrapped by Serve's error when the kernel does not let this process use
// io_uring (not built in, io_uring_disabled, a seccomp filter) or lacks a feature the transport
// needs. The transport never falls back to another I/O model.
var ErrUnavailable = errors.New("io_uring is not available")

// The io_uring constants giouring does not name.
const (
	cqeBufferShift = 16 // IORING_CQE_BUFFER_SHIFT: the buffer id in a CQE's flags
)

// setupRing creates a ring on the calling thread. It is a variable so that a test can refuse it
// as a kernel without io_uring would.
var setupRing = func(entries uint32, flags uint32) (*giouring.Ring, error) {
	ring := giouring.NewRing()
	if err := ring.QueueInit(entries, flags); err != nil {
		return nil, err
	}
	return ring, nil
}

// unavailable explains why io_uring_setup failed.
func unavailable(err error) error {
	why := err.Error()
	switch {
	case errors.Is(err, syscall.ENOSYS):
		why = "the kernel has no io_uring (io_uring_setup: ENOSYS)"
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		why = "io_uring_setup was refused (" + err.Error() + ")"
		if b, rerr := os.ReadFile("/proc/sys/kernel/io_uring_disabled"); rerr == nil && strings.TrimSpace(string(b)) != "0" {
			why += "; /proc/sys/kernel/io_uring_disabled is " + strings.TrimSpace(string(b))
		} else {
			why += "; a seccomp filter or a container runtime may forbid it"
		}
	case errors.Is(err, syscall.EINVAL):
		why = "the kernel refused the ring's setup flags (single issuer, deferred task work: Linux 6.1 or later)"
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, why)
}

// prep fills a submission queue entry from scratch. giouring's prepare helpers leave fields of a
// reused entry as they were (OpcodeFlags, Addr3), which the kernel rejects for some operations,
// and its PrepareTimeout (and PrepareSendZC) pass the address of a Go variable instead of the
// timespec (the buffer); so every entry is written whole here.
func prep(e *giouring.SubmissionQueueEntry, op uint8, fd int, addr uintptr, length uint32, ud uint64) {
	*e = giouring.SubmissionQueueEntry{OpCode: op, Fd: int32(fd), Addr: uint64(addr), Len: length, UserData: ud}
}

// bufRing is a ring of provided buffers (IORING_REGISTER_PBUF_RING): the kernel picks a free
// buffer for each multishot recv completion, and the loop gives it back once it has read it.
type bufRing struct {
	br      *giouring.BufAndRing
	ringMem []byte // the ring's entries, mmap'd (page-aligned, outside the Go heap)
	mem     []byte // the buffers, mmap'd
	size    int
	mask    int
	pending int // buffers given back since the last advance
}

const bufGroup = 0

func newBufRing(ring *giouring.Ring, entries, size int) (*bufRing, error) {
	b := &bufRing{size: size, mask: giouring.BufRingMask(uint32(entries))}
	var err error
	if b.ringMem, err = unix.Mmap(-1, 0, entries*int(giouring.RingBufStructSize), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE); err != nil {
		return nil, fmt.Errorf("mapping the buffer ring: %w", err)
	}
	if b.mem, err = unix.Mmap(-1, 0, entries*size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE); err != nil {
		_ = unix.Munmap(b.ringMem)
		return nil, fmt.Errorf("mapping the buffers: %w", err)
	}
	b.br = (*giouring.BufAndRing)(unsafe.Pointer(&b.ringMem[0]))
	reg := giouring.BufReg{RingAddr: uint64(uintptr(unsafe.Pointer(b.br))), RingEntries: uint32(entries), Bgid: bufGroup}
	if _, err := ring.RegisterBufferRing(&reg, 0); err != nil {
		b.free()
		return nil, fmt.Errorf("%w: registering a provided-buffer ring: %v (Linux 5.19 or later)", ErrUnavailable, err)
	}
	b.br.BufRingInit()
	for i := 0; i < entries; i++ {
		b.br.BufRingAdd(b.addr(i), uint32(size), uint16(i), b.mask, i)
	}
	b.br.BufRingAdvance(entries)
	return b, nil
}

func (b *bufRing) addr(bid int) uintptr { return uintptr(unsafe.Pointer(&b.mem[bid*b.size])) }

// data is the first n bytes of buffer bid.
func (b *bufRing) data(bid, n int) []byte { return b.mem[bid*b.size : bid*b.size+n] }

// put gives buffer bid back; publish makes the given-back buffers visible to the kernel.
func (b *bufRing) put(bid int) {
	b.br.BufRingAdd(b.addr(bid), uint32(b.size), uint16(bid), b.mask, b.pending)
	b.pending++
}

func (b *bufRing) publish() {
	if b.pending > 0 {
		b.br.BufRingAdvance(b.pending)
		b.pending = 0
	}
}

func (b *bufRing) free() {
	_ = unix.Munmap(b.mem)
	_ = unix.Munmap(b.ringMem)
}
