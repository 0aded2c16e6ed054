// Package rueidis is the lab's app.Cache on github.com/redis/rueidis, sending the protocol of
// package redisproto (keys, commands, the put script, entry encoding).
//
// rueidis is used as its README recommends: auto-pipelining (its default: calls from many
// goroutines share few connections and are written out together), commands built with the
// command builder (Client.B), and DoMulti for the commands of one call, which go out as one
// write on one connection. CountDebits and UncountDebits build redisproto's commands with the
// builder's Arbitrary form (the command sequence is data, shared with the other caches; a test
// checks that it builds the same commands as the typed builder); Account is a typed GET.
// PutAccounts of one entry uses rueidis's Lua script helper (Lua.Exec: EVALSHA, then EVAL on
// NOSCRIPT); several entries go as EVALSHAs in one DoMulti, and as EVALs in a second when the first
// is answered NOSCRIPT, because the helper's Lua.ExecMulti sends SCRIPT LOAD before every batch (a
// second round trip each time). Every call is one round trip (two after SCRIPT FLUSH).
//
// Pool size: rueidis does not pool connections per call; it multiplexes every caller over 2^n
// pipelined connections (ClientOption.PipelineMultiplex = n). Config.PoolSize bounds connections
// as for the other caches: n is the largest with 2^n ≤ PoolSize (at most rueidis's
// MaxPipelineMultiplex, 8), and BlockingPoolSize, the pool of dedicated connections that only
// blocking commands and pipelines of over 2000 commands use (the cache sends neither), is
// PoolSize. PoolSize 0 keeps rueidis's defaults: n = ⌊log2 GOMAXPROCS⌋, at most 2 (1 connection at
// GOMAXPROCS 1, 2 at 2 or 3, 4 from 4 on), and a blocking pool of up to 1024 connections, dialled
// only when used.
//
// Settings changed from rueidis's defaults: a single-node client (ForceSingleClient, as go-redis's
// Client and redigo: no CLUSTER probe at start); client-side caching off (see below); and at most
// 3 retries of a read-only command after a network error, like go-redis, because rueidis retries
// until the caller's context ends, so a GET without a deadline would hang while Redis is down
// instead of failing over to PostgreSQL. The dial timeout (5 s, which also bounds the handshake)
// and the connection read/write timeout (10 s) are rueidis's.
//
// Outages: rueidis.NewClient dials Redis at once and fails when it cannot, so Open does not call
// it: it checks the configuration, returns, and makes the client in a goroutine of its own,
// retrying every 50 ms, doubling up to 2 s, until it has one or the cache is closed. Open thus
// succeeds while Redis is down. Until the client exists, a call waits for the first attempt to
// end (within its context and at most 5 s) and, once an attempt has failed, fails at once saying
// the cache is not connected yet. Once made, the client reconnects by itself after an outage
// (rueidis redials a broken pipelined connection on the next call). The put script is not loaded
// ahead: the first put is answered NOSCRIPT and sent again with EVAL, which loads it.
//
// Deviations: no client-side caching variant. rueidis's tracking-based cache (DoCache) cannot
// keep read-your-writes, which the contract requires. Since Redis 7.0 (redis/redis#9422) the
// invalidation message for a written key reaches the client after the reply to the write, and on
// the connection that read the key, not necessarily the one auto-pipelining picked for the write;
// so a write's caller can return, and the client's next read be served from the local copy the
// write made stale, before the invalidation has been processed. rueidis's maintainer describes
// exactly this (redis/rueidis#534: "you may need to wait a little bit for the invalidation to
// clear the local cache"). Measured here on Redis 7.0.15 with rueidis v1.0.79: a DoCache GET right
// after a put saw the old entry in 12 to 1526 of 3000 rounds, depending on the number of
// connections and concurrent readers, also with a single connection; and this cache with Account
// on DoCache failed cachetest ("account/put several": the old body after a newer put) in one of
// three runs. So the variant was not registered.
package rueidis
