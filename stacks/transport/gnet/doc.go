// Package gnet is the lab's HTTP/1.1 transport on github.com/panjf2000/gnet/v2's epoll event loops,
// a reactor, with the lab's own parser (httpwire) and connection logic (serve).
package gnet
