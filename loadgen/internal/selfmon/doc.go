// Package selfmon measures the load generator itself, so a run can say when the generator and
// not the system under test was the bottleneck: CPU time from getrusage, and from
// runtime/metrics the garbage collector's stop-the-world pauses, the time runnable goroutines
// waited for a processor (scheduling latency), and allocations. A Snapshot is taken at the
// start and the end of a run (and every interval); Diff turns two snapshots into figures.
package selfmon
