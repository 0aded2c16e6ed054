package httpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Limits of the parser.
const (
	// MaxHeaderBytes is the largest status line plus header block accepted.
	MaxHeaderBytes = 64 << 10
	// MaxLineBytes is the longest chunk-size or trailer line accepted.
	MaxLineBytes = 4 << 10
	// MaxCaptureBytes is the most body bytes kept for validation; the rest is drained.
	MaxCaptureBytes = 8 << 20
	initialBuffer   = 16 << 10
)

// Stage says where a round trip failed.
type Stage uint8

// The stages of a round trip.
const (
	StageConnect  Stage = iota + 1 // dialing
	StageWrite                     // writing the request
	StageRead                      // reading the response (connection reset, EOF, deadline)
	StageProtocol                  // the response is not valid HTTP/1.1
)

func (s Stage) String() string {
	switch s {
	case StageConnect:
		return "connect"
	case StageWrite:
		return "write"
	case StageRead:
		return "read"
	case StageProtocol:
		return "protocol"
	}
	return fmt.Sprintf("stage(%d)", uint8(s))
}

// Error is a failed round trip.
type Error struct {
	Stage Stage
	// Timeout reports that the connection's deadline passed.
	Timeout bool
	// NoResponse reports that not one byte of the response had arrived: on a reused
	// connection this usually means the server had closed it while it was idle.
	NoResponse bool
	Err        error
}

