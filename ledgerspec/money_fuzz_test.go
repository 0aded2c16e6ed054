package ledgerspec

import "testing"

// FuzzParseAmount: the form's amount parser never panics, accepts no negative amount (0 and amounts
// beyond 2^53−1 are the rules' amount_out_of_range, not the parser's), and an accepted amount
// formats back to a string that parses to the same amount.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.34", "0.05", "-0.05", "1", "1.5", "90071992547409.91", "1e3", " 1.00", "+1.00", "", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseAmount(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseAmount(%q) = %d, a negative amount", s, n)
		}
		back, err := ParseAmount(FormatAmount(n))
		if err != nil || back != n {
			t.Fatalf("ParseAmount(%q) = %d, formatted %q, parsed back %d, %v", s, n, FormatAmount(n), back, err)
		}
	})
}
