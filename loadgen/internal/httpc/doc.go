// Package httpc is the load generator's own HTTP/1.1 client: one keep-alive connection per Conn,
// requests written from bytes the caller builds once (or appends into a reused buffer), and a
// response parser that reads the status line and only the headers a load test needs
// (Content-Length, Transfer-Encoding: chunked, Connection, Content-Type), then drains the body or
// keeps it when the caller asks for it to validate.
//
// It is built for loopback load generation, not as a general client: no redirects, no
// proxies, no TLS, no HTTP/2, no pipelining. After the connection is set up, a round trip does
// not allocate: the read buffer and the body buffer grow once and are reused. Errors are typed
// (*Error with a Stage) so a caller can count them by class without comparing strings.
package httpc
