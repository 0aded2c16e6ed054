// Package franz publishes the ledger's events to Kafka with franz-go: it implements
// events.Publisher.
//
// Open checks within 5 s that a broker answers and makes sure the topics ledger.transactions and
// ledger.alerts exist, creating them with a CreateTopics request when they are missing (with the
// broker's default partition count and replication factor), so nothing depends on the broker's
// automatic topic creation, which real clusters often disable.
//
// Publish hands a batch to the client and waits until the broker acknowledged every record (acks
// from all in-sync replicas, idempotent producer). Records with the same key go to the same
// partition, in the order given. Publish is bounded by its context: records still in flight when
// it ends are failed rather than waited for, which may publish them twice when the caller retries;
// the outbox relay's delivery is at least once anyway.
package franz
