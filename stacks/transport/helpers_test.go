package transport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/transport"
)

func TestCanonicalPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/a": true, "/a/b": true, "/a/": true, "/a/b/": true, "/a.b": true, "/..a": true, "/%2E%2E": true,
		"": false, "a": false, "*": false, "//": false, "/a//b": false, "//a": false, "/.": false, "/..": false,
		"/a/.": false, "/a/../b": false, "/./a": false, "/a/./": false,
	} {
		if got := transport.CanonicalPath(p); got != want {
			t.Errorf("CanonicalPath(%q) = %v, want %v", p, got, want)
		}
		if got := transport.CanonicalPath([]byte(p)); got != want {
			t.Errorf("CanonicalPath([]byte(%q)) = %v, want %v", p, got, want)
		}
	}
}

func TestPathParam(t *testing.T) {
	for raw, want := range map[string]string{"acc-1": "acc-1", "a%2Fb": "a/b", "%61": "a", "a%zz": "a%zz", "a+b": "a+b", "%C3%BC": "ü", "": ""} {
		if got := transport.PathParam(raw); got != want {
			t.Errorf("PathParam(%q) = %q, want %q", raw, got, want)
		}
		buf := []byte(raw)
		got := transport.PathParam(buf)
		if got != want {
			t.Errorf("PathParam([]byte(%q)) = %q, want %q", raw, got, want)
		}
		for i := range buf { // the result must not be a view of the buffer
			buf[i] = 'X'
		}
		if got != want {
			t.Errorf("PathParam([]byte(%q)) changed with its input: %q", raw, got)
		}
	}
}

func TestReadBody(t *testing.T) {
	limit := ledgerspec.MaxBodyBytes
	full := bytes.Repeat([]byte("x"), limit+10)
	for _, tc := range []struct {
		name      string
		r         io.Reader
		length    int64
		wantLen   int
		tooLarge  bool
		wantError bool
	}{
		{"empty", bytes.NewReader(nil), 0, 0, false, false},
		{"declared", bytes.NewReader(full[:100]), 100, 100, false, false},
		{"declared at the limit", bytes.NewReader(full[:limit]), int64(limit), limit, false, false},
		{"declared over the limit, not read", iotest.ErrReader(errors.New("must not be read")), int64(limit + 1), 0, true, false},
		{"unknown length", bytes.NewReader(full[:100]), -1, 100, false, false},
		{"unknown length at the limit", bytes.NewReader(full[:limit]), -1, limit, false, false},
		{"unknown length over the limit", bytes.NewReader(full), -1, 0, true, false},
		{"unknown length, empty", bytes.NewReader(nil), -1, 0, false, false},
		{"declared, cut short", bytes.NewReader(full[:10]), 100, 0, false, true},
		{"broken stream", iotest.ErrReader(errors.New("broken chunk")), -1, 0, false, true},
	} {
		body, tooLarge, err := transport.ReadBody(tc.r, tc.length)
		switch {
		case tc.wantError:
			if !errors.Is(err, transport.ErrBodyRead) {
				t.Errorf("%s: error %v, want one wrapping ErrBodyRead", tc.name, err)
			}
		case err != nil || tooLarge != tc.tooLarge || len(body) != tc.wantLen:
			t.Errorf("%s: %d bytes, too large %v, %v; want %d, %v", tc.name, len(body), tooLarge, err, tc.wantLen, tc.tooLarge)
		}
	}
	// It reads no more than the limit and one byte of an endless body.
	r := &countingReader{}
	if _, tooLarge, err := transport.ReadBody(r, -1); !tooLarge || err != nil || r.n > int64(limit)+1 {
		t.Errorf("endless body: too large %v, %v, %d bytes read", tooLarge, err, r.n)
	}
}

type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	r.n += int64(len(p))
	return len(p), nil
}

func TestBaseShutdown(t *testing.T) {
	b := transport.NewBase()
	if err := b.Shutdown(context.Background(), "x", func(context.Context) error { return nil }); err != nil || b.Context().Err() != nil {
		t.Fatalf("a clean shutdown: %v, base context %v", err, b.Context().Err())
	}
	b = transport.NewBase()
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	err := b.Shutdown(ctx, "x", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "x: ") {
		t.Errorf("a shutdown past its deadline: %v", err)
	}
	if !errors.Is(b.Context().Err(), context.Canceled) {
		t.Errorf("the base context after a shutdown past its deadline: %v, want cancelled", b.Context().Err())
	}
}
