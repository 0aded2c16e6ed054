package testsrv

import (
	"errors"
	"fmt"
	"net"
	"time"

	"stacklab/ledgerspec"
	"stacklab/loadgen/internal/sched"
)

// CannedPlaintext is a complete answer to GET /bench/plaintext.
var CannedPlaintext = []byte("HTTP/1.1 200 OK\r\nServer: canned\r\nDate: Tue, 24 Nov 2026 10:00:00 GMT\r\n" +
	"Content-Type: " + ledgerspec.ContentTypePlain + "\r\nContent-Length: 13\r\n\r\n" + ledgerspec.BenchPlaintextBody)

// ServeCanned answers every request without a body (a head ending in CRLF CRLF) on every
// connection accepted from ln with the bytes resp, until ln is closed. It does not parse the
// request and allocates nothing per request: as a target it costs the least a server can, so
// a client measured against it shows its own limit, and a test that counts allocations
// counts only the client's. A positive delay holds each answer that long after its request
// was read, to within a few microseconds (see Options.Delay).
func ServeCanned(ln net.Listener, resp []byte, delay time.Duration) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("accepting: %w", err)
		}
		go serveCannedConn(c, resp, delay)
	}
}

func serveCannedConn(c net.Conn, resp []byte, delay time.Duration) {
	defer c.Close()
	var sl *sched.Sleeper
	if delay > 0 {
		var err error
		if sl, err = sched.NewSleeper(); err != nil {
			return
		}
		defer sl.Close()
	}
	var buf [16 << 10]byte
	state := 0 // bytes of "\r\n\r\n" matched so far
	for {
		n, err := c.Read(buf[:])
		if err != nil {
			return
		}
		read := time.Now()
		pending := 0
		for _, b := range buf[:n] {
			switch {
			case b == '\r' && (state == 0 || state == 2):
				state++
			case b == '\n' && (state == 1 || state == 3):
				state++
			case b == '\r':
				state = 1
			default:
				state = 0
			}
			if state == 4 {
				state = 0
				pending++
			}
		}
		for ; pending > 0; pending-- {
			if delay > 0 {
				waitUntil(sl, read.Add(delay))
			}
			if _, err := c.Write(resp); err != nil {
				return
			}
		}
	}
}
