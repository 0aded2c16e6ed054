// Package results is the lab's one record model and its views. A Run holds the environment
// fingerprint, the stacks with their conformance verdicts, and Records: one measurement of one
// operation of one workload on one stack in one trial, with raw HDR histograms (Latency, the one
// latency type: the load generator records in it, and converts its results into Records).
//
// A stack's dimensions are data, not fields: Dims are the (dimension, part) pairs of the stack's
// name, parsed from it (ParseDims), in its order, whatever dimensions the stacks registry has;
// Run.Dimensions lists a run's. Every view ranges over them.
//
// Every other form of a result is a view of these types: the spool file (the Run as JSON), the
// ClickHouse rows, the Go benchmark format text (WriteBench, the one writer of it: lines like
// BenchmarkLedger/http=nethttp/store=sqlc/json=std/redis=goredis/workload=transfer/op=all, so
// benchstat -col /json works), the report and the comparison, and the results site (site) that
// gathers runs and follows each dimension's verdicts across them.
package results
