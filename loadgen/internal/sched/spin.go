package sched

import "time"

// SpinBelow is the wait under which a Sleeper spins instead of arming a timer: arming and
// waking cost more than this.
const SpinBelow = 20 * time.Microsecond
