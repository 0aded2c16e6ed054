// Package kafkalog reads a Kafka topic for the conformance suite's events checks: it implements
// conformance.EventLog with franz-go.
//
// Records takes a snapshot: it lists the end offset of every partition of the topic first, then
// consumes each partition from its start up to that offset, so a call returns what the broker held
// when it was made and does not wait for later records. A topic that does not exist reads as
// empty. No consumer group is used and no offset is committed.
//
// This package is the only part of the ledgerspec module that needs a broker client; the contract
// packages (ledgerspec and ledgerspec/conformance) stay free of it, and a test here checks that.
package kafkalog
