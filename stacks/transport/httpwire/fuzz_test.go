package httpwire

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzParse from the table tests' requests")

// FuzzParse checks, for any bytes and any split of them into two reads:
//   - Parse never panics (an out-of-bounds access would) and never claims more bytes than given;
//     an error is an *Error with one of the parser's statuses;
//   - the bytes given in two reads (the buffer moving in between) are read exactly as given at
//     once: same length, same verdict, same request;
//   - an accepted request, written again (its fields as read, its body with a Content-Length),
//     parses to the same request.
func FuzzParse(f *testing.F) {
	f.Add([]byte("GET /bench/plaintext HTTP/1.1\r\nHost: x\r\n\r\n"), uint16(9))
	f.Fuzz(func(t *testing.T, raw []byte, split uint16) {
		var p Parser
		var r Request
		whole := bytes.Clone(raw)
		n, err := p.Parse(whole, &r)
		checkResult(t, raw, n, err)
		want := summary(n, err, &r)

		k := int(split) % (len(raw) + 1)
		var q Parser
		var r2 Request
		buf := bytes.Clone(raw[:k])
		n2, err2 := q.Parse(buf, &r2)
		if n2 == 0 && err2 == nil {
			buf = append(bytes.Clone(buf), raw[k:]...)
			n2, err2 = q.Parse(buf, &r2)
		}
		if got := summary(n2, err2, &r2); got != want {
			t.Fatalf("read in two parts (split at %d) differs from read whole:\n  whole: %s\n  split: %s", k, want, got)
		}

		if n == 0 || err != nil || r.BodyTooLarge {
			return
		}
		again := serialise(&r)
		var p3 Parser
		var r3 Request
		n3, err3 := p3.Parse(again, &r3)
		if err3 != nil || n3 != len(again) {
			t.Fatalf("the request written again does not parse: n %d of %d, %v\n%q", n3, len(again), err3, again)
		}
		if a, b := fields(&r), fields(&r3); a != b {
			t.Fatalf("the request written again reads differently:\n  first: %s\n  again: %s", a, b)
		}
	})
}

func checkResult(t *testing.T, raw []byte, n int, err error) {
	t.Helper()
	if n < 0 || n > len(raw) {
		t.Fatalf("n %d for %d bytes", n, len(raw))
	}
	if err == nil {
		return
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	switch e.Status {
	case 400, 414, 431, 501, 505:
	default:
		t.Fatalf("status %d", e.Status)
	}
	if n != 0 {
		t.Fatalf("n %d with an error", n)
	}
}

func summary(n int, err error, r *Request) string {
	switch {
	case err != nil:
		return "error " + strconv.Itoa(err.(*Error).Status)
	case n == 0:
		return "more"
	}
	return fmt.Sprintf("n=%d %s", n, fields(r))
}

// fields is what a request says, without its framing (Content-Length, Transfer-Encoding).
func fields(r *Request) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%q %q path=%q query=%q(%v) host=%q minor=%d keep=%v expect=%v large=%v body=%q", r.Method, r.Target, r.Path,
		r.Query, r.Query != nil, r.Host, r.Minor, r.KeepAlive, r.Expect100, r.BodyTooLarge, r.Body)
	for _, f := range r.Fields {
		if equalFold(f.Name, "content-length") || equalFold(f.Name, "transfer-encoding") {
			continue
		}
		fmt.Fprintf(&b, " %q=%q", f.Name, f.Value)
	}
	return b.String()
}

// serialise writes a request as read: its request line, its fields but the framing ones, and its
// body with a Content-Length.
func serialise(r *Request) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.%d\r\n", r.Method, r.Target, r.Minor)
	for _, f := range r.Fields {
		if equalFold(f.Name, "content-length") || equalFold(f.Name, "transfer-encoding") {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\r\n", f.Name, f.Value)
	}
	if len(r.Body) > 0 {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(r.Body))
	}
	b.WriteString("\r\n")
	b.Write(r.Body)
	return b.Bytes()
}

// TestSeedCorpus: the committed seed corpus holds the table tests' requests (small enough to
// fuzz quickly); -update-corpus rewrites it.
func TestSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	want := map[string][]byte{}
	add := func(name, raw string) {
		if len(raw) > 4<<10 {
			return
		}
		file := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\nuint16(%d)\n", strconv.Quote(raw), len(raw)/2)
		want[seedName(name)] = []byte(file)
	}
	for _, c := range refusedCases {
		add(c.name, c.raw)
	}
	for _, c := range acceptedCases {
		add(c.name, c.raw)
	}
	if *updateCorpus {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range want {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, b := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("seed %s is missing or stale (go test -run TestSeedCorpus -update-corpus): %v", name, err)
		}
	}
}

func seedName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			b[i] = '_'
		}
	}
	return "seed-" + string(b)
}
