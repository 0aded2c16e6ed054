package httpwire

import (
	"bytes"
	"net/http"

	"stacklab/ledgerspec"
)

// The parser's limits. Beyond them a request is refused with the status named.
const (
	// MaxRequestLine bounds the request line (method, target, version): 414 beyond.
	MaxRequestLine = 16 << 10
	// MaxHeadBytes bounds the head (request line and field lines, with any empty lines before
	// the request line): 431 beyond.
	MaxHeadBytes = 64 << 10
	// MaxFields bounds the number of field lines of the head, and of a chunked body's trailer: 431
	// beyond.
	MaxFields = 256
	// MaxChunkLine bounds a chunk-size line with its extensions: 400 beyond.
	MaxChunkLine = 4 << 10
	// MaxBodyBytes is the contract's body limit. A request whose declared Content-Length is
	// larger, or whose chunked body grows larger, is returned at once with BodyTooLarge set.
	MaxBodyBytes = ledgerspec.MaxBodyBytes
)

// Field is one field line of a request, as sent: the name in its own case, the value without the
// whitespace around it.
type Field struct {
	Name, Value []byte
}

// Request is a parsed request. Its byte slices are views of the buffer given to Parse: they are
// valid until that buffer is reused or changed. A chunked body is decoded in place, so Body is a
// view too.
type Request struct {
	// Method and Target are the request line's, as sent.
	Method, Target []byte
	// Path is the target's escaped path ("*" for OPTIONS *, "/" for an absolute-form target with
	// an empty path); Query is what follows "?", nil when there is no "?".
	Path, Query []byte
	// Minor is the HTTP/1 minor version: 0 for HTTP/1.0; 1 for HTTP/1.1 and for any higher minor
	// version, which is processed as HTTP/1.1 (RFC 9110 §2.5).
	Minor int
	// Host is the authority of an absolute-form target, else the Host field (nil without one).
	Host []byte
	// Fields are the head's field lines in order (framing fields included).
	Fields []Field
	// ContentLength is the declared length, -1 without a Content-Length field.
	ContentLength int64
	// Chunked reports a body framed by Transfer-Encoding: chunked.
	Chunked bool
	// Body is the request's body (decoded when chunked); nil when it is empty or too large.
	Body []byte
	// BodyTooLarge reports a body over MaxBodyBytes (declared, or met while reading chunks). The
	// request is returned as soon as that is known, without the body; the connection must be
	// closed after the answer (KeepAlive is false), since the rest of the body was not read.
	BodyTooLarge bool
	// KeepAlive reports that the connection persists after the answer: HTTP/1.1 without
	// "Connection: close", or HTTP/1.0 with "Connection: keep-alive".
	KeepAlive bool
	// Expect100 reports "Expect: 100-continue".
	Expect100 bool
}

// Header returns the value of the first field named name (case-insensitive; name in lower case),
// nil when there is none.
func (r *Request) Header(name string) []byte {
	for i := range r.Fields {
		if equalFold(r.Fields[i].Name, name) {
			return r.Fields[i].Value
		}
	}
	return nil
}

// HeadOnly reports a HEAD request, whose answer has no body.
func (r *Request) HeadOnly() bool { return string(r.Method) == http.MethodHead }

// Error is a request the parser refuses: Status is the answer (400, 413, 414, 431, 501 or 505),
// Reason says why. The connection is always closed after the answer, because the bytes that
// follow a refused request cannot be framed with confidence.
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return http.StatusText(e.Status) + ": " + e.Reason }

// Close reports whether the connection must be closed after answering the error: always.
func (e *Error) Close() bool { return true }

func badRequest(reason string) *Error { return &Error{Status: http.StatusBadRequest, Reason: reason} }

