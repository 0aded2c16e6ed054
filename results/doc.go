// Package results is the lab's one record model and its views. A Run holds the environment
// fingerprint, the stacks with their conformance verdicts, and Records: one measurement of one
// operation of one workload on one stack in one trial, with raw HDR histograms. Every other form
// of a result is a view of these types: the spool file (the Run as JSON), the ClickHouse rows, the
// Go benchmark format text (WriteBench: names like
// BenchmarkLedger/http=nethttp/store=sqlc/json=std/redis=goredis/workload=transfer/op=all, so
// benchstat -col /json works), the report and the comparison.
package results
