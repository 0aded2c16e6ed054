package transporttest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Conn is a raw HTTP/1.1 client connection: requests are bytes written as they are, answers are
// read one at a time, so keep-alive, framing and the exact headers are the test's to see.
type Conn struct {
	c  net.Conn
	br *bufio.Reader
	// Timeout bounds each exchange (default 10 s).
	Timeout time.Duration
}

// Dial opens a connection to addr.
func Dial(addr string) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", addr, err)
	}
	return &Conn{c: c, br: bufio.NewReaderSize(c, 64<<10), Timeout: 10 * time.Second}, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// Response is one answer as read from the wire.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// ContentLength is the Content-Length header's value, -1 when absent.
	ContentLength int64
	Chunked       bool
	Close         bool // the server said Connection: close
}

// Do writes raw and reads one answer; head tells that the request was a HEAD (no body follows).
func (c *Conn) Do(raw []byte, head bool) (*Response, error) {
	if err := c.c.SetDeadline(time.Now().Add(c.Timeout)); err != nil {
		return nil, err
	}
	if _, err := c.c.Write(raw); err != nil {
		return nil, fmt.Errorf("writing the request: %w", err)
	}
	return c.Read(head)
}

// Read reads one answer.
func (c *Conn) Read(head bool) (*Response, error) {
	if err := c.c.SetReadDeadline(time.Now().Add(c.Timeout)); err != nil {
		return nil, err
	}
	method := "GET"
	if head {
		method = "HEAD"
	}
	hr, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	defer hr.Body.Close()
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer's body: %w", err)
	}
	r := &Response{Status: hr.StatusCode, Header: hr.Header, Body: body, ContentLength: -1,
		Chunked: len(hr.TransferEncoding) > 0 && hr.TransferEncoding[0] == "chunked", Close: hr.Close}
	if v := hr.Header.Get("Content-Length"); v != "" && !r.Chunked {
		if r.ContentLength, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Errorf("a bad Content-Length %q", v)
		}
	}
	return r, nil
}

// RoundTrip writes raw and reads an answer framed by Content-Length, keeping only its status:
// the lean path of the benchmarks. The body is read into buf, which is returned (grown if
// needed) for the next call.
func (c *Conn) RoundTrip(raw, buf []byte) (status int, _ []byte, err error) {
	if _, err := c.c.Write(raw); err != nil {
		return 0, buf, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, buf, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, buf, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, buf, fmt.Errorf("bad status line %q", line)
	}
	length := -1
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return 0, buf, err
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > 16 && (line[0] == 'C' || line[0] == 'c') && bytes.EqualFold(line[:15], []byte("Content-Length:")) {
			length, err = strconv.Atoi(string(bytes.TrimSpace(line[15:])))
			if err != nil {
				return 0, buf, fmt.Errorf("bad header %q", line)
			}
		}
	}
	if length < 0 {
		return 0, buf, errors.New("an answer without Content-Length")
	}
	if cap(buf) < length {
		buf = make([]byte, length)
	}
	_, err = io.ReadFull(c.br, buf[:length])
	return status, buf, err
}

// Request builds a request's bytes: the method, the path as it goes on the wire, headers as
// name/value pairs, and a body sent with a Content-Length (when body is not nil).
func Request(method, path string, body []byte, headers ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: transporttest\r\n", method, path)
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", headers[i], headers[i+1])
	}
	if body != nil {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// Chunked builds a request whose body is sent with chunked encoding, in chunks of at most size.
func Chunked(method, path string, body []byte, size int, headers ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: transporttest\r\nTransfer-Encoding: chunked\r\n", method, path)
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", headers[i], headers[i+1])
	}
	b.WriteString("\r\n")
	for len(body) > 0 {
		n := min(size, len(body))
		fmt.Fprintf(&b, "%x\r\n", n)
		b.Write(body[:n])
		b.WriteString("\r\n")
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}

// JSON is the Content-Type header pair of a JSON body.
var JSON = []string{"Content-Type", "application/json"}

func hdrs(groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// describe shortens a raw request for messages.
func describe(raw []byte) string {
	line, _, _ := strings.Cut(string(raw), "\r\n")
	if len(line) > 80 {
		line = line[:77] + "..."
	}
	return line
}
