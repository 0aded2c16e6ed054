// Package stats holds the statistics the report and the comparison share: the metrics a record
// is judged on (with their units and good direction), the grouping of a run's records into one
// sample per (stack, workload, op, step) across rounds, medians with confidence intervals and the
// Mann-Whitney U test (both from golang.org/x/perf/benchmath, with no distributional assumption),
// and a seeded percentile bootstrap of the ratio of two medians.
//
// A run has several rounds; in each round every stack runs every workload once, so a sample holds
// one value per round. Only valid records count; whether the stack conforms is kept with the
// sample so that callers decide what a non-conforming stack may show.
package stats
