package httpwire

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// feed gives raw to a fresh Parser step bytes at a time, each time in a newly allocated buffer
// holding the previous one's bytes as the parser left them and the next step of raw (the bytes
// move between calls, as they do when a connection's buffer grows), until it answers.
// It returns the request (with views of the last buffer), its length, or the error; n == 0 with
// a nil error means raw ended before a whole request.
func feed(raw []byte, step int) (r *Request, n int, err error) {
	var p Parser
	r = &Request{}
	var buf []byte
	for have := min(step, len(raw)); ; have = min(have+step, len(raw)) {
		buf = append(bytes.Clone(buf), raw[len(buf):have]...)
		n, err = p.Parse(buf, r)
		if n > 0 || err != nil || have == len(raw) {
			return r, n, err
		}
	}
}

func statusOf(err error) int {
	if e, ok := err.(*Error); ok {
		return e.Status
	}
	return 0
}

const host = "Host: example.com\r\n"

// chunk frames body in chunks of at most size bytes, with the last chunk and the end.
func chunk(body string, size int) string {
	var b strings.Builder
	for len(body) > 0 {
		k := min(size, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", k, body[:k])
		body = body[k:]
	}
	return b.String() + "0\r\n\r\n"
}

// post is a POST with the given field lines (each ending in CRLF) and raw body.
func post(fields string, body string) string {
	return "POST /api/accounts HTTP/1.1\r\n" + host + "Content-Type: application/json\r\n" + fields + "\r\n" + body
}

// refusedCases are requests the parser refuses, by every rule of the contract and the wire suite,
// each with the status it answers.
var refusedCases = []struct {
	name, raw string
	status    int
}{
	// smuggling and framing (RFC 9112 §6)
	{"CL and TE", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 400},
	{"TE and CL", post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"), 400},
	{"two different CL", post("Content-Length: 2\r\nContent-Length: 3\r\n", "{} "), 400},
	{"two equal CL", post("Content-Length: 2\r\nContent-Length: 2\r\n", "{}"), 400},
	{"CL list", post("Content-Length: 2, 2\r\n", "{}"), 400},
	{"CL plus", post("Content-Length: +2\r\n", "{}"), 400},
	{"CL negative", post("Content-Length: -1\r\n", "{}"), 400},
	{"CL hex", post("Content-Length: 0x2\r\n", "{}"), 400},
	{"CL inner space", post("Content-Length: 1 0\r\n", "{}"), 400},
	{"CL empty", post("Content-Length:\r\n", "{}"), 400},
	{"TE in HTTP/1.0", "POST /api/accounts HTTP/1.0\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
	{"TE space before colon", post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n"), 400},
	{"CL space before colon", post("Content-Length : 2\r\n", "{}"), 400},
	{"TE obs-fold", post("Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n"), 400},
	{"TE vertical tab", post("Transfer-Encoding:\x0bchunked\r\n", "0\r\n\r\n"), 400},
	{"TE NUL", post("Transfer-Encoding: chunked\x00\r\n", "0\r\n\r\n"), 400},
	// transfer codings
	{"TE identity", post("Transfer-Encoding: identity\r\n", ""), 501},
	{"TE chunked, gzip", post("Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n"), 400},
	{"TE gzip, chunked", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), 501},
	{"TE chunked twice", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), 400},
	{"TE fields chunked then identity", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", "0\r\n\r\n"), 400},
	{"TE fields gzip then chunked", post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), 501},
	{"TE unknown", post("Transfer-Encoding: xchunked\r\n", "0\r\n\r\n"), 501},
	{"TE quoted", post("Transfer-Encoding: \"chunked\"\r\n", "0\r\n\r\n"), 400},
	{"TE empty", post("Transfer-Encoding:\r\n", "0\r\n\r\n"), 400},
	{"TE only commas", post("Transfer-Encoding: , ,\r\n", "0\r\n\r\n"), 400},
	{"TE chunked with a parameter", post("Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n"), 400},
	// chunked framing (RFC 9112 §7.1)
	{"chunk size not hex", post("Transfer-Encoding: chunked\r\n", "zz\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk size negative", post("Transfer-Encoding: chunked\r\n", "-3\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk size 0x", post("Transfer-Encoding: chunked\r\n", "0x3\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk size empty", post("Transfer-Encoding: chunked\r\n", "\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk size trailing space", post("Transfer-Encoding: chunked\r\n", "3 \r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk extension without name", post("Transfer-Encoding: chunked\r\n", "3;=1\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk extension unterminated quote", post("Transfer-Encoding: chunked\r\n", "3;a=\"x\r\nabc\r\n0\r\n\r\n"), 400},
	{"chunk data longer", post("Transfer-Encoding: chunked\r\n", "3\r\nabcXX\r\n0\r\n\r\n"), 400},
	{"chunk data without CRLF", post("Transfer-Encoding: chunked\r\n", "3\r\nabc0\r\n\r\n"), 400},
	{"chunk size bare LF", post("Transfer-Encoding: chunked\r\n", "3\nabc\r\n0\r\n\r\n"), 400},
	{"chunk data bare LF", post("Transfer-Encoding: chunked\r\n", "3\r\nabc\n0\r\n\r\n"), 400},
	{"last chunk bare LF", post("Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\n\r\n"), 400},
	{"trailer bare LF", post("Transfer-Encoding: chunked\r\n", "0\r\nX: 1\n\r\n"), 400},
	{"trailer without colon", post("Transfer-Encoding: chunked\r\n", "0\r\nX\r\n\r\n"), 400},
	{"trailer obs-fold", post("Transfer-Encoding: chunked\r\n", "0\r\nX: 1\r\n 2\r\n\r\n"), 400},
	{"chunk line of 100 KiB", post("Transfer-Encoding: chunked\r\n", "5;"+strings.Repeat("a=b;", 25<<10)+"a=b\r\nhello\r\n0\r\n\r\n"), 400},
	// header syntax (RFC 9112 §5, RFC 9110 §5.5)
	{"space before colon", "GET / HTTP/1.1\r\n" + host + "X-Lab : 1\r\n\r\n", 400},
	{"tab before colon", "GET / HTTP/1.1\r\n" + host + "X-Lab\t: 1\r\n\r\n", 400},
	{"obs-fold", "GET / HTTP/1.1\r\n" + host + "X-Lab: a\r\n b\r\n\r\n", 400},
	{"first field line folded", "GET / HTTP/1.1\r\n X-Lab: 1\r\n" + host + "\r\n", 400},
	{"no colon", "GET / HTTP/1.1\r\n" + host + "X-Lab\r\n\r\n", 400},
	{"empty name", "GET / HTTP/1.1\r\n" + host + ": 1\r\n\r\n", 400},
	{"space in name", "GET / HTTP/1.1\r\n" + host + "X Lab: 1\r\n\r\n", 400},
	{"@ in name", "GET / HTTP/1.1\r\n" + host + "X-L@b: 1\r\n\r\n", 400},
	{"NUL in value", "GET / HTTP/1.1\r\n" + host + "X-Lab: a\x00b\r\n\r\n", 400},
	{"bare CR in value", "GET / HTTP/1.1\r\n" + host + "X-Lab: a\rb\r\n\r\n", 400},
	{"CR before CRLF", "GET / HTTP/1.1\r\n" + host + "X-Lab: a\r\r\n\r\n", 400},
	{"0x01 in value", "GET / HTTP/1.1\r\n" + host + "X-Lab: a\x01b\r\n\r\n", 400},
	{"DEL in value", "GET / HTTP/1.1\r\n" + host + "X-Lab: a\x7fb\r\n\r\n", 400},
	{"bare LF line ends", "GET / HTTP/1.1\nHost: example.com\n\n", 400},
	{"bare LF after request line", "GET / HTTP/1.1\n" + host + "\r\n", 400},
	{"bare LF ends the head", "GET / HTTP/1.1\r\n" + host + "\n", 400},
	{"two Content-Type", "POST / HTTP/1.1\r\n" + host + "Content-Type: a/b\r\nContent-Type: c/d\r\nContent-Length: 0\r\n\r\n", 400},
	{"malformed Connection", "GET / HTTP/1.1\r\n" + host + "Connection: clo se\r\n\r\n", 400},
	// request line (RFC 9112 §3)
	{"HTTP/2.0", "GET / HTTP/2.0\r\n" + host + "\r\n", 505},
	{"HTTP/3.0", "GET / HTTP/3.0\r\n" + host + "\r\n", 505},
	{"HTTP/0.9", "GET /\r\n" + host + "\r\n", 400},
	{"version lower case", "GET / http/1.1\r\n" + host + "\r\n", 400},
	{"version 1.1.1", "GET / HTTP/1.1.1\r\n" + host + "\r\n", 400},
	{"version 11", "GET / HTTP/11\r\n" + host + "\r\n", 400},
	{"double space", "GET  / HTTP/1.1\r\n" + host + "\r\n", 400},
	{"tabs", "GET\t/\tHTTP/1.1\r\n" + host + "\r\n", 400},
	{"trailing space", "GET / HTTP/1.1 \r\n" + host + "\r\n", 400},
	{"no leading slash", "GET bench/plaintext HTTP/1.1\r\n" + host + "\r\n", 400},
	{"fragment", "GET /a#top HTTP/1.1\r\n" + host + "\r\n", 400},
	{"space in target", "GET /a b HTTP/1.1\r\n" + host + "\r\n", 400},
	{"control in target", "GET /a\x01b HTTP/1.1\r\n" + host + "\r\n", 400},
	{"DEL in target", "GET /a\x7fb HTTP/1.1\r\n" + host + "\r\n", 400},
	{"non-ASCII in target", "GET /caf\xc3\xa9 HTTP/1.1\r\n" + host + "\r\n", 400},
	{"bad escape in path", "GET /a%zz HTTP/1.1\r\n" + host + "\r\n", 400},
	{"bad escape in query", "GET /a?b=%4 HTTP/1.1\r\n" + host + "\r\n", 400},
	{"bad escape at the end", "GET /a% HTTP/1.1\r\n" + host + "\r\n", 400},
	{"method not a token", "G{}T / HTTP/1.1\r\n" + host + "\r\n", 400},
	{"empty method", " / HTTP/1.1\r\n" + host + "\r\n", 400},
	{"GET *", "GET * HTTP/1.1\r\n" + host + "\r\n", 400},
	{"authority-form", "CONNECT example.com:443 HTTP/1.1\r\n" + host + "\r\n", 400},
	{"absolute-form with userinfo", "GET http://u@example.com/ HTTP/1.1\r\n" + host + "\r\n", 400},
	{"absolute-form without authority", "GET http:///x HTTP/1.1\r\n" + host + "\r\n", 400},
	{"absolute-form other scheme", "GET ftp://example.com/ HTTP/1.1\r\n" + host + "\r\n", 400},
	// Host (RFC 9112 §3.2)
	{"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
	{"no Host with absolute-form", "GET http://example.com/ HTTP/1.1\r\n\r\n", 400},
	{"two Host", "GET / HTTP/1.1\r\n" + host + host + "\r\n", 400},
	{"two Host in HTTP/1.0", "GET / HTTP/1.0\r\n" + host + host + "\r\n", 400},
	{"Host list", "GET / HTTP/1.1\r\nHost: a:80, b\r\n\r\n", 400},
	{"Host bad port", "GET / HTTP/1.1\r\nHost: 127.0.0.1:abc\r\n\r\n", 400},
	{"Host space", "GET / HTTP/1.1\r\nHost: 127.0.0.1 x\r\n\r\n", 400},
	{"Host userinfo", "GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n", 400},
	{"Host path", "GET / HTTP/1.1\r\nHost: example.com/x\r\n\r\n", 400},
	{"Host bad IP literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400},
	{"Host bad escape", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400},
	// limits
	{"request line over 16 KiB", "GET /?q=" + strings.Repeat("a", MaxRequestLine) + " HTTP/1.1\r\n" + host + "\r\n", 414},
	{"request line of 2 MiB, unfinished", "GET /?q=" + strings.Repeat("a", 2<<20), 414},
	{"head over 64 KiB", "GET / HTTP/1.1\r\n" + host + "X-Lab: " + strings.Repeat("a", MaxHeadBytes) + "\r\n\r\n", 431},
	{"header of 2 MiB, unfinished", "GET / HTTP/1.1\r\n" + host + "X-Lab: " + strings.Repeat("a", 2<<20), 431},
	{"257 fields", "GET / HTTP/1.1\r\n" + host + strings.Repeat("X: 1\r\n", MaxFields) + "\r\n", 431},
	{"trailer of 300 fields", post("Transfer-Encoding: chunked\r\n", "0\r\n"+strings.Repeat("X: 1\r\n", 300)+"\r\n"), 431},
}

// TestRefused: each refused case is refused with its status, fed whole and byte by byte.
func TestRefused(t *testing.T) {
	for _, tc := range refusedCases {
		t.Run(tc.name, func(t *testing.T) {
			steps := []int{len(tc.raw), 1}
			if len(tc.raw) > 100<<10 {
				steps = []int{len(tc.raw), 8 << 10}
			}
			for _, step := range steps {
				_, n, err := feed([]byte(tc.raw), step)
				if got := statusOf(err); got != tc.status {
					t.Errorf("fed %d bytes at a time: n %d, error %v; want status %d", step, n, err, tc.status)
				}
			}
		})
	}
}

const account = `{"id":"a-1","ledger":"L"}`

// acceptedCases are requests the parser must accept, and what it reads from them.
var acceptedCases = []struct {
	name, raw           string
	method, path, query string
	host                string
	body                string
	minor               int
	keepAlive, tooLarge bool
	expect100           bool
}{
	{name: "plain GET", raw: "GET /bench/plaintext HTTP/1.1\r\n" + host + "\r\n",
		method: "GET", path: "/bench/plaintext", host: "example.com", minor: 1, keepAlive: true},
	{name: "query", raw: "GET /api/balances?ledger=T%54&x= HTTP/1.1\r\n" + host + "\r\n",
		method: "GET", path: "/api/balances", query: "ledger=T%54&x=", host: "example.com", minor: 1, keepAlive: true},
	{name: "empty query", raw: "GET /a? HTTP/1.1\r\n" + host + "\r\n",
		method: "GET", path: "/a", query: "", host: "example.com", minor: 1, keepAlive: true},
	{name: "browser query characters", raw: "GET /a?q={x}|^`[]\\\"<> HTTP/1.1\r\n" + host + "\r\n",
		method: "GET", path: "/a", query: "q={x}|^`[]\\\"<>", host: "example.com", minor: 1, keepAlive: true},
	{name: "Content-Length body", raw: "POST /api/accounts HTTP/1.1\r\n" + host + "Content-Length: " + strconv.Itoa(len(account)) + "\r\n\r\n" + account,
		method: "POST", path: "/api/accounts", host: "example.com", body: account, minor: 1, keepAlive: true},
	{name: "Content-Length with leading zeros", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 0002\r\n\r\n{}",
		method: "POST", path: "/a", host: "example.com", body: "{}", minor: 1, keepAlive: true},
	{name: "chunked", raw: "POST /api/accounts HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" + chunk(account, 3),
		method: "POST", path: "/api/accounts", host: "example.com", body: account, minor: 1, keepAlive: true},
	{name: "chunked, upper case and trailing whitespace", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: CHUNKED  \r\n\r\n" + chunk(account, 8),
		method: "POST", path: "/a", host: "example.com", body: account, minor: 1, keepAlive: true},
	{name: "chunked with empty list elements", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: , chunked,\r\n\r\n" + chunk(account, 8),
		method: "POST", path: "/a", host: "example.com", body: account, minor: 1, keepAlive: true},
	{name: "chunk extensions, quoted, BWS, upper-case hex, leading zeros", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" +
		"000A ; a=1;b=\"x \\\" y\" ; c\r\n0123456789\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0;end\r\n\r\n",
		method: "POST", path: "/a", host: "example.com", body: "0123456789abcdefghijklmnopqrstuvwxyz", minor: 1, keepAlive: true},
	{name: "trailers, a Content-Length one included", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\nContent-Length: 40\r\n\r\n",
		method: "POST", path: "/a", host: "example.com", body: "abc", minor: 1, keepAlive: true},
	{name: "empty chunked", raw: "GET /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		method: "GET", path: "/a", host: "example.com", minor: 1, keepAlive: true},
	{name: "Connection: close", raw: "GET /a HTTP/1.1\r\n" + host + "Connection: keep-alive, Close\r\n\r\n",
		method: "GET", path: "/a", host: "example.com", minor: 1},
	{name: "HTTP/1.0 without Host", raw: "GET /a HTTP/1.0\r\n\r\n", method: "GET", path: "/a", minor: 0},
	{name: "HTTP/1.0 keep-alive", raw: "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", method: "GET", path: "/a", minor: 0, keepAlive: true},
	{name: "HTTP/1.2 as 1.1", raw: "GET /a HTTP/1.2\r\n" + host + "\r\n", method: "GET", path: "/a", host: "example.com", minor: 1, keepAlive: true},
	{name: "leading empty lines", raw: "\r\n\r\nGET /a HTTP/1.1\r\n" + host + "\r\n", method: "GET", path: "/a", host: "example.com", minor: 1, keepAlive: true},
	{name: "absolute-form wins over Host", raw: "GET http://127.0.0.1:8080/bench/plaintext?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
		method: "GET", path: "/bench/plaintext", query: "x=1", host: "127.0.0.1:8080", minor: 1, keepAlive: true},
	{name: "absolute-form, empty path", raw: "GET HTTPS://example.com HTTP/1.1\r\n" + host + "\r\n",
		method: "GET", path: "/", host: "example.com", minor: 1, keepAlive: true},
	{name: "OPTIONS *", raw: "OPTIONS * HTTP/1.1\r\n" + host + "\r\n", method: "OPTIONS", path: "*", host: "example.com", minor: 1, keepAlive: true},
	{name: "lower-case method is a token", raw: "get /a HTTP/1.1\r\n" + host + "\r\n", method: "get", path: "/a", host: "example.com", minor: 1, keepAlive: true},
	{name: "field names in any case, OWS around values", raw: "POST /a HTTP/1.1\r\nhOsT:example.com\r\nCONTENT-LENGTH: \t 2 \t\r\ncontent-type:  application/json  \r\n\r\n{}",
		method: "POST", path: "/a", host: "example.com", body: "{}", minor: 1, keepAlive: true},
	{name: "obs-text in a value", raw: "GET /a HTTP/1.1\r\n" + host + "X-Lab: caf\xe9 \xff\r\n\r\n", method: "GET", path: "/a", host: "example.com", minor: 1, keepAlive: true},
	{name: "empty Host", raw: "GET /a HTTP/1.1\r\nHost:\r\n\r\n", method: "GET", path: "/a", host: "", minor: 1, keepAlive: true},
	{name: "IPv6 Host", raw: "GET /a HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", method: "GET", path: "/a", host: "[::1]:8080", minor: 1, keepAlive: true},
	{name: "Expect: 100-continue", raw: "POST /a HTTP/1.1\r\n" + host + "Expect: 100-Continue\r\nContent-Length: 2\r\n\r\n{}",
		method: "POST", path: "/a", host: "example.com", body: "{}", minor: 1, keepAlive: true, expect100: true},
	{name: "8 KiB field", raw: "GET /a HTTP/1.1\r\n" + host + "X-Lab: " + strings.Repeat("a", 8000) + "\r\n\r\n", method: "GET", path: "/a", host: "example.com", minor: 1, keepAlive: true},
	{name: "4 KiB target", raw: "GET /a?q=" + strings.Repeat("a", 4000) + " HTTP/1.1\r\n" + host + "\r\n",
		method: "GET", path: "/a", query: "q=" + strings.Repeat("a", 4000), host: "example.com", minor: 1, keepAlive: true},
	{name: "256 fields", raw: "GET /a HTTP/1.1\r\n" + host + strings.Repeat("X: 1\r\n", MaxFields-1) + "\r\n", method: "GET", path: "/a", host: "example.com", minor: 1, keepAlive: true},
	{name: "body of 65,536 bytes", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 65536\r\n\r\n" + strings.Repeat("x", 65536),
		method: "POST", path: "/a", host: "example.com", body: strings.Repeat("x", 65536), minor: 1, keepAlive: true},
	{name: "chunked body of 65,536 bytes in 64-byte chunks", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" + chunk(strings.Repeat("y", 65536), 64),
		method: "POST", path: "/a", host: "example.com", body: strings.Repeat("y", 65536), minor: 1, keepAlive: true},
	// too large: returned at once, without the body, and the connection closes
	{name: "declared 65,537", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 65537\r\n\r\n",
		method: "POST", path: "/a", host: "example.com", minor: 1, tooLarge: true},
	{name: "declared 10 GiB", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 10737418240\r\n\r\n",
		method: "POST", path: "/a", host: "example.com", minor: 1, tooLarge: true},
	{name: "declared beyond 64 bits", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 184467440737095516160\r\n\r\n",
		method: "POST", path: "/a", host: "example.com", minor: 1, tooLarge: true},
	{name: "chunked 65,537", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" + chunk(strings.Repeat("z", 65537), 4096),
		method: "POST", path: "/a", host: "example.com", minor: 1, tooLarge: true},
	{name: "a chunk of 10 GiB declared", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n280000000\r\nabc",
		method: "POST", path: "/a", host: "example.com", minor: 1, tooLarge: true},
	{name: "a chunk size beyond 64 bits", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n1000000000000000a\r\nx\r\n0\r\n\r\n",
		method: "POST", path: "/a", host: "example.com", minor: 1, tooLarge: true},
}

// TestAccepted: each accepted case is read as it says, fed whole, byte by byte and 7 at a time.
func TestAccepted(t *testing.T) {
	for _, tc := range acceptedCases {
		t.Run(tc.name, func(t *testing.T) {
			steps := []int{len(tc.raw), 1, 7}
			if len(tc.raw) > 16<<10 {
				steps = []int{len(tc.raw), 1000}
			}
			for _, step := range steps {
				r, n, err := feed([]byte(tc.raw), step)
				if err != nil || n == 0 {
					t.Fatalf("fed %d at a time: n %d, %v", step, n, err)
				}
				if !tc.tooLarge && n != len(tc.raw) {
					t.Errorf("fed %d at a time: n %d, want %d", step, n, len(tc.raw))
				}
				got := fmt.Sprintf("%s %s ?%s host=%q minor=%d keep=%v large=%v expect=%v body=%.80q", r.Method, r.Path, r.Query, r.Host,
					r.Minor, r.KeepAlive, r.BodyTooLarge, r.Expect100, r.Body)
				want := fmt.Sprintf("%s %s ?%s host=%q minor=%d keep=%v large=%v expect=%v body=%.80q", tc.method, tc.path, tc.query, tc.host,
					tc.minor, tc.keepAlive, tc.tooLarge, tc.expect100, tc.body)
				if got != want {
					t.Errorf("fed %d at a time:\n got %s\nwant %s", step, got, want)
				}
				if tc.query == "" && r.Query != nil && !strings.Contains(string(r.Target), "?") {
					t.Errorf("Query is %q for a target without '?'", r.Query)
				}
			}
		})
	}
}

// TestPipelined: requests back to back in one buffer are read one after the other, with their
// bodies, and what follows a chunked body's end is the next request.
func TestPipelined(t *testing.T) {
	reqs := []string{
		"GET /1 HTTP/1.1\r\n" + host + "\r\n",
		"POST /2 HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabc",
		"POST /3 HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" + chunk("defgh", 2),
		"POST /4 HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 40\r\n\r\n",
		"GET /5 HTTP/1.1\r\n" + host + "\r\n",
	}
	buf := []byte(strings.Join(reqs, ""))
	var p Parser
	var r Request
	bodies := []string{"", "abc", "defgh", "", ""}
	for i := range reqs {
		n, err := p.Parse(buf, &r)
		if err != nil || n != len(reqs[i]) {
			t.Fatalf("request %d: n %d (want %d), %v", i+1, n, len(reqs[i]), err)
		}
		if string(r.Path) != "/"+strconv.Itoa(i+1) || string(r.Body) != bodies[i] {
			t.Errorf("request %d: %s body %q", i+1, r.Path, r.Body)
		}
		buf = buf[n:]
	}
	if len(buf) != 0 {
		t.Errorf("%d bytes left", len(buf))
	}
}

// TestContinue: Continue reports once that the head of an Expect: 100-continue request is in
// and its body is awaited.
func TestContinue(t *testing.T) {
	head := "POST /a HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"
	var p Parser
	var r Request
	if n, err := p.Parse([]byte(head), &r); n != 0 || err != nil {
		t.Fatalf("n %d, %v", n, err)
	}
	if !p.Continue() || p.Continue() {
		t.Error("Continue is not true exactly once")
	}
	if n, err := p.Parse([]byte(head+"{}"), &r); n != len(head)+2 || err != nil || string(r.Body) != "{}" {
		t.Fatalf("n %d, %v, body %q", n, err, r.Body)
	}
	var q Parser
	if n, _ := q.Parse([]byte("POST /a HTTP/1.1\r\n"+host+"Content-Length: 2\r\n\r\n"), &r); n != 0 || q.Continue() {
		t.Error("Continue without Expect")
	}
}

// TestNoAllocations: parsing a request whose field slice has grown allocates nothing.
func TestNoAllocations(t *testing.T) {
	raw := []byte("POST /api/transactions?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n" + chunk("hello, world", 5))
	buf := make([]byte, len(raw))
	var p Parser
	var r Request
	allocs := testing.AllocsPerRun(100, func() {
		copy(buf, raw)
		if n, err := p.Parse(buf, &r); n != len(raw) || err != nil {
			t.Fatalf("n %d, %v", n, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request", allocs)
	}
}

func BenchmarkParse(b *testing.B) {
	raw := []byte("GET /bench/plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
	var p Parser
	var r Request
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if n, err := p.Parse(raw, &r); n != len(raw) || err != nil {
			b.Fatal(n, err)
		}
	}
}