// Errors that need no detail are allocated once.
var (
	errBareLF         = badRequest("a line ends in a bare LF")
	errRequestLine    = badRequest("malformed request line")
	errMethod         = badRequest("the method is not a token")
	errTarget         = badRequest("malformed request target")
	errVersion        = badRequest("malformed HTTP version")
	errVersion505     = &Error{Status: http.StatusHTTPVersionNotSupported, Reason: "only HTTP/1.x is served"}
	errTooLong        = &Error{Status: http.StatusRequestURITooLong, Reason: "request line over the limit"}
	errHeadTooLarge   = &Error{Status: http.StatusRequestHeaderFieldsTooLarge, Reason: "header section over the limit"}
	errTooMany        = &Error{Status: http.StatusRequestHeaderFieldsTooLarge, Reason: "too many header fields"}
	errObsFold        = badRequest("obs-fold (a field line starting with whitespace)")
	errFieldName      = badRequest("malformed field name")
	errFieldValue     = badRequest("a control character in a field value")
	errNoColon        = badRequest("a field line without a colon")
	errHostMissing    = badRequest("no Host field")
	errHostTwice      = badRequest("more than one Host field")
	errHostInvalid    = badRequest("invalid Host")
	errCLInvalid      = badRequest("invalid Content-Length")
	errCLTwice        = badRequest("more than one Content-Length field")
	errCLAndTE        = badRequest("both Content-Length and Transfer-Encoding")
	errTEInHTTP10     = badRequest("Transfer-Encoding in an HTTP/1.0 request")
	errTEInvalid      = badRequest("malformed Transfer-Encoding")
	errTENotFinal     = badRequest("chunked is not the final transfer coding, or is applied twice")
	errTEUnknown      = &Error{Status: http.StatusNotImplemented, Reason: "a transfer coding other than chunked"}
	errConnection     = badRequest("malformed Connection field")
	errContentType    = badRequest("more than one Content-Type field")
	errChunkLine      = badRequest("malformed chunk-size line")
	errChunkLineLong  = badRequest("chunk-size line over the limit")
	errChunkData      = badRequest("chunk data not followed by CRLF")
	errTrailerTooMany = &Error{Status: http.StatusRequestHeaderFieldsTooLarge, Reason: "trailer section over the limit"}
)

// The parser's stages.
const (
	stageHead = iota
	stageBody
	stageChunkSize
	stageChunkData
	stageTrailer
)

// Parser reads requests incrementally. Its zero value is ready. Give Parse the connection's
// unread bytes, from the start of the request, each time more arrive: the buffer may move
// between calls (be copied or grown), but the bytes already given must be kept as Parse left
// them (it decodes a chunked body in place). After a request or an error, the next call starts
// a new request.
type Parser struct {
	stage int
	// head scanning
	scanned   int // bytes examined for the end of the head
	lineStart int // start of the line being scanned
	start     int // start of the request line (after any empty lines)
	lines     int // complete lines of the head seen (request line included)
	headLen   int // bytes of the head, empty lines before the request line included
	// the framing the head declared, kept across calls (the Request's views are rebuilt)
	contentLength int64
	// chunked body
	pos          int  // next framing byte
	bodyLen      int  // decoded body bytes so far, stored from headLen on
	chunkLeft    int  // data bytes of the current chunk
	trailerStart int  // start of the trailer section
	trailerLines int  // trailer field lines so far
	continued    bool // 100 Continue already reported
	expect       bool // the head asked for 100-continue
}

// Reset forgets any partial request.
func (p *Parser) Reset() { *p = Parser{} }

// Continue reports, once per request, that the head asked for 100-continue and its body is
// awaited: the server may send "100 Continue" now (RFC 9110 §10.1.1; it may also have part of the
// body already, which is allowed). Call it after Parse needed more bytes.
func (p *Parser) Continue() bool {
	if !p.expect || p.continued || p.stage == stageHead {
		return false
	}
	p.continued = true
	return true
}

// Started reports that part of a request has been given (a head is being read, or a body).
func (p *Parser) Started() bool { return p.stage != stageHead || p.scanned > 0 }

// ReadingBody reports that a request's head has been read and its body is awaited.
func (p *Parser) ReadingBody() bool { return p.stage != stageHead }

