package httpwire

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"
)

// verdict is what a parser made of one raw request.
type verdict struct {
	accepted bool
	detail   string // the request's fields, or why it was refused
}

// ours parses raw whole with the Parser.
func ours(raw string) verdict {
	var p Parser
	var r Request
	n, err := p.Parse([]byte(raw), &r)
	switch {
	case err != nil:
		return verdict{detail: "refused " + err.Error()}
	case n == 0:
		return verdict{detail: "needs more bytes"}
	case r.BodyTooLarge:
		return verdict{accepted: true, detail: fmt.Sprintf("%s %s host=%q body too large", r.Method, r.Target, r.Host)}
	}
	return verdict{accepted: true, detail: fmt.Sprintf("%s %s host=%q close=%v body=%.40q", r.Method, r.Target, r.Host, !r.KeepAlive, r.Body)}
}

// theirs parses raw with net/http's http.ReadRequest and reads its body (a body error is a
// refusal, as net/http's server answers it).
func theirs(raw string) verdict {
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		return verdict{detail: "refused " + err.Error()}
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxBodyBytes+1))
	if err != nil {
		return verdict{detail: "refused reading the body: " + err.Error()}
	}
	if len(body) > MaxBodyBytes || req.ContentLength > MaxBodyBytes {
		return verdict{accepted: true, detail: fmt.Sprintf("%s %s host=%q body too large", req.Method, req.RequestURI, req.Host)}
	}
	if len(body) == 0 {
		body = nil
	}
	return verdict{accepted: true, detail: fmt.Sprintf("%s %s host=%q close=%v body=%.40q", req.Method, req.RequestURI, req.Host, req.Close, body)}
}

// difference is an intended difference from net/http's parser: the rule that decides it and the
// side that rule favours.
type difference struct {
	rule    string
	favours string // "httpwire" or "net/http"
	note    string
}

