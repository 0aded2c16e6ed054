// Package transport holds what every HTTP transport of the lab shares: the Server a stack runs,
// the options it is built with, and the few rules and helpers that make the transports behave
// alike. Each transport lives in its own subpackage (nethttp, fasthttp, fiber, fiberv3) and does
// routing and byte moving only: it matches a route of ledgerspec.Routes, fills an app.Request,
// calls (*app.App).Serve and writes the app.Response. transporttest.Run checks every registered
// transport against these rules.
//
// # Routing
//
// Every route of ledgerspec.Routes is matched on the escaped path as sent, segment by segment,
// the path parameter percent-decoded as net/http's PathValue decodes it; GET routes also answer
// HEAD. The query string reaches the app still escaped (app.Request.RawQuery). A path that matches
// no route, a route's path with another method, and a path that is not canonical (CanonicalPath:
// an empty, "." or ".." segment) are answered by the app as not_found (app.Serve with the zero
// route), never by the engine's own 404, 405 or redirect.
//
// # Headers
//
// Every response carries Date, Server ("stacklab-<name>", Options.ServerHeader) and
// Content-Length, the engine's own error replies (a malformed request, headers too large) included
// wherever the engine lets a transport set them; a transport's doc.go lists the replies its engine
// does not let it shape. The app's headers are written through app.Response.VisitHeaders.
//
// # Bodies
//
// A transport reads at most ledgerspec.MaxBodyBytes+1 bytes of a body (ReadBody), whether it is
// framed by Content-Length or chunked, and sets app.Request.BodyTooLarge beyond that, so the app
// answers 413 payload_too_large with its own problem body; an engine that streams request bodies
// is configured to, so a huge body is never buffered whole. A body that cannot be read as framed is
// answered 400 by the transport, and the connection is closed.
//
// # Ownership
//
// Everything a transport puts in an app.Request is the app's: the body is a fresh slice and the
// strings are copies, never views of the engine's buffers, because fasthttp and Fiber recycle
// those when the handler returns and a codec may decode strings that alias the body (a stored id
// would then change under the store's feet). Nothing else is copied: the response body the app
// returns is written without a copy and never changed.
//
// # Cancellation
//
// The context passed to app.Serve is the transport's base context (Base), the same for every
// transport: it is not cancelled when the client disconnects, because the ledger finishes what it
// started (a transaction the client gave up on still commits or fails once, and a retry replays
// it). It is cancelled only when Shutdown's context ends before the in-flight requests finish.
//
// # Shutdown and timeouts
//
// Shutdown stops accepting, closes idle connections, lets in-flight requests finish, then
// returns. Every transport waits ReadHeaderTimeout (10 s) for a request's headers and IdleTimeout
// (120 s) for the next request on a keep-alive connection, and has no write timeout.
package transport