// Parse reads one request from buf, which starts at the request (or at empty lines before it).
// It returns n > 0, the bytes of a whole request, with r filled; n == 0 and a nil error when
// more bytes are needed; or an *Error to answer. r is overwritten by every call.
func (p *Parser) Parse(buf []byte, r *Request) (n int, err error) {
	fresh := false // r holds views of this buf's head
	if p.stage == stageHead {
		end, perr := p.scanHead(buf)
		if perr != nil {
			p.Reset()
			return 0, perr
		}
		if end == 0 {
			return 0, nil
		}
		if perr := parseHead(buf[p.start:end], r); perr != nil {
			p.Reset()
			return 0, perr
		}
		p.headLen, fresh = end, true
		switch {
		case r.BodyTooLarge:
			p.Reset()
			return end, nil
		case r.Chunked:
			p.stage, p.pos, p.expect = stageChunkSize, end, r.Expect100
		case r.ContentLength > 0:
			p.stage, p.contentLength, p.expect = stageBody, r.ContentLength, r.Expect100
		default:
			p.Reset()
			return end, nil
		}
	}
	if p.stage == stageBody {
		total := p.headLen + int(p.contentLength)
		if len(buf) < total {
			return 0, nil
		}
		p.refill(buf, r, fresh)
		r.Body = buf[p.headLen:total]
		p.Reset()
		return total, nil
	}
	return p.parseChunked(buf, r, fresh)
}

// refill parses the head again into r unless fresh: the views of an earlier call may point into
// a buffer that has since moved. The head was valid then, and its bytes have not changed.
func (p *Parser) refill(buf []byte, r *Request, fresh bool) {
	if fresh {
		return
	}
	if err := parseHead(buf[p.start:p.headLen], r); err != nil {
		panic("httpwire: a head parsed before fails to parse again: " + err.Error())
	}
}

// scanHead looks for the blank line that ends the head, from where the last call stopped. It
// returns the index just after it, or 0 when it is not there yet. It refuses a bare LF and heads
// over the limits as soon as they are seen.
func (p *Parser) scanHead(buf []byte) (int, *Error) {
	i := p.scanned
	for {
		j := bytes.IndexByte(buf[i:], '\n')
		if j < 0 {
			p.scanned = len(buf)
			switch {
			case p.lines == 0 && len(buf)-p.lineStart > MaxRequestLine:
				return 0, errTooLong
			case len(buf) > MaxHeadBytes:
				return 0, errHeadTooLarge
			}
			return 0, nil
		}
		lf := i + j
		if lf == p.lineStart || buf[lf-1] != '\r' {
			return 0, errBareLF
		}
		length := lf - 1 - p.lineStart
		switch {
		case p.lines == 0 && length == 0: // an empty line before the request line: skipped
			p.start = lf + 1
		case p.lines == 0 && length > MaxRequestLine:
			return 0, errTooLong
		case length == 0: // the blank line that ends the head
			if lf+1 > MaxHeadBytes {
				return 0, errHeadTooLarge
			}
			p.scanned, p.lineStart = lf+1, lf+1
			return lf + 1, nil
		default:
			p.lines++
			if p.lines-1 > MaxFields {
				return 0, errTooMany
			}
		}
		if lf+1 > MaxHeadBytes {
			return 0, errHeadTooLarge
		}
		p.lineStart, i = lf+1, lf+1
	}
}

