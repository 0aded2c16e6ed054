// Package dberr classifies what a store's database calls return, alike for every store of the lab
// (pgx directly, or database/sql on pgx's stdlib driver): an error that says PostgreSQL could not
// be reached, rather than that a statement was wrong, is marked so that it matches
// app.ErrUnavailable, and the app answers 503 service_unavailable instead of 500.
//
// Connection-level means: connecting failed (refused, no route, the server shutting down, too
// many connections); the connection broke under a statement (reset, closed, EOF, a write to a
// dead socket) or the server ended it (pg_terminate_backend: SQLSTATE 57P01, crash or shutdown:
// 57P02, 57P03, any class 08 connection exception); or the call's context ended first, the
// request deadline that bounds every store call included. SQL errors (constraint violations,
// syntax, serialization) and "no rows" are not.
//
// Stores call Mark in a deferred statement of every method of app.Store and of
// events.Outbox.OutboxPending. RelayOutbox is not marked: its error can be the broker's (a failed
// publish), and the outbox relay, not the app, handles it.
package dberr
