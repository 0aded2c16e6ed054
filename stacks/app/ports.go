package app

import (
	"context"
	"errors"
	"time"

	"stacklab/ledgerspec"
)

// ErrNotFound is returned by a Store for an id it does not hold.
var ErrNotFound = errors.New("not found")

// ErrUnavailable is matched (errors.Is) by a Store's error when the database could not be reached:
// a connection refused, reset, closed or terminated by the server, the server shutting down or
// refusing connections, or no answer before the call's context ended. The app answers it 503
// service_unavailable. Stores wrap it together with the driver's error, which keeps its context.
var ErrUnavailable = errors.New("database unavailable")

// AccountRecord is an account as a Store holds it.
type AccountRecord struct {
	ID            string
	Ledger        string
	Name          string
	Flags         ledgerspec.AccountFlags
	DebitsPosted  int64
	CreditsPosted int64
	// Version starts at 0 and grows by one with every change of the counters. The cache uses it
	// to never replace a newer copy of the account with an older one.
	Version int64
	// CreatedAt is UTC, truncated to microseconds by the app before it reaches the store.
	CreatedAt time.Time
}

// TxRecord is a decided transaction id: committed (Seq > 0) or failed with a 422 (FailCode != "").
type TxRecord struct {
	ID       string
	Ledger   string // "" for a failed id whose accounts were not found
	Seq      int64  // 0 for a failed id
	Postings []ledgerspec.Posting
	// Description and Postings are the request's payload, kept for failed ids too, so a retry
	// with another payload is told exists_with_different_*.
	Description string
	RiskFlags   []string // never nil for a committed record; nil for a failed one
	CreatedAt   time.Time
	FailCode    ledgerspec.Code
	FailIndex   int // posting index of FailCode, −1 when FailCode is not posting-level
}

// Committed reports whether the record is a committed transaction.
func (t *TxRecord) Committed() bool { return t.FailCode == "" }

// Snapshot is one consistent read of a ledger's balances.
type Snapshot struct {
	Ledger string
	// AsOfSeq is the largest seq of the ledger committed in the snapshot, 0 for none.
	AsOfSeq int64
	// Accounts are the ledger's accounts sorted by id in byte order, at most the limit asked for.
	Accounts []AccountRecord
	// TotalDebits and TotalCredits are exact decimal sums over every account of the ledger
	// (not only the listed ones); they can exceed the int64 range.
	TotalDebits, TotalCredits string
}

// Delta is how much a committed transaction adds to one account's counters.
type Delta struct {
	AccountID string
	Debits    int64
	Credits   int64
}

// Decision is the ledger rules' verdict on a transaction, given the accounts it names.
type Decision struct {
	// FailCode is the 422 code that refuses the transaction, "" to commit it.
	FailCode  ledgerspec.Code
	FailIndex int
	// Ledger is the ledger the transaction commits in (set when FailCode is "").
	Ledger string
	// Deltas lists each changed account once, sorted by AccountID (set when FailCode is "").
	Deltas []Delta
}

// Decider applies the ledger's rules to the accounts a Store locked for one transaction. It is pure:
// a Store may call it again when it retries after a conflict.
type Decider func(locked []AccountRecord) Decision

// PostResult is what Store.Post did.
type PostResult struct {
	// Existing is the record of an id that was decided before (by an earlier or a concurrent
	// request). When it is set, Post wrote nothing.
	Existing *TxRecord
	// Record is the newly decided record: committed (Seq set) or failed.
	Record TxRecord
	// Accounts are the changed accounts as committed (new counters and versions), sorted by id.
	Accounts []AccountRecord
}

