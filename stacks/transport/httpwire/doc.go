// Package httpwire is the lab's own HTTP/1.1 request parser and response writer, written from RFC
// 9112 (message syntax), RFC 9110 (semantics) and the ledger contract's "HTTP/1.1 on the wire",
// for the transports that move bytes themselves (uring on io_uring, gnet on epoll).
//
// # Parsing
//
// A Parser reads requests incrementally from a connection's read buffer: each call of Parse says
// "need more bytes", "a request of n bytes", or refuses the request with an *Error naming the
// status to answer (400, 414, 431, 501 or 505; the connection is then closed, since what follows a
// refused request cannot be framed). The parsed Request is zero-copy: its method, target, path,
// query, field names and values and its body are sub-slices of the buffer, and a chunked body is
// decoded in place in it; nothing is allocated per request once the Request's field slice has
// grown. A transport copies what the app keeps (see package transport's ownership rules).
//
// The parser is strict where the RFCs let a server choose, as the contract and the wire suite ask:
//   - Lines end in CRLF; a bare LF, or a CR that ends no line, is a 400, anywhere (head, chunk
//     lines, trailers).
//   - The request line is method SP target SP HTTP/x.y, one SP each. The method is a token
//     (methods are case-sensitive; an unknown one reaches the router, which answers not found);
//     a version other than HTTP/1.x is a 505, a malformed one a 400; HTTP/1.2 and higher minors
//     are processed as HTTP/1.1.
//   - The target is origin-form, absolute-form (http or https; its authority replaces Host) or,
//     for OPTIONS only, "*". A space, a control character, "#", a byte over 0x7F or a "%" that
//     starts no valid escape is a 400 (see targetByte for the printable characters allowed).
//   - Field lines are token ":" OWS value OWS: whitespace before the colon, obs-fold (a line
//     starting with whitespace, the first one included), a missing colon, an empty or invalid
//     name, and a control character in a value (NUL, CR, DEL, 0x01–0x1F but HTAB) are a 400;
//     obs-text (0x80–0xFF) in values is accepted.
//   - Host: an HTTP/1.1 request needs exactly one valid Host (uri-host [":" port], no userinfo,
//     no path, no list), also with an absolute-form target; HTTP/1.0 may leave it out.
//   - Framing (RFC 9112 §6): Content-Length is 1*DIGIT in exactly one field (a list, a repeat,
//     even of the same value, a sign, hex or inner space is a 400); Content-Length together with
//     Transfer-Encoding is a 400; Transfer-Encoding in HTTP/1.0 is a 400; the only transfer coding
//     is a single "chunked" (case-insensitive, several fields taken as one list): chunked not
//     final or twice is a 400, any other coding a 501.
//   - Chunked bodies: 1*HEXDIG sizes (leading zeros allowed), extensions parsed and ignored
//     (BWS, tokens, quoted strings), chunk data followed by exactly CRLF, trailer fields checked
//     like header fields and ignored (a Content-Length trailer frames nothing).
//   - More than one Content-Type field is a 400 (a singleton field, RFC 9110 §5.3).
//
// # Limits
//
//   - Request line: MaxRequestLine, 16 KiB (414 beyond). A 4 KiB target is accepted.
//   - Head (request line and fields): MaxHeadBytes, 64 KiB, and MaxFields, 256 field lines (431
//     beyond). An 8 KiB field is accepted.
//   - Body: MaxBodyBytes, the contract's 65,536 bytes. A declared Content-Length over it is
//     returned at once (BodyTooLarge, without waiting for the body), and so is a chunked body as
//     soon as a chunk size takes it over; the app answers 413 and the connection is closed.
//   - Chunk-size line with extensions: MaxChunkLine, 4 KiB (400 beyond); trailer section: 64 KiB
//     and 256 fields (431 beyond).
//
// # Writing
//
// A Writer appends a response to a byte slice: status line, Date (cached, refreshed at the start
// of every second by one goroutine), Server, Content-Type, the app's headers through
// app.Response.VisitHeaders, Content-Length, and Connection when it says something (close, or
// keep-alive to an HTTP/1.0 client). The answer to HEAD has no body. Every response the lab's own
// transports send, their refusals included (AppendError), comes from it.
package httpwire
