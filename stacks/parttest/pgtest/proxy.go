package pgtest

import (
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Proxy is a TCP proxy in front of PostgreSQL that can play an outage: the server refusing
// connections and dropping the ones it had (Down, then Up), or silent (Pause, then Resume), as a
// stopped server or a partition that drops packets is. PostgreSQL itself keeps running and keeps
// its data.
type Proxy struct {
	t      testing.TB
	target string // host:port of PostgreSQL
	dsn    string // the DSN through the proxy

	mu     sync.Mutex
	addr   string
	ln     net.Listener // nil while down
	conns  map[net.Conn]bool
	paused chan struct{} // non-nil while paused; closed by Resume
	wg     sync.WaitGroup
}

// NewProxy starts a proxy on a free loopback port in front of the server of dsn (a postgres://
// URL, as Database returns it). It stops when the test ends.
func NewProxy(t testing.TB, dsn string) *Proxy {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("pgtest: proxy: want a postgres:// URL, got %s (%v)", redact(dsn), err)
	}
	target := u.Host
	if !strings.Contains(target, ":") {
		target = net.JoinHostPort(target, "5432")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: proxy: %v", err)
	}
	p := &Proxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	u.Host = p.addr
	p.dsn = u.String()
	p.serve(ln)
	t.Cleanup(func() {
		p.Down()
		p.wg.Wait()
	})
	return p
}

// DSN is the DSN that reaches the database through the proxy.
func (p *Proxy) DSN() string { return p.dsn }

// Down closes the proxy's listener and every connection through it: a connection attempt is
// refused and every open connection is reset, until Up. It ends a Pause.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.resumeLocked()
}

// Up listens again on the proxy's address after Down.
func (p *Proxy) Up() {
	p.t.Helper()
	p.mu.Lock()
	up := p.ln != nil
	p.mu.Unlock()
	if up {
		return
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("pgtest: proxy listening again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// Pause makes the server silent: connections stay open and new ones are accepted, but nothing is
// forwarded either way until Resume, which delivers what was held, in order.
func (p *Proxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused == nil {
		p.paused = make(chan struct{})
	}
}

// Resume ends a Pause.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resumeLocked()
}

func (p *Proxy) resumeLocked() {
	if p.paused != nil {
		close(p.paused)
		p.paused = nil
	}
}

func (p *Proxy) hold() {
	p.mu.Lock()
	ch := p.paused
	p.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", p.target)
			if err != nil {
				client.Close()
				continue
			}
			if !p.track(client, server) {
				client.Close()
				server.Close()
				return
			}
			p.wg.Go(func() { p.copy(server, client) })
			p.wg.Go(func() { p.copy(client, server) })
		}
	})
}

// track registers a connection pair, unless the proxy went down meanwhile.
func (p *Proxy) track(client, server net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		return false
	}
	p.conns[client], p.conns[server] = true, true
	return true
}

// copy forwards src to dst until either closes, holding data while the proxy is paused.
func (p *Proxy) copy(dst, src net.Conn) {
	defer func() {
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
		dst.Close()
		src.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.hold()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
