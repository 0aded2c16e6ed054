package wire

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The statuses a refusal may take where the RFC leaves the choice.
var (
	badRequest   = []int{400}
	notFramed    = []int{400, 501}      // a transfer coding the server does not do
	tooLarge     = []int{413, 400}      // a body or chunk beyond the limits
	headTooLarge = []int{431, 400, 413} // header section beyond the limits
	uriTooLong   = []int{414, 400, 431}
	badVersion   = []int{505, 400}
)

const (
	rfcFraming  = "RFC 9112 §6.3"
	rfcCoding   = "RFC 9112 §6.3 (400) and §6.1 (501 for an unknown coding)"
	rfcTE       = "RFC 9112 §6.1"
	rfcChunked  = "RFC 9112 §7.1"
	rfcGrammar  = "RFC 9112 §2.2"
	rfcFieldWS  = "RFC 9112 §5.1"
	rfcObsFold  = "RFC 9112 §5.2"
	rfcValues   = "RFC 9110 §5.5"
	rfcHost     = "RFC 9112 §3.2"
	rfcPersist  = "RFC 9112 §9.3, §9.6"
	rfcEnvelope = "contract v1.1; RFC 9110 §6.6.1"
)

var cases = []Case{
	// Smuggling: the framing of a request body must be unambiguous, or the request refused and
	// the connection closed, so no byte of it is read as another request.
	{ID: "cl-and-te", Section: SectionSmuggling, Level: Contract, Rule: rfcTE,
		Title: "Content-Length and Transfer-Encoding: chunked together: 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Content-Length: " + strconv.Itoa(len(body)), "Transfer-Encoding: chunked"}, chunked(body, 8)), true, badRequest...)
		}},
	{ID: "te-and-cl", Section: SectionSmuggling, Level: Contract, Rule: rfcTE,
		Title: "Transfer-Encoding before Content-Length: 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Transfer-Encoding: chunked", "Content-Length: " + strconv.Itoa(len(body))}, chunked(body, 8)), true, badRequest...)
		}},
	{ID: "cl-te-smuggled-request", Section: SectionSmuggling, Level: Contract, Rule: rfcTE,
		Title: "CL.TE with a request hidden after the last chunk: refused and closed, the hidden request never answered",
		run: func(e *env) error {
			hidden := e.get("/bench/json")
			body := "0\r\n\r\n" + hidden
			return e.reject(e.post([]string{"Content-Length: 3", "Transfer-Encoding: chunked"}, body), true, badRequest...)
		}},
	{ID: "te-cl-smuggled-request", Section: SectionSmuggling, Level: Contract, Rule: rfcTE,
		Title: "TE.CL with a request hidden in the declared length: refused and closed",
		run: func(e *env) error {
			hidden := e.get("/bench/json")
			body := "0\r\n\r\n" + hidden
			return e.reject(e.post([]string{"Transfer-Encoding: chunked", "Content-Length: " + strconv.Itoa(len(body))}, body), true, badRequest...)
		}},
	{ID: "cl-duplicate-different", Section: SectionSmuggling, Level: MUST, Rule: rfcFraming,
		Title: "two different Content-Length values: 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Content-Length: " + strconv.Itoa(len(body)), "Content-Length: " + strconv.Itoa(len(body)+1)}, body+" "), true, badRequest...)
		}},
	{ID: "cl-duplicate-same", Section: SectionSmuggling, Level: Contract, Rule: rfcFraming,
		Title: "two equal Content-Length fields: 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			cl := "Content-Length: " + strconv.Itoa(len(body))
			return e.reject(e.post([]string{cl, cl}, body), true, badRequest...)
		}},
	{ID: "cl-list", Section: SectionSmuggling, Level: Contract, Rule: rfcFraming,
		Title: "a Content-Length list \"n, n\": 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			n := strconv.Itoa(len(body))
			return e.reject(e.post([]string{"Content-Length: " + n + ", " + n}, body), true, badRequest...)
		}},
	{ID: "cl-plus", Section: SectionSmuggling, Level: MUST, Rule: rfcFraming,
		Title: "Content-Length \"+n\": 400, then close", run: badCL(func(n int) string { return "+" + strconv.Itoa(n) })},
	{ID: "cl-negative", Section: SectionSmuggling, Level: MUST, Rule: rfcFraming,
		Title: "Content-Length -1: 400, then close", run: badCL(func(int) string { return "-1" })},
	{ID: "cl-hex", Section: SectionSmuggling, Level: MUST, Rule: rfcFraming,
		Title: "Content-Length in hexadecimal (0x…): 400, then close", run: badCL(func(n int) string { return fmt.Sprintf("0x%x", n) })},
	{ID: "cl-inner-space", Section: SectionSmuggling, Level: MUST, Rule: rfcFraming,
		Title: "Content-Length \"1 0\": 400, then close", run: badCL(func(n int) string { s := strconv.Itoa(n); return s[:1] + " " + s[1:] })},
	{ID: "cl-empty", Section: SectionSmuggling, Level: MUST, Rule: rfcFraming,
		Title: "an empty Content-Length: 400, then close", run: badCL(func(int) string { return "" })},
	{ID: "cl-overflow", Section: SectionSmuggling, Level: MUST, Rule: rfcFraming,
		Title: "a Content-Length beyond 64 bits: refused (400 or 413), then close",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Content-Length: 184467440737095516160"}, e.accountBody()), true, tooLarge...)
		}},
	{ID: "te-in-http10", Section: SectionSmuggling, Level: MUST, Rule: rfcTE,
		Title: "an HTTP/1.0 request with Transfer-Encoding: framing treated as faulty, 400, then close",
		run: func(e *env) error {
			raw := e.request("POST /api/accounts HTTP/1.0", []string{e.host(), "Content-Type: application/json", "Transfer-Encoding: chunked"},
				chunked(e.accountBody(), 8))
			return e.reject(raw, true, badRequest...)
		}},
	{ID: "te-space-before-colon", Section: SectionSmuggling, Level: MUST, Rule: rfcFieldWS,
		Title: "\"Transfer-Encoding : chunked\" (whitespace before the colon): 400",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding : chunked"}, chunked(e.accountBody(), 8)), false, badRequest...)
		}},
	{ID: "cl-space-before-colon", Section: SectionSmuggling, Level: MUST, Rule: rfcFieldWS,
		Title: "\"Content-Length : n\" (whitespace before the colon): 400",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Content-Length : " + strconv.Itoa(len(body))}, body), false, badRequest...)
		}},
	{ID: "te-obs-fold", Section: SectionSmuggling, Level: Contract, Rule: rfcObsFold,
		Title: "Transfer-Encoding folded onto a second line (obs-fold): 400",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding:", " chunked"}, chunked(e.accountBody(), 8)), false, badRequest...)
		}},
	{ID: "te-vertical-tab", Section: SectionSmuggling, Level: Contract, Rule: rfcValues,
		Title: "Transfer-Encoding with a vertical tab before chunked: 400",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding:\x0bchunked"}, chunked(e.accountBody(), 8)), false, badRequest...)
		}},
	{ID: "te-nul", Section: SectionSmuggling, Level: Contract, Rule: rfcValues,
		Title: "Transfer-Encoding with a NUL after chunked: 400",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: chunked\x00"}, chunked(e.accountBody(), 8)), false, badRequest...)
		}},

	// Transfer-Encoding: chunked is the one coding; it must be final.
	{ID: "te-chunked", Section: SectionTE, Level: MUST, Rule: rfcChunked,
		Title: "a chunked body is read: 201",
		run: func(e *env) error {
			return e.accept(e.post([]string{"Transfer-Encoding: chunked"}, chunked(e.accountBody(), 1<<10)), 201)
		}},
	{ID: "te-case-insensitive", Section: SectionTE, Level: MUST, Rule: "RFC 9112 §7",
		Title: "\"Transfer-Encoding: CHUNKED\" (coding names are case-insensitive): 201",
		run: func(e *env) error {
			return e.accept(e.post([]string{"Transfer-Encoding: CHUNKED"}, chunked(e.accountBody(), 8)), 201)
		}},
	{ID: "te-trailing-ows", Section: SectionTE, Level: MUST, Rule: "RFC 9110 §5.5",
		Title: "\"Transfer-Encoding: chunked \" (trailing whitespace is not part of the value): 201",
		run: func(e *env) error {
			return e.accept(e.post([]string{"Transfer-Encoding: chunked  "}, chunked(e.accountBody(), 8)), 201)
		}},
	{ID: "te-identity", Section: SectionTE, Level: MUST, Rule: rfcCoding,
		Title: "\"Transfer-Encoding: identity\" (chunked is not final): refused (400, or 501 for a coding it does not know), then close",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Transfer-Encoding: identity", "Content-Length: " + strconv.Itoa(len(body))}, body), true, notFramed...)
		}},
	{ID: "te-chunked-not-final", Section: SectionTE, Level: MUST, Rule: rfcCoding,
		Title: "\"Transfer-Encoding: chunked, gzip\": refused (400, or 501 for a coding it does not know), then close",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: chunked, gzip"}, chunked(e.accountBody(), 8)), true, notFramed...)
		}},
	{ID: "te-gzip-chunked", Section: SectionTE, Level: Contract, Rule: rfcTE,
		Title: "\"Transfer-Encoding: gzip, chunked\" (a coding the server does not do): refused (400 or 501)",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: gzip, chunked"}, chunked(e.accountBody(), 8)), true, notFramed...)
		}},
	{ID: "te-chunked-twice", Section: SectionTE, Level: Contract, Rule: rfcTE,
		Title: "\"Transfer-Encoding: chunked, chunked\": refused, then close",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: chunked, chunked"}, chunked(chunked(e.accountBody(), 8), 16)), true, notFramed...)
		}},
	{ID: "te-two-fields-identity-last", Section: SectionTE, Level: MUST, Rule: rfcCoding,
		Title: "two Transfer-Encoding fields, chunked then identity: refused (400, or 501 for a coding it does not know), then close",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: chunked", "Transfer-Encoding: identity"}, chunked(e.accountBody(), 8)), true, notFramed...)
		}},
	{ID: "te-two-fields-gzip-first", Section: SectionTE, Level: Contract, Rule: rfcTE,
		Title: "two Transfer-Encoding fields, gzip then chunked: refused (400 or 501)",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: gzip", "Transfer-Encoding: chunked"}, chunked(e.accountBody(), 8)), true, notFramed...)
		}},
	{ID: "te-unknown", Section: SectionTE, Level: MUST, Rule: rfcCoding,
		Title: "\"Transfer-Encoding: xchunked\": refused (400, or 501 for a coding it does not know), then close",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: xchunked"}, chunked(e.accountBody(), 8)), true, notFramed...)
		}},
	{ID: "te-quoted", Section: SectionTE, Level: MUST, Rule: rfcCoding,
		Title: "\"Transfer-Encoding: \\\"chunked\\\"\" (a quoted string is not the coding): refused (400, or 501 for a coding it does not know), then close",
		run: func(e *env) error {
			return e.reject(e.post([]string{`Transfer-Encoding: "chunked"`}, chunked(e.accountBody(), 8)), true, notFramed...)
		}},
	{ID: "te-empty", Section: SectionTE, Level: MUST, Rule: rfcCoding,
		Title: "an empty Transfer-Encoding: refused (400, or 501 for a coding it does not know), then close",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding:"}, chunked(e.accountBody(), 8)), true, notFramed...)
		}},
	{ID: "te-get-empty-chunked", Section: SectionTE, Level: MUST, Rule: rfcChunked,
		Title: "a GET with an empty chunked body is answered: 200",
		run: func(e *env) error {
			return e.accept(e.request("GET /bench/plaintext HTTP/1.1", []string{e.host(), "Transfer-Encoding: chunked"}, "0\r\n\r\n"), 200)
		}},

	// Chunked framing.
	{ID: "chunk-many", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "a body in many 3-byte chunks: 201", run: func(e *env) error {
			return e.accept(e.post([]string{"Transfer-Encoding: chunked"}, chunked(e.accountBody(), 3)), 201)
		}},
	{ID: "chunk-extension", Section: SectionChunked, Level: MUST, Rule: "RFC 9112 §7.1.1",
		Title: "chunk extensions (name=value) are ignored: 201",
		run:   chunkLines(func(n int) string { return fmt.Sprintf("%x;lab=1", n) }, 201)},
	{ID: "chunk-extension-quoted", Section: SectionChunked, Level: MUST, Rule: "RFC 9112 §7.1.1",
		Title: "a quoted chunk-extension value with a space: 201",
		run:   chunkLines(func(n int) string { return fmt.Sprintf(`%x;lab="a b"`, n) }, 201)},
	{ID: "chunk-extension-bws", Section: SectionChunked, Level: MUST, Rule: "RFC 9112 §7.1.1; RFC 9110 §5.6.3",
		Title: "whitespace before a chunk extension's ';' (BWS) is parsed: 201",
		run:   chunkLines(func(n int) string { return fmt.Sprintf("%x ;lab=1", n) }, 201)},
	{ID: "chunk-size-uppercase", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "upper-case hexadecimal chunk sizes: 201",
		run:   chunkLines(func(n int) string { return fmt.Sprintf("%X", n) }, 201)},
	{ID: "chunk-size-leading-zeros", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "chunk sizes with leading zeros: 201",
		run:   chunkLines(func(n int) string { return fmt.Sprintf("000%x", n) }, 201)},
	{ID: "chunk-size-invalid", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "a chunk size that is not hexadecimal: 400, then close",
		run:   chunkLines(func(int) string { return "zz" }, 0)},
	{ID: "chunk-size-negative", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "a negative chunk size: 400, then close",
		run:   chunkLines(func(n int) string { return fmt.Sprintf("-%x", n) }, 0)},
	{ID: "chunk-size-0x", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "a chunk size written 0x…: 400, then close",
		run:   chunkLines(func(n int) string { return fmt.Sprintf("0x%x", n) }, 0)},
	{ID: "chunk-size-overflow", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "a chunk size beyond 64 bits: refused, then close",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: chunked"}, "1000000000000000a\r\nx\r\n0\r\n\r\n"), true, tooLarge...)
		}},
	{ID: "chunk-data-longer", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "chunk data longer than its size: 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Transfer-Encoding: chunked"}, fmt.Sprintf("%x\r\n%sXX\r\n0\r\n\r\n", len(body), body)), true, badRequest...)
		}},
	{ID: "chunk-missing-crlf", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "chunk data not followed by CRLF: 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Transfer-Encoding: chunked"}, fmt.Sprintf("%x\r\n%s0\r\n\r\n", len(body), body)), true, badRequest...)
		}},
	{ID: "chunk-bare-lf-size", Section: SectionChunked, Level: Contract, Rule: rfcGrammar,
		Title: "a chunk-size line ending in a bare LF: 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Transfer-Encoding: chunked"}, fmt.Sprintf("%x\n%s\r\n0\r\n\r\n", len(body), body)), true, badRequest...)
		}},
	{ID: "chunk-bare-lf-data", Section: SectionChunked, Level: Contract, Rule: rfcGrammar,
		Title: "chunk data ending in a bare LF: 400, then close",
		run: func(e *env) error {
			body := e.accountBody()
			return e.reject(e.post([]string{"Transfer-Encoding: chunked"}, fmt.Sprintf("%x\r\n%s\n0\r\n\r\n", len(body), body)), true, badRequest...)
		}},
	{ID: "chunk-trailer", Section: SectionChunked, Level: MUST, Rule: "RFC 9112 §7.1.2",
		Title: "a trailer field after the last chunk: 201",
		run: func(e *env) error {
			body := strings.TrimSuffix(chunked(e.accountBody(), 8), "\r\n") + "X-Lab-Trailer: 1\r\n\r\n"
			return e.accept(e.post([]string{"Transfer-Encoding: chunked"}, body), 201)
		}},
	{ID: "chunk-trailer-not-framing", Section: SectionChunked, Level: MUST, Rule: "RFC 9112 §7.1.2",
		Title: "a Content-Length trailer does not frame anything; the next pipelined request is answered",
		run: func(e *env) error {
			body := strings.TrimSuffix(chunked(e.accountBody(), 8), "\r\n") + "Content-Length: 40\r\n\r\n"
			raw := e.post([]string{"Transfer-Encoding: chunked"}, body) + e.get("/bench/json")
			return e.sequence(raw, []want{{status: 201}, {status: 200, contentType: "application/json"}}, false)
		}},
	{ID: "chunk-incomplete", Section: SectionChunked, Level: MUST, Rule: rfcChunked,
		Title: "a chunked body cut short by the client's end of stream is never committed",
		run: func(e *env) error {
			s, err := e.dial()
			if err != nil {
				return err
			}
			defer s.close()
			body := e.accountBody()
			_ = s.send([]byte(e.post([]string{"Transfer-Encoding: chunked"}, fmt.Sprintf("%x\r\n%s\r\n", len(body), body))))
			_ = s.closeWrite()
			r, err := s.read(false)
			if err == nil && r.Status < 300 {
				return fmt.Errorf("answered %d to a body that never ended", r.Status)
			}
			return nil
		}},
	{ID: "chunk-body-too-large", Section: SectionChunked, Level: Contract, Rule: "contract: bodies over 64 KiB",
		Title: "a chunked body of 65,537 bytes: 413",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: chunked"}, chunked(padded(e.accountBody(), 65537), 4096)), false, 413)
		}},
	{ID: "chunk-body-at-limit", Section: SectionChunked, Level: Contract, Rule: "contract: bodies over 64 KiB",
		Title: "a chunked body of exactly 65,536 bytes in 64-byte chunks: 201",
		run: func(e *env) error {
			return e.accept(e.post([]string{"Transfer-Encoding: chunked"}, chunked(padded(e.accountBody(), 65536), 64)), 201)
		}},

	// Header syntax.
	{ID: "hdr-space-before-colon", Section: SectionHeaders, Level: MUST, Rule: rfcFieldWS,
		Title: "whitespace between a field name and the colon: 400",
		run:   func(e *env) error { return e.reject(e.withHeader("X-Lab : 1"), false, badRequest...) }},
	{ID: "hdr-tab-before-colon", Section: SectionHeaders, Level: MUST, Rule: rfcFieldWS,
		Title: "a tab between a field name and the colon: 400",
		run:   func(e *env) error { return e.reject(e.withHeader("X-Lab\t: 1"), false, badRequest...) }},
	{ID: "hdr-obs-fold", Section: SectionHeaders, Level: Contract, Rule: rfcObsFold,
		Title: "a field value folded onto the next line (obs-fold): 400",
		run:   func(e *env) error { return e.reject(e.withHeader("X-Lab: a", " b"), false, badRequest...) }},
	{ID: "hdr-first-line-folded", Section: SectionHeaders, Level: Contract, Rule: rfcGrammar,
		Title: "whitespace before the first field line: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1", []string{" X-Lab: 1", e.host()}, ""), false, badRequest...)
		}},
	{ID: "hdr-no-colon", Section: SectionHeaders, Level: SHOULD, Rule: rfcGrammar,
		Title: "a field line without a colon: 400, then close",
		run:   func(e *env) error { return e.reject(e.withHeader("X-Lab"), true, badRequest...) }},
	{ID: "hdr-empty-name", Section: SectionHeaders, Level: SHOULD, Rule: rfcGrammar,
		Title: "an empty field name: 400, then close",
		run:   func(e *env) error { return e.reject(e.withHeader(": 1"), true, badRequest...) }},
	{ID: "hdr-name-space", Section: SectionHeaders, Level: SHOULD, Rule: rfcGrammar,
		Title: "a space inside a field name: 400, then close",
		run:   func(e *env) error { return e.reject(e.withHeader("X Lab: 1"), true, badRequest...) }},
	{ID: "hdr-name-invalid-char", Section: SectionHeaders, Level: SHOULD, Rule: rfcGrammar,
		Title: "a field name with a character that is not a token character: 400, then close",
		run:   func(e *env) error { return e.reject(e.withHeader("X-L@b: 1"), true, badRequest...) }},
	{ID: "hdr-value-nul", Section: SectionHeaders, Level: Contract, Rule: rfcValues,
		Title: "a NUL in a field value: 400",
		run:   func(e *env) error { return e.reject(e.withHeader("X-Lab: a\x00b"), false, badRequest...) }},
	{ID: "hdr-value-bare-cr", Section: SectionHeaders, Level: Contract, Rule: rfcGrammar,
		Title: "a bare CR in a field value: 400",
		run:   func(e *env) error { return e.reject(e.withHeader("X-Lab: a\rb"), false, badRequest...) }},
	{ID: "hdr-value-ctl", Section: SectionHeaders, Level: SHOULD, Rule: rfcValues,
		Title: "a control character (0x01) in a field value: 400",
		run:   func(e *env) error { return e.reject(e.withHeader("X-Lab: a\x01b"), false, badRequest...) }},
	{ID: "hdr-value-del", Section: SectionHeaders, Level: SHOULD, Rule: rfcValues,
		Title: "a DEL (0x7f) in a field value: 400",
		run:   func(e *env) error { return e.reject(e.withHeader("X-Lab: a\x7fb"), false, badRequest...) }},
	{ID: "hdr-value-obs-text", Section: SectionHeaders, Level: MUST, Rule: rfcValues,
		Title: "bytes 0x80–0xFF in a field value (obs-text) are accepted: 200",
		run:   func(e *env) error { return e.accept(e.withHeader("X-Lab: caf\xe9 \xff"), 200) }},
	{ID: "hdr-ows-trimmed", Section: SectionHeaders, Level: MUST, Rule: "RFC 9112 §5",
		Title: "whitespace around a field value is not part of it (Content-Type:  application/json  ): 201",
		run: func(e *env) error {
			body := e.accountBody()
			raw := e.request("POST /api/accounts HTTP/1.1", []string{e.host(), "Content-Type: \t application/json \t ", "Content-Length: " + strconv.Itoa(len(body))}, body)
			return e.accept(raw, 201)
		}},
	{ID: "hdr-name-case", Section: SectionHeaders, Level: MUST, Rule: "RFC 9110 §5.1",
		Title: "field names in any case (content-type, CONTENT-LENGTH): 201",
		run: func(e *env) error {
			body := e.accountBody()
			raw := e.request("POST /api/accounts HTTP/1.1", []string{"hOsT: " + e.addr, "content-type: application/json", "CONTENT-LENGTH: " + strconv.Itoa(len(body))}, body)
			return e.accept(raw, 201)
		}},
	{ID: "hdr-bare-lf", Section: SectionHeaders, Level: Contract, Rule: rfcGrammar,
		Title: "a request whose lines end in bare LF: 400",
		run: func(e *env) error {
			return e.reject("GET /bench/plaintext HTTP/1.1\nHost: "+e.addr+"\n\n", false, badRequest...)
		}},
	{ID: "hdr-many", Section: SectionHeaders, Level: Contract, Rule: "contract: header limits",
		Title: "100 small header fields are accepted: 200",
		run: func(e *env) error {
			hs := []string{e.host()}
			for i := range 100 {
				hs = append(hs, fmt.Sprintf("X-Lab-%d: %d", i, i))
			}
			return e.accept(e.request("GET /bench/plaintext HTTP/1.1", hs, ""), 200)
		}},
	{ID: "hdr-expect-continue", Section: SectionHeaders, Level: MUST, Rule: "RFC 9110 §10.1.1",
		Title: "Expect: 100-continue: the server answers 100 or reads the body anyway, then 201",
		run: func(e *env) error {
			s, err := e.dial()
			if err != nil {
				return err
			}
			defer s.close()
			body := e.accountBody()
			head := e.request("POST /api/accounts HTTP/1.1", []string{e.host(), "Content-Type: application/json",
				"Content-Length: " + strconv.Itoa(len(body)), "Expect: 100-continue"}, "")
			_ = s.send([]byte(head))
			s.timeout = time.Second // a server may not send 100; the client then sends the body after a while
			r, err := s.read(false)
			s.timeout = e.timeout
			if err == nil && r.Status >= 200 {
				return fmt.Errorf("answered %d before the body was sent", r.Status)
			}
			if err := s.send([]byte(body)); err != nil {
				return fmt.Errorf("sending the body: %w", err)
			}
			if r, err = s.readFinal(false); err != nil {
				return err
			}
			if r.Status != 201 {
				return fmt.Errorf("answered %d, want 201", r.Status)
			}
			return nil
		}},

	// Request line.
	{ID: "rl-http2", Section: SectionRequestLine, Level: Contract, Rule: "RFC 9110 §15.6.6",
		Title: "an HTTP/2.0 request line: refused (505 or 400)",
		run:   func(e *env) error { return e.reject(e.versioned("HTTP/2.0"), false, badVersion...) }},
	{ID: "rl-http3", Section: SectionRequestLine, Level: Contract, Rule: "RFC 9110 §15.6.6",
		Title: "an HTTP/3.0 request line: refused (505 or 400)",
		run:   func(e *env) error { return e.reject(e.versioned("HTTP/3.0"), false, badVersion...) }},
	{ID: "rl-http09", Section: SectionRequestLine, Level: Contract, Rule: rfcGrammar,
		Title: "a request line without a version (HTTP/0.9): 400",
		run: func(e *env) error {
			return e.reject("GET /bench/plaintext\r\n"+e.host()+"\r\n\r\n", false, badRequest...)
		}},
	{ID: "rl-http12", Section: SectionRequestLine, Level: SHOULD, Rule: "RFC 9110 §2.5",
		Title: "HTTP/1.2 is processed as HTTP/1.1: 200",
		run:   func(e *env) error { return e.accept(e.versioned("HTTP/1.2"), 200) }},
	{ID: "rl-version-lowercase", Section: SectionRequestLine, Level: SHOULD, Rule: rfcGrammar,
		Title: "\"http/1.1\" (HTTP-name is case-sensitive): refused",
		run:   func(e *env) error { return e.reject(e.versioned("http/1.1"), false, badVersion...) }},
	{ID: "rl-version-garbage", Section: SectionRequestLine, Level: SHOULD, Rule: rfcGrammar,
		Title: "\"HTTP/1.1.1\": refused",
		run:   func(e *env) error { return e.reject(e.versioned("HTTP/1.1.1"), false, badVersion...) }},
	{ID: "rl-version-two-digits", Section: SectionRequestLine, Level: SHOULD, Rule: rfcGrammar,
		Title: "\"HTTP/11\": refused",
		run:   func(e *env) error { return e.reject(e.versioned("HTTP/11"), false, badVersion...) }},
	{ID: "rl-double-space", Section: SectionRequestLine, Level: Contract, Rule: "RFC 9112 §3",
		Title: "two spaces between method and target: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET  /bench/plaintext HTTP/1.1", []string{e.host()}, ""), false, badRequest...)
		}},
	{ID: "rl-tabs", Section: SectionRequestLine, Level: Contract, Rule: "RFC 9112 §3",
		Title: "tabs between the parts of the request line: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET\t/bench/plaintext\tHTTP/1.1", []string{e.host()}, ""), false, badRequest...)
		}},
	{ID: "rl-trailing-space", Section: SectionRequestLine, Level: Contract, Rule: "RFC 9112 §3",
		Title: "a space after the version: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1 ", []string{e.host()}, ""), false, badRequest...)
		}},
	{ID: "rl-absolute-form", Section: SectionRequestLine, Level: MUST, Rule: "RFC 9112 §3.2.2",
		Title: "an absolute-form target (http://host/path) is accepted: 200",
		run: func(e *env) error {
			return e.accept(e.request("GET http://"+e.addr+"/bench/plaintext HTTP/1.1", []string{e.host()}, ""), 200)
		}},
	{ID: "rl-no-slash", Section: SectionRequestLine, Level: SHOULD, Rule: rfcGrammar,
		Title: "a target without a leading slash: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET bench/plaintext HTTP/1.1", []string{e.host()}, ""), false, badRequest...)
		}},
	{ID: "rl-fragment", Section: SectionRequestLine, Level: SHOULD, Rule: "RFC 9112 §3.2",
		Title: "a target with a fragment (#): 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext#top HTTP/1.1", []string{e.host()}, ""), false, badRequest...)
		}},
	{ID: "rl-space-in-target", Section: SectionRequestLine, Level: SHOULD, Rule: rfcGrammar,
		Title: "an unencoded space inside the target: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plain text HTTP/1.1", []string{e.host()}, ""), false, badRequest...)
		}},
	{ID: "rl-ctl-in-target", Section: SectionRequestLine, Level: SHOULD, Rule: rfcGrammar,
		Title: "a control character inside the target: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/\x01plaintext HTTP/1.1", []string{e.host()}, ""), false, badRequest...)
		}},
	{ID: "rl-method-lowercase", Section: SectionRequestLine, Level: MUST, Rule: "RFC 9110 §9.1",
		Title: "\"get\" is not GET (methods are case-sensitive): refused",
		run: func(e *env) error {
			return e.reject(e.request("get /bench/plaintext HTTP/1.1", []string{e.host()}, ""), false)
		}},
	{ID: "rl-method-unknown", Section: SectionRequestLine, Level: MUST, Rule: "RFC 9110 §9.1",
		Title: "an unknown method on a GET route: refused",
		run: func(e *env) error {
			return e.reject(e.request("BREW /bench/plaintext HTTP/1.1", []string{e.host()}, ""), false)
		}},
	{ID: "rl-leading-crlf", Section: SectionRequestLine, Level: SHOULD, Rule: rfcGrammar,
		Title: "an empty line before the request line is ignored: 200",
		run:   func(e *env) error { return e.accept("\r\n"+e.get("/bench/plaintext"), 200) }},
	{ID: "rl-asterisk-get", Section: SectionRequestLine, Level: SHOULD, Rule: "RFC 9112 §3.2.4",
		Title: "\"GET *\" (asterisk-form is for OPTIONS): refused",
		run: func(e *env) error {
			return e.reject(e.request("GET * HTTP/1.1", []string{e.host()}, ""), false)
		}},
	{ID: "rl-http10", Section: SectionRequestLine, Level: MUST, Rule: "RFC 9112 §3.2",
		Title: "an HTTP/1.0 request without Host is answered: 200",
		run:   func(e *env) error { return e.accept("GET /bench/plaintext HTTP/1.0\r\n\r\n", 200) }},

	// Host.
	{ID: "host-missing", Section: SectionHost, Level: MUST, Rule: rfcHost,
		Title: "an HTTP/1.1 request without Host: 400",
		run:   func(e *env) error { return e.reject("GET /bench/plaintext HTTP/1.1\r\n\r\n", false, badRequest...) }},
	{ID: "host-twice", Section: SectionHost, Level: MUST, Rule: rfcHost,
		Title: "two Host fields: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1", []string{e.host(), e.host()}, ""), false, badRequest...)
		}},
	{ID: "host-list", Section: SectionHost, Level: MUST, Rule: rfcHost,
		Title: "a Host field holding two values (a, b): 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1", []string{"Host: " + e.addr + ", example.com"}, ""), false, badRequest...)
		}},
	{ID: "host-bad-port", Section: SectionHost, Level: MUST, Rule: rfcHost,
		Title: "Host 127.0.0.1:abc (an invalid port): 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1", []string{"Host: 127.0.0.1:abc"}, ""), false, badRequest...)
		}},
	{ID: "host-space", Section: SectionHost, Level: MUST, Rule: rfcHost,
		Title: "a Host with a space inside: 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1", []string{"Host: 127.0.0.1 x"}, ""), false, badRequest...)
		}},
	{ID: "host-userinfo", Section: SectionHost, Level: MUST, Rule: rfcHost,
		Title: "a Host with userinfo (user@host): 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1", []string{"Host: user@" + e.addr}, ""), false, badRequest...)
		}},
	{ID: "host-slash", Section: SectionHost, Level: MUST, Rule: rfcHost,
		Title: "a Host with a path (host/x): 400",
		run: func(e *env) error {
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1", []string{"Host: " + e.addr + "/x"}, ""), false, badRequest...)
		}},
	{ID: "host-absolute-form-wins", Section: SectionHost, Level: MUST, Rule: "RFC 9112 §3.2.2",
		Title: "an absolute-form target with another Host: the target's authority is used, 200",
		run: func(e *env) error {
			return e.accept(e.request("GET http://"+e.addr+"/bench/plaintext HTTP/1.1", []string{"Host: example.com"}, ""), 200)
		}},

	// Limits: a server has them, and they are not so tight that ordinary requests fail.
	{ID: "limit-request-line", Section: SectionLimits, Level: Contract, Rule: "RFC 9112 §3; RFC 9110 §15.5.15",
		Title: "a 2 MiB request target: refused (414), no hang",
		run: func(e *env) error {
			return e.reject(e.get("/bench/plaintext?q="+strings.Repeat("a", 2<<20)), false, uriTooLong...)
		}},
	{ID: "limit-target-4k", Section: SectionLimits, Level: Contract, Rule: "RFC 9112 §3 (at least 8000 octets recommended)",
		Title: "a 4 KiB request target is accepted: 200",
		run:   func(e *env) error { return e.accept(e.get("/bench/plaintext?q="+strings.Repeat("a", 4000)), 200) }},
	{ID: "limit-header-huge", Section: SectionLimits, Level: Contract, Rule: "RFC 6585 §5",
		Title: "a 2 MiB header field: refused (431), no hang",
		run: func(e *env) error {
			return e.reject(e.withHeader("X-Lab: "+strings.Repeat("a", 2<<20)), false, headTooLarge...)
		}},
	{ID: "limit-header-8k", Section: SectionLimits, Level: Contract, Rule: "contract: header limits",
		Title: "an 8 KiB header field is accepted: 200",
		run:   func(e *env) error { return e.accept(e.withHeader("X-Lab: "+strings.Repeat("a", 8000)), 200) }},
	{ID: "limit-header-count", Section: SectionLimits, Level: Contract, Rule: "RFC 6585 §5",
		Title: "100,000 header fields (2 MiB): refused (431), no hang",
		run: func(e *env) error {
			hs := []string{e.host()}
			for i := range 100000 {
				hs = append(hs, "X-Lab-"+strconv.Itoa(i)+": 1")
			}
			return e.reject(e.request("GET /bench/plaintext HTTP/1.1", hs, ""), false, headTooLarge...)
		}},
	{ID: "limit-body-declared-huge", Section: SectionLimits, Level: Contract, Rule: "contract: bodies over 64 KiB",
		Title: "Content-Length of 10 GiB with no body sent: 413 at once (the server does not wait for it)",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Content-Length: 10737418240"}, ""), false, 413)
		}},
	{ID: "limit-chunk-declared-huge", Section: SectionLimits, Level: Contract, Rule: "contract: bodies over 64 KiB",
		Title: "a chunk of 10 GiB declared, little sent: refused (413) without waiting for it",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: chunked"}, "280000000\r\nabc"), false, tooLarge...)
		}},
	{ID: "limit-chunk-extension-huge", Section: SectionLimits, Level: Contract, Rule: "RFC 9112 §7.1.1",
		Title: "a chunk-size line of 100 KiB of extensions: refused, no hang",
		run: func(e *env) error {
			return e.reject(e.post([]string{"Transfer-Encoding: chunked"}, "5;"+strings.Repeat("a=b;", 25<<10)+"a=b\r\nhello\r\n0\r\n\r\n"), false)
		}},

	// Connection management.
	{ID: "conn-keep-alive", Section: SectionConnection, Level: MUST, Rule: rfcPersist,
		Title: "three requests one after the other on one connection: three answers, the connection kept open",
		run: func(e *env) error {
			s, err := e.dial()
			if err != nil {
				return err
			}
			defer s.close()
			for i := range 3 {
				_ = s.send([]byte(e.get("/bench/plaintext")))
				r, err := s.readFinal(false)
				if err != nil {
					return fmt.Errorf("request %d: %w", i+1, err)
				}
				if r.Status != 200 {
					return fmt.Errorf("request %d answered %d", i+1, r.Status)
				}
			}
			return nil
		}},
	{ID: "conn-pipelining", Section: SectionConnection, Level: MUST, Rule: "RFC 9112 §9.3.2",
		Title: "three pipelined requests: answered in order",
		run: func(e *env) error {
			raw := e.get("/bench/json") + e.get("/bench/plaintext") + e.get("/bench/json")
			return e.sequence(raw, []want{{status: 200, contentType: "application/json"}, {status: 200, contentType: "text/plain"},
				{status: 200, contentType: "application/json"}}, false)
		}},
	{ID: "conn-pipelining-bodies", Section: SectionConnection, Level: MUST, Rule: "RFC 9112 §9.3.2",
		Title: "pipelined requests with bodies (Content-Length and chunked) in between: answered in order",
		run: func(e *env) error {
			raw := e.get("/bench/json") + e.postCL() + e.post([]string{"Transfer-Encoding: chunked"}, chunked(e.accountBody(), 5)) + e.get("/bench/plaintext")
			return e.sequence(raw, []want{{status: 200, contentType: "application/json"}, {status: 201}, {status: 201},
				{status: 200, contentType: "text/plain"}}, false)
		}},
	{ID: "conn-close", Section: SectionConnection, Level: MUST, Rule: "RFC 9112 §9.6",
		Title: "Connection: close: answered, then the connection closed",
		run: func(e *env) error {
			raw := e.request("GET /bench/plaintext HTTP/1.1", []string{e.host(), "Connection: close"}, "")
			return e.sequence(raw, []want{{status: 200}}, true)
		}},
	{ID: "conn-close-pipelined", Section: SectionConnection, Level: MUST, Rule: "RFC 9112 §9.6",
		Title: "a request pipelined after Connection: close is not processed",
		run: func(e *env) error {
			raw := e.request("GET /bench/plaintext HTTP/1.1", []string{e.host(), "Connection: close"}, "") + e.get("/bench/json")
			return e.sequence(raw, []want{{status: 200, contentType: "text/plain"}}, true)
		}},
	{ID: "conn-http10-close", Section: SectionConnection, Level: MUST, Rule: "RFC 9112 §9.3",
		Title: "HTTP/1.0 without keep-alive: answered, then the connection closed",
		run: func(e *env) error {
			return e.sequence("GET /bench/plaintext HTTP/1.0\r\n"+e.host()+"\r\n\r\n", []want{{status: 200}}, true)
		}},
	{ID: "conn-half-close", Section: SectionConnection, Level: SHOULD, Rule: "RFC 9112 §9.6",
		Title: "a request followed by the client's half-close is still answered",
		run: func(e *env) error {
			s, err := e.dial()
			if err != nil {
				return err
			}
			defer s.close()
			_ = s.send([]byte(e.get("/bench/plaintext")))
			if err := s.closeWrite(); err != nil {
				return err
			}
			r, err := s.readFinal(false)
			if err != nil {
				return err
			}
			if r.Status != 200 {
				return fmt.Errorf("answered %d, want 200", r.Status)
			}
			return nil
		}},
	{ID: "conn-head-no-body", Section: SectionConnection, Level: MUST, Rule: "RFC 9110 §9.3.2",
		Title: "an answer to HEAD carries no body: a pipelined GET after it is framed right",
		run: func(e *env) error {
			raw := e.request("HEAD /bench/plaintext HTTP/1.1", []string{e.host()}, "") + e.get("/bench/json")
			s, err := e.dial()
			if err != nil {
				return err
			}
			defer s.close()
			_ = s.send([]byte(raw))
			if _, err := s.readFinal(true); err != nil {
				return fmt.Errorf("the HEAD answer: %w", err)
			}
			r, err := s.readFinal(false)
			if err != nil {
				return fmt.Errorf("the GET after HEAD: %w", err)
			}
			return want{status: 200, contentType: "application/json"}.check(r)
		}},

	// The envelope of every answer, the server's own refusals included.
	{ID: "env-ok", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "a 200 carries Date, Server and Content-Length",
		run:   func(e *env) error { return e.envelope(e.get("/bench/plaintext"), false, 200) }},
	{ID: "env-created", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "a 201 to a chunked request carries Date, Server and one framing (not both)",
		run: func(e *env) error {
			return e.envelope(e.post([]string{"Transfer-Encoding: chunked"}, chunked(e.accountBody(), 8)), false, 201)
		}},
	{ID: "env-app-404", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "the 404 of an unknown path carries Date, Server and Content-Length",
		run:   func(e *env) error { return e.envelope(e.get("/no/such/path"), false, 404) }},
	{ID: "env-wrong-method", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "the refusal of a wrong method carries Date, Server and Content-Length",
		run: func(e *env) error {
			return e.envelope(e.request("DELETE /bench/plaintext HTTP/1.1", []string{e.host()}, ""), false)
		}},
	{ID: "env-engine-400", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "the server's own 400 for a garbled request carries Date, Server and Content-Length",
		run:   func(e *env) error { return e.envelope("GET /bench/plaintext HTTP/1.1\r\nX-Lab\r\n\r\n", false, 400) }},
	{ID: "env-413", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "the 413 of a 65,537-byte body carries Date, Server and Content-Length",
		run: func(e *env) error {
			body := padded(e.accountBody(), 65537)
			return e.envelope(e.post([]string{"Content-Length: " + strconv.Itoa(len(body))}, body), false, 413)
		}},
	{ID: "env-431", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "the refusal of a 2 MiB header carries Date, Server and Content-Length",
		run: func(e *env) error {
			return e.envelope(e.withHeader("X-Lab: "+strings.Repeat("a", 2<<20)), false, headTooLarge...)
		}},
	{ID: "env-version", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "the refusal of HTTP/2.0 carries Date, Server and Content-Length",
		run:   func(e *env) error { return e.envelope(e.versioned("HTTP/2.0"), false, badVersion...) }},
	{ID: "env-http10-not-chunked", Section: SectionEnvelope, Level: MUST, Rule: "RFC 9112 §7",
		Title: "an answer to HTTP/1.0 is not chunked and says HTTP/1.x",
		run: func(e *env) error {
			r, s, err := e.exchange("GET /bench/json HTTP/1.0\r\n"+e.host()+"\r\n\r\n", false)
			if err != nil {
				return err
			}
			s.close()
			if r.Chunked {
				return errors.New("the answer to an HTTP/1.0 request is chunked")
			}
			if !strings.HasPrefix(r.Proto, "HTTP/1.") {
				return fmt.Errorf("answered with %q", r.Proto)
			}
			return nil
		}},
	{ID: "env-head", Section: SectionEnvelope, Level: Contract, Rule: rfcEnvelope,
		Title: "the answer to HEAD carries Date and Server",
		run: func(e *env) error {
			return e.envelope(e.request("HEAD /bench/plaintext HTTP/1.1", []string{e.host()}, ""), true)
		}},
}

