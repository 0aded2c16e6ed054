// Package memstore is an in-memory app.Store with its events.Outbox, and an in-memory app.Cache,
// each behind one mutex, for the unit tests of transports only (transporttest). They are never
// registered as parts: they enforce none of the invariants a database does, and they keep what
// they are given as it is.
//
// That last point is on purpose. A real store copies every string into the database; these keep
// the very strings (and byte slices) the app hands them, so if anything upstream (a transport, a
// codec) gave the app strings that alias a buffer it later reuses, what the fake holds changes
// under it, and a test that reads the data back sees it. Accounts lists what the store holds for
// such a check.
//
// Hook lets a test watch, slow down, block or fail any call: it runs before the call takes the
// mutex, with the call's context.
package memstore
