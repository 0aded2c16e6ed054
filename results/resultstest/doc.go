// Package resultstest builds results for tests of the packages that store, load and show them:
// Run, a consistent run that uses every field of the record model, and Diff, which lists where a
// run read back differs from the run written; VariantRun, a run of the baseline and its variants
// with chosen effects, AARun, an A/A run, and SiteRuns, the runs of a small results site (the
// synthetic runs of the site's screenshots). It is imported by tests only.
package resultstest
