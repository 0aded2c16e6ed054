// Package fiberv3 is the transport on Fiber v3 (github.com/gofiber/fiber/v3), built and
// configured as package fiber (Fiber v2) is, through v3's API: handlers take the fiber.Ctx
// interface, the startup message is turned off in the ListenConfig, and GET routes are registered
// for HEAD explicitly, because v3 adds its automatic HEAD routes at start-up, behind the
// catch-all, which would then answer every HEAD as not found.
//
// # Deviations
//
// Those of package fiber, except that Fiber v3 answers a method outside its RequestMethods 501
// Not Implemented (v2: 400), and answers "OPTIONS *" with its own 404, since its catch-all does
// not match a target that is not a path (v2 and the other transports: the app's not_found).
package fiberv3
