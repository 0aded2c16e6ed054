package ledgerspec

import (
	"time"
	"unicode/utf8"
)

// Limits of the contract.
const (
	MaxBodyBytes              = 65536 // a body of more bytes is answered 413
	MaxIDLen                  = 64
	MaxLedgerLen              = 16
	MaxNameRunes              = 200
	MaxDescriptionRunes       = 500
	MaxPostings               = 16
	MaxAmount           int64 = 1<<53 - 1
	MinAmount           int64 = 1
	DefaultPageLimit          = 20
	MaxPageLimit              = 100
	// HTMLPageRows is how many transactions an HTML page or rows fragment lists.
	HTMLPageRows = 20
	// HTMLLedgerAccounts is how many accounts (first by id) the ledger page lists.
	HTMLLedgerAccounts = 100
)

// Fraud rule defaults; stacks read LEDGER_VELOCITY_LIMIT and LEDGER_LARGE_AMOUNT to change them.
const (
	DefaultVelocityLimit       = 50
	DefaultLargeAmount   int64 = 100_000_000
	VelocityWindow             = 60 * time.Second
	EnvVelocityLimit           = "LEDGER_VELOCITY_LIMIT"
	EnvLargeAmount             = "LEDGER_LARGE_AMOUNT"
)

// TimeLayout is the layout of created_at: UTC, exactly six fractional digits, "Z".
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// FormatTime renders t as created_at does (UTC, microseconds).
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(TimeLayout) }

// ValidID reports whether s is a valid account or transaction id: 1–64 of [A-Za-z0-9_-].
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > MaxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidLedger reports whether s is a valid ledger name: 1–16 of [A-Z0-9_].
func ValidLedger(s string) bool {
	if len(s) == 0 || len(s) > MaxLedgerLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ValidText reports whether s is valid UTF-8 of at most maxRunes Unicode characters.
// U+0000 is refused: it cannot be stored in a PostgreSQL text column.
func ValidText(s string, maxRunes int) bool {
	if len(s) <= maxRunes { // fast path: every rune is at least one byte
		for i := 0; i < len(s); i++ {
			if s[i] == 0 || s[i] >= utf8.RuneSelf {
				return validTextSlow(s, maxRunes)
			}
		}
		return true
	}
	return validTextSlow(s, maxRunes)
}

func validTextSlow(s string, maxRunes int) bool {
	for n := 0; len(s) > 0; n++ {
		r, size := utf8.DecodeRuneInString(s)
		if r == 0 || r == utf8.RuneError && size == 1 || n == maxRunes {
			return false // NUL, invalid UTF-8, or one rune too many
		}
		s = s[size:]
	}
	return true
}

// AmountInRange reports whether a posting amount is within 1 … 2^53−1.
func AmountInRange(a int64) bool { return a >= MinAmount && a <= MaxAmount }
