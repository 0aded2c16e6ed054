// Package sched holds the open-loop schedule and the sleeper that keeps it.
//
// A Schedule fixes in advance when request i is due, as an offset from the start of the run:
// i·period for a constant rate, or the arrival times of a Poisson process drawn from a seed.
// The schedule never moves: a request sent late is measured from the time it was due, which is
// what makes the latency "corrected" (no coordinated omission).
//
// A Sleeper waits until a due time. On Linux it arms a timerfd and parks the goroutine in the
// runtime's network poller, which wakes within tens of microseconds; time.Sleep waits for the
// poller's millisecond timeout when the process is idle and would add up to a millisecond of
// scheduler lag to every request. Other systems fall back to a reused time.Timer.
package sched
