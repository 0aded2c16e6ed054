// Package record turns measured requests into HDR histograms without a lock on the hot path.
//
// Each worker owns a Recorder. It records into the Set of the current interval (one second by
// default) — per operation a histogram of latency from the intended send time ("corrected") and
// one from the actual send time ("service"), error counts by Class, and the scheduler lag —
// and hands the Set to the Collector when its interval ends, taking a recycled Set in exchange.
// Intervals are keyed by the request's intended send time, so a Set holds exactly one
// interval and the warm-up can be cut out of the totals exactly.
//
// Histograms are hdrhistogram-go PackedHistograms (nanoseconds, 1 ns to 1 h, 3 significant
// digits): their memory grows with the populated buckets, so hundreds of connections times
// several operations stay small, and after the first intervals recording does not allocate.
package record
