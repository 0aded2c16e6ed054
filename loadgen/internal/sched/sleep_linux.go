//go:build linux

package sched

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// Sleeper waits with a timerfd parked in the runtime poller. It is not safe for concurrent use.
type Sleeper struct {
	fd  int
	f   *os.File
	buf [8]byte
}

// NewSleeper creates a sleeper; Close releases its file descriptor.
func NewSleeper() (*Sleeper, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("creating timerfd: %w", err)
	}
	return &Sleeper{fd: fd, f: os.NewFile(uintptr(fd), "timerfd")}, nil
}

// Sleep waits for d. Waits under SpinBelow are spun (yielding the processor) instead.
func (s *Sleeper) Sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if d < SpinBelow {
		spin(d)
		return nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := unix.TimerfdSettime(s.fd, 0, &spec, nil); err != nil {
		return fmt.Errorf("arming timerfd: %w", err)
	}
	if _, err := s.f.Read(s.buf[:]); err != nil {
		return fmt.Errorf("waiting on timerfd: %w", err)
	}
	return nil
}

// Close releases the timer.
func (s *Sleeper) Close() error { return s.f.Close() }

func spin(d time.Duration) {
	t0 := time.Now()
	for time.Since(t0) < d {
		runtime.Gosched()
	}
}
