// Package services provides the lab's backing services: PostgreSQL, Redis, a Kafka broker and,
// for whoever asks (Config.ClickHouse), a ClickHouse for the results.
//
// The lab runs on embedded defaults where nothing is configured. For each service Start takes, in
// this order:
//
//  1. the address given in Config (ConfigFromEnv reads DATABASE_URL, REDIS_URL, KAFKA_BROKERS and
//     CLICKHOUSE_URL);
//  2. the standard loopback port when a server answers there (PostgreSQL at 127.0.0.1:5432 as
//     user postgres, Redis at 127.0.0.1:6379; Kafka and ClickHouse have no such step);
//  3. a server of its own: PostgreSQL, Redis and ClickHouse from the installed binaries, each in a
//     temporary folder on free loopback ports, and Kafka as kfake inside this process.
//
// StartClickHouse starts an embedded ClickHouse on its own (the harness does for a run's results
// when CLICKHOUSE_URL is not set): Debian's clickhouse-server (18.16 here) on a copy of the system
// configuration with every path moved into its folder and every port to a free one. Its data is
// a scratch copy: sinks on it keep no published markers (clickhouse.Config.Scratch).
//
// Config.ForceEmbedded skips the standard ports, for tests.
//
// Servers the package starts run in their own process group with SIGKILL as their parent-death
// signal, so none outlives the lab, even when it is killed; Close stops them (PostgreSQL with a fast
// shutdown) and removes their folders. Servers found elsewhere are left alone. Every wait is
// bounded, and a failure names the service, the command and the tail of its log.
//
// Every Endpoint records how it was obtained, the server's version and, where they can be known,
// the PIDs of the server's processes, so a run's environment fingerprint says what it ran against
// and the harness can charge the servers' CPU time to each trial.
package services
