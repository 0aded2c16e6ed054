package serve

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/codec/std"
	"stacklab/stacks/parttest/memstore"
)

func newHandler(t *testing.T, inline bool) *Handler {
	t.Helper()
	a, err := app.New(app.Config{Store: memstore.New(nil), Cache: memstore.NewCache(nil), Codec: std.New()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{App: a, Ctx: context.Background(), Server: "stacklab-test"}
	if inline {
		cfg.Inline = InlineBench
	}
	return NewHandler(cfg)
}

// responses reads the answers in out.
func responses(t *testing.T, out []byte) []*http.Response {
	t.Helper()
	var rs []*http.Response
	br := bufio.NewReader(bytes.NewReader(out))
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return rs
		}
		r, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading answer %d: %v\n%q", len(rs)+1, err, out)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rs = append(rs, r)
	}
}

func expect(t *testing.T, got, want Action) {
	t.Helper()
	if got != want {
		t.Fatalf("action %v, want %v", got, want)
	}
}

const get = "GET %s HTTP/1.1\r\nHost: t\r\n\r\n"

func req(path string) string { return strings.Replace(get, "%s", path, 1) }

// TestPipelinedInOrder: inline answers, a dispatched request and the inline one after it are
// answered in the order asked.
func TestPipelinedInOrder(t *testing.T) {
	c := newHandler(t, true).NewConn()
	expect(t, c.Input([]byte(req("/bench/json")+req("/nope")+req("/bench/plaintext"))), Dispatch)
	c.Serve()
	expect(t, c.Done(), Send)
	rs := responses(t, c.Out)
	if len(rs) != 2 || rs[0].Header.Get("Content-Type") != "application/json" || rs[1].StatusCode != 404 {
		t.Fatalf("first send: %d answers %v", len(rs), rs)
	}
	expect(t, c.Sent(), Send)
	rs = responses(t, c.Out)
	if len(rs) != 1 || !strings.HasPrefix(rs[0].Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("second send: %v", rs)
	}
	for _, h := range []string{"Date", "Server", "Content-Length"} {
		if rs[0].Header.Get(h) == "" {
			t.Errorf("no %s", h)
		}
	}
	expect(t, c.Sent(), Wait)
	if !c.Idle() {
		t.Error("not idle after the answers")
	}
}

// TestSplitAcrossReads: a request arriving in pieces is answered once whole; bytes of the next
// one stay buffered.
func TestSplitAcrossReads(t *testing.T) {
	c := newHandler(t, true).NewConn()
	raw := req("/bench/plaintext") + req("/bench/json")
	for i := 0; i < 20; i++ {
		expect(t, c.Input([]byte(raw[i:i+1])), Wait)
	}
	expect(t, c.Input([]byte(raw[20:45])), Send)
	if rs := responses(t, c.Out); len(rs) != 1 {
		t.Fatalf("%d answers", len(rs))
	}
	expect(t, c.Input([]byte(raw[45:])), Wait) // kept while Out is being sent
	expect(t, c.Sent(), Send)
	if rs := responses(t, c.Out); len(rs) != 1 || rs[0].Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%v", rs)
	}
}

func TestRefusalCloses(t *testing.T) {
	c := newHandler(t, false).NewConn()
	expect(t, c.Input([]byte("GET / HTTP/1.1\r\nHost: t\r\nX : 1\r\n\r\n")), Close)
	rs := responses(t, c.Out)
	if len(rs) != 1 || rs[0].StatusCode != 400 || !rs[0].Close {
		t.Fatalf("%v", rs)
	}
	expect(t, c.Input([]byte(req("/bench/plaintext"))), Wait) // nothing after a refusal is read
}

func TestContinue(t *testing.T) {
	c := newHandler(t, false).NewConn()
	body := `{"id":"c-1","ledger":"L"}`
	head := "POST /api/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 25\r\n\r\n"
	expect(t, c.Input([]byte(head)), Send)
	if string(c.Out) != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("%q", c.Out)
	}
	expect(t, c.Sent(), Wait)
	expect(t, c.Input([]byte(body)), Dispatch)
	c.Serve()
	expect(t, c.Done(), Send)
	if rs := responses(t, c.Out); len(rs) != 1 || rs[0].StatusCode != 201 {
		t.Fatalf("%v", rs)
	}
}

