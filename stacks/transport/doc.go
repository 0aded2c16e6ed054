// Package transport holds what every HTTP transport of the lab shares: the Server a stack runs and
// the options it is built with. Each transport lives in its own subpackage (nethttp, …) and does
// routing and byte moving only: it matches a route of ledgerspec.Routes, fills an app.Request, calls
// (*app.App).Serve and writes the app.Response, with the Server, Date and Content-Length headers.
package transport
