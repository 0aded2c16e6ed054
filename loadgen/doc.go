// Package loadgen is the lab's load generator: it drives a ledger stack with a workload and
// says how fast and how correctly the stack answered — and whether the generator itself could
// be trusted while doing so.
//
// Run executes one run. In open-loop mode (the default) request i is due at a fixed time
// (start + i/rate, or Poisson arrivals) whatever happened before, and every request is recorded
// twice in HDR histograms: from its intended send time ("corrected" latency, which shows
// stalls) and from its actual send time ("service" latency, which hides them). Closed-loop
// mode keeps N connections busy as fast as possible and is labelled as such everywhere.
// Sweep steps the rate up until a service-level objective breaks.
//
// The generator measures itself (scheduler lag, requests it could not start on time,
// connections needed versus opened, its CPU use, GC pauses and goroutine scheduling latency)
// and marks a run invalid, with the reasons, when it may have been the bottleneck.
//
// A Result is versioned JSON (SchemaVersion), the generator's detailed account of a run, with its
// latencies in the lab's one latency type (results.Latency). Records turns it (and a sweep) into
// the lab's records, the one result model: results.WriteBench writes those as Go benchmark lines
// that benchstat compares. WriteSummary writes a short human summary. cmd/loadgen is the same as
// a process.
package loadgen
