// Package lab runs a plan: the harness's main job. It builds the stack binary once (build info
// kept for the fingerprint), judges every stack with the conformance suite (a stack that fails is
// reported and gets no measurements), then runs the plan's rounds: in every round each conforming
// stack, in a shuffled order, gets a fresh database and a fresh process with a fixed GOMAXPROCS
// and runs every workload of the plan, warm-up excluded from the numbers. Sweeps follow. During a
// trial a meter samples /proc every 200 ms, so each record carries the CPU the stack, PostgreSQL,
// Redis, Kafka and the load generator used in the measured window, the stack's peak RSS and its
// context switches: the report can give CPU time per request, not only throughput.
//
// A failure of one stack, trial or service is recorded where its numbers would have been and the
// run goes on; Run fails only when the lab itself cannot work.
package lab
