// Command gen regenerates the SQLBoiler models of the sqlboiler store (../models) from the shared
// schema. SQLBoiler reads a live database, so gen creates a throwaway database on the PostgreSQL
// server of DATABASE_URL (an admin DSN; default postgres://postgres@127.0.0.1:5432/postgres),
// applies the schema there with schema.Apply (as every store does at start), runs the generator
// tracked in the stacks module (go tool sqlboiler, with the sqlboiler-psql driver) with a
// generated configuration, and drops the database, whether generation worked or not.
//
// Run it from the stacks module, where the tools resolve (make generate does, on services the
// harness finds or starts):
//
//	cd stacks && go run ./store/sqlboiler/gen
//
// The output depends only on the schema and the tools' versions: a second run rewrites the same
// bytes.
package main
