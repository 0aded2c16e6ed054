package httpc

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// scripted is a net.Conn whose peer answers with fixed bytes and then closes.
type scripted struct {
	r *bytes.Reader
}

func (s *scripted) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if err == io.EOF && n == 0 {
		return 0, io.EOF
	}
	return n, nil
}
func (s *scripted) Write(b []byte) (int, error)      { return len(b), nil }
func (s *scripted) Close() error                     { return nil }
func (s *scripted) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (s *scripted) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (s *scripted) SetDeadline(time.Time) error      { return nil }
func (s *scripted) SetReadDeadline(time.Time) error  { return nil }
func (s *scripted) SetWriteDeadline(time.Time) error { return nil }

// FuzzReadResponse: the generator's response parser never panics on whatever a server sends,
// and a response it accepts is consistent: a status of three digits, a body as long as its
// Content-Length when one was given, the captured body no longer than what was received.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.0 500 oops\r\nContent-Length: -1\r\n\r\n",
		"garbage",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, answer []byte, capture bool) {
		c := &Conn{nc: &scripted{r: bytes.NewReader(answer)}, buf: make([]byte, initialBuffer)}
		var resp Response
		if err := c.RoundTrip([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), capture, &resp); err != nil {
			return
		}
		if resp.Status < 100 || resp.Status > 999 {
			t.Fatalf("accepted status %d from %q", resp.Status, answer)
		}
		if resp.ContentLength >= 0 && !resp.Chunked && resp.BodyLen != resp.ContentLength {
			t.Fatalf("Content-Length %d but %d body bytes from %q", resp.ContentLength, resp.BodyLen, answer)
		}
		if capture && int64(len(resp.Body)) > resp.BodyLen {
			t.Fatalf("captured %d bytes of a %d-byte body", len(resp.Body), resp.BodyLen)
		}
		if resp.BodyLen > int64(len(answer)) {
			t.Fatalf("body of %d bytes from an answer of %d", resp.BodyLen, len(answer))
		}
	})
}
