// Package plan reads lab plans: small JSON files naming the stacks, the workloads (fixed-rate open
// loop or closed loop), the rate sweeps, the rounds, the seed and the GOMAXPROCS every stack gets.
// Parsing is strict (an unknown field is an error, so a typo never silently changes a run) and
// applies documented defaults. Two plans are built in: "default" (what `make run` runs) and
// "quick" (a smoke plan).
package plan
