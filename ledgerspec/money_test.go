package ledgerspec_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"stacklab/ledgerspec"
)

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0.00"}, {5, "0.05"}, {-5, "-0.05"}, {100, "1.00"}, {12345, "123.45"}, {-12345, "-123.45"},
		{math.MaxInt64, "92233720368547758.07"}, {math.MinInt64, "-92233720368547758.08"},
	} {
		if got := ledgerspec.FormatAmount(tc.in); got != tc.want {
			t.Errorf("FormatAmount(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatAmountDigits(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0.00"}, {"-0", "0.00"}, {"5", "0.05"}, {"-5", "-0.05"}, {"12345", "123.45"},
		{"18446744073709549568", "184467440737095495.68"}, {"007", "0.07"}, {"x1", "x1"}, {"", ""},
	} {
		if got := ledgerspec.FormatAmountDigits(tc.in); got != tc.want {
			t.Errorf("FormatAmountDigits(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12.34", 1234, true}, {"12.3", 1230, true}, {"12", 1200, true}, {"0.01", 1, true}, {"0", 0, true},
		{"92233720368547758.07", math.MaxInt64, true}, {"92233720368547758.08", 0, false},
		{"", 0, false}, {"12.", 0, false}, {".5", 0, false}, {"12.345", 0, false}, {"-1", 0, false},
		{"+1", 0, false}, {"1e3", 0, false}, {"1,5", 0, false}, {" 1", 0, false}, {"1.2.3", 0, false},
	} {
		got, err := ledgerspec.ParseAmount(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, ledgerspec.ErrBadAmount) {
			t.Errorf("ParseAmount(%q) = %d, %v; want ErrBadAmount", tc.in, got, err)
		}
	}
}

func ExampleFormatAmount() {
	fmt.Println(ledgerspec.FormatAmount(12345), ledgerspec.FormatAmount(-5))
	// Output: 123.45 -0.05
}
