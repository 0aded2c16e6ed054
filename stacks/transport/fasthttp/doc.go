// Package fasthttp is the transport on a bare github.com/valyala/fasthttp Server, with no
// net/http adaptor anywhere: a small router of its own (router.go) matches ledgerspec.Routes on
// the escaped path as sent, segment by segment, exactly as net/http's ServeMux does (a test
// compares them on a corpus and a fuzz target), and the handler moves bytes between fasthttp's
// RequestCtx and the app.
//
// Configuration, and why:
//   - Name "stacklab-<name>": fasthttp writes it as Server on every response, its own error
//     replies included; Date is fasthttp's default; NoDefaultContentType, so an answer without
//     a Content-Type (the HTML form's 303) has none, as with net/http.
//   - ErrorHandler answers what fasthttp cannot read (garbage, bad framing, a bad Transfer-Encoding,
//     headers over the read buffer: 431, a timeout: 408) with a short plain-text body; fasthttp
//     adds Server, Date and Content-Length and closes the connection.
//   - StreamRequestBody: fasthttp reads at most 8 KiB of a body ahead and hands the handler a
//     stream, from which the transport reads at most ledgerspec.MaxBodyBytes+1 bytes, so a huge
//     body (with Content-Length or chunked) is never buffered whole and the app answers 413 with
//     its own problem body. fasthttp drains up to 256 KiB of what the handler left, or closes the
//     connection. MaxRequestBodySize is the limit plus one (it only bounds the read-ahead here).
//   - DisablePreParseMultipartForm: otherwise a multipart body is parsed into memory or temporary
//     files before the handler runs, whatever its size.
//   - ReadTimeout 10 s and IdleTimeout 120 s, like the other transports (see Deviations).
//   - Logger discards fasthttp's connection error lines; the app logs what matters.
//
// Buffers: fasthttp reuses a request's buffers when the handler returns, so the handler copies
// what the app is given (parameter, query, Content-Type, HX-Target, and the body, which
// transport.ReadBody reads into a new slice) and nothing else; the app's response body is set
// with SetBodyRaw, without a copy, since the app never changes it. fasthttp's RequestCtx is not
// cancelled when a client disconnects and the app runs in the transport's base context anyway.
//
// Shutdown closes the listener (also when Serve has not handed it to fasthttp yet), closes idle
// connections, and waits for in-flight requests (ShutdownWithContext).
//
// # Deviations
//
//   - fasthttp has no header timeout: ReadTimeout bounds the whole request read, so a body must
//     arrive within 10 s of the request's first byte (net/http bounds only the headers).
//   - Request line and headers are limited by the per-connection read buffer, 4 KiB by default
//     (net/http: 1 MiB): a request with larger headers is answered 431.
//   - fasthttp accepts an HTTP/2.0 request line and serves it as HTTP/1.1 (net/http: 505).
//   - It answers "OPTIONS *" through the handler (the app's 404), where net/http answers 200.
//   - When Shutdown's context ends first, fasthttp leaves the remaining connections open (the
//     listener is closed); they end when their client goes or the idle timeout passes.
package fasthttp
