// Package goredis is the lab's app.Cache on github.com/redis/go-redis/v9, sending the protocol of
// package redisproto (keys, commands, the put script, entry encoding).
//
// Round trips: CountDebits, UncountDebits and PutAccounts send all their commands in one pipeline
// (Client.Pipelined), Account sends one GET. The put script runs with EVALSHA (redis.Script); a
// pipeline answered NOSCRIPT (the first put, or after SCRIPT FLUSH or a Redis restart) is sent
// again with EVAL, which loads it.
//
// Pool size: Config.PoolSize is go-redis's Options.PoolSize, the most connections in use at once
// (a call waits for a free one); each call takes one connection for its pipeline and gives it back. 0 keeps go-redis's
// default of 10 per GOMAXPROCS. Pipelines use the same pool (go-redis's separate pipeline pool,
// made for large batches, is turned off). Other settings are go-redis's defaults: dial timeout
// 5 s, read and write timeouts 5 s, 3 retries of a failed command on a network error; except
// ContextTimeoutEnabled, which is on: without it go-redis does not let a call's context deadline
// reach the socket, so a Redis that accepts and never answers (paused, partitioned) would hold a
// call for the 5 s read timeout whatever the app's 250 ms deadline.
//
// Outages: Open connects to nothing (go-redis dials when a call needs a connection), so it
// succeeds while Redis is down; calls then fail (at once when connections are refused, at their
// context's deadline when Redis does not answer), and succeed again by themselves once Redis is
// back: the pool drops broken connections and dials new ones.
package goredis
