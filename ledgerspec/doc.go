// Package ledgerspec is the executable form of the ledger contract (v1) that every stack of the lab
// serves. It holds the types, the error codes and their statuses, the routes, the markup contract of
// the HTML pages and a typed client; package conformance checks a running stack against all of it.
// The prose contract is ../shared/LEDGER-CONTRACT.md; where this package and that page disagree, one
// of them is fixed on purpose. This comment restates the contract with the decisions the page leaves
// open, marked "Decided:".
//
// # Data
//
// Amounts are integers in minor units (cents). Ids are chosen by the client: account and transaction
// ids are 1–64 characters of [A-Za-z0-9_-] (ValidID), ledgers 1–16 of [A-Z0-9_] (ValidLedger).
// Names hold 0–200 and descriptions 0–500 Unicode characters of untrusted text (ValidText).
// Decided: U+0000 is malformed (PostgreSQL text cannot hold it); invalid UTF-8 is malformed.
//
// An Account has two mutually exclusive flags. DebitsMustNotExceedCredits forbids a posting that makes
// debits_posted > credits_posted; CreditsMustNotExceedDebits the mirror. balance = credits − debits.
// Counters are int64 and never overflow: a posting that would overflow one is refused.
//
// A Transaction is atomic: all of its 1–16 postings apply or none. Its id is the idempotency key. The
// server assigns seq: unique across ledgers and, within one ledger, strictly increasing in commit
// order, so a reader that saw seq S never later sees a smaller seq appear in that ledger. Commits in
// different ledgers do not wait for each other. Decided: every posting of a transaction must be in
// the ledger of the first posting's accounts, else accounts_must_have_the_same_ledger.
//
// created_at is UTC with exactly six fractional digits (TimeLayout), so a replay is byte-identical.
//
// Risk flags never block a posting. RiskVelocity fires when more than LEDGER_VELOCITY_LIMIT (default
// 50) transactions debited the same account within 60 s, this one included, counted in Redis;
// RiskLargeAmount when a posting's amount is at least LEDGER_LARGE_AMOUNT (default 100000000).
// RiskVelocityUnchecked fires instead of RiskVelocity when Redis could not be reached to count.
// Decided: flags are listed in RiskFlagOrder; an attempt that ends in a 422 does not count toward velocity.
// Decided: a transaction is flagged velocity_unchecked when its velocity count failed or did not
// answer within the stack's cache deadline; like any flagged transaction it is published to
// ledger.alerts too.
//
// # JSON API
//
//	POST /api/accounts                      201 new, 200 identical replay (the account as it is now)
//	GET  /api/accounts/{id}                 200, 404
//	POST /api/transactions                  201 new, 200 replay with Idempotent-Replayed: true
//	GET  /api/transactions/{id}             200, 404 (also for an id whose attempt failed)
//	GET  /api/accounts/{id}/transactions    ?limit=1..100 (default 20) &after=SEQ (default 0)
//	GET  /api/balances?ledger=L             one consistent snapshot
//	GET  /bench/plaintext, /bench/json      transport and codec baselines
//
// Account creation answers 422 exists_with_different_ledger, _name, _flags (in that order) when the id
// exists with another payload, then 422 flags_are_mutually_exclusive. Decided: the conflict codes come
// first, as the transaction codes do; a failed account creation does not use up its id.
//
// A transaction's outcome is decided once. Its replay answers 200 with a body byte-identical to the
// 201's and Idempotent-Replayed: true; a retry of an id that failed with a 422 replays that 422 even
// if it would now succeed. The 422s are checked in this order, the first that applies wins:
//
//  1. exists_with_different_postings, exists_with_different_description
//  2. per posting, in posting order: accounts_must_be_different, amount_out_of_range,
//     debit_account_not_found, credit_account_not_found, accounts_must_have_the_same_ledger
//  3. per posting, applied in order: exceeds_credits, exceeds_debits, overflows_debits, overflows_credits
//
// Rule 2 runs over all postings before rule 3 runs over any. Rule 3 applies the postings one after
// another, so posting i sees the counters left by postings 0…i−1. Problems for rules 2 and 3 carry
// posting_index. A 4xx leaves no state change other than recording a transaction id's 422 outcome.
//
// A transaction page lists items in ascending seq. Decided: next_after is the seq of the last item
// (null when items is empty), so a client can also poll for newer items; has_more reports whether
// more items existed when the page was read. after must be a non-negative integer.
//
// Balances hold exactly the transactions with seq ≤ as_of_seq, accounts sorted by id in byte order.
// Decided: total_debits and total_credits are exact and may exceed int64 (json.Number).
//
// Bodies must be application/json (a charset=utf-8 parameter is allowed), else 415; bodies over
// MaxBodyBytes are 413. Unknown fields, wrong types, missing required fields, trailing data, bad ids,
// fields over their length, 0 or more than 16 postings, amounts that are not JSON integer literals,
// limits out of range and bad cursors are 400 malformed_request. Decided: a null for a required field
// is a missing field; a null for an optional field is its default; an integer literal outside int64 is
// malformed, an int64 outside 1 … 2^53−1 is amount_out_of_range. 400, 413 and 415 do not use up an id.
//
// JSON is read strictly and the same way by every codec (v1.1): keys are case-sensitive ("ID" is an
// unknown field), and a key twice in one object, a byte order mark, invalid UTF-8 anywhere and
// nesting deeper than the types are malformed. Decided: an escaped key is the key it spells once
// unescaped (RFC 8259 compares names so), so "\u0069d" is id and "id" beside "\u0069d" is a
// duplicate; a \u escape of a lone surrogate is malformed like invalid UTF-8 (it names no character;
// RFC 7493, I-JSON); a null flags object is the default flags; only RFC 8259's four whitespace
// characters may surround tokens.
//
// Errors are application/problem+json Problem bodies; Code.Status gives each code's status.
//
// # HTML (htmx)
//
// GET /ledgers/{ledger} and GET /accounts/{id} serve full pages, or fragments with HX-Request: true,
// following the markup contract documented on the HTMLID constants. POST /ui/transactions takes a
// form (amount as "12.34") and answers 303 to /ledgers/{ledger}, or with HX-Request a 200 fragment of
// the new row and HX-Trigger: ledger:transaction-posted; an invalid form is a 422 fragment with
// data-code. Full pages start with <!doctype html>, load htmx from /static/htmx.min.js served by the
// stack, and every HTML answer carries Vary: HX-Request. Amounts render with two decimals
// (FormatAmount). Untrusted text is escaped: a browser shows exactly the stored text.
//
// # When a service fails
//
// PostgreSQL is the ledger; Redis and Kafka are not. Without Redis, reads come from PostgreSQL and
// transactions commit flagged velocity_unchecked; read-your-writes holds across the outage and
// after it, also when Redis comes back with the data it had. Without Kafka, committed transactions
// wait in the outbox and are published once it is back. A stack starts while Redis or Kafka is
// down and recovers by itself. Without PostgreSQL, requests answer 503 service_unavailable rather
// than hang, and service resumes by itself. No acknowledged (201/200) transaction is ever lost.
// Decided: a 503 is also the answer when PostgreSQL does not answer within the stack's request
// deadline; the outcome of a transaction answered 503 is unknown to the client, and a retry with
// the same id decides it (200 with Idempotent-Replayed when it had committed). HTML routes answer
// the 503 as their HTML error carrying data-code="service_unavailable".
//
// # Events
//
// Every committed transaction is published at least once to ledger.transactions (key: id, value: the
// Transaction JSON) and, when it has risk flags, to ledger.alerts; a failed id is never published.
package ledgerspec
