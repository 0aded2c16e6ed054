// Package fiber is the transport on Fiber v2 (github.com/gofiber/fiber/v2): Fiber's router and
// handlers, one route per route of ledgerspec.Routes in Fiber's own syntax ({id} becomes :id,
// GET routes answer HEAD), and a catch-all (app.Use) that the app answers as not found. Beside
// the bare fasthttp transport it shows what Fiber's router and context cost on the same engine.
//
// Configuration, following Fiber's guidance for production, and why:
//   - No prefork (one process, like every other transport; prefork is off by default and does
//     not apply to a listener handed to Listener anyway).
//   - ServerHeader "stacklab-<name>": fasthttp writes it on every response, Fiber's and fasthttp's
//     own error replies included; Date is fasthttp's default; DisableDefaultContentType, so an
//     answer the app gives no Content-Type (the HTML form's 303) has none, as with net/http.
//   - CaseSensitive and StrictRouting, with UnescapePath off: Fiber then matches the escaped path
//     as sent, case and trailing slash included, as net/http's ServeMux does, and an escaped
//     slash stays inside its segment; the handler decodes the parameter (transport.PathParam).
//     Fiber matches "." and ".." as parameters where ServeMux would redirect, so the handler
//     sends a non-canonical path to the app's not_found.
//   - StreamRequestBody with BodyLimit = ledgerspec.MaxBodyBytes+1: the handler reads at most that
//     much from fasthttp's body stream (internal/fastreq), so a huge body, with Content-Length or
//     chunked, is never buffered whole and the app answers 413 with its own problem body.
//     DisablePreParseMultipartForm, so no multipart body is parsed before the handler.
//   - ReadTimeout 10 s and IdleTimeout 120 s, like the other transports.
//   - Immutable off (Fiber's default). Fiber's docs warn that values from the Ctx are only
//     valid inside the handler; rather than make Fiber copy every value it hands out, the
//     handler copies the few the app gets (parameter, query, Content-Type, HX-Target, body) and
//     nothing else. The app's response body is sent without a copy (Ctx.Send).
//   - ErrorHandler answers what Fiber and fasthttp refuse before a route (431 for headers over
//     the read buffer, 408, 400) and the transport's own 400 for a body it cannot read.
//
// # Deviations
//
// Those of package fasthttp (its engine): no header-only timeout (ReadTimeout bounds headers and
// body), request line and headers limited to 4 KiB (431), an HTTP/2.0 request line served as
// HTTP/1.1, Transfer-Encoding: identity accepted, connections left open when Shutdown's context
// ends first. And Fiber's own: a method outside Fiber's RequestMethods (any non-standard token,
// or a lower-case "get") is answered 400 "Invalid http method" by Fiber, not by the app as
// not_found; Fiber has no catch-all for methods it does not know.
package fiber
