// Package servetest holds the tests the lab's own transports (those built on package serve)
// share beyond transporttest.Run: the whole HTTP/1.1 wire suite with no deviation allowed, a
// client's half-close while its request is with the app, and the connection bound; each against
// the transport in front of the real app on in-memory fakes.
package servetest

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"stacklab/ledgerspec/conformance/wire"
	"stacklab/stacks"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/transporttest"
)

// WireStrict runs the wire suite against the transport and fails on every deviation.
func WireStrict(t *testing.T, name string, newServer transport.New) {
	f := transporttest.Start(t, name, newServer, stacks.Codecs["std"]())
	if _, ok := f.Server.(transport.WireStrict); !ok {
		t.Errorf("%s does not declare transport.WireStrict", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := wire.Run(ctx, wire.Target{Addr: f.Addr})
	if err != nil {
		t.Fatalf("the wire suite cannot run: %v", err)
	}
	for _, d := range rep.Deviations() {
		t.Errorf("%s [%s %s] %s: %s (%s)", d.ID, d.Section, d.Level, d.Title, d.Detail, d.Rule)
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", name, rep.Summary())
	if testing.Verbose() {
		t.Log("\n" + b.String())
	}
}

// HalfCloseWhileBusy sends a request the app holds (its store call waits at a gate), then closes
// the client's write side, then lets the app answer: the answer must still arrive, and the
// connection end after it.
func HalfCloseWhileBusy(t *testing.T, name string, newServer transport.New) {
	f := transporttest.Start(t, name, newServer, stacks.Codecs["std"]())
	g := f.Block("CreateAccount", "half-1")
	c, err := net.Dial("tcp", f.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := `{"id":"half-1","ledger":"HC"}`
	req := "POST /api/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	if err := g.Entered(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // time for the transport to see the end of stream
	g.Release()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer after the client's half-close: %v", err)
	}
	if resp.StatusCode != 201 {
		t.Errorf("answered %d, want 201", resp.StatusCode)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Errorf("reading the answer: %v", err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("the connection was not closed after the answer (%d bytes, %v)", n, err)
	}
}

// BoundedConnections opens more connections than the transport's bound: the ones beyond it are
// closed unanswered, the others served.
func BoundedConnections(t *testing.T, name string, newServer transport.New, bound int) {
	f := transporttest.Start(t, name, newServer, stacks.Codecs["std"]())
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	served, refused := 0, 0
	for range bound + 3 {
		c, err := net.Dial("tcp", f.Addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte("GET /bench/plaintext HTTP/1.1\r\nHost: t\r\n\r\n")); err != nil {
			refused++
			continue
		}
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil && resp.StatusCode == 200 {
			served++
		} else {
			refused++
		}
	}
	if served != bound || refused != 3 {
		t.Errorf("%d connections served and %d refused, want %d and 3", served, refused, bound)
	}
}
