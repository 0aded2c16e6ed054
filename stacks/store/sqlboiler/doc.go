// Package sqlboilerstore is the ledger's store on PostgreSQL through SQLBoiler
// (github.com/aarondl/sqlboiler/v4) on database/sql with pgx's stdlib driver (directory
// store/sqlboiler): the part sqlboiler. *Store implements app.Store and events.Outbox on the
// shared schema of package schema, which Open applies.
//
// The models in ./models are generated from that schema (make generate; see ./gen) and committed.
// The store uses them, their typed where helpers and SQLBoiler's query mods: finders
// (FindAccount, FindTransaction, AccountExists), Insert and Upsert, joins bound into structs that
// embed a model, Count and DeleteAll. Raw SQL (queries.Raw) appears in two statements of Post
// only, each commented with why: SQLBoiler's Update and UpdateAll bind every new value as a
// parameter, so they cannot add to a counter relative to its stored value, nor set last_seq to
// nextval(…).
//
// The pool is database/sql's: SetMaxOpenConns and SetMaxIdleConns are both Config.MaxConns (the
// stack gives every store the same), and connections are recycled after an hour, or half an hour
// idle, as pgxpool does for the sqlc stores.
//
// # Round trips
//
// It follows the round-trip plan of the sqlc store (one statement per round trip) wherever
// SQLBoiler can say the same thing. Per operation on a warm connection, as storetest.RoundTrips
// measures them (sqlc's numbers in brackets where they differ):
//
//	create account                      5 [1]  find; begin; ledger row; account; commit
//	create account, id exists           1
//	account read, transaction read      1
//	post committed (2 accounts)        10 [6]  see below
//	post failed 422                     5      read id; begin; lock; insert; commit
//	post replay                         1      read id
//	account transactions page           1      (+1 when empty: unknown account or none)
//	account history, ledger txs         1
//	balances                            1
//	outbox fetch/mark                   4      begin, claim, delete, commit (3 when empty)
//	outbox pending                      1
//
// # Outages
//
// Every method of app.Store, and OutboxPending, returns an error that matches app.ErrUnavailable
// when PostgreSQL could not be reached (store/internal/dberr), as sqlc's do. database/sql
// recovers by itself: a connection its driver reports bad (driver.ErrBadConn) is dropped and the
// call retried on another, so after pg_terminate_backend no call failed in storetest (4 terminated
// connections, 0 failed calls), where pgxpool fails the one call that finds each.
//
// # Deviations
//
// What SQLBoiler cannot say, and what differs because of it:
//
//   - No data-modifying CTEs and no multi-row inserts. sqlc's CommitTransaction takes the seq and
//     inserts the record, its history rows and its outbox row in one statement; SQLBoiler takes
//     the seq (raw), then inserts the record, one history row per account and the outbox row, one
//     statement each: a committed Post with 2 accounts is 10 round trips, not 6, and the ledger's
//     row lock (which orders seqs by commit) is held while 4 more statements and the commit
//     make their round trips, where sqlc holds it for the commit's only, so one ledger's commit
//     rate is lower. The outbox row cannot move before the seq: its id
//     orders the relay, and must follow commit order within a ledger.
//   - CreateAccount is sqlc's one statement (insert unless the id exists, with the ledger's row)
//     as a find and a transaction of two inserts: 5 round trips for a new account.
//   - database/sql has no pipelining, so there is no SQLBoiler counterpart of sqlc-pipelined.
//   - Balances is one statement as in sqlc, but written with query mods: the ledger's last seq
//     by a join, the totals by window sums (computed before LIMIT, so over every account)
//     instead of sqlc's materialized CTE and lateral join.
//   - LIMIT is rendered into the SQL text and IN lists have one placeholder per value, so pgx
//     prepares one statement per limit and per list length (its statement cache holds them).
//   - pgx discards a prepared statement that failed, so an insert that loses a race for an id
//     costs a fresh prepare the next time; CreateAccount therefore looks the id up first rather
//     than inserting and catching the duplicate.
package sqlboilerstore
