package app

import (
	"net/url"
	"strconv"
	"testing"
)

// FuzzParseQuery: the query parser never panics, and what it accepts is what net/url reads from
// the same query (when no key repeats), value for value.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "limit=5&after=7", "ledger=A%5FB&&x", "a=%zz", "limit=1&limit=2", "a+b=c+d", "=&=", "%", "a=%F0%9F%98%80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := parseQuery(raw)
		want, err := url.ParseQuery(raw)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("parseQuery(%q) accepted what net/url refuses: %v", raw, err)
		}
		if len(got) != len(want) {
			t.Fatalf("parseQuery(%q) = %v, net/url %v", raw, got, want)
		}
		for k, v := range got {
			if vs := want[k]; len(vs) != 1 || vs[0] != v {
				t.Fatalf("parseQuery(%q)[%q] = %q, net/url %q", raw, k, v, vs)
			}
		}
	})
}

// FuzzPageParams: the paging parameters never panic; what is accepted is in the contract's
// ranges and reads back the same when written again.
func FuzzPageParams(f *testing.F) {
	for _, s := range []string{"", "limit=1", "limit=100&after=42", "limit=0", "after=-1", "after=9223372036854775808", "limit=1e1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		limit, after, ok := pageParams(raw)
		if !ok {
			return
		}
		if limit < 1 || limit > 100 || after < 0 {
			t.Fatalf("pageParams(%q) = %d, %d: out of the contract's ranges", raw, limit, after)
		}
		again := "limit=" + strconv.Itoa(limit) + "&after=" + strconv.FormatInt(after, 10)
		if l, a, ok := pageParams(again); !ok || l != limit || a != after {
			t.Fatalf("pageParams(%q) = %d, %d, but %q reads %d, %d, %v", raw, limit, after, again, l, a, ok)
		}
	})
}
