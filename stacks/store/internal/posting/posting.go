package posting

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"stacklab/stacks/app"
)

// Accounts lists the accounts named by tx's postings, each once, sorted in byte order: the
// order in which a store locks them, so that opposite transfers never deadlock. It is also the
// set of accounts a committed transaction adds a history row for.
func Accounts(tx app.TxRecord) []string {
	ids := make([]string, 0, 2*len(tx.Postings))
	for _, p := range tx.Postings {
		ids = append(ids, p.DebitAccountID, p.CreditAccountID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Arrays splits tx's postings into the three parallel arrays the schema stores.
func Arrays(tx app.TxRecord) (debits, credits []string, amounts []int64) {
	n := len(tx.Postings)
	debits, credits, amounts = make([]string, n), make([]string, n), make([]int64, n)
	for i, p := range tx.Postings {
		debits[i], credits[i], amounts[i] = p.DebitAccountID, p.CreditAccountID, p.Amount
	}
	return debits, credits, amounts
}

// CheckDeltas refuses a decision whose deltas are empty, name an account twice or name one that
// is not locked.
func CheckDeltas(deltas []app.Delta, locked []app.AccountRecord) error {
	if len(deltas) == 0 {
		return errors.New("decision commits without deltas")
	}
	seen := make(map[string]bool, len(deltas))
	for _, dl := range deltas {
		if seen[dl.AccountID] {
			return fmt.Errorf("decision lists account %q twice", dl.AccountID)
		}
		seen[dl.AccountID] = true
		if !slices.ContainsFunc(locked, func(a app.AccountRecord) bool { return a.ID == dl.AccountID }) {
			return fmt.Errorf("decision changes account %q, which the transaction does not lock", dl.AccountID)
		}
	}
	return nil
}

// FailedRecord is the record of tx refused by d (Seq 0, no risk flags).
func FailedRecord(tx app.TxRecord, d app.Decision) app.TxRecord {
	rec := requested(tx)
	rec.Ledger, rec.FailCode, rec.FailIndex = d.Ledger, d.FailCode, d.FailIndex
	return rec
}

// CommittedRecord is the record of tx committed by d in d.Ledger, without its seq: the store
// sets Seq when the database gave it. Its RiskFlags are never nil.
func CommittedRecord(tx app.TxRecord, d app.Decision) app.TxRecord {
	rec := requested(tx)
	rec.Ledger, rec.RiskFlags = d.Ledger, tx.RiskFlags
	if rec.RiskFlags == nil {
		rec.RiskFlags = []string{}
	}
	return rec
}

// requested copies the fields of tx that the caller provides, CreatedAt as the schema stores it.
func requested(tx app.TxRecord) app.TxRecord {
	return app.TxRecord{
		ID:          tx.ID,
		Postings:    tx.Postings,
		Description: tx.Description,
		CreatedAt:   tx.CreatedAt.UTC().Truncate(time.Microsecond),
	}
}

// SortAccounts sorts accounts by id in byte order.
func SortAccounts(accounts []app.AccountRecord) {
	slices.SortFunc(accounts, func(a, b app.AccountRecord) int { return strings.Compare(a.ID, b.ID) })
}
