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
// MinSamples has no interval, is marked as weak and gets no rank.
//
// Ties are ties. A difference between two stacks counts only when it is significant (the
// Mann-Whitney U test at Options.Alpha, 0.05), larger than the metric's minimum effect
// (compare.DefaultMinEffect, or Options.MinEffect) and larger than the A/A noise floor of the
// run's machine when one is known (Options.NoiseFloor, from compare.LatestFloor; the report says
// where it came from, or that none is known): compare.Judge decides. Ranks follow from it
// (Ranks): rank = 1 + the number of stacks significantly better, "better" taken transitively, so
// stacks the rule does not tell apart share a rank, marked ≈ in the tables, the Markdown and the
// charts (where bars of one rank share a colour); each row lists the stacks it is not told apart
// from. Closed-loop workloads rank by throughput, open-loop ones (the plan fixes the rate) by p99.
//
// Verdicts (DimensionVerdict) say in plain words what each part does against the baseline (the
// stack every variant differs from in one dimension: Options.Baseline, else inferred from the
// run's stacks): per workload both ran, on the judged metric (throughput in closed loop, p99 in
// open loop) and CPU per request, the change of the median with its seeded bootstrap 95%
// interval, or "no difference" and why (not significant, below the minimum effect, within the
// noise floor), e.g. "fiber vs nethttp: json (closed loop): +25% throughput (95% CI +23…+33%),
// −36% CPU per request (95% CI −39…−34%)". The Markdown summary has a section "Verdicts" listing
// every dimension; the HTML adds a forest plot per workload and metric (one row per part, its
// ratio and interval, a line at ×1).
//
// Sweeps (records with Step > 0) become latency-versus-throughput curves, p99 and p50 against
// the achieved rate, one line per stack, and each line says how it ended (SweepLine.End): at the
// stack's SLO break ("highest rate within the SLO: R"), within the SLO up to the sweep's last
// step, or at an invalid step, where the load generator was the limit: "the lab could not resolve
// beyond R", which is never used as a maximum.
//
// Per dimension of the run (whichever its stacks' names list, in their order: Run.Dimensions; the
// report knows none by name) it also isolates each choice: for every pair of conforming stacks
// that differ in that dimension only, the ratio of their medians with a seeded
// percentile-bootstrap confidence interval, summed up per choice (geometric mean of the ratios
// against the alternatives, and how many pairs the rule finds better or worse).
//
// WriteHTMLWith writes the same report as a page of a site (results/site): ECharts loaded from
// the site's assets rather than inlined.
//
// Output is deterministic for the same input: fixed chart ids, sorted maps, seeded resampling and
// no clock reads, so golden files hold.
package report