// intended lists, by case name, where the parser and http.ReadRequest differ on purpose. Most are
// the contract's strict choices where RFC 9112 lets a server choose, or rules net/http leaves to its
// server (which refuses some of these requests after ReadRequest) or does not check at all.
var intended = map[string]difference{
	"CL and TE":                          {"RFC 9112 §6.1 (a server may process by Transfer-Encoding and close); the contract refuses", "httpwire", "net/http reads the chunked body and drops Content-Length"},
	"TE and CL":                          {"RFC 9112 §6.1; the contract refuses", "httpwire", "as above"},
	"two equal CL":                       {"RFC 9112 §6.3 lets a recipient merge equal values; the contract refuses", "httpwire", "net/http merges them"},
	"TE obs-fold":                        {"RFC 9112 §5.2: a server may replace obs-fold by SP or refuse; the contract refuses", "httpwire", "net/http unfolds"},
	"obs-fold":                           {"RFC 9112 §5.2; the contract refuses", "httpwire", "net/http unfolds"},
	"bare LF line ends":                  {"RFC 9112 §2.2: a recipient MAY accept a bare LF; the contract refuses", "httpwire", "net/http accepts bare LF"},
	"bare LF after request line":         {"RFC 9112 §2.2; the contract refuses", "httpwire", ""},
	"bare LF ends the head":              {"RFC 9112 §2.2; the contract refuses", "httpwire", ""},
	"trailer obs-fold":                   {"RFC 9112 §5.2; the contract refuses", "httpwire", ""},
	"trailer of 300 fields":              {"RFC 6585 §5: the trailer section is bounded like the header section", "httpwire", ""},
	"chunk extension without name":       {"RFC 9112 §7.1.1: chunk-ext-name is a token", "httpwire", "net/http ignores extensions unchecked"},
	"chunk extension unterminated quote": {"RFC 9112 §7.1.1: quoted-string", "httpwire", ""},
	"chunk size trailing space":          {"RFC 9112 §7.1: whitespace after chunk-size only before ';' (BWS)", "httpwire", "net/http trims it"},
	"TE in HTTP/1.0":                     {"RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing", "httpwire", "net/http reads it as chunked"},
	"Host list":                          {"RFC 9112 §3.2: Host is one uri-host [\":\" port]", "httpwire", "net/http's server refuses it after ReadRequest (httpguts.ValidHostHeader)"},
	"Host bad port":                      {"RFC 9112 §3.2", "httpwire", "accepted by net/http's server too"},
	"Host space":                         {"RFC 9112 §3.2", "httpwire", "net/http's server refuses it after ReadRequest"},
	"Host userinfo":                      {"RFC 9110 §4.2.4: no userinfo in http URIs", "httpwire", "accepted by net/http's server too"},
	"Host path":                          {"RFC 9112 §3.2", "httpwire", "net/http's server refuses it after ReadRequest"},
	"Host bad IP literal":                {"RFC 3986 §3.2.2", "httpwire", "net/http's server refuses it after ReadRequest"},
	"Host bad escape":                    {"RFC 3986 §2.1", "httpwire", "accepted by net/http's server too"},
	"no Host":                            {"RFC 9112 §3.2: 400 for HTTP/1.1 without Host", "httpwire", "net/http's server refuses it after ReadRequest"},
	"no Host with absolute-form":         {"RFC 9112 §3.2", "httpwire", "net/http's server refuses it after ReadRequest"},
	"two Content-Type":                   {"RFC 9110 §5.3: Content-Type is a singleton field", "httpwire", "net/http keeps both, Get returns the first"},
	"HTTP/2.0":                           {"RFC 9110 §15.6.6: 505 for a major version not served", "httpwire", "net/http's server answers 505 after ReadRequest"},
	"HTTP/3.0":                           {"RFC 9110 §15.6.6", "httpwire", "net/http reads it as HTTP/3.0; its server answers 505"},
	"fragment":                           {"RFC 9112 §3.2: a target has no fragment", "httpwire", "net/http keeps the fragment in RequestURI"},
	"non-ASCII in target":                {"RFC 3986 §2: bytes over 0x7F are percent-encoded", "httpwire", "net/http accepts raw UTF-8"},
	"bad escape in query":                {"RFC 3986 §2.1: % starts an escape (query too)", "httpwire", "net/http checks escapes in the path only"},
	"GET *":                              {"RFC 9112 §3.2.4: asterisk-form is for OPTIONS", "httpwire", ""},
	"authority-form":                     {"RFC 9112 §3.2.3: authority-form is for CONNECT, which the lab does not serve", "httpwire", "net/http reads CONNECT host:port"},
	"absolute-form with userinfo":        {"RFC 9110 §4.2.4", "httpwire", ""},
	"absolute-form without authority":    {"RFC 9110 §4.2.1: http URIs have a non-empty host", "httpwire", ""},
	"absolute-form other scheme":         {"RFC 9112 §3.2.2: an origin server serves http and https targets", "httpwire", ""},
	"malformed Connection":               {"RFC 9110 §7.6.1: Connection is a list of tokens", "httpwire", ""},
	"request line over 16 KiB":           {"RFC 9112 §3: the lab's request-line limit, 16 KiB (414)", "httpwire", "net/http's limit is its 1 MiB header limit"},
	"head over 64 KiB":                   {"RFC 6585 §5: the lab's header limit, 64 KiB (431)", "httpwire", "net/http's limit is 1 MiB"},
	"257 fields":                         {"RFC 6585 §5: the lab's field-count limit, 256 (431)", "httpwire", "net/http has no field-count limit"},
	"declared beyond 64 bits":            {"RFC 9112 §6.3 (an unrepresentable length): neither reads the body; the contract answers 413 (a body over 64 KiB), net/http 400", "httpwire", ""},
	"a chunk size beyond 64 bits":        {"RFC 9112 §7.1: neither reads the body; the contract answers 413 as for any body over 64 KiB, net/http 400", "httpwire", ""},
	"declared 65,537":                    {"contract: a declared Content-Length over 64 KiB is refused (413) at once, without waiting for the body", "httpwire", "net/http waits for the body (here it never comes)"},
	"declared 10 GiB":                    {"contract: 413 at once", "httpwire", "net/http waits for the body"},
	"a chunk of 10 GiB declared":         {"contract: a chunk size taking the body over 64 KiB is refused (413) at once", "httpwire", "net/http waits for the chunk"},
	"chunk extensions, quoted, BWS, upper-case hex, leading zeros": {"RFC 9112 §7.1.1: BWS before ';' in chunk-ext", "httpwire", "net/http refuses whitespace after a chunk size (its chunked reader)"},
	"chunked with empty list elements":                             {"RFC 9110 §5.6.1: a recipient MUST accept empty list elements", "httpwire", "net/http compares the whole value with \"chunked\""},
	"leading empty lines":                                          {"RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line", "httpwire", "net/http refuses a leading CRLF"},
	"space before colon":                                           {"RFC 9112 §5.1: no whitespace between field name and colon (400)", "httpwire", "ReadRequest accepts it; net/http's server refuses it afterwards"},
	"CL space before colon":                                        {"RFC 9112 §5.1 (400)", "httpwire", "ReadRequest trims the space and frames by it; net/http's server refuses it afterwards"},
	"TE space before colon":                                        {"RFC 9112 §5.1 (400)", "httpwire", "as above"},
	"space in name":                                                {"RFC 9110 §5.1: a field name is a token", "httpwire", "ReadRequest accepts it; net/http's server refuses it afterwards"},
}

