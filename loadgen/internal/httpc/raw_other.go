//go:build !unix

package httpc

import "net"

// rawConn is only available on Unix systems; elsewhere every round trip takes the portable path.
type rawConn struct{}

func newRawConn(net.Conn) *rawConn { return nil }

func (r *rawConn) exchange(req, dst []byte) (n, wrote int, blocked bool, err error) {
	panic("httpc: rawConn.exchange without a raw connection") // unreachable: newRawConn returns nil
}

func (r *rawConn) wroteAll() bool { return false }
