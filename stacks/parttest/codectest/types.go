package codectest

// The request types below have the shape of the app's request bodies: plain structs of strings,
// bools, nested structs, slices of structs and *int64, so a missing or null amount is nil.

// Posting is a posting as a request carries it.
type Posting struct {
	DebitAccountID  string `json:"debit_account_id"`
	CreditAccountID string `json:"credit_account_id"`
	Amount          *int64 `json:"amount"`
}

// NewTransaction is the body of POST /api/transactions.
type NewTransaction struct {
	ID          string    `json:"id"`
	Postings    []Posting `json:"postings"`
	Description string    `json:"description"`
}

// Flags are an account's flags as a request carries them.
type Flags struct {
	DebitsMustNotExceedCredits bool `json:"debits_must_not_exceed_credits"`
	CreditsMustNotExceedDebits bool `json:"credits_must_not_exceed_debits"`
}

// NewAccount is the body of POST /api/accounts.
type NewAccount struct {
	ID     string `json:"id"`
	Ledger string `json:"ledger"`
	Name   string `json:"name"`
	Flags  Flags  `json:"flags"`
}

// Int64 returns a pointer to n.
func Int64(n int64) *int64 { return &n }
