// Package sqlcstore is the ledger's store on PostgreSQL through sqlc-generated queries and pgx/v5
// (directory store/sqlc). *Store implements app.Store and events.Outbox on the shared schema of
// package schema, which Open applies.
//
// Post and RelayOutbox keep round trips low by sending several generated queries as one pgx batch
// (see pipeline): Post takes two round trips whatever its outcome, and the commit is queued right
// behind the statement that takes the ledger's seq, so the ledger's row lock is held for no
// network round trip. Every other method is one generated query, one round trip (a listing that
// comes back empty adds one to tell an unknown account from an account without transactions).
package sqlcstore
