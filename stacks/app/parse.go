package app

import (
	"net/url"
	"strconv"
	"strings"
)

// parseQuery splits a raw query into unescaped values. It returns ok false for a bad escape, a
// repeated key or an unescaped semicolon, which the contract treats as malformed rather than
// guessing which value was meant (some servers split on ';' too: parameter cloaking; net/url
// refuses it since Go 1.17).
func parseQuery(raw string) (map[string]string, bool) {
	if strings.Contains(raw, ";") {
		return nil, false
	}
	q := map[string]string{}
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		if _, dup := q[k]; dup {
			return nil, false
		}
		q[k] = v
	}
	return q, true
}

// parseCount reads a non-negative int64 written with digits only (no sign, no spaces).
func parseCount(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// isJSONContentType accepts application/json with at most a charset=utf-8 parameter.
func isJSONContentType(ct string) bool { return hasMediaType(ct, "application/json") }

// isFormContentType accepts application/x-www-form-urlencoded with at most a charset=utf-8 parameter.
func isFormContentType(ct string) bool { return hasMediaType(ct, "application/x-www-form-urlencoded") }

// hasMediaType reports whether ct is the media type want, with no parameter or only charset=utf-8
// (quoted or not, any case).
func hasMediaType(ct, want string) bool {
	media, params, _ := strings.Cut(ct, ";")
	if !strings.EqualFold(strings.TrimSpace(media), want) {
		return false
	}
	params = strings.TrimSpace(params)
	if params == "" {
		return true
	}
	name, value, ok := strings.Cut(params, "=")
	return ok && strings.EqualFold(strings.TrimSpace(name), "charset") &&
		strings.EqualFold(strings.Trim(strings.TrimSpace(value), `"`), "utf-8")
}
