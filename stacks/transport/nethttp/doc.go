// Package nethttp is the net/http transport: a Go 1.22+ ServeMux with one pattern per route of
// ledgerspec.Routes, each handing the request's bytes to the app and writing its answer back.
package nethttp
