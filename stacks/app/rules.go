package app

import (
	"math"
	"sort"

	"stacklab/ledgerspec"
)

// Decide applies the ledger's posting rules to a transaction's postings, given the accounts that
// exist among the ones it names (in any order). It is the Decider the app hands to Store.Post.
//
// Rule 2 (per posting, in posting order: accounts_must_be_different, amount_out_of_range,
// debit_account_not_found, credit_account_not_found, accounts_must_have_the_same_ledger) runs over all
// postings before rule 3 (per posting, applied in order: exceeds_credits, exceeds_debits,
// overflows_debits, overflows_credits), which sees the counters left by the earlier postings.
func Decide(postings []ledgerspec.Posting, accounts []AccountRecord) Decision {
	find := func(id string) *AccountRecord {
		for i := range accounts {
			if accounts[i].ID == id {
				return &accounts[i]
			}
		}
		return nil
	}
	ledger := ""
	for i, p := range postings {
		switch d, c := find(p.DebitAccountID), find(p.CreditAccountID); {
		case p.DebitAccountID == p.CreditAccountID:
			return fail(ledgerspec.CodeAccountsMustBeDifferent, i)
		case !ledgerspec.AmountInRange(p.Amount):
			return fail(ledgerspec.CodeAmountOutOfRange, i)
		case d == nil:
			return fail(ledgerspec.CodeDebitAccountNotFound, i)
		case c == nil:
			return fail(ledgerspec.CodeCreditAccountNotFound, i)
		case d.Ledger != c.Ledger || i > 0 && d.Ledger != ledger:
			return fail(ledgerspec.CodeAccountsMustHaveTheSameLedger, i)
		case i == 0:
			ledger = d.Ledger
		}
	}

	// Rule 3 on running copies of the counters; deltas accumulate per account.
	type running struct {
		acc             *AccountRecord
		debits, credits int64 // current counters
		dDebits, dCreds int64 // added by this transaction
	}
	state := make(map[string]*running, 2*len(postings))
	get := func(id string) *running {
		r := state[id]
		if r == nil {
			a := find(id)
			r = &running{acc: a, debits: a.DebitsPosted, credits: a.CreditsPosted}
			state[id] = r
		}
		return r
	}
	for i, p := range postings {
		d, c, amt := get(p.DebitAccountID), get(p.CreditAccountID), p.Amount
		switch {
		// Counters are ≥ 0, so credits−debits cannot overflow and the comparisons never do.
		case d.acc.Flags.DebitsMustNotExceedCredits && amt > d.credits-d.debits:
			return fail(ledgerspec.CodeExceedsCredits, i)
		case c.acc.Flags.CreditsMustNotExceedDebits && amt > c.debits-c.credits:
			return fail(ledgerspec.CodeExceedsDebits, i)
		case d.debits > math.MaxInt64-amt:
			return fail(ledgerspec.CodeOverflowsDebits, i)
		case c.credits > math.MaxInt64-amt:
			return fail(ledgerspec.CodeOverflowsCredits, i)
		}
		d.debits += amt
		d.dDebits += amt
		c.credits += amt
		c.dCreds += amt
	}
	deltas := make([]Delta, 0, len(state))
	for id, r := range state {
		deltas = append(deltas, Delta{AccountID: id, Debits: r.dDebits, Credits: r.dCreds})
	}
	sort.Slice(deltas, func(i, j int) bool { return deltas[i].AccountID < deltas[j].AccountID })
	return Decision{Ledger: ledger, Deltas: deltas}
}

func fail(c ledgerspec.Code, i int) Decision {
	if !c.PostingLevel() {
		i = -1
	}
	return Decision{FailCode: c, FailIndex: i}
}

// samePostings reports whether two payloads have the same postings in the same order.
func samePostings(a, b []ledgerspec.Posting) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// riskFlags evaluates the fraud rules that need no database: large_amount here, velocity from the
// counts the cache returned, velocity_unchecked when it could not count (counted false). The
// result is in ledgerspec.RiskFlagOrder and never nil.
func riskFlags(postings []ledgerspec.Posting, velocityCounts []int64, counted bool, velocityLimit int, largeAmount int64) []string {
	flags := []string{}
	if !counted {
		velocityCounts = nil
	}
	for _, n := range velocityCounts {
		if n > int64(velocityLimit) {
			flags = append(flags, ledgerspec.RiskVelocity)
			break
		}
	}
	for _, p := range postings {
		if p.Amount >= largeAmount {
			flags = append(flags, ledgerspec.RiskLargeAmount)
			break
		}
	}
	if !counted {
		flags = append(flags, ledgerspec.RiskVelocityUnchecked)
	}
	return flags
}

// debitAccounts lists the distinct debit accounts of the postings, in first-seen order.
func debitAccounts(postings []ledgerspec.Posting) []string {
	ids := make([]string, 0, len(postings))
next:
	for _, p := range postings {
		for _, id := range ids {
			if id == p.DebitAccountID {
				continue next
			}
		}
		ids = append(ids, p.DebitAccountID)
	}
	return ids
}
