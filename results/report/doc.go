// Package report turns runs into what a reader looks at: one self-contained HTML file (tables,
// and charts built with go-echarts whose JavaScript, Apache ECharts 5.4.3, is inlined: no CDN, no
// network), a short Markdown summary for a pull-request comment, and the Go benchmark format
// text of every run.
//
// Per stack and workload it shows medians across rounds, each with its 95% confidence interval
// (golang.org/x/perf/benchmath): throughput, corrected p50/p99/p99.9, CPU per request (the
// stack's, and the total with PostgreSQL, Redis and Kafka), errors, and how many rounds were
// valid. Stacks that do not conform are shown, greyed, and get no rank; invalid trials are left
// out of the medians and listed with their reasons; a median with fewer valid rounds than
// MinSamples has no interval and is marked as weak. Sweeps (records with Step > 0) become
// latency-versus-throughput curves, p99 and p50 against the achieved rate, one line per stack.
//
// Per dimension of the run (whichever its stacks' names list, in their order: Run.Dimensions; the
// report knows none by name) it isolates each choice: for every pair of conforming stacks that
// differ in that dimension only, it gives the ratio of their medians with a seeded
// percentile-bootstrap confidence interval, then sums the pairs up per choice (geometric mean of
// the ratios against the alternatives, and how many pairs are clearly better or worse).
//
// Output is deterministic for the same input: fixed chart ids, sorted maps, seeded resampling and
// no clock reads, so golden files hold.
package report
