//go:build unix

package selfmon

import (
	"syscall"
	"time"
)

// rusage returns the process's user and system CPU time.
func rusage() (user, system time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}
