// Package schema holds the ledger's one PostgreSQL schema, which every store of the lab shares,
// and the queries of the sqlc stores.
//
// schema.sql creates the tables (ledgers, accounts, transactions, account_entries, outbox), their
// indexes and the transaction_seq sequence. The contract's invariants are PostgreSQL's to enforce:
// CHECK constraints keep counters non-negative, flags exclusive and flagged accounts within their
// limit, and bigint addition raises an error on overflow, so counters are only ever changed by
// relative increments. The primary key of transactions makes an id's decision happen once. The
// ledgers row is the per-ledger commit-order lock: a commit's last statement sets its last_seq to
// nextval('transaction_seq') and holds the row until COMMIT, so seqs are unique across ledgers and
// strictly increasing in commit order within one.
//
// queries.sql holds the queries, type-checked by sqlc against schema.sql; sqlc.yaml generates
// the pgx/v5 code into ../sqlc/sqlcdb. SQLBoiler generates its models (../sqlboiler/models)
// from a database this schema was applied to. Regenerate both from the repository's root with:
//
//	make generate
//
// A stack applies the schema itself at start with Apply, which is idempotent and safe when
// several processes start at once.
package schema
