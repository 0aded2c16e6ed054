// Package events publishes committed transactions to Kafka through a transactional outbox.
//
// The store writes one outbox row in the same database transaction that commits a transaction
// (see Outbox and app.Store.Post). A Relay moves those rows to the broker: it claims a batch in
// commit order, turns every committed transaction into a record on ledgerspec.TopicTransactions
// (key: the transaction id, value: the JSON of app.TransactionView encoded with the stack's codec)
// and, when the transaction carries risk flags, a second record with the same key and value on
// ledgerspec.TopicAlerts; it publishes them through a Publisher, waits for every acknowledgement,
// and only then lets the store delete the rows.
//
// Delivery is at least once: a row is deleted only after the broker acknowledged its records, so a
// crash or a failed publish leaves the row for the next attempt (or the next run of the stack), and
// a transaction can be published twice but is never lost. Publish errors are logged and retried with
// a capped exponential backoff.
//
// Package franz implements Publisher with franz-go; package eventstest holds in-memory doubles of
// the ports for unit tests.
package events
