// Package proc starts and stops the lab's child processes and reads /proc about any process.
//
// Children (servers, stack processes) run in their own process group with SIGKILL as their
// parent-death signal, so nothing outlives the lab, even when it is killed. Every child is
// started from one goroutine locked to its OS thread: the kernel sends the parent-death signal
// when the thread that forked the child ends, and a locked thread that Go never retires cannot end
// early.
//
// From /proc it lists processes and process trees, and samples what a process used (CPU time,
// resident memory and its peak, context switches), so the harness can charge each trial the CPU of
// the stack, of PostgreSQL, Redis and Kafka.
package proc
