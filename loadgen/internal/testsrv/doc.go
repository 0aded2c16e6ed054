// Package testsrv serves the two benchmark routes of the contract (/bench/plaintext and
// /bench/json) with known timing, for the load generator's known-answer tests and its
// side-by-side comparisons with wrk and vegeta: a fixed delay per request (kept to a few
// microseconds by sleeping on a timerfd and spinning the last stretch) and periodic stalls
// during which every request waits, like a stop-the-world pause.
package testsrv
