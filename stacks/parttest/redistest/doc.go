// Package redistest gives tests a real Redis: URL returns REDIS_URL (or the local default) after
// checking that the server answers, and Prefix returns a fresh key prefix whose keys are deleted
// when the test ends, so tests running at the same time on one Redis never see each other's keys.
// NewProxy puts a TCP proxy in front of it that counts round trips and can take Redis away
// (connections refused and reset) or make it silent (connections open, nothing answered) and bring
// it back with its data, for tests of a client's pipelining and of its behaviour during an outage.
// StartServer runs a redis-server of the test's own, which the test may stop with SIGSTOP and
// continue, as a paused Redis.
//
// A test that needs Redis fails, with a message saying how to start it, when Redis is unreachable;
// it never skips.
package redistest
