// Package transporttest is the contract test of the lab's HTTP transports: Run starts a transport
// on a loopback listener in front of the real app (app.New) on in-memory fakes (memstore) and a
// codec from the registry (std), and checks with raw TCP and net/http clients what package
// transport promises:
//   - routing: every route of ledgerspec.Routes reaches the app with its route, its parameter
//     percent-decoded, the query still escaped, Content-Type, HX-Request and HX-Target, and the
//     app's headers come back; other paths, other methods and non-canonical paths get the app's
//     not_found;
//   - bodies: 65,536 bytes are accepted and 65,537 answered 413 payload_too_large (the app's
//     problem), with Content-Length and chunked, and a huge declared body is answered without
//     being read whole; a broken chunked body is answered 400;
//   - headers: Date, Server ("stacklab-<name>") and a matching Content-Length on every response
//     of the transport; the engine's own error replies (garbage, headers too large, bad framing)
//     are tabulated in the test log, engine by engine, without failing the test;
//   - keep-alive: many requests on one connection;
//   - cancellation: a request whose client disconnects still completes (its context is not
//     cancelled); Shutdown waits for an in-flight request, and cancels its context only when
//     Shutdown's own context ends first;
//   - buffer retention: accounts created over a few keep-alive connections keep their ids and
//     names. The fake store keeps the strings it is given without copying them, and the check
//     runs with every codec of the registry and with a model of a zero-copy codec whose decoded
//     strings alias the request body, so a transport that handed the app an engine buffer it
//     later reuses is caught (the package's own tests show it is).
//
// EngineRepliesComplete judges the engine probes instead of tabulating them, for a transport whose
// engine lets it shape its error replies (fasthttp's ErrorHandler, Fiber's): there every reply is
// the transport's own and must carry Date, Server and Content-Length.
//
// Start, Dial and Conn are exported for the transports' benchmarks, which measure the same
// set-up.
package transporttest
