// Package sqlcstore is the ledger's store on PostgreSQL through sqlc-generated queries and pgx/v5
// (directory store/sqlc). *Store implements app.Store and events.Outbox on the shared schema of
// package schema, which Open applies. It is two parts of the lab, the same generated queries run
// two ways (Config.Pipeline):
//
//   - sqlc runs one generated query per network round trip, and Post and RelayOutbox run theirs
//     in a pgx.Tx the way sqlc's documentation shows (Begin, Queries.WithTx, Commit, a deferred
//     Rollback). It is the library comparison's sqlc: the store SQLBoiler's follows.
//   - sqlc-pipelined sends several generated queries per round trip as one pgx batch (see
//     pipeline), a pgx technique rather than sqlc's: Post takes two round trips whatever its
//     outcome, and the commit is queued right behind the statement that takes the ledger's seq,
//     so the ledger's row lock is held for no network round trip.
//
// Round trips per operation on a warm connection, as storetest.RoundTrips measures them:
//
//	operation                        sqlc  sqlc-pipelined
//	create account (new or existing)    1     1
//	account read, transaction read      1     1
//	post committed                      6     2
//	post failed 422                     5     2
//	post replay                         1     2
//	account transactions page           1     1  (+1 when empty: unknown account or none)
//	account history, ledger txs         1     1
//	balances                            1     1
//	outbox fetch/mark                   4     2  (3 and 2 when the outbox is empty)
//	outbox pending                      1     1
//
// sqlc's Post reads the id first, outside any transaction (a replay ends there), then begins,
// locks the accounts, and either inserts the failed record or updates the counters and runs
// CommitTransaction (seq, record, history index and outbox row in one statement), then commits:
// the ledger's row lock is held for one round trip. Every other method is one generated query.
//
// Outages: every method of app.Store, and OutboxPending, returns an error that matches
// app.ErrUnavailable when PostgreSQL could not be reached (store/internal/dberr): connecting
// failed, the connection broke or was terminated by the server, or the context ended first. The
// calls are bounded by their context (the app gives each request a deadline; pgx closes a
// connection whose call ran out of time) and connecting by a 5 s connect timeout. pgxpool recovers
// by itself: it destroys a broken connection when it is released, pings one idle for over a
// second before handing it out, and dials new ones on demand. A connection the server terminated
// while it sat idle for less than a second fails the one call that finds it (measured by
// storetest: 4 terminated connections, 4 calls failed, then all worked).
package sqlcstore
