package fasthttp

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"stacklab/ledgerspec"
	"stacklab/stacks/transport"
)

// router matches a method and an escaped path to a route of the contract, as net/http's ServeMux
// matches the same patterns: segment by segment, each segment percent-decoded before it is
// compared or captured, a literal preferred to a wildcard at the same position, GET patterns also
// matching HEAD. It never allocates, except for the captured parameter (a copy the app owns).
type router struct {
	byMethod map[string][]pattern
}

type pattern struct {
	route ledgerspec.Route
	segs  []segment
}

type segKind int

const (
	literal segKind = iota
	wildcard
	rest // {name...}: the rest of the path
)

type segment struct {
	kind segKind
	lit  string
}

// newRouter compiles routes, whose patterns use the ServeMux syntax "/lit/{name}/{rest...}"
// without a host or a trailing slash.
func newRouter(routes []ledgerspec.Route) (*router, error) {
	r := &router{byMethod: map[string][]pattern{}}
	for _, rt := range routes {
		p, err := compile(rt)
		if err != nil {
			return nil, err
		}
		r.byMethod[rt.Method] = append(r.byMethod[rt.Method], p)
		if rt.Method == "GET" {
			r.byMethod["HEAD"] = append(r.byMethod["HEAD"], p)
		}
	}
	for _, ps := range r.byMethod {
		slices.SortStableFunc(ps, moreSpecific)
	}
	return r, nil
}

func compile(rt ledgerspec.Route) (pattern, error) {
	p := pattern{route: rt}
	if !strings.HasPrefix(rt.Pattern, "/") || len(rt.Pattern) > 1 && strings.HasSuffix(rt.Pattern, "/") {
		return p, fmt.Errorf("route %s: pattern %q must start with / and not end with one", rt.ID, rt.Pattern)
	}
	if rt.Pattern == "/" {
		return p, nil
	}
	params := 0
	for i, s := range strings.Split(rt.Pattern[1:], "/") {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "...}"):
			if i != strings.Count(rt.Pattern, "/")-1 {
				return p, fmt.Errorf("route %s: %s must be the last segment", rt.ID, s)
			}
			p.segs = append(p.segs, segment{kind: rest})
			params++
			if s[1:len(s)-4] != rt.Param {
				return p, fmt.Errorf("route %s: wildcard %s is not its Param %q", rt.ID, s, rt.Param)
			}
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			p.segs = append(p.segs, segment{kind: wildcard})
			params++
			if s[1:len(s)-1] != rt.Param {
				return p, fmt.Errorf("route %s: wildcard %s is not its Param %q", rt.ID, s, rt.Param)
			}
		case s == "" || strings.ContainsAny(s, "{}"):
			return p, fmt.Errorf("route %s: bad segment %q in %q", rt.ID, s, rt.Pattern)
		default:
			p.segs = append(p.segs, segment{kind: literal, lit: s})
		}
	}
	if params > 1 || params == 0 && rt.Param != "" {
		return p, fmt.Errorf("route %s: pattern %q must have exactly its one Param %q", rt.ID, rt.Pattern, rt.Param)
	}
	return p, nil
}

// moreSpecific orders patterns so that, at the first position where they differ, a literal comes
// before a wildcard and a wildcard before a rest wildcard.
func moreSpecific(a, b pattern) int {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if c := cmp.Compare(a.segs[i].kind, b.segs[i].kind); c != 0 {
			return c
		}
	}
	return 0
}

// match returns the route for method and the escaped path, and its parameter decoded; the zero
// route when none matches or the path is not canonical.
func (r *router) match(method, path []byte) (ledgerspec.Route, string) {
	if !transport.CanonicalPath(path) {
		return ledgerspec.Route{}, ""
	}
	for _, p := range r.byMethod[string(method)] {
		if param, ok := p.match(path); ok {
			return p.route, param
		}
	}
	return ledgerspec.Route{}, ""
}

func (p *pattern) match(path []byte) (param string, ok bool) {
	if len(p.segs) == 0 {
		return "", len(path) == 1
	}
	path = path[1:] // drop the leading slash
	var captured []byte
	for i, s := range p.segs {
		if i > 0 {
			if len(path) == 0 || path[0] != '/' {
				return "", false
			}
			path = path[1:]
		}
		if s.kind == rest {
			return transport.PathParam(path), true
		}
		end := len(path)
		for j, c := range path {
			if c == '/' {
				end = j
				break
			}
		}
		seg := path[:end]
		path = path[end:]
		switch s.kind {
		case literal:
			if !segmentIs(seg, s.lit) {
				return "", false
			}
		case wildcard:
			if len(seg) == 0 {
				return "", false
			}
			captured = seg
		}
	}
	if len(path) != 0 {
		return "", false
	}
	if captured == nil {
		return "", true
	}
	return transport.PathParam(captured), true
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
