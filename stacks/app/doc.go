// Package app is the ledger, written once: request validation, the posting rules and their 422
// precedence (Decide), idempotency, fraud flags, the account read cache, HTML rendering with
// html/template and htmx, and the one place where error codes become HTTP statuses.
//
// The app is framework-neutral. A transport matches a route of ledgerspec.Routes, fills a Request
// with the bytes it moved and calls (*App).Serve, then writes the Response; it never sees the
// ledger. The app reaches the outside world through the consumer-side ports in ports.go: Store
// (PostgreSQL), Cache (Redis), Codec (JSON) and Notifier (the outbox relay). A stack is one choice of
// transport and of each port's part.
//
// A transaction is decided like this: the request is validated (400s), the velocity counters are
// bumped in one Redis round trip, then Store.Post runs the ledger rules under row locks in one
// database transaction and records the outcome (committed or 422) once for the id. A committed
// transaction's accounts are written through to the read cache before the answer, so a client reads
// its own writes, and the outbox relay is nudged. An attempt that ends in a 422 is taken back out of
// the velocity counters; a replay of a committed id more than a window after the original may count
// once more if the counters have forgotten it.
//
// # When a service fails
//
// PostgreSQL is the ledger; Redis is not. Every request that reads or writes the ledger gets a
// deadline (Config.StoreTimeout, DefaultStoreTimeout 5 s), so a store that does not answer ends
// the request; a store error that matches ErrUnavailable (connection refused, reset, terminated,
// or that deadline) is answered 503 service_unavailable, by App.fail like every code, as a problem
// or as the HTML error with data-code. A transaction answered 503 may have committed; its retry
// with the same id decides (a replay when it had).
//
// The Cache is called through cacheGuard, written once for every cache part: each call gets a
// short deadline of its own (Config.CacheTimeout, DefaultCacheTimeout 250 ms), and a breaker stops
// calling a cache whose calls failed three times in a row, probing it again every 500 ms. When the
// velocity count fails or is skipped, the transaction commits flagged velocity_unchecked; a failed
// or skipped read reads the store. Account entries are named in a cache epoch ("<epoch>:<id>"): a
// write-through that fails, times out or is skipped ends the epoch, and a process starts in a
// random one, so no copy older than a committed write is ever served, also when Redis comes back
// with the data it had (see cacheGuard for the rules and why they hold).
package app
