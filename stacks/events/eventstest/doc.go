// Package eventstest holds in-memory doubles of the events ports for unit tests of the outbox relay
// and of whatever sits next to it: an Outbox that claims and deletes rows like the PostgreSQL one
// (claimed rows are skipped by other callers, rows stay when publishing fails), a Publisher that
// records what it is given and fails on demand, and a JSON Codec built on encoding/json.
//
// They are for tests of pure logic only; the real paths are tested against PostgreSQL and kfake.
package eventstest
