// Package franz publishes the ledger's events to Kafka with franz-go: it implements
// events.Publisher.
//
// Open makes the client and connects to nothing (franz-go dials a broker when a request needs
// one), so a stack starts while Kafka is down; it fails only without a broker address or with a
// malformed one. The first Publish makes sure the topics ledger.transactions and ledger.alerts
// exist, creating them with a CreateTopics request when they are missing (with the broker's
// default partition count and replication factor), so nothing depends on the broker's automatic
// topic creation, which real clusters often disable.
//
// Publish hands a batch to the client and waits until the broker acknowledged every record (acks
// from all in-sync replicas, idempotent producer). Records with the same key go to the same
// partition, in the order given. Publish is bounded by its context: records still in flight when
// it ends are failed rather than waited for, which may publish them twice when the caller retries;
// the outbox relay's delivery is at least once anyway.
//
// Outages: while no broker answers, Publish fails within its context and the outbox relay retries
// with a backoff; franz-go reconnects by itself when a broker is back. After a failed Publish the
// next one makes sure of the topics again. When they are not the instances this client produced
// to, the broker lost them (a broker restarted without its storage) or they were deleted and
// created again (by this publisher, or by another one on the same broker): Publish tells by their
// topic ids (and by having had to create them). The client knows the old instances by their ids
// and would refuse to produce to the new ones (every record fails with UNKNOWN_TOPIC_ID), and
// franz-go's README advises against keeping a client alive across a topic recreation, so Publish
// replaces it with a fresh client, which learns the new topics, and goes on, without a restart of
// the stack. A Publish that waits for its acknowledgements longer than a second checks, every
// second, that its topics are still there, and fails at once when they are not, so recovery does
// not wait for the relay's attempt timeout. Records the lost topics held are lost with them; the
// relay publishes what waited in the outbox.
//
// The outage tests run against kfake, in process, on a fixed loopback port that a test closes and
// starts again: with a DataDir the broker comes back with its topics and records
// (TestRelaySurvivesABrokerOutage); without one it comes back empty
// (TestRelayRecoversFromABrokerThatLostItsTopics, TestTwoPublishersAfterTheTopicsWereRecreated,
// and the stack's TestKafkaOutage); and a relay may start before any broker listens
// (TestRelayStartsBeforeTheBroker). kfake has been seen to panic when a producer that outlived its
// restart names topic ids it no longer knows. Here the publisher's fresh client never names the
// old ids, and the old client's leftover retries (records a Publish gave up on) are answered
// UNKNOWN_TOPIC_ID by the pinned kfake (v0.0.0-20260918054303-01f206a7e32c checks Produce v13's
// topic ids); no panic was seen, so the tests restart kfake with no other care.
package franz
