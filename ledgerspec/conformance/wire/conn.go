package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// response is one answer as read off the wire. The reader is strict about framing, since framing
// is what the suite judges: a response it cannot frame is reported as such.
type response struct {
	Proto  string // "HTTP/1.1"
	Status int
	Header []field // in the order received
	Body   []byte
	// Chunked reports a chunked body; ContentLength is -1 without a Content-Length.
	Chunked       bool
	ContentLength int64
	// Head is the status line and header section as received, for messages.
	Head string
}

type field struct{ name, value string }

// values returns the values of every field named name (case-insensitive).
func (r *response) values(name string) []string {
	var vs []string
	for _, f := range r.Header {
		if strings.EqualFold(f.name, name) {
			vs = append(vs, f.value)
		}
	}
	return vs
}

func (r *response) get(name string) string {
	if vs := r.values(name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// hasToken reports whether a comma-separated field holds token (case-insensitive).
func (r *response) hasToken(name, token string) bool {
	for _, v := range r.values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func (r *response) String() string {
	line, _, _ := strings.Cut(r.Head, "\r\n")
	return fmt.Sprintf("%q (%d body bytes)", line, len(r.Body))
}

// maxResponse bounds what the reader accepts of one response, so a broken server cannot make the
// suite read forever.
const maxResponse = 4 << 20

// session is one TCP connection to the server under test.
type session struct {
	conn    net.Conn
	br      *bufio.Reader
	timeout time.Duration
}

func dial(addr string, timeout time.Duration) (*session, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", addr, err)
	}
	return &session{conn: conn, br: bufio.NewReaderSize(conn, 64<<10), timeout: timeout}, nil
}

func (s *session) close() { s.conn.Close() }

// send writes raw bytes. A server may close before it has read everything it was sent (after a
// rejection); a write error is then not the suite's business, so send reports it for the caller
// to ignore or use.
func (s *session) send(b []byte) error {
	if err := s.conn.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil {
		return err
	}
	_, err := s.conn.Write(b)
	return err
}

// closeWrite half-closes the connection: the server reads EOF after what was sent.
func (s *session) closeWrite() error {
	if tc, ok := s.conn.(*net.TCPConn); ok {
		return tc.CloseWrite()
	}
	return errors.New("not a TCP connection")
}

// read reads one response. forHead says it answers a HEAD request (no body, whatever it says).
func (s *session) read(forHead bool) (*response, error) {
	if err := s.conn.SetReadDeadline(time.Now().Add(s.timeout)); err != nil {
		return nil, err
	}
	r, err := readResponse(s.br, forHead)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("no answer within %v", s.timeout)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err) {
			return nil, fmt.Errorf("the connection was closed without a (complete) answer: %w", err)
		}
		return nil, err
	}
	return r, nil
}

// readFinal reads responses until a final (non-1xx) one.
func (s *session) readFinal(forHead bool) (*response, error) {
	for {
		r, err := s.read(forHead)
		if err != nil || r.Status >= 200 {
			return r, err
		}
	}
}

// closedState is what the server did with the connection after its answers.
type closedState int

const (
	stateClosed closedState = iota // EOF or reset: the server closed it
	stateOpen                      // nothing arrived within the wait and the connection is open
	stateMore                      // more bytes arrived: the server answered something else
)

// after waits up to wait for the server to close the connection, and tells what happened. The
// bytes that arrived (stateMore) are returned for the message.
func (s *session) after(wait time.Duration) (closedState, string) {
	if err := s.conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return stateOpen, ""
	}
	b, err := s.br.Peek(1)
	if len(b) > 0 {
		n := min(s.br.Buffered(), 200)
		more, _ := s.br.Peek(n)
		return stateMore, string(more)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return stateOpen, ""
	}
	return stateClosed, ""
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed)
}

// readResponse reads one response strictly: CRLF line ends, a status line of three parts, header
// fields name: value, and a body framed by chunked, Content-Length or the end of the connection.
func readResponse(br *bufio.Reader, forHead bool) (*response, error) {
	var head strings.Builder
	line, err := readLine(br, &head)
	if err != nil {
		return nil, err
	}
	proto, rest, ok := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/1.") || len(code) != 3 {
		return nil, fmt.Errorf("malformed status line %q", line)
	}
	status, err := strconv.Atoi(code)
	if err != nil || status < 100 {
		return nil, fmt.Errorf("malformed status code in %q", line)
	}
	r := &response{Proto: proto, Status: status, ContentLength: -1}
	for {
		line, err := readLine(br, &head)
		if err != nil {
			return nil, err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("malformed response header line %q", line)
		}
		r.Header = append(r.Header, field{name, strings.Trim(value, " \t")})
		if head.Len() > 64<<10 {
			return nil, errors.New("response header section over 64 KiB")
		}
	}
	r.Head = head.String()
	if cls := r.values("Content-Length"); len(cls) > 0 {
		if len(cls) > 1 {
			return r, fmt.Errorf("the response has %d Content-Length fields", len(cls))
		}
		n, err := strconv.ParseInt(cls[0], 10, 64)
		if err != nil || n < 0 {
			return r, fmt.Errorf("the response's Content-Length %q is invalid", cls[0])
		}
		r.ContentLength = n
	}
	r.Chunked = r.hasToken("Transfer-Encoding", "chunked")
	switch {
	case forHead || status < 200 || status == 204 || status == 304:
		return r, nil
	case r.Chunked:
		r.Body, err = readChunked(br)
		return r, err
	case r.ContentLength >= 0:
		if r.ContentLength > maxResponse {
			return r, fmt.Errorf("response body of %d bytes is over the suite's limit", r.ContentLength)
		}
		r.Body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(br, r.Body)
		return r, err
	default: // until the connection closes
		r.Body, err = io.ReadAll(io.LimitReader(br, maxResponse))
		if isReset(err) {
			err = nil
		}
		return r, err
	}
}

// readLine reads one CRLF-terminated line (without it), appending the raw line to head.
func readLine(br *bufio.Reader, head *strings.Builder) (string, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", errors.New("response line over 64 KiB")
	}
	if err != nil {
		if len(line) > 0 && errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return "", err
	}
	head.Write(line)
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", fmt.Errorf("response line %q does not end in CRLF", line)
	}
	return string(line[:len(line)-2]), nil
}

func readChunked(br *bufio.Reader) ([]byte, error) {
	var body bytes.Buffer
	var sink strings.Builder
	for {
		line, err := readLine(br, &sink)
		if err != nil {
			return nil, fmt.Errorf("chunked response: %w", err)
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 || int64(body.Len())+n > maxResponse {
			return nil, fmt.Errorf("chunked response: bad chunk size line %q", line)
		}
		if n == 0 {
			for { // trailer section
				t, err := readLine(br, &sink)
				if err != nil {
					return nil, fmt.Errorf("chunked response trailer: %w", err)
				}
				if t == "" {
					return body.Bytes(), nil
				}
			}
		}
		if _, err := io.CopyN(&body, br, n); err != nil {
			return nil, fmt.Errorf("chunked response data: %w", err)
		}
		if crlf, err := readLine(br, &sink); err != nil || crlf != "" {
			return nil, fmt.Errorf("chunked response: no CRLF after chunk data")
		}
	}
}
