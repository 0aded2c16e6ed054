package httpc

import (
	"net"
	"testing"
)

// canned serves every request on every connection with the same bytes. It allocates nothing
// per request, so the allocations a test measures are the client's.
func canned(tb testing.TB, response string) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listening: %v", err)
	}
	tb.Cleanup(func() { ln.Close() })
	resp := []byte(response)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var buf [4096]byte
				state := 0 // bytes of "\r\n\r\n" matched so far
				for {
					n, err := c.Read(buf[:])
					if err != nil {
						return
					}
					for _, b := range buf[:n] {
						switch {
						case b == '\r' && (state == 0 || state == 2):
							state++
						case b == '\n' && (state == 1 || state == 3):
							state++
						case b == '\r':
							state = 1
						default:
							state = 0
						}
						if state == 4 {
							state = 0
							if _, err := c.Write(resp); err != nil {
								return
							}
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

const (
	plainResp   = "HTTP/1.1 200 OK\r\nServer: canned\r\nDate: Tue, 24 Nov 2026 10:00:00 GMT\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!"
	chunkedResp = "HTTP/1.1 200 OK\r\nServer: canned\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n{\"messag\r\n13\r\ne\":\"Hello, World!\"}\r\n0\r\n\r\n"
)

func TestRoundTripDoesNotAllocate(t *testing.T) {
	for _, tt := range []struct {
		name, resp string
		capture    bool
	}{{"content-length", plainResp, false}, {"content-length captured", plainResp, true},
		{"chunked", chunkedResp, false}, {"chunked captured", chunkedResp, true}} {
		for _, path := range paths {
			t.Run(tt.name+"/"+path.name, func(t *testing.T) {
				c := dial(t, canned(t, tt.resp), path.raw)
				req := []byte("GET /bench/plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
				var r Response
				var rtErr error
				allocs := testing.AllocsPerRun(2000, func() {
					if err := c.RoundTrip(req, tt.capture, &r); err != nil {
						rtErr = err
					}
				})
				if rtErr != nil {
					t.Fatalf("RoundTrip: %v", rtErr)
				}
				if r.Status != 200 || (tt.capture && len(r.Body) == 0) {
					t.Fatalf("status %d, body %q", r.Status, r.Body)
				}
				if allocs != 0 {
					t.Errorf("%v allocations per round trip, want 0", allocs)
				}
			})
		}
	}
}

// BenchmarkRoundTrip measures one request and response on a loopback keep-alive connection
// against a server that writes canned bytes (so the figure is mostly the client plus the
// kernel's loopback path), on both paths.
func BenchmarkRoundTrip(b *testing.B) {
	for _, bb := range []struct{ name, resp string }{{"content-length", plainResp}, {"chunked", chunkedResp}} {
		for _, path := range paths {
			b.Run(bb.name+"/"+path.name, func(b *testing.B) {
				c := dial(b, canned(b, bb.resp), path.raw)
				req := []byte("GET /bench/plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
				var r Response
				b.ReportAllocs()
				for b.Loop() {
					if err := c.RoundTrip(req, false, &r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRoundTripParallel keeps 64 connections busy against the canned server, one goroutine
// each, like the closed loop: ns/op is the time per request of the whole machine (client and
// server share it), the figure to compare the two paths by.
func BenchmarkRoundTripParallel(b *testing.B) {
	addr := canned(b, plainResp)
	for _, path := range paths {
		b.Run(path.name, func(b *testing.B) {
			conns := make(chan *Conn, 64)
			for range 64 {
				conns <- dial(b, addr, path.raw)
			}
			req := []byte("GET /bench/plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
			b.SetParallelism(32) // 64 goroutines on 2 processors
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				c := <-conns
				var r Response
				for pb.Next() {
					if err := c.RoundTrip(req, false, &r); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkParseHead measures the header parser alone.
func BenchmarkParseHead(b *testing.B) {
	head := []byte(plainResp[:len(plainResp)-13])
	var r Response
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		r.reset()
		if err := parseHead(head, &r); err != nil {
			b.Fatal(err)
		}
	}
}
