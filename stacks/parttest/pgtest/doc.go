// Package pgtest gives tests a fresh PostgreSQL database of their own on the server named by
// DATABASE_URL (an admin DSN; default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable),
// dropped when the test ends. A test that cannot reach the server fails with a message that says
// how to start it; it is never skipped.
//
// TripCounter counts the network round trips of the connections a store dials through it, for
// storetest.RoundTrips and the stores' benchmarks.
package pgtest
