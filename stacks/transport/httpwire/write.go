package httpwire

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
)

// Connection is what a response says about its connection.
type Connection int

const (
	// Persist writes nothing: an HTTP/1.1 connection persists by default.
	Persist Connection = iota
	// PersistHTTP10 writes "Connection: keep-alive", which an HTTP/1.0 client needs to keep it.
	PersistHTTP10
	// Close writes "Connection: close": the server closes the connection after the response.
	Close
)

// ConnectionFor is the Connection of the answer to r: Close when the server closes after it
// (closing is true, or the request does not keep the connection alive).
func ConnectionFor(r *Request, closing bool) Connection {
	switch {
	case closing || !r.KeepAlive:
		return Close
	case r.Minor == 0:
		return PersistHTTP10
	}
	return Persist
}

// Writer writes responses: the status line, Date (a value cached for the second), Server,
// Content-Type, the app's headers, Content-Length and, when it says something, Connection. It
// is safe for concurrent use.
type Writer struct {
	server []byte // "Server: …\r\n"
}

// NewWriter returns a Writer whose responses carry Server: server.
func NewWriter(server string) *Writer {
	return &Writer{server: []byte("Server: " + server + "\r\n")}
}

// Append appends the app's response to dst. head leaves out the body (the answer to HEAD keeps
// the Content-Length of the body it would have had).
func (w *Writer) Append(dst []byte, resp *app.Response, head bool, conn Connection) []byte {
	dst = w.appendHead(dst, resp.Status)
	if resp.ContentType != "" {
		dst = appendField(dst, "Content-Type", resp.ContentType)
	}
	resp.VisitHeaders(func(name, value string) { dst = appendField(dst, name, value) })
	dst = appendTail(dst, len(resp.Body), conn)
	if !head {
		dst = append(dst, resp.Body...)
	}
	return dst
}

// AppendError appends the server's own refusal: a short plain-text body naming the status and
// reason, and Connection: close.
func (w *Writer) AppendError(dst []byte, status int, reason string) []byte {
	dst = w.appendHead(dst, status)
	dst = appendField(dst, "Content-Type", ledgerspec.ContentTypePlain)
	text := http.StatusText(status)
	n := len(text) + 1
	if reason != "" {
		n += len(reason) + 2
	}
	dst = appendTail(dst, n, Close)
	dst = append(dst, text...)
	if reason != "" {
		dst = append(dst, ": "...)
		dst = append(dst, reason...)
	}
	return append(dst, '\n')
}

// AppendContinue appends an interim "100 Continue" response.
func AppendContinue(dst []byte) []byte { return append(dst, "HTTP/1.1 100 Continue\r\n\r\n"...) }

func (w *Writer) appendHead(dst []byte, status int) []byte {
	if status >= 100 && status < len(statusLines) && statusLines[status] != nil {
		dst = append(dst, statusLines[status]...)
	} else {
		dst = append(dst, "HTTP/1.1 "...)
		dst = strconv.AppendInt(dst, int64(status), 10)
		dst = append(dst, " \r\n"...)
	}
	dst = append(dst, dateLine()...)
	return append(dst, w.server...)
}

func appendTail(dst []byte, length int, conn Connection) []byte {
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, int64(length), 10)
	switch conn {
	case Close:
		dst = append(dst, "\r\nConnection: close\r\n\r\n"...)
	case PersistHTTP10:
		dst = append(dst, "\r\nConnection: keep-alive\r\n\r\n"...)
	default:
		dst = append(dst, "\r\n\r\n"...)
	}
	return dst
}

// appendField appends "name: value". The app's values are its own, but a CR, LF or other
// control character would split the header, so such a byte is written as a space.
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	start := len(dst)
	dst = append(dst, value...)
	for i := start; i < len(dst); i++ {
		if c := dst[i]; c < 0x20 && c != '\t' || c == 0x7f {
			dst[i] = ' '
		}
	}
	return append(dst, "\r\n"...)
}

// statusLines holds "HTTP/1.1 <code> <reason>\r\n" for every status with a reason phrase.
var statusLines [600][]byte

func init() {
	for code := 100; code < len(statusLines); code++ {
		if text := http.StatusText(code); text != "" {
			statusLines[code] = []byte("HTTP/1.1 " + strconv.Itoa(code) + " " + text + "\r\n")
		}
	}
}

// The Date line, refreshed at the start of every second by one goroutine started on first use.
var (
	date     atomic.Pointer[[]byte]
	dateOnce sync.Once
)

func dateLine() []byte {
	if d := date.Load(); d != nil {
		return *d
	}
	dateOnce.Do(func() {
		storeDate(time.Now())
		go func() {
			for {
				now := time.Now()
				time.Sleep(now.Truncate(time.Second).Add(time.Second).Sub(now))
				storeDate(time.Now())
			}
		}()
	})
	return *date.Load()
}

func storeDate(now time.Time) {
	line := []byte("Date: " + now.UTC().Format(http.TimeFormat) + "\r\n")
	date.Store(&line)
}
