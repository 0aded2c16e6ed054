// Package goredis is the lab's app.Cache on github.com/redis/go-redis/v9.
//
// Keys start with the prefix the cache was opened with:
//
//	<prefix>vel:<account id>  sorted set: member a transaction id, score its unix milliseconds
//	<prefix>acc:<account id>  string: the version as 19 zero-padded decimal digits, then the body
//
// Round trips: CountDebits, UncountDebits and PutAccounts send all their commands in one pipeline,
// Account sends one GET. CountDebits runs, per account, ZADD NX (a transaction id keeps its first
// time and is never counted twice), ZREMRANGEBYRANK 0 -(keep+1) (only the newest keep entries stay),
// ZCOUNT (now−window, +inf) and PEXPIRE window. PutAccounts runs, per entry, a Lua script that
// writes the entry with SET PX AccountTTL unless the stored version is the same or newer; the
// zero-padded version makes that a comparison of two strings of equal length, exact over the whole
// int64 range. Scripts run with EVALSHA; Open loads the script, and a pipeline answered NOSCRIPT
// (after SCRIPT FLUSH or a Redis restart) is sent again with EVAL, which is safe because the script
// is idempotent.
package goredis