func TestEndOfStream(t *testing.T) {
	h := newHandler(t, false)
	t.Run("partial request", func(t *testing.T) {
		c := h.NewConn()
		expect(t, c.Input([]byte("GET /bench/plain")), Wait)
		expect(t, c.EOF(), Close)
		if len(c.Out) != 0 {
			t.Errorf("an answer to a request cut short: %q", c.Out)
		}
	})
	t.Run("half-close after a whole request", func(t *testing.T) {
		c := h.NewConn()
		expect(t, c.Input([]byte(req("/bench/plaintext")+req("/bench/json"))), Dispatch)
		expect(t, c.EOF(), Wait)
		c.Serve()
		expect(t, c.Done(), Send)
		expect(t, c.Sent(), Dispatch) // the pipelined one is still answered
		c.Serve()
		expect(t, c.Done(), Send)
		expect(t, c.Sent(), Close)
	})
	t.Run("idle", func(t *testing.T) {
		expect(t, h.NewConn().EOF(), Close)
	})
}

func TestBodyTooLarge(t *testing.T) {
	c := newHandler(t, false).NewConn()
	head := "POST /api/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n"
	expect(t, c.Input([]byte(head+strings.Repeat(" ", 1000))), Dispatch)
	expect(t, c.Input(bytes.Repeat([]byte(" "), 2<<20)), Wait) // dropped, not buffered
	if len(c.in) != 0 {
		t.Errorf("%d bytes of an unread body buffered", len(c.in))
	}
	c.Serve()
	expect(t, c.Done(), Close)
	rs := responses(t, c.Out)
	if len(rs) != 1 || rs[0].StatusCode != 413 || !rs[0].Close {
		t.Fatalf("%v", rs)
	}
}

func TestBufferedWhileBusyIsBounded(t *testing.T) {
	c := newHandler(t, false).NewConn()
	expect(t, c.Input([]byte(req("/nope"))), Dispatch)
	for i := 0; i < 20; i++ {
		expect(t, c.Input(bytes.Repeat([]byte(req("/nope")), 2000)), Wait)
	}
	if len(c.in) > maxBuffered {
		t.Errorf("%d bytes buffered", len(c.in))
	}
	c.Serve()
	expect(t, c.Done(), Close)
}

func TestConnectionHeaders(t *testing.T) {
	h := newHandler(t, true)
	c := h.NewConn()
	expect(t, c.Input([]byte("GET /bench/plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")), Send)
	if !bytes.Contains(c.Out, []byte("\r\nConnection: keep-alive\r\n")) {
		t.Errorf("HTTP/1.0 keep-alive answer: %q", c.Out)
	}
	expect(t, c.Sent(), Wait)
	expect(t, c.Input([]byte("GET /bench/plaintext HTTP/1.0\r\n\r\n")), Close)
	if !bytes.Contains(c.Out, []byte("\r\nConnection: close\r\n")) {
		t.Errorf("HTTP/1.0 answer: %q", c.Out)
	}
	c = h.NewConn()
	expect(t, c.Input([]byte("HEAD /bench/plaintext HTTP/1.1\r\nHost: t\r\n\r\n")), Send)
	if !bytes.HasSuffix(c.Out, []byte("Content-Length: 13\r\n\r\n")) {
		t.Errorf("HEAD answer: %q", c.Out)
	}
	expect(t, c.Sent(), Wait)
	h.SetClosing()
	expect(t, c.Input([]byte(req("/bench/plaintext"))), Close)
	if rs := responses(t, c.Out); len(rs) != 1 || !rs[0].Close {
		t.Errorf("an answer during shutdown does not close: %v", rs)
	}
}

// TestExpired: a connection times out waiting for its first request (ReadHeaderTimeout), for the
// next (IdleTimeout), and for the rest of a head (ReadHeaderTimeout, answered 408).
func TestExpired(t *testing.T) {
	h := newHandler(t, true)
	later := func(d time.Duration) { h.epoch = h.epoch.Add(-d) }
	c := h.NewConn()
	if c.Expired() {
		t.Fatal("a new connection expired at once")
	}
	later(11 * time.Second)
	if !c.Expired() || len(c.Out) != 0 {
		t.Fatalf("a connection without a request after 11 s: expired %v, out %q", c.Expired(), c.Out)
	}

	c = h.NewConn()
	expect(t, c.Input([]byte(req("/bench/plaintext"))), Send)
	expect(t, c.Sent(), Wait)
	later(60 * time.Second)
	if c.Expired() {
		t.Fatal("a keep-alive connection expired after 60 s")
	}
	later(61 * time.Second)
	if !c.Expired() {
		t.Fatal("a keep-alive connection idle for 121 s did not expire")
	}

	c = h.NewConn()
	expect(t, c.Input([]byte("GET /bench/plain")), Wait)
	later(5 * time.Second)
	if c.Expired() {
		t.Fatal("a head expired after 5 s")
	}
	later(6 * time.Second)
	if !c.Expired() {
		t.Fatal("a head still incomplete after 11 s did not expire")
	}
	if rs := responses(t, c.Out); len(rs) != 1 || rs[0].StatusCode != 408 {
		t.Fatalf("%v", rs)
	}
}
