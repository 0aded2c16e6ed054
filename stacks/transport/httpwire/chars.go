package httpwire

// Byte classes of RFC 9110 and RFC 9112, as lookup tables.
var (
	// tchar: the characters of a token (RFC 9110 §5.6.2), which field names and methods are.
	tchar [256]bool
	// fieldValue: the bytes allowed inside a field value (RFC 9110 §5.5): SP, HTAB, VCHAR and
	// obs-text. Every other control character (NUL, CR, LF, DEL, …) is refused.
	fieldValue [256]bool
	// targetByte: the bytes allowed in a request target. RFC 3986 allows only unreserved,
	// sub-delims, ":", "@", "/", "?" and "%" escapes; this also allows the printable ASCII
	// characters a browser leaves raw in a query ({ } | ^ ` [ ] \ " < >), since refusing them
	// breaks real clients and they cannot change how a request is framed. A space, a control
	// character, "#" (a fragment is never sent) and bytes 0x80–0xFF are refused, and "%" must
	// start a valid escape.
	targetByte [256]bool
	// regName: the bytes of a reg-name or IPv4 address in Host (RFC 3986 §3.2.2): unreserved,
	// sub-delims and "%" escapes.
	regName [256]bool
	// hexVal maps a hexadecimal digit to its value, and every other byte to 0xff.
	hexVal [256]byte
)

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alnum := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		tchar[c] = alnum || b != 0 && contains("!#$%&'*+-.^_`|~", b)
		fieldValue[c] = b == ' ' || b == '\t' || 0x21 <= b && b <= 0x7e || b >= 0x80
		targetByte[c] = 0x21 <= b && b <= 0x7e && b != '#'
		regName[c] = alnum || b != 0 && contains("-._~!$&'()*+,;=%", b)
		hexVal[c] = 0xff
		switch {
		case '0' <= b && b <= '9':
			hexVal[c] = b - '0'
		case 'a' <= b && b <= 'f':
			hexVal[c] = b - 'a' + 10
		case 'A' <= b && b <= 'F':
			hexVal[c] = b - 'A' + 10
		}
	}
}

func contains(set string, b byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == b {
			return true
		}
	}
	return false
}

// isToken reports whether b is a non-empty token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tchar[c] {
			return false
		}
	}
	return true
}

// equalFold compares ASCII case-insensitively; name is lower case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// trimOWS removes optional whitespace (SP, HTAB) at both ends.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
