// Package conformance is the judge of the lab: it checks a running stack, over HTTP, against the
// ledger contract (../LEDGER-CONTRACT.md, the decisions in package ledgerspec and its markup
// contract). A stack whose suite does not pass has numbers that do not count.
//
// Run works like testing/fstest.TestFS: it returns an error only when the suite itself cannot run
// (the URL does not answer at all, an unknown check id, an impossible Target); every check's
// verdict is in the Report. Test wraps Run for a *testing.T, one subtest per check.
//
// Every check is independent: it makes its own fresh ids and ledgers (a random suffix per run), so
// the suite runs against a database that already holds rows, runs twice in a row, and runs its
// checks in parallel (bounded by Target.Parallel). A check fails on any 5xx, on any answer that the
// contract forbids, and, after every 4xx, on any change of state (counters, transaction lists, a
// failed transaction id that became visible, an id that a 400, 413 or 415 used up). Failure
// messages say what was sent, what was expected and what came back.
//
// The suite keeps a record of every transaction id that was answered 201 (with its JSON) and of
// every id answered 422. The checks marked last (the events checks and the seq check) run after all
// others and compare that record with what the stack published to its broker, read through an
// EventLog (package kafkalog implements it with franz-go). Without an EventLog the events checks
// are reported as skipped with the reason "no broker given", never as passed.
//
// This package imports only the standard library and golang.org/x/net/html: the HTML checks read
// pages with an HTML parser, never with regular expressions or substring searches on markup.
package conformance
