// Package nethttp is the net/http transport: a Go 1.22+ ServeMux with one pattern per route of
// ledgerspec.Routes (GET patterns answer HEAD too), and a catch-all the app answers as not found,
// behind one handler that sets the Server header first and sends a path ServeMux would redirect
// to its cleaned form (an empty, "." or ".." segment) to the app's not_found as well.
//
// It is configured as net/http's documentation recommends for a server facing clients:
// ReadHeaderTimeout 10 s and IdleTimeout 120 s (transport.ReadHeaderTimeout, IdleTimeout), no
// read or write timeout on the body or the handler. Bodies are read through the request's body
// reader, at most ledgerspec.MaxBodyBytes+1 bytes (transport.ReadBody); net/http then drains up
// to 256 KiB of what is left, or closes the connection. Requests run in the transport's base
// context, not the request's: net/http cancels that one when the client goes away, and the
// ledger finishes what it started (see package transport).
//
// # Deviations
//
// net/http answers the requests it refuses before any handler runs by itself, and these answers
// carry no Date, no Server and no Content-Length (they end with the connection): a malformed
// request line or header, a missing Host, a bad Content-Length, a Transfer-Encoding other than
// chunked (501), an HTTP/2.0 request line (505), an invalid percent-escape in the path, and
// headers over 1 MiB (431). net/http has no hook to shape them. It also answers "OPTIONS *" 200
// itself, without Server. transporttest logs the table of these answers.
package nethttp
