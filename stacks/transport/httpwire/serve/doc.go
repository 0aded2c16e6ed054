// Package serve is the HTTP/1.1 connection logic the lab's own transports share above their I/O:
// uring (a proactor on io_uring) and gnet (a reactor on epoll) differ only in how bytes come and
// go, so a comparison of the two measures the I/O model, not the parser or the bookkeeping.
//
// A Conn is one connection's state, driven by its event loop with the bytes it receives (Input,
// EOF) and the writes it completes (Sent). Each call returns the next Action: Wait (read more),
// Send (write Out, then call Sent), Dispatch (run Serve on a goroutine, then Done on the loop),
// or Close (write Out, then close after a lingering half-close). A Conn:
//   - parses with httpwire.Parser over the loop's receive buffer when nothing is buffered (the
//     bytes are copied only when a request spans reads), answers the parser's refusals with its
//     status and closes;
//   - routes like net/http's ServeMux (router) and fills the app.Request with copies the app owns
//     (query, Content-Type, HX headers, the parameter and, for a POST, the body);
//   - answers pipelined requests strictly in order, one request with the app at a time; bytes
//     that arrive meanwhile are kept (up to 1 MiB, else the connection is closed), or dropped
//     when the connection closes after the current answer anyway (a body too large);
//   - sends "100 Continue" when a head asks for it and its body is awaited;
//   - keeps HTTP/1.1 connections alive unless "Connection: close", HTTP/1.0 ones only with
//     "Connection: keep-alive", and closes after every answer once SetClosing was called;
//   - answers a half-closed connection's buffered requests, then closes; a request cut short by
//     the client's end of stream gets no answer;
//   - times out (Expired, polled by the loop) a connection waiting for a request's first byte
//     (transport.IdleTimeout, or transport.ReadHeaderTimeout before its first request), for the
//     rest of a head (ReadHeaderTimeout, a slowloris defence) or for more of a body
//     (IdleTimeout without a byte); a partly read request is answered 408 before the close.
//
// Handler.Inline names the routes the app answers without I/O (InlineBench: the plaintext and
// JSON baselines), which a loop may serve itself instead of paying a goroutine hand-off; every
// other route runs on a goroutine so that a store call never stalls a loop.
package serve
