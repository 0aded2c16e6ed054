package transporttest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"stacklab/stacks"
	"stacklab/stacks/transport"
)

// probes are requests an engine answers (or not) before the transport sees them: malformed
// request lines and headers, limits and bad framing. Their answers are the engine's, so Run
// tabulates which of them lack Date, Server or Content-Length without failing; the wire suite
// judges the engines' HTTP/1.1 behaviour itself.
var probes = []struct {
	name string
	raw  string
}{
	{"garbage request line", "GARBAGE\r\n\r\n"},
	{"bad method token", "G{}T /bench/plaintext HTTP/1.1\r\nHost: t\r\n\r\n"},
	{"unknown method FOO", "FOO /bench/plaintext HTTP/1.1\r\nHost: t\r\n\r\n"},
	{"lower-case method get", "get /bench/plaintext HTTP/1.1\r\nHost: t\r\n\r\n"},
	{"HTTP/2.0 request line", "GET /bench/plaintext HTTP/2.0\r\nHost: t\r\n\r\n"},
	{"missing Host", "GET /bench/plaintext HTTP/1.1\r\n\r\n"},
	{"space before colon", "GET /bench/plaintext HTTP/1.1\r\nHost : t\r\n\r\n"},
	{"bad Content-Length", "POST /api/accounts HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n"},
	{"Content-Length and chunked", "POST /api/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{"Transfer-Encoding gzip", "POST /api/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n"},
	{"Transfer-Encoding identity", "POST /api/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}"},
	{"invalid escape in path", "GET /api/accounts/a%zz HTTP/1.1\r\nHost: t\r\n\r\n"},
	{"control byte in path", "GET /api/accounts/a\x01b HTTP/1.1\r\nHost: t\r\n\r\n"},
	{"header of 8 KiB", "GET /bench/plaintext HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n"},
	{"header of 2 MiB", "GET /bench/plaintext HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n"},
	{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n"},
	{"absolute-form target", "GET http://t/bench/plaintext HTTP/1.1\r\nHost: t\r\n\r\n"},
	{"HTTP/1.0 without Host", "GET /bench/plaintext HTTP/1.0\r\n\r\n"},
}

// probeRow is one probe's answer.
type probeRow struct {
	name, answer, contentType string
	replied                   bool
	date, server, length      bool
}

func (r probeRow) complete() bool { return !r.replied || r.date && r.server && r.length }

func probeAll(t *testing.T, f *Fixture) []probeRow {
	var rows []probeRow
	for _, p := range probes {
		c, err := Dial(f.Addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Timeout = 5 * time.Second
		done := make(chan struct{})
		go func() { // a big request may not be read whole before the answer
			defer close(done)
			_ = c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			_, _ = c.c.Write([]byte(p.raw))
		}()
		r, err := c.Read(false)
		c.Close()
		<-done
		if err != nil {
			rows = append(rows, probeRow{name: p.name, answer: "(none: " + shortErr(err) + ")"})
			continue
		}
		_, dateErr := http.ParseTime(r.Header.Get("Date"))
		ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		rows = append(rows, probeRow{name: p.name, answer: fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status)), contentType: ct,
			replied: true, date: dateErr == nil, server: r.Header.Get("Server") == "stacklab-"+f.Name, length: r.ContentLength >= 0 || r.Chunked})
	}
	return rows
}

func table(name string, rows []probeRow) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "engine %s: probe\tanswer\tContent-Type\tDate\tServer\tContent-Length\n", name)
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "MISSING"
	}
	for _, r := range rows {
		if !r.replied {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\n", r.name, r.answer)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.name, r.answer, r.contentType, yes(r.date), yes(r.server), yes(r.length))
	}
	tw.Flush()
	return b.String()
}

func testEngineReplies(t *testing.T, f *Fixture) {
	t.Log("the engine's answers to requests it judges before the transport (reported, not judged):\n" + table(f.Name, probeAll(t, f)))
}

// EngineRepliesComplete fails unless every answer to the engine probes carries Date, Server and
// Content-Length: for a transport whose engine lets it shape its error replies, which are then
// the transport's own (fasthttp's ErrorHandler, Fiber's).
func EngineRepliesComplete(t *testing.T, name string, newServer transport.New) {
	f := Start(t, name, newServer, stacks.Codecs["std"]())
	rows := probeAll(t, f)
	for _, r := range rows {
		if !r.complete() {
			t.Errorf("probe %q: answer %s lacks Date, Server or Content-Length", r.name, r.answer)
		}
	}
	t.Log("\n" + table(name, rows))
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}