// TestDifferential compares the parser with net/http's http.ReadRequest on the corpus of the
// parser's own table tests. Where they differ, the difference must be listed in intended, which
// names the rule that decides it; the test fails on an unlisted difference and on a listed one
// that is gone. The table of differences is printed in the test log.
func TestDifferential(t *testing.T) {
	type diff struct {
		name       string
		ours, them verdict
	}
	var diffs []diff
	corpus := map[string]string{}
	for _, c := range refusedCases {
		corpus[c.name] = c.raw
	}
	for _, c := range acceptedCases {
		corpus[c.name] = c.raw
	}
	seen := map[string]bool{}
	names := make([]string, 0, len(corpus))
	for name := range corpus {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := corpus[name]
		o, n := ours(raw), theirs(raw)
		if o.accepted == n.accepted && (!o.accepted || o.detail == n.detail) {
			continue
		}
		diffs = append(diffs, diff{name, o, n})
		seen[name] = true
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\thttpwire\tnet/http ReadRequest\tfavours\trule")
	for _, d := range diffs {
		want, ok := intended[d.name]
		if !ok {
			t.Errorf("%s: an unlisted difference:\n  httpwire: %s\n  net/http: %s", d.name, d.ours.detail, d.them.detail)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.name, short(d.ours), short(d.them), want.favours, want.rule)
	}
	tw.Flush()
	for name := range intended {
		if !seen[name] {
			if _, inCorpus := corpus[name]; !inCorpus {
				t.Errorf("intended difference %q names no case of the corpus", name)
			} else {
				t.Errorf("intended difference %q is gone: both parsers now say %s", name, short(ours(corpus[name])))
			}
		}
	}
	t.Logf("%d requests, %d intended differences from net/http's http.ReadRequest:\n%s", len(corpus), len(diffs), b.String())
}

func short(v verdict) string {
	if !v.accepted {
		s := strings.TrimPrefix(v.detail, "refused ")
		if len(s) > 50 {
			s = s[:47] + "..."
		}
		return "refuses (" + s + ")"
	}
	return "accepts"
}

// TestDifferentialAgreement: the corpus holds requests both parsers read alike, so the comparison
// can tell them apart from the intended differences.
func TestDifferentialAgreement(t *testing.T) {
	agree := 0
	for _, c := range acceptedCases {
		if o, n := ours(c.raw), theirs(c.raw); o.accepted && n.accepted && o.detail == n.detail {
			agree++
		}
	}
	if agree < 10 {
		t.Errorf("only %d accepted requests read alike by both parsers", agree)
	}
}
