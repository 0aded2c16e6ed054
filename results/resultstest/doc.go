// Package resultstest builds results for tests of the packages that store, load and show them:
// Run, a consistent run that uses every field of the record model, and Diff, which lists where a
// run read back differs from the run written. It is imported by tests only.
package resultstest
