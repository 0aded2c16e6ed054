package serve

import (
	"fmt"
	"slices"
	"strings"

	"stacklab/ledgerspec"
	"stacklab/stacks/transport"
)

// router matches a method and an escaped path to a route of the contract the way net/http's
// ServeMux matches the same patterns: segment by segment, a segment percent-decoded before it is
// compared or captured (so an escaped "/" stays inside its segment), a literal segment preferred
// to a wildcard at the same position, a GET pattern also matching HEAD. Paths that are not
// canonical (transport.CanonicalPath) match nothing. Only the captured parameter allocates.
type router struct {
	patterns []pattern // most specific first
}

type pattern struct {
	route ledgerspec.Route
	segs  []segment
}

type segment struct {
	lit  string // a literal segment; "" for a wildcard
	rest bool   // {name...}: the rest of the path
}

func newRouter(routes []ledgerspec.Route) (*router, error) {
	r := &router{}
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Pattern, "/") {
			return nil, fmt.Errorf("route %s: pattern %q does not start with /", rt.ID, rt.Pattern)
		}
		p := pattern{route: rt}
		wildcards := 0
		parts := strings.Split(rt.Pattern[1:], "/")
		for i, s := range parts {
			switch {
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "...}"):
				if i != len(parts)-1 || s[1:len(s)-4] != rt.Param {
					return nil, fmt.Errorf("route %s: %s must be the last segment and name %q", rt.ID, s, rt.Param)
				}
				p.segs = append(p.segs, segment{rest: true})
				wildcards++
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
				if s[1:len(s)-1] != rt.Param {
					return nil, fmt.Errorf("route %s: wildcard %s is not its parameter %q", rt.ID, s, rt.Param)
				}
				p.segs = append(p.segs, segment{})
				wildcards++
			case s == "" || strings.ContainsAny(s, "{}"):
				return nil, fmt.Errorf("route %s: bad segment %q in %q", rt.ID, s, rt.Pattern)
			default:
				p.segs = append(p.segs, segment{lit: s})
			}
		}
		if wildcards > 1 || (wildcards == 1) != (rt.Param != "") {
			return nil, fmt.Errorf("route %s: pattern %q must capture exactly its parameter %q", rt.ID, rt.Pattern, rt.Param)
		}
		r.patterns = append(r.patterns, p)
	}
	slices.SortStableFunc(r.patterns, func(a, b pattern) int {
		for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
			if ka, kb := a.segs[i].kind(), b.segs[i].kind(); ka != kb {
				return ka - kb
			}
		}
		return 0
	})
	return r, nil
}

// kind orders segments from the most specific: literal, wildcard, rest.
func (s segment) kind() int {
	switch {
	case s.rest:
		return 2
	case s.lit == "":
		return 1
	}
	return 0
}

// match returns the route of method and the escaped path, with its parameter decoded; the zero
// route when none matches.
func (r *router) match(method, path []byte) (ledgerspec.Route, string) {
	if !transport.CanonicalPath(path) {
		return ledgerspec.Route{}, ""
	}
	for i := range r.patterns {
		p := &r.patterns[i]
		if string(method) != p.route.Method && !(p.route.Method == "GET" && string(method) == "HEAD") {
			continue
		}
		if raw, ok := p.match(path); ok {
			if p.route.Param == "" {
				return p.route, ""
			}
			return p.route, transport.PathParam(raw)
		}
	}
	return ledgerspec.Route{}, ""
}

// match reports whether path fits the pattern, and the escaped bytes its wildcard captured.
func (p *pattern) match(path []byte) (captured []byte, ok bool) {
	path = path[1:]
	for i, s := range p.segs {
		if s.rest {
			return path, true
		}
		end := len(path)
		for j, c := range path {
			if c == '/' {
				end = j
				break
			}
		}
		seg := path[:end]
		switch {
		case s.lit == "":
			if len(seg) == 0 {
				return nil, false
			}
			captured = seg
		case !segmentIs(seg, s.lit):
			return nil, false
		}
		path = path[end:]
		if i < len(p.segs)-1 {
			if len(path) == 0 {
				return nil, false
			}
			path = path[1:]
		}
	}
	return captured, len(path) == 0
}

// segmentIs compares an escaped segment with a literal, decoding it only when it holds an escape.
func segmentIs(seg []byte, lit string) bool {
	for _, c := range seg {
		if c == '%' {
			return transport.PathParam(seg) == lit
		}
	}
	return string(seg) == lit
}