// badCL is a case: a POST whose Content-Length is written by cl from the body's real length.
func badCL(cl func(n int) string) func(e *env) error {
	return func(e *env) error {
		body := e.accountBody()
		return e.reject(e.post([]string{"Content-Length: " + cl(len(body))}, body), true, badRequest...)
	}
}

// chunkLines is a case: a POST of an account in one chunk whose size line is written by line.
// want 0 expects a refusal and a closed connection; else that status.
func chunkLines(line func(n int) string, status int) func(e *env) error {
	return func(e *env) error {
		body := e.accountBody()
		raw := e.post([]string{"Transfer-Encoding: chunked"}, line(len(body))+"\r\n"+body+"\r\n0\r\n\r\n")
		if status == 0 {
			return e.reject(raw, true, badRequest...)
		}
		return e.accept(raw, status)
	}
}

// padded pads a JSON body with trailing spaces (still valid JSON) to n bytes.
func padded(body string, n int) string { return body + strings.Repeat(" ", n-len(body)) }

// withHeader is a GET of /bench/plaintext with Host and the given extra lines.
func (e *env) withHeader(lines ...string) string {
	return e.request("GET /bench/plaintext HTTP/1.1", append([]string{e.host()}, lines...), "")
}

// versioned is a GET of /bench/plaintext with the given protocol version.
func (e *env) versioned(version string) string {
	return e.request("GET /bench/plaintext "+version, []string{e.host()}, "")
}

