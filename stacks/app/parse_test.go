package app

import (
	"reflect"
	"testing"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
		ok   bool
	}{
		{"", map[string]string{}, true},
		{"limit=5&after=7", map[string]string{"limit": "5", "after": "7"}, true},
		{"ledger=A%5FB&&x", map[string]string{"ledger": "A_B", "x": ""}, true},
		{"a=%zz", nil, false},
		{"limit=1&limit=2", nil, false},
		{"limit=5;after=3", nil, false}, // found by FuzzParseQuery: ';' is no separator here
		{";", nil, false},
	} {
		got, ok := parseQuery(tc.in)
		if ok != tc.ok || tc.ok && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseQuery(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPageParams(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		after int64
		ok    bool
	}{
		{"", 20, 0, true}, {"limit=1", 1, 0, true}, {"limit=100&after=42", 100, 42, true},
		{"limit=0", 0, 0, false}, {"limit=101", 0, 0, false}, {"limit=x", 0, 0, false},
		{"after=-1", 0, 0, false}, {"after=x", 0, 0, false}, {"after=+1", 0, 0, false},
		{"after=", 0, 0, false}, {"limit=1e1", 0, 0, false}, {"after=9223372036854775807", 20, 9223372036854775807, true},
		{"after=9223372036854775808", 0, 0, false},
	} {
		limit, after, ok := pageParams(tc.in)
		if ok != tc.ok || tc.ok && (limit != tc.limit || after != tc.after) {
			t.Errorf("pageParams(%q) = %d, %d, %v; want %d, %d, %v", tc.in, limit, after, ok, tc.limit, tc.after, tc.ok)
		}
	}
}

func TestContentTypes(t *testing.T) {
	for _, tc := range []struct {
		in       string
		json, fm bool
	}{
		{"application/json", true, false}, {"Application/JSON", true, false},
		{"application/json; charset=utf-8", true, false}, {`application/json;charset="UTF-8"`, true, false},
		{"application/json; charset=latin1", false, false}, {"application/json; foo=bar", false, false},
		{"application/jsonx", false, false}, {"text/plain", false, false}, {"", false, false},
		{"application/x-www-form-urlencoded", false, true}, {"application/x-www-form-urlencoded; charset=UTF-8", false, true},
	} {
		if got := isJSONContentType(tc.in); got != tc.json {
			t.Errorf("isJSONContentType(%q) = %v", tc.in, got)
		}
		if got := isFormContentType(tc.in); got != tc.fm {
			t.Errorf("isFormContentType(%q) = %v", tc.in, got)
		}
	}
}