func (e *Error) Error() string {
	if e.Timeout {
		return fmt.Sprintf("http %s: timeout: %v", e.Stage, e.Err)
	}
	return fmt.Sprintf("http %s: %v", e.Stage, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Response is what a round trip keeps of a response. The caller owns it and passes the same
// value to every RoundTrip; its slices are reused and valid until the next call.
type Response struct {
	Status int
	// ContentLength is the Content-Length header, −1 when absent.
	ContentLength int64
	Chunked       bool
	// Close reports that the server closes the connection after this response.
	Close bool
	// BodyLen is the number of body bytes received (after chunked decoding).
	BodyLen int64
	// ContentType is the Content-Type header value.
	ContentType []byte
	// Body holds the body when the round trip was asked to capture it (at most MaxCaptureBytes).
	Body []byte
	// Truncated reports that the captured body stopped at MaxCaptureBytes.
	Truncated bool
}

func (r *Response) reset() {
	r.Status = 0
	r.ContentLength = -1
	r.Chunked = false
	r.Close = false
	r.BodyLen = 0
	r.ContentType = r.ContentType[:0]
	r.Body = r.Body[:0]
	r.Truncated = false
}

// Conn is one keep-alive HTTP/1.1 connection. It is not safe for concurrent use.
type Conn struct {
	nc  net.Conn
	raw *rawConn // nil: write and read through nc only
	buf []byte
	r   int // start of unread data in buf
	w   int // end of data in buf
	// got counts response bytes read for the current request.
	got int
	// served counts the responses read on this connection.
	served int64
	closed bool
}

// Dial opens a TCP connection to addr ("host:port") with Nagle off.
func Dial(ctx context.Context, addr string, timeout time.Duration) (*Conn, error) {
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &Error{Stage: StageConnect, Timeout: isTimeout(err), Err: err}
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		if err := tc.SetNoDelay(true); err != nil {
			nc.Close()
			return nil, &Error{Stage: StageConnect, Err: fmt.Errorf("setting TCP_NODELAY: %w", err)}
		}
	}
	return NewConn(nc), nil
}

// NewConn wraps an open connection. On Unix, a connection that exposes its file descriptor
// (a *net.TCPConn) writes each request and reads the start of its answer in one pass of the
// runtime poller (see rawConn).
func NewConn(nc net.Conn) *Conn {
	return &Conn{nc: nc, raw: newRawConn(nc), buf: make([]byte, initialBuffer)}
}

// Served is the number of responses read on this connection.
func (c *Conn) Served() int64 { return c.served }

// Usable reports whether the connection can carry another request.
func (c *Conn) Usable() bool { return !c.closed }

// Close closes the connection.
func (c *Conn) Close() error {
	c.closed = true
	return c.nc.Close()
}

// SetDeadline sets the read and write deadline of the connection.
func (c *Conn) SetDeadline(t time.Time) error { return c.nc.SetDeadline(t) }

// RoundTrip writes req (a complete HTTP/1.1 request) and reads one response into resp. With
// capture, the body is kept in resp.Body; otherwise it is read and dropped. After an error or a
// response that closes the connection, the connection is closed and Usable reports false.
func (c *Conn) RoundTrip(req []byte, capture bool, resp *Response) error {
	resp.reset()
	if c.closed {
		return &Error{Stage: StageWrite, NoResponse: true, Err: net.ErrClosed}
	}
	if c.r != c.w {
		return c.fail(&Error{Stage: StageProtocol, NoResponse: true,
			Err: fmt.Errorf("%d unexpected bytes before the response", c.w-c.r)})
	}
	c.r, c.w, c.got = 0, 0, 0
	if err := c.send(req); err != nil {
		return c.fail(err)
	}
	if err := c.readResponse(capture, resp); err != nil {
		return c.fail(err)
	}
	c.served++
	if resp.Close {
		c.closed = true
		c.nc.Close()
	}
	return nil
}

// send writes req and, on the raw path, reads the first bytes of the answer into buf.
func (c *Conn) send(req []byte) *Error {
	if c.raw == nil {
		if _, err := c.nc.Write(req); err != nil {
			return &Error{Stage: StageWrite, NoResponse: true, Timeout: isTimeout(err), Err: err}
		}
		return nil
	}
	n, wrote, blocked, err := c.raw.exchange(req, c.buf)
	switch {
	case blocked: // the socket buffer was full: finish the write through the poller
		if _, err := c.nc.Write(req[wrote:]); err != nil {
			return &Error{Stage: StageWrite, NoResponse: true, Timeout: isTimeout(err), Err: err}
		}
	case err != nil:
		stage := StageRead
		if !c.raw.wroteAll() {
			stage = StageWrite
		}
		return &Error{Stage: stage, NoResponse: true, Timeout: isTimeout(err), Err: err}
	case n == 0:
		return &Error{Stage: StageRead, NoResponse: true, Err: io.ErrUnexpectedEOF}
	default:
		c.w, c.got = n, n
	}
	return nil
}

func (c *Conn) fail(err *Error) error {
	c.closed = true
	c.nc.Close()
	return err
}

// fill reads more bytes into buf[w:], compacting or growing the buffer (up to limit) first
// when it is full.
func (c *Conn) fill(limit int) *Error {
	if c.w == len(c.buf) {
		if c.r > 0 {
			c.w = copy(c.buf, c.buf[c.r:c.w])
			c.r = 0
		} else {
			if len(c.buf) >= limit {
				return &Error{Stage: StageProtocol, Err: fmt.Errorf("response header or line longer than %d bytes", limit)}
			}
			nb := make([]byte, min(2*len(c.buf), limit))
			c.w = copy(nb, c.buf[c.r:c.w])
			c.r = 0
			c.buf = nb
		}
	}
	n, err := c.nc.Read(c.buf[c.w:])
	c.w += n
	c.got += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &Error{Stage: StageRead, Timeout: isTimeout(err), NoResponse: c.got == 0, Err: err}
}

var crlfcrlf = []byte("\r\n\r\n")

func (c *Conn) readResponse(capture bool, resp *Response) *Error {
	for {
		end := -1
		scanned := c.r
		for {
			if i := bytes.Index(c.buf[scanned:c.w], crlfcrlf); i >= 0 {
				end = scanned + i + 4
				break
			}
			scanned = max(c.r, c.w-3)
			off := scanned - c.r
			if err := c.fill(MaxHeaderBytes); err != nil {
				return err
			}
			scanned = c.r + off
		}
		if err := parseHead(c.buf[c.r:end], resp); err != nil {
			return err
		}
		c.r = end
		if resp.Status >= 100 && resp.Status < 200 && resp.Status != 101 {
			resp.reset() // an interim response: the real one follows
			continue
		}
		break
	}
	switch {
	case resp.Chunked:
		return c.readChunked(capture, resp)
	case resp.ContentLength >= 0:
		return c.readBody(resp.ContentLength, capture, resp)
	case resp.Status == 204 || resp.Status == 304:
		return nil
	default:
		resp.Close = true
		return c.readToEOF(capture, resp)
	}
}

// take consumes up to n buffered body bytes.
func (c *Conn) take(n int64, capture bool, resp *Response) int64 {
	k := min(int64(c.w-c.r), n)
	if k <= 0 {
		return 0
	}
	if capture {
		room := MaxCaptureBytes - len(resp.Body)
		if int(k) > room {
			resp.Truncated = true
			resp.Body = append(resp.Body, c.buf[c.r:c.r+room]...)
		} else {
			resp.Body = append(resp.Body, c.buf[c.r:c.r+int(k)]...)
		}
	}
	c.r += int(k)
	resp.BodyLen += k
	return k
}

func (c *Conn) readBody(n int64, capture bool, resp *Response) *Error {
	for {
		n -= c.take(n, capture, resp)
		if n == 0 {
			return nil
		}
		c.r, c.w = 0, 0
		if err := c.fill(len(c.buf)); err != nil {
			return err
		}
	}
}

func (c *Conn) readToEOF(capture bool, resp *Response) *Error {
	for {
		c.take(int64(c.w-c.r), capture, resp)
		c.r, c.w = 0, 0
		if err := c.fill(len(c.buf)); err != nil {
			if errors.Is(err.Err, io.ErrUnexpectedEOF) {
				return nil
			}
			return err
		}
	}
}

// readLine returns the next line without its CRLF; the slice is valid until the next read.
func (c *Conn) readLine() ([]byte, *Error) {
	scanned := c.r
	for {
		if i := bytes.IndexByte(c.buf[scanned:c.w], '\n'); i >= 0 {
			end := scanned + i
			line := c.buf[c.r:end]
			c.r = end + 1
			if len(line) == 0 || line[len(line)-1] != '\r' {
				return nil, &Error{Stage: StageProtocol, Err: errors.New("line not ended by CRLF")}
			}
			return line[:len(line)-1], nil
		}
		off := c.w - c.r
		if off >= MaxLineBytes {
			return nil, &Error{Stage: StageProtocol, Err: fmt.Errorf("line longer than %d bytes", MaxLineBytes)}
		}
		if err := c.fill(max(len(c.buf), MaxLineBytes)); err != nil {
			return nil, err
		}
		scanned = c.r + off
	}
}

func (c *Conn) readChunked(capture bool, resp *Response) *Error {
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		size, ok := parseChunkSize(line)
		if !ok {
			return &Error{Stage: StageProtocol, Err: fmt.Errorf("bad chunk size line %.40q", line)}
		}
		if size == 0 {
			for { // trailer fields up to the empty line
				line, err := c.readLine()
				if err != nil {
					return err
				}
				if len(line) == 0 {
					return nil
				}
			}
		}
		if err := c.readChunkData(size, capture, resp); err != nil {
			return err
		}
		line, err = c.readLine()
		if err != nil {
			return err
		}
		if len(line) != 0 {
			return &Error{Stage: StageProtocol, Err: errors.New("chunk data not followed by CRLF")}
		}
	}
}