// envelope sends raw and checks the answer's envelope: one Date in IMF-fixdate within a minute of
// now, a non-empty Server, and (unless the status has no body) Content-Length or chunked, not
// both. statuses, when given, must hold the answer's status.
func (e *env) envelope(raw string, forHead bool, statuses ...int) error {
	r, s, err := e.exchange(raw, forHead)
	if err != nil {
		return err
	}
	s.close()
	if len(statuses) > 0 && !wantStatus(r.Status, statuses) {
		return fmt.Errorf("answered %d, want %s", r.Status, statusIn(statuses))
	}
	var missing []string
	dates := r.values("Date")
	switch {
	case len(dates) != 1:
		missing = append(missing, fmt.Sprintf("%d Date fields", len(dates)))
	default:
		d, err := time.Parse(http.TimeFormat, dates[0])
		if err != nil {
			missing = append(missing, fmt.Sprintf("Date %q is not an IMF-fixdate", dates[0]))
		} else if off := time.Since(d); off > time.Minute || off < -time.Minute {
			missing = append(missing, fmt.Sprintf("Date %q is %v off", dates[0], off.Round(time.Second)))
		}
	}
	if servers := r.values("Server"); len(servers) != 1 || servers[0] == "" {
		missing = append(missing, "no Server")
	}
	hasCL, te := len(r.values("Content-Length")) > 0, len(r.values("Transfer-Encoding")) > 0
	if r.Status >= 200 && r.Status != 204 && r.Status != 304 {
		switch {
		case hasCL && te:
			missing = append(missing, "both Content-Length and Transfer-Encoding")
		case !hasCL && !r.Chunked:
			missing = append(missing, "neither Content-Length nor chunked")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the %d answer has %s", r.Status, strings.Join(missing, ", "))
	}
	return nil
}
