// Package redigo is the lab's app.Cache on github.com/gomodule/redigo, sending the protocol of
// package redisproto (keys, commands, the put script, entry encoding).
//
// Each call takes one connection from a redis.Pool for its whole operation and gives it back.
// CountDebits, UncountDebits and PutAccounts pipeline their commands on it: Send for each, then
// Do("") (redigo's documented "flush the output buffer and receive pending replies"), so every
// call is one round trip. The put script is a redis.Script: Script.SendHash (EVALSHA) for each
// entry; when Redis answers NOSCRIPT (the first put, or after SCRIPT FLUSH or a restart),
// Script.Send (EVAL) for each, on the same connection, which also loads the script. Contexts
// go through redigo's DoContext, which runs each exchange on a goroutine of its own so that it can
// give up when the context ends (closing the connection).
//
// Pool size: Config.PoolSize is both MaxActive (the most connections open at once; with Wait set,
// a call waits for a free one) and MaxIdle (so none is closed and dialled again between calls).
// redigo has no default (zero values keep no idle connection and set no limit), so PoolSize 0
// means go-redis's default: 10 per GOMAXPROCS. Following redigo's Pool documentation, idle
// connections close after 4 minutes (IdleTimeout) and a connection idle for a minute or more is
// PINGed before it is used again (TestOnBorrowContext), so a connection Redis dropped meanwhile is
// replaced instead of failing a call. Timeouts, which redigo leaves unbounded: connect 5 s, read
// 5 s and write 5 s, go-redis's defaults; a call's context ends it sooner.
//
// Outages: Open connects to nothing (the pool dials when a call needs a connection), so it
// succeeds while Redis is down; calls then fail, and succeed again by themselves once Redis is
// back: a connection that failed is closed rather than given back to the pool.
package redigo
