// Package clickhouse is the lab's ClickHouse sink: it publishes runs from the spool to three
// tables over the native protocol (chconn) and reads them back. It connects to a server it is
// given (ParseURL, CLICKHOUSE_URL); starting one is the harness's (stacklab/harness/services).
//
// # Tables
//
// In the sink's database (default "stacklab"), all MergeTree, valid on ClickHouse 18.16 and on
// current releases (plain types, Arrays, DateTime plus UInt32 nanoseconds, String for JSON and
// encoded HDR histograms):
//
//   - runs: one row per run: id, digest, start and end, plan name and plan JSON, the environment
//     as JSON plus its key fields as columns (cpu_model, cores, kernel, go_version, gomaxprocs,
//     git_commit, …), notes, how many stacks and records the run has, and when it was published.
//   - stacks: one row per run × stack: name, label, the dimensions as two parallel arrays in the
//     name's order (dim_keys, dim_values: whatever dimensions the stack has, any number), the
//     conformance counts and verdict, modules JSON, binary hash, error.
//   - results: one row per results.Record: every scalar field, the dimensions (dim_keys,
//     dim_values), both latency distributions (corrected_* and service_*: count, min, mean, p50,
//     p90, p99, p99.9, p99.99, max and the encoded HDR histogram), errors by class as two parallel
//     arrays (errors_class, errors_count), invalid_reasons, and started as DateTime + started_ns.
//
// A query picks a dimension's part with dim_values[indexOf(dim_keys, 'json')] (empty for a stack
// without that dimension), as the Grafana dashboard (deploy/grafana) does.
//
// EnsureSchema creates what is missing and migrates tables an earlier version made: it adds the
// columns they lack (ALTER TABLE … ADD COLUMN, each after the column declared before it) and
// refuses a declared column of another type. The first schema had the four dimensions of the time
// as columns dim_http, dim_store, dim_json and dim_redis; tables made by it get dim_keys and
// dim_values with defaults computed from those columns, so the runs published before read back
// with their dimensions. The old columns stay, and new rows leave them empty.
//
// Rows of stacks and results carry run_id, run_digest and run_started, and a position that keeps
// the run's order; every table is partitioned by the month of the run's start.
//
// # Publishing exactly once
//
// A run is published if and only if its runs row exists. Publish proceeds in this order, each
// step one INSERT of one block:
//
//  1. If the runs row exists, stop: the run is published (published=false, no error).
//  2. results: count the run's rows. None: insert all of them in one block. All of them: an
//     earlier Publish got this far; go on.
//  3. stacks: the same.
//  4. Insert the runs row: the commit marker.
//
// One insert block is atomic in MergeTree when all its rows fall into one partition (the block
// becomes one part, which appears whole or not at all), and all of a run's rows share its start
// month. So whatever point a crash or a lost connection interrupts Publish at, each table holds
// all of the run's rows or none, the run counts only once its runs row is in, and the next Publish
// completes exactly what is missing. Readers (LoadRun, Grafana's queries) join on runs, so a half
// published run is never seen.
//
// Every row also carries the run's digest (Digest: SHA-256 of its JSON with times in UTC). A
// different run under an existing id is refused (ErrConflict) instead of being mixed in, and
// LoadRun reads only rows of the digest its runs row names. A table holding some but not all of
// a run's rows cannot come from this protocol; Publish reports it with the statement that clears
// it rather than guessing.
//
// The protocol assumes one publisher per run at a time (the harness publishes a run from one
// process); two processes publishing the same run at the same instant could both insert it.
// LoadRun then reports the duplicate runs rows instead of returning a doubled run.
//
// PublishPending uploads every spooled run not yet marked for this sink (Sink.Name names the
// address and database, so a marker for one server says nothing about another) and marks each
// after success; a failing run is reported and the others go on. A sink on a scratch server
// (Config.Scratch: the harness's embedded one) has no name and leaves no markers: its data is gone
// with it, and the next server must be offered every run again.
//
// Every connection attempt is bounded by ConnectTimeout (5 s): an unreachable or silent server
// gives a wrapped error naming the address, never a hang; an operation whose context has no
// deadline is bounded by OperationTimeout.
package clickhouse