// parseHead parses a whole head (request line, field lines, blank line; CRLF line ends already
// checked) into r.
func parseHead(head []byte, r *Request) *Error {
	fields := r.Fields[:0]
	*r = Request{Fields: fields, ContentLength: -1}
	eol := bytes.IndexByte(head, '\r')
	if eol < 0 || head[eol+1] != '\n' {
		return errRequestLine
	}
	if err := parseRequestLine(head[:eol], r); err != nil {
		return err
	}
	var (
		hosts, lengths, types int
		host, length          []byte
		te                    bool
		close, keepAlive      bool
	)
	rest := head[eol+2:]
	for {
		eol := bytes.IndexByte(rest, '\r')
		if eol < 0 || eol+1 >= len(rest) || rest[eol+1] != '\n' {
			return errFieldValue // a CR that does not end a line
		}
		line := rest[:eol]
		rest = rest[eol+2:]
		if len(line) == 0 {
			break
		}
		name, value, err := parseFieldLine(line)
		if err != nil {
			return err
		}
		r.Fields = append(r.Fields, Field{Name: name, Value: value})
		switch len(name) {
		case 4:
			if equalFold(name, "host") {
				hosts++
				host = value
			}
		case 6:
			if equalFold(name, "expect") && equalFold(value, "100-continue") {
				r.Expect100 = true
			}
		case 10:
			if equalFold(name, "connection") {
				c, k, ok := connectionTokens(value)
				if !ok {
					return errConnection
				}
				close, keepAlive = close || c, keepAlive || k
			}
		case 12:
			if equalFold(name, "content-type") {
				types++
			}
		case 14:
			if equalFold(name, "content-length") {
				lengths++
				length = value
			}
		case 17:
			if equalFold(name, "transfer-encoding") {
				te = true
			}
		}
	}
	if types > 1 {
		return errContentType
	}
	// Host: RFC 9112 §3.2. An absolute-form target's authority replaces it (§3.2.2), but the
	// field must still be present, once and valid, in HTTP/1.1.
	switch {
	case hosts > 1:
		return errHostTwice
	case hosts == 0 && r.Minor >= 1:
		return errHostMissing
	case hosts == 1 && !validHost(host):
		return errHostInvalid
	}
	if r.Host == nil && hosts == 1 {
		r.Host = host
	}
	// Framing: RFC 9112 §6.
	if te {
		switch {
		case r.Minor == 0:
			return errTEInHTTP10
		case lengths > 0:
			return errCLAndTE
		}
		if err := transferCodings(r.Fields); err != nil {
			return err
		}
		r.Chunked = true
	}
	if lengths > 1 {
		return errCLTwice
	}
	if lengths == 1 {
		n, ok := parseContentLength(length)
		if !ok {
			return errCLInvalid
		}
		r.ContentLength = n
	}
	r.KeepAlive = !close && (r.Minor >= 1 || keepAlive)
	if r.ContentLength > MaxBodyBytes {
		r.BodyTooLarge, r.KeepAlive = true, false
	}
	return nil
}

// parseRequestLine parses "method SP target SP HTTP/x.y" with exactly one SP between the parts.
func parseRequestLine(line []byte, r *Request) *Error {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 < 0 {
		return errRequestLine // no version: HTTP/0.9 is not served
	}
	sp2 := bytes.IndexByte(line[sp1+1:], ' ')
	if sp2 < 0 {
		return errRequestLine
	}
	sp2 += sp1 + 1
	method, target, version := line[:sp1], line[sp1+1:sp2], line[sp2+1:]
	if len(version) != 8 || string(version[:5]) != "HTTP/" || version[6] != '.' ||
		version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9' {
		return errVersion
	}
	if version[5] != '1' {
		return errVersion505
	}
	r.Minor = min(int(version[7]-'0'), 1)
	if !isToken(method) {
		return errMethod
	}
	r.Method, r.Target = method, target
	return parseTarget(r)
}

// parseTarget splits r.Target into Path and Query: origin-form, absolute-form (http or https,
// whose authority becomes Host) or, for OPTIONS only, asterisk-form (RFC 9112 §3.2).
func parseTarget(r *Request) *Error {
	t := r.Target
	if len(t) == 0 {
		return errTarget
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !targetByte[c] {
			return errTarget
		}
		if c == '%' && (i+2 >= len(t) || hexVal[t[i+1]] == 0xff || hexVal[t[i+2]] == 0xff) {
			return errTarget
		}
	}
	switch {
	case t[0] == '/':
	case len(t) == 1 && t[0] == '*':
		if string(r.Method) != http.MethodOptions {
			return errTarget
		}
		r.Path = t
		return nil
	default:
		rest, ok := cutScheme(t)
		if !ok {
			return errTarget
		}
		end := len(rest)
		if i := bytes.IndexAny(rest, "/?"); i >= 0 {
			end = i
		}
		authority := rest[:end]
		if len(authority) == 0 || !validHost(authority) {
			return errTarget
		}
		r.Host = authority
		t = rest[end:]
		if len(t) == 0 || t[0] == '?' {
			r.Path = slash
			if len(t) > 0 {
				r.Query = t[1:]
			}
			return nil
		}
	}
	if q := bytes.IndexByte(t, '?'); q >= 0 {
		r.Path, r.Query = t[:q], t[q+1:]
	} else {
		r.Path = t
	}
	return nil
}

var slash = []byte("/")

// cutScheme removes "http://" or "https://" (case-insensitive) from an absolute-form target.
func cutScheme(t []byte) ([]byte, bool) {
	for _, s := range [...]string{"http://", "https://"} {
		if len(t) > len(s) && equalFold(t[:len(s)], s) {
			return t[len(s):], true
		}
	}
	return nil, false
}

