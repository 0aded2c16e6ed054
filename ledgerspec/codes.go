package ledgerspec

// Code is a machine-readable error code carried in every problem body.
type Code string

// Request-level codes.
const (
	CodeMalformedRequest     Code = "malformed_request"
	CodeNotFound             Code = "not_found"
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodePayloadTooLarge      Code = "payload_too_large"
	CodeRequestInProgress    Code = "request_in_progress"
	CodeMethodNotAllowed     Code = "method_not_allowed"
	CodeInternal             Code = "internal_error"
	// CodeServiceUnavailable: PostgreSQL, the ledger itself, cannot be reached or did not answer
	// in time. Redis and Kafka never cause it (see the contract's "When a service fails").
	CodeServiceUnavailable Code = "service_unavailable"
)

// Account creation conflicts (422), checked in this order, before CodeFlagsMutuallyExclusive.
const (
	CodeExistsWithDifferentLedger Code = "exists_with_different_ledger"
	CodeExistsWithDifferentName   Code = "exists_with_different_name"
	CodeExistsWithDifferentFlags  Code = "exists_with_different_flags"
	CodeFlagsMutuallyExclusive    Code = "flags_are_mutually_exclusive"
)

// Transaction codes (422), in the precedence order of the contract.
const (
	// 1. The id was used before with another payload.
	CodeExistsWithDifferentPostings    Code = "exists_with_different_postings"
	CodeExistsWithDifferentDescription Code = "exists_with_different_description"
	// 2. Per posting, in posting order.
	CodeAccountsMustBeDifferent       Code = "accounts_must_be_different"
	CodeAmountOutOfRange              Code = "amount_out_of_range"
	CodeDebitAccountNotFound          Code = "debit_account_not_found"
	CodeCreditAccountNotFound         Code = "credit_account_not_found"
	CodeAccountsMustHaveTheSameLedger Code = "accounts_must_have_the_same_ledger"
	// 3. Per posting, applied in order.
	CodeExceedsCredits   Code = "exceeds_credits"
	CodeExceedsDebits    Code = "exceeds_debits"
	CodeOverflowsDebits  Code = "overflows_debits"
	CodeOverflowsCredits Code = "overflows_credits"
)

// ProblemTypePrefix prefixes the code in a problem's "type" URI reference.
const ProblemTypePrefix = "/problems/"

type codeInfo struct {
	status  int
	title   string
	posting bool
}

var codes = map[Code]codeInfo{
	CodeMalformedRequest:               {400, "The request is malformed", false},
	CodeNotFound:                       {404, "Not found", false},
	CodeMethodNotAllowed:               {405, "Method not allowed", false},
	CodeRequestInProgress:              {409, "A request with this id is being processed", false},
	CodePayloadTooLarge:                {413, "The request body is larger than 65536 bytes", false},
	CodeUnsupportedMediaType:           {415, "The request body must be application/json", false},
	CodeInternal:                       {500, "Internal error", false},
	CodeServiceUnavailable:             {503, "The database cannot be reached", false},
	CodeExistsWithDifferentLedger:      {422, "The account exists with a different ledger", false},
	CodeExistsWithDifferentName:        {422, "The account exists with a different name", false},
	CodeExistsWithDifferentFlags:       {422, "The account exists with different flags", false},
	CodeFlagsMutuallyExclusive:         {422, "The account flags are mutually exclusive", false},
	CodeExistsWithDifferentPostings:    {422, "The transaction id was used with different postings", false},
	CodeExistsWithDifferentDescription: {422, "The transaction id was used with a different description", false},
	CodeAccountsMustBeDifferent:        {422, "The debit and credit accounts must be different", true},
	CodeAmountOutOfRange:               {422, "The amount must be between 1 and 2^53-1", true},
	CodeDebitAccountNotFound:           {422, "The debit account does not exist", true},
	CodeCreditAccountNotFound:          {422, "The credit account does not exist", true},
	CodeAccountsMustHaveTheSameLedger:  {422, "The accounts must be in the same ledger", true},
	CodeExceedsCredits:                 {422, "The posting would make debits exceed credits", true},
	CodeExceedsDebits:                  {422, "The posting would make credits exceed debits", true},
	CodeOverflowsDebits:                {422, "The posting would overflow debits_posted", true},
	CodeOverflowsCredits:               {422, "The posting would overflow credits_posted", true},
}

// Status is the HTTP status of a code; 500 for an unknown code.
func (c Code) Status() int {
	if i, ok := codes[c]; ok {
		return i.status
	}
	return 500
}

// Title is the human-readable summary used as a problem's "title".
func (c Code) Title() string {
	if i, ok := codes[c]; ok {
		return i.title
	}
	return "Unknown error"
}

// PostingLevel reports whether problems with this code carry a posting_index.
func (c Code) PostingLevel() bool { return codes[c].posting }

// Known reports whether c is a code of this contract.
func (c Code) Known() bool {
	_, ok := codes[c]
	return ok
}

// NewProblem builds the problem body for a code. postingIndex is used only for posting-level codes.
func NewProblem(c Code, postingIndex int) Problem {
	p := Problem{Type: ProblemTypePrefix + string(c), Title: c.Title(), Status: c.Status(), Code: c}
	if c.PostingLevel() {
		i := postingIndex
		p.PostingIndex = &i
	}
	return p
}

// RiskFlag names a fraud rule that fired for a transaction. Risk flags never block a posting.
type RiskFlag = string

const (
	// RiskVelocity: more than the velocity limit of transactions debited the same account within
	// VelocityWindow, this one included.
	RiskVelocity RiskFlag = "velocity"
	// RiskLargeAmount: a posting's amount is at least the large-amount threshold.
	RiskLargeAmount RiskFlag = "large_amount"
	// RiskVelocityUnchecked: Redis could not be reached (or did not answer in time) to count the
	// transaction's velocity, so RiskVelocity was not evaluated. It never appears with RiskVelocity.
	RiskVelocityUnchecked RiskFlag = "velocity_unchecked"
)

// RiskFlagOrder is the order in which risk flags are listed.
var RiskFlagOrder = []RiskFlag{RiskVelocity, RiskLargeAmount, RiskVelocityUnchecked}
