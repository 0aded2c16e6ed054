// Package uring is the lab's own HTTP/1.1 transport on io_uring, through
// github.com/pawelgaczynski/giouring (pinned at v0.0.0-20230826085535-69588b89acb9): a proactor,
// where the kernel does the I/O and event loops react to its completions. The HTTP itself is the
// lab's own (httpwire's parser and writer, serve's connection logic, shared with the gnet
// transport), and the transport meets every case of the wire suite (transport.WireStrict).
//
// giouring links to syscall.mmap and syscall.munmap with go:linkname, which Go 1.23 and later
// refuse unless the binary is linked with -ldflags=-checklinkname=0: every build and test of a
// binary that imports the stacks registry needs the flag. Its prepare helpers leave fields of a
// reused submission entry as they were and two of them pass the address of a Go variable instead
// of the buffer, so the transport fills submission entries itself (prep); the rest (ring setup and
// mapping, the queues, buffer-ring and eventfd registration) is giouring's.
//
// # Event loops
//
// Serve starts one loop per GOMAXPROCS (STACKLAB_URING_TUNE=loops=N changes it). Each loop locks
// its goroutine to an OS thread and creates its ring there (4096 entries,
// IORING_SETUP_SINGLE_ISSUER|DEFER_TASKRUN: completions are run when the loop asks, on its own
// thread). On it:
//   - a multishot accept on a duplicate of the listener's socket (the lab hands the stack an
//     inherited socket as a net.Listener; every loop accepts from it, the kernel spreads them);
//   - per connection, a multishot recv from a ring of provided buffers (1024 × 4 KiB per loop,
//     IORING_REGISTER_PBUF_RING): the parser reads the kernel's buffer in place and the buffer goes
//     back at once, the bytes of a request that spans reads being copied to the connection;
//   - per answer, an IORING_OP_SEND of the connection's output buffer (MSG_NOSIGNAL), again for the
//     rest after a short send;
//   - a multishot 250 ms timeout, on which the loop times connections out (serve.Conn.Expired:
//     transport.IdleTimeout between requests, transport.ReadHeaderTimeout for a head, answered
//     408) and ends lingering ones.
//
// How a loop waits depends on whether a request is with the app:
//   - None: nothing but the ring can give the loop work, so it submits what is queued and waits
//     for a completion in one io_uring_enter (the thread then holds its P; the runtime's sysmon
//     hands it to any other goroutine after a while). Shutdown wakes it by writing an eventfd the
//     ring is reading.
//   - Some: the loop must not block in a system call. With a small GOMAXPROCS (the lab measures
//     with 1) a blocked thread holds the only P, and a request's goroutine waiting on another socket
//     (the store's, Redis's) would wait for sysmon to notice, up to 10 ms. Right after handing
//     requests to goroutines the loop yields (runtime.Gosched) so that they run and it collects
//     their answers at once; when they wait on I/O, it parks in Go's netpoller on an eventfd the
//     ring signals (IORING_REGISTER_EVENTFD; with deferred task work, when work is queued), which a
//     goroutine that finishes a request also writes.
//
// # The app
//
// Every request is served by app.Serve on its own goroutine, so a store call never stalls a ring;
// the answer is written by that goroutine into the connection's output buffer and handed back to
// the loop, which sends it. One request per connection is with the app at a time; pipelined
// requests are answered in order. The variant uring-inline (NewInline) serves the routes the app
// answers from memory (serve.InlineBench: /bench/plaintext and /bench/json) on the loop itself,
// without the goroutine and the hand-off; it is a variant because it changes the comparison on
// those routes (see the measurements).
//
// # Connections, shutdown, context
//
// At most 10,000 connections are open; more are closed as soon as they are accepted. Closing is
// lingering: after the last answer the write side is shut down and what the client still sends is
// discarded until it closes or a second passes, so it reads the answer rather than a reset.
// Requests run in the transport's base context (transport.Base): a client that goes away cancels
// nothing. Shutdown stops the accepts (the listener's copy is closed once every loop has stopped),
// closes idle connections, lets the requests with the app finish (their answers say Connection:
// close), and returns when the loops are done; if its context ends first, the base context is
// cancelled and every connection closed. On a kernel that refuses io_uring (not built in,
// /proc/sys/kernel/io_uring_disabled, a seccomp filter, or lacking single-issuer rings or
// provided-buffer rings: Linux 6.1 or later is needed), Serve returns an error naming the
// transport and wrapping ErrUnavailable; there is no fallback to another I/O model.
//
// # Measured choices
//
// STACKLAB_URING_TUNE selects the alternatives the defaults were measured against (bench-transports
// with "uring@STACKLAB_URING_TUNE=…"): nolock (loops not locked to a thread, so no single-issuer
// ring and no deferred task work: cooperative task running instead), notaskrun, nopbuf (one recv
// at a time into a 4 KiB buffer per connection instead of provided buffers). On the lab's machine
// (2 vCPUs, Linux 6.18, stack and wrk each on one CPU, GOMAXPROCS=1, /bench/plaintext) locked
// loops with deferred task work used about 15% less CPU per request than nolock (11.6 µs against
// 14.0 µs; 13.2 µs for fasthttp); provided buffers and single-shot recv were within the noise of
// each other (12.3 µs and 12.4 µs before the wait above was added). Waiting in io_uring_enter when
// no request is with the app halved the system calls per request of uring-inline (1.07 to 0.56)
// and took about 7% off the CPU per request of both. About three quarters of the loop's CPU time
// is the kernel's TCP work inside io_uring_enter (sending also delivers to the client on
// loopback), which no I/O model avoids. Zero-copy send (IORING_OP_SEND_ZC) could not be
// measured: this kernel refuses it with EOPNOTSUPP on accepted TCP sockets (it works on connected
// ones); on loopback the receiving side copies zero-copy pages anyway, so it could not pay there.
//
// # Deviations
//
// None from the wire suite or the transport contract. As for every transport, there is no write
// timeout: a client that stops reading holds its connection (and its output buffer) until it goes.
package uring
