package ledgerspec

import "encoding/json"

// AccountFlags are the balance constraints of an account. They are mutually exclusive.
type AccountFlags struct {
	// DebitsMustNotExceedCredits forbids a posting that would make debits_posted > credits_posted.
	DebitsMustNotExceedCredits bool `json:"debits_must_not_exceed_credits"`
	// CreditsMustNotExceedDebits forbids a posting that would make credits_posted > debits_posted.
	CreditsMustNotExceedDebits bool `json:"credits_must_not_exceed_debits"`
}

// Account is the representation of an account in every JSON response.
type Account struct {
	ID            string       `json:"id"`
	Ledger        string       `json:"ledger"`
	Name          string       `json:"name"`
	Flags         AccountFlags `json:"flags"`
	DebitsPosted  int64        `json:"debits_posted"`
	CreditsPosted int64        `json:"credits_posted"`
	// Balance is CreditsPosted − DebitsPosted.
	Balance int64 `json:"balance"`
	// CreatedAt is UTC with exactly six fractional digits, see TimeLayout.
	CreatedAt string `json:"created_at"`
}

// NewAccount is the body of POST /api/accounts as a client builds it.
// Name and Flags are optional on the wire; a zero value here sends the defaults.
type NewAccount struct {
	ID     string       `json:"id"`
	Ledger string       `json:"ledger"`
	Name   string       `json:"name"`
	Flags  AccountFlags `json:"flags"`
}

// Posting moves Amount minor units from the debit account to the credit account.
type Posting struct {
	DebitAccountID  string `json:"debit_account_id"`
	CreditAccountID string `json:"credit_account_id"`
	Amount          int64  `json:"amount"`
}

// NewTransaction is the body of POST /api/transactions as a client builds it.
type NewTransaction struct {
	ID          string    `json:"id"`
	Postings    []Posting `json:"postings"`
	Description string    `json:"description"`
}

// Transaction is the representation of a committed transaction in every JSON response
// and in the value of every event.
type Transaction struct {
	ID          string    `json:"id"`
	Seq         int64     `json:"seq"`
	Postings    []Posting `json:"postings"`
	Description string    `json:"description"`
	// RiskFlags lists the fraud rules that fired, in the order of RiskFlagOrder; never null.
	RiskFlags []string `json:"risk_flags"`
	CreatedAt string   `json:"created_at"`
}

// TransactionPage is the body of GET /api/accounts/{id}/transactions.
type TransactionPage struct {
	Items []Transaction `json:"items"`
	// NextAfter is the seq of the last item, to pass as after= for the next page; null when Items is empty.
	NextAfter *int64 `json:"next_after"`
	// HasMore reports whether transactions with a larger seq existed when the page was read.
	HasMore bool `json:"has_more"`
}

// AccountBalance is one row of a balance snapshot.
type AccountBalance struct {
	ID            string `json:"id"`
	Balance       int64  `json:"balance"`
	DebitsPosted  int64  `json:"debits_posted"`
	CreditsPosted int64  `json:"credits_posted"`
}

// Balances is the body of GET /api/balances: one consistent snapshot of a ledger.
type Balances struct {
	Ledger string `json:"ledger"`
	// AsOfSeq is the largest seq of the ledger included in the snapshot (0 for none): the snapshot
	// holds exactly the ledger's transactions with seq ≤ AsOfSeq.
	AsOfSeq  int64            `json:"as_of_seq"`
	Accounts []AccountBalance `json:"accounts"`
	// TotalDebits and TotalCredits are exact sums over every account of the ledger. They are JSON
	// integer literals that can exceed the int64 range when several accounts are near their limits.
	TotalDebits  json.Number `json:"total_debits"`
	TotalCredits json.Number `json:"total_credits"`
}

// Problem is an application/problem+json error body (RFC 9457).
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   Code   `json:"code"`
	// PostingIndex is set only for posting-level errors.
	PostingIndex *int `json:"posting_index,omitempty"`
}

// Message is the body of GET /bench/json.
type Message struct {
	Message string `json:"message"`
}
