// Package gnet is the lab's HTTP/1.1 transport on github.com/panjf2000/gnet/v2 (v2.9.7): a reactor,
// epoll event loops that are told a socket is ready and read and write it themselves. It uses the
// same HTTP code as the uring transport (httpwire's parser and writer, serve's connection logic),
// so that the two compare the I/O models and nothing else, and it meets every case of the wire
// suite (transport.WireStrict).
//
// Configuration, and why:
//   - gnet's server engine binds its own listeners from an address; the lab hands the stack an
//     inherited socket as a net.Listener. So Serve accepts from it and enrolls each connection in
//     gnet's event loops with gnet's Client (which takes a duplicate of the socket): the accept
//     goes through Go's netpoller, everything after it through gnet's loops.
//   - One loop per GOMAXPROCS, level-triggered, not locked to threads, TCP_NODELAY (gnet's
//     defaults otherwise); its log is dropped.
//   - OnTraffic hands the bytes gnet read to serve.Conn, which parses them in gnet's buffer and
//     copies only a request that spans reads. Requests run on their own goroutine (app.Serve may
//     wait on the store) and the answer goes back with Conn.AsyncWrite, gnet's way to write from
//     another goroutine. The variant gnet-inline (NewInline) serves /bench/plaintext and
//     /bench/json on the loop, as uring-inline does.
//   - At most 10,000 connections; more are closed as soon as they are accepted.
//   - Shutdown closes the listener, closes idle connections, waits for the requests with the app
//     (their answers say Connection: close), then stops gnet's loops; if its context ends first,
//     the base context is cancelled and every connection closed.
//
// # What gnet does not do, and what the transport does about it
//
//   - No read deadlines (gnet's SetReadDeadline is unsupported): the timeouts
//     (transport.IdleTimeout, transport.ReadHeaderTimeout with a 408) are swept by gnet's OnTick
//     every 250 ms, on each loop through EventLoop.Execute.
//   - No half-close: gnet closes a connection when a read returns end of stream. A request still
//     with the app when that happens is answered on a duplicate of the socket taken in OnClose
//     (Conn.Dup), written from a goroutine, then closed.
//   - No lingering close: the transport shuts the write side down itself (shutdown(2) on gnet's
//     descriptor) once gnet has flushed the last answer, drops what arrives, and closes after a
//     second or when the client does.
//   - No back-pressure on reads: gnet reads whatever arrives; bytes that come while a request is
//     with the app are copied out of gnet's buffer, up to 1 MiB, beyond which the connection is
//     closed after the answer.
//   - gnet's loop waits in epoll_wait, a blocking system call outside Go's netpoller. With a small
//     GOMAXPROCS (the lab measures with 1) the loop's thread holds the only P while it waits, so a
//     request's goroutine that waits on another socket (PostgreSQL, Redis) is woken only when the
//     runtime's sysmon polls the network (up to 10 ms later) or the loop wakes: the ledger page
//     costs gnet latency that the uring transport, which parks in the netpoller, does not pay.
//
// # Deviations
//
// None from the wire suite or the transport contract.
package gnet
