package ledgerspec

import (
	"errors"
	"math"
	"strconv"
)

// FormatAmount renders minor units as a decimal with two places: 12345 → "123.45", −5 → "-0.05".
func FormatAmount(minor int64) string {
	var buf [24]byte
	return string(AppendAmount(buf[:0], minor))
}

// AppendAmount appends FormatAmount(minor) to dst.
func AppendAmount(dst []byte, minor int64) []byte {
	u := uint64(minor)
	if minor < 0 {
		dst = append(dst, '-')
		u = uint64(-(minor + 1)) + 1 // also right for math.MinInt64
	}
	dst = strconv.AppendUint(dst, u/100, 10)
	cents := u % 100
	return append(dst, '.', byte('0'+cents/10), byte('0'+cents%10))
}

// ErrBadAmount is returned by ParseAmount for text that is not a positive decimal amount.
var ErrBadAmount = errors.New("amount must be digits with at most two decimal places, like 12.34")

// ParseAmount reads a form amount such as "12.34", "12.3" or "12" into minor units.
// It accepts only digits with an optional '.' followed by one or two digits, and no sign.
func ParseAmount(s string) (int64, error) {
	whole, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			whole, frac = s[:i], s[i+1:]
			break
		}
	}
	if whole == "" || len(frac) > 2 || (len(s) > len(whole) && frac == "") {
		return 0, ErrBadAmount
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, ErrBadAmount
			}
		}
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil || w > math.MaxInt64/100 {
		return 0, ErrBadAmount
	}
	cents := uint64(0)
	switch len(frac) {
	case 1:
		cents = uint64(frac[0]-'0') * 10
	case 2:
		cents = uint64(frac[0]-'0')*10 + uint64(frac[1]-'0')
	}
	total := w*100 + cents
	if total > math.MaxInt64 {
		return 0, ErrBadAmount
	}
	return int64(total), nil
}

// FormatAmountDigits formats an integer amount of any size, given as decimal digits with an
// optional leading '-', as FormatAmount does. It returns the input unchanged if it is not an integer.
func FormatAmountDigits(s string) string {
	neg := len(s) > 0 && s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if digits == "" {
		return s
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return s
		}
	}
	for len(digits) < 3 {
		digits = "0" + digits
	}
	for len(digits) > 3 && digits[0] == '0' {
		digits = digits[1:]
	}
	out := digits[:len(digits)-2] + "." + digits[len(digits)-2:]
	if neg && out != "0.00" {
		out = "-" + out
	}
	return out
}
