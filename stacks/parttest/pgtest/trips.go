package pgtest

import (
	"context"
	"net"
	"sync/atomic"
)

// TripCounter counts the network round trips of the connections it dials: on each connection, a
// write that follows a read (or is the connection's first write) starts a round trip. A store
// that pipelines several statements writes them all before it reads, so they count once.
//
// Give its Dial to a store as the dial function of its connections (pgconn.Config.DialFunc, a
// store's Config.Dial). A TripCounter is safe for concurrent use; the count is the sum over every
// connection it dialed.
type TripCounter struct {
	trips  atomic.Int64
	dialer net.Dialer
}

// Dial connects like net.Dialer.DialContext and counts the connection's round trips.
func (c *TripCounter) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := c.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cc := &countedConn{Conn: conn, trips: &c.trips}
	cc.readSinceWrite.Store(true)
	return cc, nil
}

// Count returns the round trips counted so far.
func (c *TripCounter) Count() int64 { return c.trips.Load() }

// Take returns the round trips counted since the last Take and starts counting again from zero.
func (c *TripCounter) Take() int64 { return c.trips.Swap(0) }

// countedConn is a connection whose round trips are counted. A driver may read on another
// goroutine while it writes (pgconn does, to never deadlock on a full socket), hence atomics.
type countedConn struct {
	net.Conn
	trips          *atomic.Int64
	readSinceWrite atomic.Bool
}

func (c *countedConn) Write(b []byte) (int, error) {
	if c.readSinceWrite.Swap(false) {
		c.trips.Add(1)
	}
	return c.Conn.Write(b)
}

func (c *countedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.readSinceWrite.Store(true)
	}
	return n, err
}
