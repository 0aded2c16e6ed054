package ledgerspec

import (
	"net/url"
	"strconv"
)

// RouteID names one route of the contract.
type RouteID string

// The routes of the contract.
const (
	RouteCreateAccount       RouteID = "create_account"
	RouteGetAccount          RouteID = "get_account"
	RouteCreateTransaction   RouteID = "create_transaction"
	RouteGetTransaction      RouteID = "get_transaction"
	RouteAccountTransactions RouteID = "account_transactions"
	RouteBalances            RouteID = "balances"
	RouteBenchPlaintext      RouteID = "bench_plaintext"
	RouteBenchJSON           RouteID = "bench_json"
	RouteLedgerPage          RouteID = "ledger_page"
	RouteAccountPage         RouteID = "account_page"
	RouteAccountRows         RouteID = "account_rows"
	RouteUITransaction       RouteID = "ui_transaction"
	RouteStatic              RouteID = "static"
)

// Route is one method and path pattern. Patterns use Go 1.22 ServeMux syntax: "{name}" is one
// path segment, "{name...}" the rest of the path.
type Route struct {
	ID      RouteID
	Method  string
	Pattern string
	// Param is the name of the path parameter, "" for none.
	Param string
	// HTML reports whether the route answers with HTML.
	HTML bool
}

// Routes lists every route of the contract.
var Routes = []Route{
	{RouteCreateAccount, "POST", "/api/accounts", "", false},
	{RouteGetAccount, "GET", "/api/accounts/{id}", "id", false},
	{RouteCreateTransaction, "POST", "/api/transactions", "", false},
	{RouteGetTransaction, "GET", "/api/transactions/{id}", "id", false},
	{RouteAccountTransactions, "GET", "/api/accounts/{id}/transactions", "id", false},
	{RouteBalances, "GET", "/api/balances", "", false},
	{RouteBenchPlaintext, "GET", "/bench/plaintext", "", false},
	{RouteBenchJSON, "GET", "/bench/json", "", false},
	{RouteLedgerPage, "GET", "/ledgers/{ledger}", "ledger", true},
	{RouteAccountPage, "GET", "/accounts/{id}", "id", true},
	{RouteAccountRows, "GET", "/accounts/{id}/rows", "id", true},
	{RouteUITransaction, "POST", "/ui/transactions", "", true},
	{RouteStatic, "GET", "/static/{file}", "file", false},
}

// Paths and query parameters.
const (
	PathAccounts        = "/api/accounts"
	PathTransactions    = "/api/transactions"
	PathBalances        = "/api/balances"
	PathBenchPlaintext  = "/bench/plaintext"
	PathBenchJSON       = "/bench/json"
	PathUITransactions  = "/ui/transactions"
	PathHTMX            = "/static/htmx.min.js"
	QueryLimit          = "limit"
	QueryAfter          = "after"
	QueryLedger         = "ledger"
	BenchPlaintextBody  = "Hello, World!"
	BenchJSONMessage    = "Hello, World!"
	ContentTypeJSON     = "application/json"
	ContentTypeProblem  = "application/problem+json"
	ContentTypeHTML     = "text/html; charset=utf-8"
	ContentTypePlain    = "text/plain; charset=utf-8"
	ContentTypeForm     = "application/x-www-form-urlencoded"
	HeaderReplayed      = "Idempotent-Replayed"
	HeaderHXRequest     = "HX-Request"
	HeaderHXTarget      = "HX-Target"
	HeaderHXTrigger     = "HX-Trigger"
	HeaderVary          = "Vary"
	EventTxPosted       = "ledger:transaction-posted"
	TopicTransactions   = "ledger.transactions"
	TopicAlerts         = "ledger.alerts"
	FormID              = "id"
	FormDebitAccountID  = "debit_account_id"
	FormCreditAccountID = "credit_account_id"
	FormAmount          = "amount"
	FormDescription     = "description"
)

// AccountPath is /api/accounts/{id}.
func AccountPath(id string) string { return PathAccounts + "/" + url.PathEscape(id) }

// TransactionPath is /api/transactions/{id}.
func TransactionPath(id string) string { return PathTransactions + "/" + url.PathEscape(id) }

// AccountTransactionsPath is /api/accounts/{id}/transactions?limit=N&after=SEQ; limit ≤ 0 and
// after < 0 leave the parameter out.
func AccountTransactionsPath(id string, limit int, after int64) string {
	p := AccountPath(id) + "/transactions"
	sep := "?"
	if limit > 0 {
		p += sep + QueryLimit + "=" + strconv.Itoa(limit)
		sep = "&"
	}
	if after >= 0 {
		p += sep + QueryAfter + "=" + strconv.FormatInt(after, 10)
	}
	return p
}

// BalancesPath is /api/balances?ledger=L.
func BalancesPath(ledger string) string {
	return PathBalances + "?" + QueryLedger + "=" + url.QueryEscape(ledger)
}

// LedgerPagePath is /ledgers/{ledger}.
func LedgerPagePath(ledger string) string { return "/ledgers/" + url.PathEscape(ledger) }

// AccountPagePath is /accounts/{id}.
func AccountPagePath(id string) string { return "/accounts/" + url.PathEscape(id) }

// AccountRowsPath is /accounts/{id}/rows?after=SEQ.
func AccountRowsPath(id string, after int64) string {
	return AccountPagePath(id) + "/rows?" + QueryAfter + "=" + strconv.FormatInt(after, 10)
}
