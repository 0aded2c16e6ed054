package workload

import (
	"fmt"
	"slices"
	"sort"

	"stacklab/ledgerspec"
)

// OpKind is one operation a workload can send.
type OpKind uint8

// The operations.
const (
	OpGetAccount    OpKind = iota // GET /api/accounts/{id}
	OpTransfer                    // POST /api/transactions, one posting, new id
	OpTxPage                      // GET /api/accounts/{id}/transactions?limit=20
	OpBalances                    // GET /api/balances?ledger=L
	OpCreateAccount               // POST /api/accounts, new id
	OpAccountPage                 // GET /accounts/{id}, full HTML page
	OpLedgerPage                  // GET /ledgers/{ledger}, full HTML page
	OpFragment                    // GET /ledgers/{ledger} with HX-Request, HX-Target: accounts
	OpPlaintext                   // GET /bench/plaintext
	OpJSON                        // GET /bench/json
	OpBatch                       // POST /api/transactions, 16 postings and a long description, new id
)

// BatchPostings is the number of postings of an OpBatch transaction: the contract's most.
const BatchPostings = ledgerspec.MaxPostings

// Op describes one operation: its name in outputs, the contract route it exercises and the
// status every response must have.
type Op struct {
	Kind   OpKind
	Name   string
	Route  ledgerspec.RouteID
	Expect int
}

var ops = map[OpKind]Op{
	OpGetAccount:    {OpGetAccount, "get_account", ledgerspec.RouteGetAccount, 200},
	OpTransfer:      {OpTransfer, "transfer", ledgerspec.RouteCreateTransaction, 201},
	OpTxPage:        {OpTxPage, "tx_page", ledgerspec.RouteAccountTransactions, 200},
	OpBalances:      {OpBalances, "balances", ledgerspec.RouteBalances, 200},
	OpCreateAccount: {OpCreateAccount, "create_account", ledgerspec.RouteCreateAccount, 201},
	OpAccountPage:   {OpAccountPage, "account_page", ledgerspec.RouteAccountPage, 200},
	OpLedgerPage:    {OpLedgerPage, "ledger_page", ledgerspec.RouteLedgerPage, 200},
	OpFragment:      {OpFragment, "fragment", ledgerspec.RouteLedgerPage, 200},
	OpPlaintext:     {OpPlaintext, "plaintext", ledgerspec.RouteBenchPlaintext, 200},
	OpJSON:          {OpJSON, "json", ledgerspec.RouteBenchJSON, 200},
	OpBatch:         {OpBatch, "batch", ledgerspec.RouteCreateTransaction, 201},
}

// Weighted is an operation and its share of a mix.
type Weighted struct {
	Kind   OpKind
	Weight int
}

// Spec is a named workload.
type Spec struct {
	Name        string
	Description string
	Mix         []Weighted
	// Setup reports whether the workload needs accounts created and funded before the run.
	Setup bool
}

// Ops lists the workload's operations in mix order.
func (s Spec) Ops() []Op {
	out := make([]Op, len(s.Mix))
	for i, w := range s.Mix {
		out[i] = ops[w.Kind]
	}
	return out
}

var specs = []Spec{
	{Name: "ledger-mix", Setup: true,
		Description: "balance reads, transfers, transaction pages, SSR pages, htmx fragments, account creation",
		Mix: []Weighted{{OpGetAccount, 35}, {OpTransfer, 25}, {OpTxPage, 10}, {OpAccountPage, 5},
			{OpLedgerPage, 5}, {OpFragment, 15}, {OpCreateAccount, 5}}},
	{Name: "transfer", Setup: true, Description: "one-posting transfers between funded accounts",
		Mix: []Weighted{{OpTransfer, 1}}},
	{Name: "read", Setup: true, Description: "account reads, transaction pages and ledger balances",
		Mix: []Weighted{{OpGetAccount, 60}, {OpTxPage, 30}, {OpBalances, 10}}},
	{Name: "ssr", Setup: true, Description: "server-rendered pages and htmx fragments",
		Mix: []Weighted{{OpAccountPage, 40}, {OpLedgerPage, 20}, {OpFragment, 40}}},
	{Name: "plaintext", Description: "GET " + ledgerspec.PathBenchPlaintext + " (transport baseline)",
		Mix: []Weighted{{OpPlaintext, 1}}},
	{Name: "json", Description: "GET " + ledgerspec.PathBenchJSON + " (transport and codec baseline)",
		Mix: []Weighted{{OpJSON, 1}}},
	{Name: "codec", Setup: true, Description: "JSON-heavy API: 16-posting transactions with long descriptions, and pages of 20 transactions",
		Mix: []Weighted{{OpBatch, 30}, {OpTxPage, 70}}},
	{Name: "balances", Setup: true, Description: "ledger balances: one consistent snapshot of every account",
		Mix: []Weighted{{OpBalances, 1}}},
}

// Lookup returns the workload called name.
func Lookup(name string) (Spec, error) {
	for _, s := range specs {
		if s.Name == name {
			return s, nil
		}
	}
	return Spec{}, fmt.Errorf("unknown workload %q (known: %v)", name, Names())
}

// Names lists the workloads.
func Names() []string {
	var n []string
	for _, s := range specs {
		n = append(n, s.Name)
	}
	sort.Strings(n)
	return n
}

// Specs lists every workload.
func Specs() []Spec { return slices.Clone(specs) }
