// Package sqlcdb is the code sqlc generates from ../../schema/queries.sql and schema.sql: one
// typed method per query on Queries, over any DBTX (a pgx pool, connection, transaction, or the
// sqlc store's pipeline). Do not edit the generated files; regenerate with
//
//	cd stacks/store/schema && sqlc generate
package sqlcdb
