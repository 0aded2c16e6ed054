// Package store is the home of the lab's PostgreSQL stores, which implement app.Store and
// events.Outbox on one shared schema: schema (the tables and the sqlc queries), sqlc (the parts
// sqlc and sqlc-pipelined) and sqlboiler. It has no code of its own; its benchmark
// (store_bench_test.go) runs every store of the registry, stacks.Stores, side by side:
//
//	go test -run '^$' -bench . ./stacks/store/
//
// BenchmarkStore/store=<name>/op=<op> reports, besides time and allocations, roundtrips/op: the
// network round trips to PostgreSQL per operation, counted on the store's connections.
package store
