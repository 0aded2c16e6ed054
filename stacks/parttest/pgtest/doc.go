// Package pgtest gives tests a fresh PostgreSQL database of their own on the server named by
// DATABASE_URL (an admin DSN; default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable),
// dropped when the test ends. A test that cannot reach the server fails with a message that says
// how to start it; it is never skipped.
//
// TripCounter counts the network round trips of the connections a store dials through it, for
// storetest.RoundTrips and the stores' benchmarks. Proxy puts a TCP proxy in front of the server
// that can take it away (connections refused and reset) or make it silent, and bring it back,
// for tests of outages; Terminate ends a database's connections from the server's side, as
// pg_terminate_backend does.
package pgtest
