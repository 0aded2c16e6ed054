// Package storetest is the contract test of app.Store and events.Outbox: Run checks any store
// (sqlc, SQLBoiler, …) against what the ports promise, on a fresh database per subtest. It covers
// accounts, committed and failed decisions, replays, concurrent duplicates of one id, the
// invariants the database itself must refuse to break, deadlock freedom, seq order against
// concurrent balance snapshots, balances (byte order, limit, totals beyond int64) and the outbox
// (commit order, delete on success, keep on failure, SKIP LOCKED between relays), and outages:
// with the database cut off through a pgtest.Proxy (connections refused and reset, or silent) or
// its connections terminated by the server, every operation fails within its context's deadline
// with an error that matches app.ErrUnavailable, and the store works again by itself, with its
// data, once the database is back.
//
// RoundTrips measures how many network round trips each operation of a store takes on a warm
// connection and holds them to the numbers the store documents, so that a comparison of stores
// states what each one sends to PostgreSQL, not only how fast it was.
//
// The tests decide transactions with small Deciders of their own, not the ledger's rules: what is
// under test is the store, including that it refuses a Decider's lie that breaks an invariant.
package storetest
