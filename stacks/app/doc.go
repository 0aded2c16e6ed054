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
package app
