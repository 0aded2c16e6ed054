package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/events"
	"stacklab/stacks/parttest/pgtest"
)

// Store is what a store of the lab implements: the app's port and the outbox relay's.
type Store interface {
	app.Store
	events.Outbox
}

// Opener opens a store on the database of dsn (the store applies its schema there) and closes it
// when t ends (t.Cleanup).
type Opener func(t *testing.T, dsn string) Store

// Run runs the contract's subtests, each on a store open gives it on a fresh, empty database
// (pgtest.Database), reached directly or, for the outage cases, through a pgtest.Proxy.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(t *testing.T, s Store)
	}{
		{"Accounts", testAccounts},
		{"ConcurrentCreateAccount", testConcurrentCreateAccount},
		{"PostCommit", testPostCommit},
		{"PostFailure", testPostFailure},
		{"Existing", testExisting},
		{"ConcurrentDuplicates", testConcurrentDuplicates},
		{"DatabaseEnforcesInvariants", testInvariants},
		{"NoDeadlocks", testNoDeadlocks},
		{"SeqOrder", testSeqOrder},
		{"Balances", testBalances},
		{"BalancesBeyondInt64", testBalancesBeyondInt64},
		{"Outbox", testOutbox},
		{"OutboxSkipLocked", testOutboxSkipLocked},
		{"OutboxConcurrentRelays", testOutboxConcurrentRelays},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t, pgtest.Database(t))) })
	}
	outages := []struct {
		name string
		run  func(t *testing.T, open Opener)
	}{
		{"Outage/Refused", testOutageRefused},
		{"Outage/Silent", testOutageSilent},
		{"Outage/Terminated", testOutageTerminated},
	}
	for _, tt := range outages {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open) })
	}
}

// epoch is a created_at with every microsecond digit set, to see that none is lost.
var epoch = time.Date(2026, 11, 24, 10, 11, 12, 123456000, time.UTC)

// testContext bounds a subtest, so a hung store fails instead of blocking the run.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var (
	noFlags   ledgerspec.AccountFlags
	debitsCap = ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true}
	credsCap  = ledgerspec.AccountFlags{CreditsMustNotExceedDebits: true}
)

func account(id, ledger string, flags ledgerspec.AccountFlags) app.AccountRecord {
	return app.AccountRecord{ID: id, Ledger: ledger, Name: "name of " + id, Flags: flags, CreatedAt: epoch}
}

// createAccounts creates accounts that must be new.
func createAccounts(ctx context.Context, t *testing.T, s Store, accts ...app.AccountRecord) {
	t.Helper()
	for _, a := range accts {
		got, created, err := s.CreateAccount(ctx, a)
		if err != nil {
			t.Fatalf("CreateAccount(%s): %v", a.ID, err)
		}
		if !created {
			t.Fatalf("CreateAccount(%s): created = false for a new id", a.ID)
		}
		if d := diffAccount(got, a); d != "" {
			t.Fatalf("CreateAccount(%s) returned %s", a.ID, d)
		}
	}
}

func posting(debit, credit string, amount int64) ledgerspec.Posting {
	return ledgerspec.Posting{DebitAccountID: debit, CreditAccountID: credit, Amount: amount}
}

func newTx(id string, postings ...ledgerspec.Posting) app.TxRecord {
	return app.TxRecord{ID: id, Postings: postings, Description: "description of " + id,
		RiskFlags: []string{}, CreatedAt: epoch}
}

// transfer is the tests' honest Decider: it fails a posting whose accounts are not locked (not
// found) and otherwise commits every posting in the ledger of the first debit account, with no
// other rule.
func transfer(postings []ledgerspec.Posting) app.Decider {
	return func(locked []app.AccountRecord) app.Decision {
		find := func(id string) *app.AccountRecord {
			for i := range locked {
				if locked[i].ID == id {
					return &locked[i]
				}
			}
			return nil
		}
		ledger := ""
		sums := map[string]*app.Delta{}
		add := func(id string, debits, credits int64) {
			d := sums[id]
			if d == nil {
				d = &app.Delta{AccountID: id}
				sums[id] = d
			}
			d.Debits += debits
			d.Credits += credits
		}
		for i, p := range postings {
			debit, credit := find(p.DebitAccountID), find(p.CreditAccountID)
			switch {
			case debit == nil:
				return app.Decision{FailCode: ledgerspec.CodeDebitAccountNotFound, FailIndex: i}
			case credit == nil:
				return app.Decision{FailCode: ledgerspec.CodeCreditAccountNotFound, FailIndex: i}
			case i == 0:
				ledger = debit.Ledger
			}
			add(p.DebitAccountID, p.Amount, 0)
			add(p.CreditAccountID, 0, p.Amount)
		}
		d := app.Decision{Ledger: ledger}
		for _, delta := range sums {
			d.Deltas = append(d.Deltas, *delta)
		}
		slices.SortFunc(d.Deltas, func(a, b app.Delta) int { return strings.Compare(a.AccountID, b.AccountID) })
		return d
	}
}

