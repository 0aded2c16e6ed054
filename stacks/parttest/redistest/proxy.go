package redistest

import (
	"bytes"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy is a TCP proxy in front of a Redis that counts round trips and can play an outage: Redis
// refusing connections (Down, Up) or silent (Pause, Resume).
//
// A round trip is a turn of a connection: data from the client after data from the server (or as
// the connection's first data). So a pipeline is one turn however many commands it holds, as long
// as the client has written all of it before the first reply comes back (true of small pipelines;
// a pipeline of many kilobytes may be answered in part while the client still writes it). A round
// trip that is a lone PING (rueidis's keep-alive on an idle connection) is counted apart.
type Proxy struct {
	t      testing.TB
	target string // host:port of Redis
	url    string // the Redis URL with the proxy's address

	mu     sync.Mutex
	addr   string
	ln     net.Listener // nil while down
	conns  map[net.Conn]bool
	paused chan struct{} // non-nil while paused; closed by Resume
	dials  int
	turns  int64
	pings  int64
	wg     sync.WaitGroup
}

var pingCommand = []byte("*1\r\n$4\r\nPING\r\n")

// NewProxy starts a proxy on a free loopback port in front of the Redis at redisURL (as URL
// returns it). It stops when the test ends.
func NewProxy(t testing.TB, redisURL string) *Proxy {
	t.Helper()
	u, err := url.Parse(redisURL)
	if err != nil {
		t.Fatalf("redistest: proxy: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: proxy: %v", err)
	}
	p := &Proxy{t: t, target: u.Host, addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	u.Host = p.addr
	p.url = u.String()
	p.serve(ln)
	t.Cleanup(func() {
		p.Down()
		p.wg.Wait()
	})
	return p
}

// URL is the Redis URL that reaches Redis through the proxy.
func (p *Proxy) URL() string { return p.url }

// RoundTrips is the number of round trips through the proxy so far, over all its connections,
// not counting lone PINGs.
func (p *Proxy) RoundTrips() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.turns
}

// Pings is the number of round trips that were a lone PING.
func (p *Proxy) Pings() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pings
}

// Connections is the number of connections made through the proxy so far.
func (p *Proxy) Connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dials
}

// Down closes the proxy's listener and every connection through it: Redis is unreachable (a
// connection attempt is refused) until Up. It ends a Pause.
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

// Pause makes Redis silent, as a Redis stopped with SIGSTOP or cut off by a partition that drops
// packets is: connections stay open and new ones are accepted, but nothing is forwarded either
// way until Resume, which delivers what was held, in order. Redis itself keeps running and keeps
// its data.
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

// hold waits while the proxy is paused.
func (p *Proxy) hold() {
	p.mu.Lock()
	ch := p.paused
	p.mu.Unlock()
	if ch != nil {
		<-ch
	}
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
		p.t.Fatalf("redistest: proxy listening again on %s: %v", p.addr, err)
	}
	p.serve(ln)
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
			pair := &pair{p: p}
			p.wg.Go(func() { pair.copy(server, client, true) })
			p.wg.Go(func() { pair.copy(client, server, false) })
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
	p.dials++
	return true
}

// pair is one proxied connection: its turn state.
type pair struct {
	p          *Proxy
	clientLast bool // the last data was the client's
}

// copy forwards src to dst until either closes, noting turns; fromClient tells the direction.
// A turn is noted before the data is forwarded, so it is counted once its reply has arrived.
func (c *pair) copy(dst, src net.Conn, fromClient bool) {
	defer func() {
		c.p.mu.Lock()
		delete(c.p.conns, dst)
		delete(c.p.conns, src)
		c.p.mu.Unlock()
		dst.Close()
		src.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			c.p.hold()
			c.p.mu.Lock()
			if fromClient && !c.clientLast {
				if bytes.EqualFold(buf[:n], pingCommand) {
					c.p.pings++
				} else {
					c.p.turns++
				}
				c.clientLast = true
			} else if !fromClient {
				c.clientLast = false
			}
			c.p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
