// Package compare decides whether a run is slower than another, and how much two identical
// stacks differ on this machine (the A/A noise floor).
//
// Compare matches the valid records of conforming stacks by stack, workload, op and step; each
// side holds one value per round. Per metric (throughput, corrected p50/p99/p99.9, CPU per
// request, error rate) it shows both medians with their confidence intervals, the change and the
// p-value of a Mann-Whitney U test (golang.org/x/perf/benchmath, AssumeNothing). A change is a
// regression or an improvement only when p < Alpha AND it is larger than the metric's minimum
// effect; with fewer than MinSamples values on a side there is no verdict. Records left out
// (invalid trials, stacks that do not conform) are listed with the reason, and differences
// between the two environments are listed as warnings above the table.
//
// AA treats stacks that appear twice in one run under different labels as identical twins and
// reports, per metric, how far apart they land (the noise floor) and how often Compare would
// flag a regression between them (the false-regression rate at the given thresholds).
// SplitByLabel turns one A/A run into two runs that Compare takes as base and new.
//
// AAResult.Floor turns an A/A run into the machine's noise floor (per metric, the 95th
// percentile of the twins' |Δ|), and LatestFloor finds the latest A/A run on a run's machine.
// Given as Options.NoiseFloor, it makes a significant change beyond the minimum effect that is no
// larger than the floor WithinNoise rather than a regression or an improvement. Judge is the
// decision on bare values; the report ranks and judges stacks with it.
package compare
