// Package redistest gives tests a real Redis: URL returns REDIS_URL (or the local default) after
// checking that the server answers, and Prefix returns a fresh key prefix whose keys are deleted
// when the test ends, so tests running at the same time on one Redis never see each other's keys.
//
// A test that needs Redis fails, with a message saying how to start it, when Redis is unreachable;
// it never skips.
package redistest