// refuse is a Decider that fails every transaction with code at index.
func refuse(code ledgerspec.Code, index int) app.Decider {
	return func([]app.AccountRecord) app.Decision { return app.Decision{FailCode: code, FailIndex: index} }
}

// commit posts tx with the transfer Decider and requires a new committed record.
func commit(ctx context.Context, t *testing.T, s Store, tx app.TxRecord) app.PostResult {
	t.Helper()
	res, err := s.Post(ctx, tx, transfer(tx.Postings))
	if err != nil {
		t.Fatalf("Post(%s): %v", tx.ID, err)
	}
	if res.Existing != nil {
		t.Fatalf("Post(%s): Existing %+v for a new id", tx.ID, *res.Existing)
	}
	if !res.Record.Committed() || res.Record.Seq <= 0 {
		t.Fatalf("Post(%s): record %+v is not committed with a seq", tx.ID, res.Record)
	}
	return res
}

func mustAccount(ctx context.Context, t *testing.T, s Store, id string) app.AccountRecord {
	t.Helper()
	a, err := s.Account(ctx, id)
	if err != nil {
		t.Fatalf("Account(%s): %v", id, err)
	}
	return a
}

// diffAccount describes how got differs from want, "" when equal (CreatedAt by instant, in UTC).
func diffAccount(got, want app.AccountRecord) string {
	var d []string
	if got.ID != want.ID || got.Ledger != want.Ledger || got.Name != want.Name || got.Flags != want.Flags {
		d = append(d, fmt.Sprintf("identity %s/%s/%q/%+v, want %s/%s/%q/%+v",
			got.ID, got.Ledger, got.Name, got.Flags, want.ID, want.Ledger, want.Name, want.Flags))
	}
	if got.DebitsPosted != want.DebitsPosted || got.CreditsPosted != want.CreditsPosted || got.Version != want.Version {
		d = append(d, fmt.Sprintf("debits %d credits %d version %d, want %d %d %d", got.DebitsPosted,
			got.CreditsPosted, got.Version, want.DebitsPosted, want.CreditsPosted, want.Version))
	}
	if s := diffTime(got.CreatedAt, want.CreatedAt); s != "" {
		d = append(d, s)
	}
	if d == nil {
		return ""
	}
	return "account " + got.ID + ": " + strings.Join(d, "; ")
}

func diffTime(got, want time.Time) string {
	if !got.Equal(want) || got.Location() != time.UTC {
		return fmt.Sprintf("created_at %s (%s), want %s in UTC",
			got.Format(time.RFC3339Nano), got.Location(), want.Format(time.RFC3339Nano))
	}
	return ""
}

// diffTx describes how got differs from want, "" when equal.
func diffTx(got, want app.TxRecord) string {
	var d []string
	if got.ID != want.ID || got.Ledger != want.Ledger || got.Seq != want.Seq {
		d = append(d, fmt.Sprintf("id/ledger/seq %s/%q/%d, want %s/%q/%d", got.ID, got.Ledger, got.Seq, want.ID, want.Ledger, want.Seq))
	}
	if !slices.Equal(got.Postings, want.Postings) {
		d = append(d, fmt.Sprintf("postings %v, want %v", got.Postings, want.Postings))
	}
	if got.Description != want.Description {
		d = append(d, fmt.Sprintf("description %q, want %q", got.Description, want.Description))
	}
	if (got.RiskFlags == nil) != (want.RiskFlags == nil) || !slices.Equal(got.RiskFlags, want.RiskFlags) {
		d = append(d, fmt.Sprintf("risk flags %#v, want %#v", got.RiskFlags, want.RiskFlags))
	}
	if s := diffTime(got.CreatedAt, want.CreatedAt); s != "" {
		d = append(d, s)
	}
	if got.FailCode != want.FailCode || got.FailIndex != want.FailIndex {
		d = append(d, fmt.Sprintf("fail %q at %d, want %q at %d", got.FailCode, got.FailIndex, want.FailCode, want.FailIndex))
	}
	if d == nil {
		return ""
	}
	return "transaction " + got.ID + ": " + strings.Join(d, "; ")
}

// checkList compares a listing with the records it must hold, in order.
func checkList(t *testing.T, what string, got []app.TxRecord, err error, want ...app.TxRecord) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d records %v, want %d %v", what, len(got), txIDs(got), len(want), txIDs(want))
		return
	}
	for i := range got {
		if d := diffTx(got[i], want[i]); d != "" {
			t.Errorf("%s[%d]: %s", what, i, d)
		}
	}
}

func txIDs(txs []app.TxRecord) []string {
	ids := make([]string, len(txs))
	for i := range txs {
		ids[i] = txs[i].ID
	}
	return ids
}

func accountIDs(accts []app.AccountRecord) []string {
	ids := make([]string, len(accts))
	for i := range accts {
		ids[i] = accts[i].ID
	}
	return ids
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, app.ErrNotFound) {
		t.Errorf("%s: error %v, want app.ErrNotFound", what, err)
	}
}