// Store keeps accounts and transactions in a database. Invariants (counter limits, flags, no
// overflow) are enforced by the database itself, not only by the Decider.
type Store interface {
	// CreateAccount inserts a when its id is new (created is true), else returns the stored account.
	CreateAccount(ctx context.Context, a AccountRecord) (stored AccountRecord, created bool, err error)
	// Account returns one account or ErrNotFound.
	Account(ctx context.Context, id string) (AccountRecord, error)
	// Transaction returns the decided record of an id (committed or failed) or ErrNotFound.
	Transaction(ctx context.Context, id string) (TxRecord, error)
	// AccountTransactions lists the committed transactions that touch an account, ascending by seq,
	// with seq > after, at most limit. ErrNotFound when the account does not exist.
	AccountTransactions(ctx context.Context, accountID string, after int64, limit int) ([]TxRecord, error)
	// AccountHistory lists them newest first with seq < before (before ≤ 0: no bound), at most limit.
	// ErrNotFound when the account does not exist.
	AccountHistory(ctx context.Context, accountID string, before int64, limit int) ([]TxRecord, error)
	// LedgerTransactions lists a ledger's newest committed transactions, newest first, at most limit.
	LedgerTransactions(ctx context.Context, ledger string, limit int) ([]TxRecord, error)
	// Balances reads one consistent snapshot of a ledger with at most limit accounts (≤ 0: all).
	// An unknown ledger gives an empty snapshot with AsOfSeq 0, not an error.
	Balances(ctx context.Context, ledger string, limit int) (Snapshot, error)
	// Post decides the transaction id tx.ID, in one database transaction:
	//  1. if the id is decided already, return it as Existing and write nothing;
	//  2. lock (SELECT … FOR UPDATE) the existing accounts named by tx.Postings, in ascending id
	//     byte order, and call decide with them (missing accounts are simply absent);
	//  3. on a FailCode, store the failed record (Seq 0, the decision's FailCode and FailIndex);
	//  4. else add the Deltas to the counters (relative increments, so the database's own checks
	//     see the real values; Version+1 per changed account), give the transaction the ledger's next
	//     seq (unique across ledgers, strictly increasing in commit order within a ledger), store
	//     the record, its per-account index and one outbox row, and commit;
	//  5. when a concurrent request decided the same id first, start again at 1.
	// tx carries ID, Postings, Description, RiskFlags and CreatedAt; Post fills the rest.
	Post(ctx context.Context, tx TxRecord, decide Decider) (PostResult, error)
	// Close releases the store's connections.
	Close()
}

// CachedAccount is one account's encoded JSON body with its version.
type CachedAccount struct {
	ID      string
	Version int64
	Body    []byte
}

// Cache is the Redis side of the app: fraud velocity counters and the account read cache. Keys are
// namespaced by the prefix the cache was opened with, so runs never see each other's keys.
//
// The app names account entries itself: the id it passes to Account and in CachedAccount.ID is
// the account id qualified by the app's cache epoch ("<epoch>:<account id>", see the app's
// package doc); a cache treats it as an opaque name. The app bounds every call with a short
// deadline of its own and lives without the cache when calls fail, so a cache must honour its
// context, and must open without Redis (connecting when it can, and again after an outage).
type Cache interface {
	// CountDebits records txID as debiting each account at now, in one round trip, and returns per
	// account how many distinct transactions debited it within window before now, this one
	// included. Recording the same txID again does not count it twice. An implementation may
	// forget all but the newest keep entries of an account, so counts above keep may read as keep.
	CountDebits(ctx context.Context, txID string, accounts []string, now time.Time, window time.Duration, keep int) ([]int64, error)
	// UncountDebits forgets txID from the accounts' counts (its attempt failed).
	UncountDebits(ctx context.Context, txID string, accounts []string) error
	// Account returns the cached body of an account, ok false on a miss.
	Account(ctx context.Context, id string) (body []byte, ok bool, err error)
	// PutAccounts stores bodies, in one round trip, except where the cache already holds the same
	// or a newer version of that account; so a slow reader never replaces a writer's newer copy.
	PutAccounts(ctx context.Context, entries []CachedAccount) error
	// Close releases the cache's connections.
	Close() error
}

// Codec encodes and decodes JSON. Decoding is strict: unknown fields, trailing data after the value,
// wrong types, and numbers that are not integer literals for integer fields are errors.
type Codec interface {
	Name() string
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// Notifier is told after every commit, so the outbox relay need not wait for its next poll.
// Notify must not block.
type Notifier interface {
	Notify()
}