// validHost reports whether h is uri-host [":" port] (RFC 9110 §7.2, RFC 3986 §3.2.2): an
// IP-literal in brackets or a reg-name, no userinfo, a port of digits. An empty Host is valid.
func validHost(h []byte) bool {
	if len(h) > 0 && h[0] == '[' {
		end := bytes.IndexByte(h, ']')
		if end < 2 {
			return false
		}
		for _, c := range h[1:end] {
			if !(hexVal[c] != 0xff || c == ':' || c == '.' || regName[c] && c != '%') {
				return false
			}
		}
		h = h[end+1:]
		if len(h) == 0 {
			return true
		}
		if h[0] != ':' {
			return false
		}
		return allDigits(h[1:])
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c == ':' {
			return allDigits(h[i+1:])
		}
		if !regName[c] || c == '%' && (i+2 >= len(h) || hexVal[h[i+1]] == 0xff || hexVal[h[i+2]] == 0xff) {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseFieldLine splits "name: value" (RFC 9112 §5): the name a token right before the colon,
// the value without the whitespace around it, of field-value bytes only.
func parseFieldLine(line []byte) (name, value []byte, err *Error) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, errObsFold
	}
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return nil, nil, errNoColon
	}
	name = line[:colon]
	if !isToken(name) {
		return nil, nil, errFieldName
	}
	value = trimOWS(line[colon+1:])
	for _, c := range value {
		if !fieldValue[c] {
			return nil, nil, errFieldValue
		}
	}
	return name, value, nil
}

// connectionTokens reads a Connection field: a list of tokens, of which close and keep-alive
// matter. Empty list elements are ignored (RFC 9110 §5.6.1).
func connectionTokens(v []byte) (close, keepAlive, ok bool) {
	for len(v) > 0 {
		var tok []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = trimOWS(v[:i]), v[i+1:]
		} else {
			tok, v = trimOWS(v), nil
		}
		switch {
		case len(tok) == 0:
		case !isToken(tok):
			return false, false, false
		case equalFold(tok, "close"):
			close = true
		case equalFold(tok, "keep-alive"):
			keepAlive = true
		}
	}
	return close, keepAlive, true
}

// transferCodings checks the Transfer-Encoding fields, taken together as one list (RFC 9110
// §5.3): the one accepted value is a single "chunked". Chunked not final, or applied twice, is a
// 400 (RFC 9112 §6.3); a coding other than chunked, which the lab does not implement, a 501
// (§6.1). Empty list elements are ignored; an empty list is malformed.
func transferCodings(fields []Field) *Error {
	codings, chunked, chunkedLast := 0, 0, false
	for _, f := range fields {
		if !equalFold(f.Name, "transfer-encoding") {
			continue
		}
		v := f.Value
		for len(v) > 0 {
			var elem []byte
			if i := bytes.IndexByte(v, ','); i >= 0 {
				elem, v = trimOWS(v[:i]), v[i+1:]
			} else {
				elem, v = trimOWS(v), nil
			}
			if len(elem) == 0 {
				continue
			}
			name := elem
			params := false
			if i := bytes.IndexByte(elem, ';'); i >= 0 {
				name, params = trimOWS(elem[:i]), true
			}
			if !isToken(name) {
				return errTEInvalid
			}
			codings++
			chunkedLast = equalFold(name, "chunked")
			if chunkedLast {
				chunked++
				if params { // chunked takes no parameters
					return errTEInvalid
				}
			}
		}
	}
	switch {
	case codings == 0:
		return errTEInvalid
	case chunked > 1 || chunked == 1 && !chunkedLast:
		return errTENotFinal
	case codings > 1 || chunked == 0:
		return errTEUnknown
	}
	return nil
}

// parseContentLength reads 1*DIGIT. A value beyond what int64 holds saturates (it is over the
// body limit either way).
func parseContentLength(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < 1<<58 {
			n = n*10 + int64(c-'0')
		}
	}
	return n, true
}

