// Package redisproto is the Redis protocol of the lab's caches, written once, so that the caches
// on go-redis, rueidis and redigo differ only in the client library that sends it.
//
// Keys start with the prefix a cache was opened with:
//
//	<prefix>vel:<account id>  sorted set: member a transaction id, score its unix milliseconds
//	<prefix>acc:<account id>  string: the version as 19 zero-padded decimal digits, then the body
//
// Velocity: Protocol.Count gives, per account, the four commands a cache sends in one pipeline
// for CountDebits: ZADD NX (a transaction id keeps its first time and is never counted twice),
// ZREMRANGEBYRANK 0 -(keep+1) (only the newest keep entries stay), ZCOUNT (now−window, +inf) (the
// count, at CountReply) and PEXPIRE window. Protocol.Uncount gives one ZREM per account.
//
// Account entries: PutScript writes an entry with SET PX AccountTTL unless the stored version is
// the same or newer. The zero-padded version makes that a comparison of two strings of equal
// length, exact over the whole int64 range; the script is idempotent, so a client may send it
// again with EVAL when EVALSHA is answered NOSCRIPT. Protocol.Puts encodes the entries (KEYS[1]
// and ARGV[1]); Protocol.TTL is ARGV[2]. Protocol.Decode takes the body back out of a GET reply.
//
// Config is the configuration of every cache; New validates it, and the Protocol's error methods
// word every error a cache returns, prefixed by the cache's name.
package redisproto
