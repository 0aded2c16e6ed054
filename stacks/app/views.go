package app

import "stacklab/ledgerspec"

// AccountView is the JSON representation of an account record.
func AccountView(a *AccountRecord) ledgerspec.Account {
	return ledgerspec.Account{
		ID:            a.ID,
		Ledger:        a.Ledger,
		Name:          a.Name,
		Flags:         a.Flags,
		DebitsPosted:  a.DebitsPosted,
		CreditsPosted: a.CreditsPosted,
		Balance:       a.CreditsPosted - a.DebitsPosted,
		CreatedAt:     ledgerspec.FormatTime(a.CreatedAt),
	}
}

// TransactionView is the JSON representation of a committed transaction record, used for API
// bodies and event values alike.
func TransactionView(t *TxRecord) ledgerspec.Transaction {
	flags := t.RiskFlags
	if flags == nil {
		flags = []string{}
	}
	return ledgerspec.Transaction{
		ID:          t.ID,
		Seq:         t.Seq,
		Postings:    t.Postings,
		Description: t.Description,
		RiskFlags:   flags,
		CreatedAt:   ledgerspec.FormatTime(t.CreatedAt),
	}
}