func (c *Conn) readChunkData(n int64, capture bool, resp *Response) *Error {
	for {
		n -= c.take(n, capture, resp)
		if n == 0 {
			return nil
		}
		c.r, c.w = 0, 0
		if err := c.fill(len(c.buf)); err != nil {
			return err
		}
	}
}

func parseChunkSize(line []byte) (int64, bool) {
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = trimSpace(line)
	if len(line) == 0 || len(line) > 15 {
		return 0, false
	}
	var n int64
	for _, b := range line {
		var d byte
		switch {
		case b >= '0' && b <= '9':
			d = b - '0'
		case b >= 'a' && b <= 'f':
			d = b - 'a' + 10
		case b >= 'A' && b <= 'F':
			d = b - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}

// parseHead parses a status line and header block ending in CRLF CRLF.
func parseHead(h []byte, resp *Response) *Error {
	i := bytes.IndexByte(h, '\n')
	line := h[:i]
	h = h[i+1:]
	if len(line) < 13 || line[len(line)-1] != '\r' || !bytes.HasPrefix(line, []byte("HTTP/1.")) ||
		(line[7] != '0' && line[7] != '1') || line[8] != ' ' || line[12] != ' ' && line[12] != '\r' {
		return &Error{Stage: StageProtocol, Err: fmt.Errorf("bad status line %.60q", line)}
	}
	st := 0
	for _, b := range line[9:12] {
		if b < '0' || b > '9' {
			return &Error{Stage: StageProtocol, Err: fmt.Errorf("bad status code in %.60q", line)}
		}
		st = st*10 + int(b-'0')
	}
	if st < 100 { // found by FuzzReadResponse: "000" read as a status
		return &Error{Stage: StageProtocol, Err: fmt.Errorf("status code %03d in %.60q is not 100–999", st, line)}
	}
	resp.Status = st
	http10 := line[7] == '0'
	keepAlive := false
	for len(h) > 2 {
		i := bytes.IndexByte(h, '\n')
		line := h[:i]
		h = h[i+1:]
		if len(line) == 0 || line[len(line)-1] != '\r' {
			return &Error{Stage: StageProtocol, Err: errors.New("header line not ended by CRLF")}
		}
		line = line[:len(line)-1]
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return &Error{Stage: StageProtocol, Err: fmt.Errorf("bad header line %.60q", line)}
		}
		name, value := line[:colon], trimSpace(line[colon+1:])
		switch len(name) {
		case 14:
			if equalFold(name, "content-length") {
				n, ok := parseDecimal(value)
				if !ok || resp.ContentLength >= 0 && resp.ContentLength != n {
					return &Error{Stage: StageProtocol, Err: fmt.Errorf("bad Content-Length %.30q", value)}
				}
				resp.ContentLength = n
			}
		case 17:
			if equalFold(name, "transfer-encoding") {
				if !hasToken(value, "chunked") {
					return &Error{Stage: StageProtocol, Err: fmt.Errorf("unsupported Transfer-Encoding %.30q", value)}
				}
				resp.Chunked = true
			}
		case 10:
			if equalFold(name, "connection") {
				if hasToken(value, "close") {
					resp.Close = true
				}
				if hasToken(value, "keep-alive") {
					keepAlive = true
				}
			}
		case 12:
			if equalFold(name, "content-type") {
				resp.ContentType = append(resp.ContentType[:0], value...)
			}
		}
	}
	if resp.Chunked {
		resp.ContentLength = -1 // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length
	}
	if http10 && !keepAlive {
		resp.Close = true
	}
	return nil
}

func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares b with the lower-case ASCII string s, ignoring ASCII case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// hasToken reports whether the comma-separated list v holds the token tok (lower case).
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		i := bytes.IndexByte(v, ',')
		var t []byte
		if i < 0 {
			t, v = v, nil
		} else {
			t, v = v[:i], v[i+1:]
		}
		if equalFold(trimSpace(t), tok) {
			return true
		}
	}
	return false
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