// parseChunked reads a chunked body from p.pos on, decoding each chunk's data in place right
// after the head (the data only moves backwards, over framing already read).
func (p *Parser) parseChunked(buf []byte, r *Request, fresh bool) (int, error) {
	for {
		switch p.stage {
		case stageChunkSize:
			j := bytes.IndexByte(buf[p.pos:], '\n')
			if j < 0 {
				if len(buf)-p.pos > MaxChunkLine {
					p.Reset()
					return 0, errChunkLineLong
				}
				return 0, nil
			}
			lf := p.pos + j
			if lf == p.pos || buf[lf-1] != '\r' {
				p.Reset()
				return 0, errBareLF
			}
			if j > MaxChunkLine {
				p.Reset()
				return 0, errChunkLineLong
			}
			size, ok := parseChunkSize(buf[p.pos : lf-1])
			if !ok {
				p.Reset()
				return 0, errChunkLine
			}
			p.pos = lf + 1
			if size > MaxBodyBytes-int64(p.bodyLen) {
				p.refill(buf, r, fresh)
				r.BodyTooLarge, r.KeepAlive = true, false
				p.Reset()
				return lf + 1, nil
			}
			if size == 0 {
				p.stage, p.trailerStart = stageTrailer, p.pos
				continue
			}
			p.stage, p.chunkLeft = stageChunkData, int(size)
		case stageChunkData:
			if len(buf)-p.pos < p.chunkLeft+2 {
				return 0, nil
			}
			end := p.pos + p.chunkLeft
			if buf[end] != '\r' || buf[end+1] != '\n' {
				p.Reset()
				return 0, errChunkData
			}
			copy(buf[p.headLen+p.bodyLen:], buf[p.pos:end])
			p.bodyLen += p.chunkLeft
			p.pos, p.stage = end+2, stageChunkSize
		case stageTrailer:
			j := bytes.IndexByte(buf[p.pos:], '\n')
			if j < 0 {
				if len(buf)-p.trailerStart > MaxHeadBytes {
					p.Reset()
					return 0, errTrailerTooMany
				}
				return 0, nil
			}
			lf := p.pos + j
			if lf == p.pos || buf[lf-1] != '\r' {
				p.Reset()
				return 0, errBareLF
			}
			line := buf[p.pos : lf-1]
			p.pos = lf + 1
			if len(line) == 0 {
				p.refill(buf, r, fresh)
				if p.bodyLen > 0 {
					r.Body = buf[p.headLen : p.headLen+p.bodyLen]
				}
				p.Reset()
				return lf + 1, nil
			}
			if _, _, err := parseFieldLine(line); err != nil { // a trailer field frames nothing
				p.Reset()
				return 0, err
			}
			if p.trailerLines++; p.trailerLines > MaxFields || p.pos-p.trailerStart > MaxHeadBytes {
				p.Reset()
				return 0, errTrailerTooMany
			}
		}
	}
}

// parseChunkSize reads chunk-size [chunk-ext] (RFC 9112 §7.1, §7.1.1): 1*HEXDIG, then any number
// of BWS ";" BWS name [BWS "=" BWS (token / quoted-string)]. A size beyond 2^58 saturates.
func parseChunkSize(line []byte) (int64, bool) {
	var n int64
	i := 0
	for ; i < len(line) && hexVal[line[i]] != 0xff; i++ {
		if n < 1<<58 {
			n = n<<4 | int64(hexVal[line[i]])
		}
	}
	if i == 0 {
		return 0, false
	}
	for i < len(line) {
		i = skipOWS(line, i)
		if i == len(line) || line[i] != ';' {
			return 0, false // whitespace or anything else that starts no extension
		}
		i = skipOWS(line, i+1)
		start := i
		for i < len(line) && tchar[line[i]] {
			i++
		}
		if i == start {
			return 0, false
		}
		j := skipOWS(line, i)
		if j == len(line) || line[j] != '=' {
			continue
		}
		i = skipOWS(line, j+1)
		switch {
		case i < len(line) && line[i] == '"':
			end, ok := quotedString(line, i)
			if !ok {
				return 0, false
			}
			i = end
		default:
			start := i
			for i < len(line) && tchar[line[i]] {
				i++
			}
			if i == start {
				return 0, false
			}
		}
	}
	return n, true
}

func skipOWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

// quotedString reads a quoted-string starting at b[i] == '"' and returns the index after it.
func quotedString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 == len(b) || !fieldValue[b[i+1]] {
				return 0, false
			}
			i++
		case !fieldValue[c]:
			return 0, false
		}
	}
	return 0, false
}
