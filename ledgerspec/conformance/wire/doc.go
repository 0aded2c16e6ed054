// Package wire is the lab's HTTP/1.1 wire suite: raw TCP, hand-written request bytes, and a judge
// that reads the server's answers byte by byte. It checks what the ledger conformance suite cannot
// see through a well-behaved HTTP client: message framing and request smuggling (RFC 9112 §6),
// Transfer-Encoding and chunked framing (§7), header and request-line syntax (§2–§5), Host
// (RFC 9110 §7.2), limits, connection management (§9) and the response envelope every answer must
// carry (contract v1.1: Date, Server, Content-Length or chunked).
//
// Each Case has a Level:
//   - MUST: the RFC requires the behaviour; a server that does otherwise is wrong.
//   - SHOULD: the RFC recommends it.
//   - Contract: the RFC allows a choice and the ledger contract picks the strict one (e.g. the RFC
//     lets a server replace an obs-fold by spaces; the contract refuses it).
//
// A case that the server does not meet is a deviation, reported with what happened. Run never
// fails on a deviation: a transport built on a library reports that library's deviations next to
// its numbers, while the lab's own transports must have none (their tests fail on any).
//
// Run(ctx, Target{Addr: "127.0.0.1:8080"}) needs a server of the ledger contract at Addr: the
// cases use /bench/plaintext, /bench/json and POST /api/accounts (creating accounts in ledger
// WIRE with fresh ids).
//
// Decisions where the RFCs leave room (the Contract cases):
//   - A request with both Content-Length and Transfer-Encoding is answered 400 and the connection
//     closed (RFC 9112 §6.1 allows processing it by Transfer-Encoding and closing after).
//   - Several Content-Length values, even equal ones, are a 400 (§6.3 allows merging equal ones).
//   - Any Transfer-Encoding other than a single final "chunked" is refused (400 or 501).
//   - A bare LF is not a line terminator, anywhere (§2.2 lets a recipient accept one).
//   - An obs-fold in a request is a 400 (§5.2 allows replacing it by spaces).
//   - Request-line parts are separated by exactly one SP (§3 allows splitting on any whitespace).
//   - HTTP/1.x with a minor version above 1 is processed as HTTP/1.1 (RFC 9110 §2.5, SHOULD);
//     every other version is refused (505 or 400).
package wire
