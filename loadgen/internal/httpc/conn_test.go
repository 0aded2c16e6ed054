package httpc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// script serves one connection: for each request it reads the head, then writes the parts of
// the answer in order, pausing between them so the client sees partial reads. A nil part closes
// the connection.
func script(t *testing.T, answers ...[]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 4096)
		for _, parts := range answers {
			for !bytes.Contains(buf, []byte("\r\n\r\n")) {
				n, err := c.Read(tmp)
				if err != nil {
					return
				}
				buf = append(buf, tmp[:n]...)
			}
			buf = buf[:0]
			for i, p := range parts {
				if p == "\x00close" {
					return
				}
				if i > 0 {
					time.Sleep(2 * time.Millisecond)
				}
				if _, err := io.WriteString(c, p); err != nil {
					return
				}
			}
		}
		// Hold the connection open until the client closes it.
		io.Copy(io.Discard, c)
	}()
	return ln.Addr().String()
}

const closeConn = "\x00close"

var get = []byte("GET /x HTTP/1.1\r\nHost: t\r\n\r\n")

func TestRoundTrip(t *testing.T) {
	long := strings.Repeat("a", 100_000)
	tests := []struct {
		name    string
		parts   []string
		status  int
		body    string
		bodyLen int64
		chunked bool
		close   bool
		ctype   string
		stage   Stage // 0: success
		noResp  bool
	}{
		{name: "content-length", parts: []string{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"},
			status: 200, body: "hello", bodyLen: 5, ctype: "text/plain"},
		{name: "header names ignore case", parts: []string{"HTTP/1.1 201 Created\r\ncontent-LENGTH:   3 \r\nCONTENT-type: application/json\r\n\r\n{} "},
			status: 201, body: "{} ", bodyLen: 3, ctype: "application/json"},
		{name: "split everywhere", parts: []string{"HTTP/1.1 20", "0 OK\r\nContent-Le", "ngth: 5\r\n\r", "\nhel", "lo"},
			status: 200, body: "hello", bodyLen: 5},
		{name: "large body", parts: []string{"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + long[:30000], long[30000:]},
			status: 200, body: long, bodyLen: 100000},
		{name: "chunked", parts: []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: 1\r\n\r\n"},
			status: 200, body: "hello, world!!!", bodyLen: 15, chunked: true},
		{name: "chunked byte by byte", parts: strings.Split("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n", ""),
			status: 200, body: "abcd", bodyLen: 4, chunked: true},
		{name: "chunked wins over content-length", parts: []string{"HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"},
			status: 200, body: "ok", bodyLen: 2, chunked: true},
		{name: "interim 100 continue", parts: []string{"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
			status: 200, body: "ok", bodyLen: 2},
		{name: "204 has no body", parts: []string{"HTTP/1.1 204 No Content\r\n\r\n"}, status: 204},
		{name: "connection close", parts: []string{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"},
			status: 200, body: "ok", bodyLen: 2, close: true},
		{name: "http/1.0 closes", parts: []string{"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"},
			status: 200, body: "ok", bodyLen: 2, close: true},
		{name: "body to EOF", parts: []string{"HTTP/1.1 200 OK\r\n\r\nuntil the end", closeConn},
			status: 200, body: "until the end", bodyLen: 13, close: true},
		{name: "bad status line", parts: []string{"HTTP/2 200 OK\r\n\r\n"}, stage: StageProtocol},
		{name: "bad status code", parts: []string{"HTTP/1.1 2x0 OK\r\n\r\n"}, stage: StageProtocol},
		{name: "bad content-length", parts: []string{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"}, stage: StageProtocol},
		{name: "conflicting content-length", parts: []string{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok"}, stage: StageProtocol},
		{name: "unknown transfer-encoding", parts: []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"}, stage: StageProtocol},
		{name: "bad chunk size", parts: []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}, stage: StageProtocol},
		{name: "chunk without CRLF", parts: []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n"}, stage: StageProtocol},
		{name: "header without colon", parts: []string{"HTTP/1.1 200 OK\r\nbroken\r\n\r\n"}, stage: StageProtocol},
		{name: "header too large", parts: []string{"HTTP/1.1 200 OK\r\nX: " + strings.Repeat("h", MaxHeaderBytes) + "\r\n\r\n"}, stage: StageProtocol},
		{name: "body cut short", parts: []string{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", closeConn}, stage: StageRead},
		{name: "closed before answering", parts: []string{closeConn}, stage: StageRead, noResp: true},
	}
	for _, tt := range tests {
		for _, path := range paths {
			t.Run(tt.name+"/"+path.name, func(t *testing.T) {
				addr := script(t, tt.parts)
				c := dial(t, addr, path.raw)
				c.SetDeadline(time.Now().Add(5 * time.Second))
				var r Response
				err := c.RoundTrip(get, true, &r)
				if tt.stage != 0 {
					var he *Error
					if !errors.As(err, &he) {
						t.Fatalf("err = %v, want an *Error at stage %v", err, tt.stage)
					}
					if he.Stage != tt.stage || he.NoResponse != tt.noResp {
						t.Fatalf("err = %v (stage %v, no response %t), want stage %v, no response %t", err, he.Stage, he.NoResponse, tt.stage, tt.noResp)
					}
					if c.Usable() {
						t.Error("connection still usable after an error")
					}
					return
				}
				if err != nil {
					t.Fatalf("RoundTrip: %v", err)
				}
				if r.Status != tt.status || string(r.Body) != tt.body || r.BodyLen != tt.bodyLen || r.Chunked != tt.chunked || r.Close != tt.close {
					t.Errorf("got status %d body %.40q (%d bytes) chunked %t close %t; want %d %.40q (%d) %t %t",
						r.Status, r.Body, r.BodyLen, r.Chunked, r.Close, tt.status, tt.body, tt.bodyLen, tt.chunked, tt.close)
				}
				if tt.ctype != "" && string(r.ContentType) != tt.ctype {
					t.Errorf("content type %q, want %q", r.ContentType, tt.ctype)
				}
				if c.Usable() == tt.close {
					t.Errorf("Usable() = %t after a response with close %t", c.Usable(), tt.close)
				}
			})
		}
	}
}

// paths are the two ways a Conn moves bytes: the raw exchange and plain net.Conn calls.
var paths = []struct {
	name string
	raw  bool
}{{"raw", true}, {"portable", false}}

func dial(t testing.TB, addr string, raw bool) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.raw == nil && raw {
		t.Fatal("no raw path on this connection")
	}
	if !raw {
		c.raw = nil
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestKeepAliveWithoutCapture(t *testing.T) {
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) { testKeepAlive(t, path.raw) })
	}
}

func testKeepAlive(t *testing.T, raw bool) {
	addr := script(t,
		[]string{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
		[]string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
		[]string{"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!"})
	c := dial(t, addr, raw)
	var r Response
	for i, want := range []struct {
		status int
		n      int64
	}{{200, 5}, {200, 3}, {404, 3}} {
		if err := c.RoundTrip(get, false, &r); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if r.Status != want.status || r.BodyLen != want.n || len(r.Body) != 0 {
			t.Errorf("request %d: status %d, %d body bytes, %d kept; want %d, %d, 0 kept", i, r.Status, r.BodyLen, len(r.Body), want.status, want.n)
		}
	}
	if c.Served() != 3 {
		t.Errorf("Served() = %d, want 3", c.Served())
	}
}

func TestTimeout(t *testing.T) {
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) { testTimeout(t, path.raw) })
	}
}

func testTimeout(t *testing.T, raw bool) {
	addr := script(t, []string{}) // reads the request, never answers
	c := dial(t, addr, raw)
	c.SetDeadline(time.Now().Add(50 * time.Millisecond))
	var r Response
	err := c.RoundTrip(get, false, &r)
	var he *Error
	if !errors.As(err, &he) || !he.Timeout || he.Stage != StageRead || !he.NoResponse {
		t.Fatalf("err = %#v, want a read timeout with no response", err)
	}
}

func TestDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Dial(context.Background(), addr, time.Second)
	var he *Error
	if !errors.As(err, &he) || he.Stage != StageConnect {
		t.Fatalf("err = %v, want a connect error", err)
	}
}

func TestParseChunkSize(t *testing.T) {
	tests := []struct {
		in   string
		n    int64
		okay bool
	}{{"0", 0, true}, {"a", 10, true}, {"FF", 255, true}, {"1f;name=v", 31, true}, {"10 ", 16, true},
		{"", 0, false}, {"g", 0, false}, {"-1", 0, false}, {"1234567890abcdef", 0, false}}
	for _, tt := range tests {
		n, ok := parseChunkSize([]byte(tt.in))
		if n != tt.n || ok != tt.okay {
			t.Errorf("parseChunkSize(%q) = %d, %t; want %d, %t", tt.in, n, ok, tt.n, tt.okay)
		}
	}
}
