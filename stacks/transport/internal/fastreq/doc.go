// Package fastreq is what the transports built on fasthttp (fasthttp, fiber, fiberv3) share: the
// move of a request's bytes from a fasthttp.RequestCtx into an app.Request (copies the app owns,
// the body read from fasthttp's stream up to the limit), the status of fasthttp's read errors, and
// a Lifecycle that orders Serve and Shutdown so that a Shutdown which comes before the engine has
// the listener still stops it.
package fastreq
