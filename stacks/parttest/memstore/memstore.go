package memstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/events"
)

// Hook is called at the start of every call of a Store or Cache with the call's context, its
// method name ("CreateAccount", "Account", "Post", "CountDebits", …) and its first key (an id, a
// ledger, a transaction id; "" when there is none). A non-nil error is returned by the call.
type Hook func(ctx context.Context, call, key string) error

// Store is an in-memory app.Store and events.Outbox. Its zero value is not usable; use New.
type Store struct {
	hook Hook

	mu        sync.Mutex
	accounts  map[string]*app.AccountRecord
	txs       map[string]*app.TxRecord
	byAccount map[string][]*app.TxRecord // committed, ascending seq
	byLedger  map[string][]*app.TxRecord // committed, ascending seq
	seq       int64
	outbox    []outboxRow // commit order
}

type outboxRow struct {
	tx      *app.TxRecord
	claimed bool
}

var (
	_ app.Store     = (*Store)(nil)
	_ events.Outbox = (*Store)(nil)
)

// New returns an empty store; hook may be nil.
func New(hook Hook) *Store {
	return &Store{hook: hook, accounts: map[string]*app.AccountRecord{}, txs: map[string]*app.TxRecord{},
		byAccount: map[string][]*app.TxRecord{}, byLedger: map[string][]*app.TxRecord{}}
}

func (s *Store) call(ctx context.Context, name, key string) error {
	if s.hook != nil {
		if err := s.hook(ctx, name, key); err != nil {
			return fmt.Errorf("memstore %s: %w", name, err)
		}
	}
	return nil
}

// CreateAccount keeps a as it is given when its id is new.
func (s *Store) CreateAccount(ctx context.Context, a app.AccountRecord) (app.AccountRecord, bool, error) {
	if err := s.call(ctx, "CreateAccount", a.ID); err != nil {
		return app.AccountRecord{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if got, ok := s.accounts[a.ID]; ok {
		return *got, false, nil
	}
	a.DebitsPosted, a.CreditsPosted, a.Version = 0, 0, 0
	s.accounts[a.ID] = &a
	return a, true, nil
}

// Account returns one account or app.ErrNotFound.
func (s *Store) Account(ctx context.Context, id string) (app.AccountRecord, error) {
	if err := s.call(ctx, "Account", id); err != nil {
		return app.AccountRecord{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[id]; ok {
		return *a, nil
	}
	return app.AccountRecord{}, app.ErrNotFound
}

// Accounts lists every account the store holds, sorted by id: the records as they are now,
// including any change that aliasing made to their strings since they were created.
func (s *Store) Accounts() []app.AccountRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]app.AccountRecord, 0, len(s.accounts))
	for _, a := range s.accounts {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b app.AccountRecord) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Transaction returns the decided record of an id or app.ErrNotFound.
func (s *Store) Transaction(ctx context.Context, id string) (app.TxRecord, error) {
	if err := s.call(ctx, "Transaction", id); err != nil {
		return app.TxRecord{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.txs[id]; ok {
		return *t, nil
	}
	return app.TxRecord{}, app.ErrNotFound
}

// AccountTransactions lists an account's committed transactions with seq > after, ascending.
func (s *Store) AccountTransactions(ctx context.Context, accountID string, after int64, limit int) ([]app.TxRecord, error) {
	if err := s.call(ctx, "AccountTransactions", accountID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[accountID]; !ok {
		return nil, app.ErrNotFound
	}
	var out []app.TxRecord
	for _, t := range s.byAccount[accountID] {
		if t.Seq > after {
			if len(out) == limit {
				break
			}
			out = append(out, *t)
		}
	}
	return out, nil
}

// AccountHistory lists an account's committed transactions with seq < before (before ≤ 0: all),
// newest first.
func (s *Store) AccountHistory(ctx context.Context, accountID string, before int64, limit int) ([]app.TxRecord, error) {
	if err := s.call(ctx, "AccountHistory", accountID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[accountID]; !ok {
		return nil, app.ErrNotFound
	}
	return newest(s.byAccount[accountID], before, limit), nil
}

// LedgerTransactions lists a ledger's newest committed transactions.
func (s *Store) LedgerTransactions(ctx context.Context, ledger string, limit int) ([]app.TxRecord, error) {
	if err := s.call(ctx, "LedgerTransactions", ledger); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return newest(s.byLedger[ledger], 0, limit), nil
}

func newest(asc []*app.TxRecord, before int64, limit int) []app.TxRecord {
	var out []app.TxRecord
	for i := len(asc) - 1; i >= 0 && len(out) < limit; i-- {
		if before <= 0 || asc[i].Seq < before {
			out = append(out, *asc[i])
		}
	}
	return out
}

// Balances reads a ledger's accounts (sorted by id, at most limit; ≤ 0: all) and exact totals.
func (s *Store) Balances(ctx context.Context, ledger string, limit int) (app.Snapshot, error) {
	if err := s.call(ctx, "Balances", ledger); err != nil {
		return app.Snapshot{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := app.Snapshot{Ledger: ledger}
	var debits, credits big.Int
	for _, a := range s.accounts {
		if a.Ledger != ledger {
			continue
		}
		snap.Accounts = append(snap.Accounts, *a)
		debits.Add(&debits, big.NewInt(a.DebitsPosted))
		credits.Add(&credits, big.NewInt(a.CreditsPosted))
	}
	slices.SortFunc(snap.Accounts, func(a, b app.AccountRecord) int { return strings.Compare(a.ID, b.ID) })
	if limit > 0 && len(snap.Accounts) > limit {
		snap.Accounts = snap.Accounts[:limit]
	}
	if txs := s.byLedger[ledger]; len(txs) > 0 {
		snap.AsOfSeq = txs[len(txs)-1].Seq
	}
	snap.TotalDebits, snap.TotalCredits = debits.String(), credits.String()
	return snap, nil
}

// Post decides tx.ID under the store's mutex, as app.Store documents.
func (s *Store) Post(ctx context.Context, tx app.TxRecord, decide app.Decider) (app.PostResult, error) {
	if err := s.call(ctx, "Post", tx.ID); err != nil {
		return app.PostResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.txs[tx.ID]; ok {
		existing := *t
		return app.PostResult{Existing: &existing}, nil
	}
	var ids []string
	for _, p := range tx.Postings {
		ids = append(ids, p.DebitAccountID, p.CreditAccountID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var locked []app.AccountRecord
	for _, id := range ids {
		if a, ok := s.accounts[id]; ok {
			locked = append(locked, *a)
		}
	}
	d := decide(locked)
	rec := tx
	rec.Ledger, rec.Seq, rec.FailCode, rec.FailIndex = d.Ledger, 0, d.FailCode, d.FailIndex
	if d.FailCode != "" {
		rec.RiskFlags = nil
		s.txs[tx.ID] = &rec
		return app.PostResult{Record: rec}, nil
	}
	if len(d.Deltas) == 0 {
		return app.PostResult{}, errors.New("memstore Post: a decision to commit without deltas")
	}
	for _, dl := range d.Deltas {
		if !slices.Contains(ids, dl.AccountID) || s.accounts[dl.AccountID] == nil {
			return app.PostResult{}, fmt.Errorf("memstore Post: delta for account %q, which the transaction does not lock", dl.AccountID)
		}
	}
	res := app.PostResult{}
	for _, dl := range d.Deltas {
		a := s.accounts[dl.AccountID]
		a.DebitsPosted += dl.Debits
		a.CreditsPosted += dl.Credits
		a.Version++
		res.Accounts = append(res.Accounts, *a)
	}
	slices.SortFunc(res.Accounts, func(a, b app.AccountRecord) int { return strings.Compare(a.ID, b.ID) })
	s.seq++
	rec.Seq = s.seq
	if rec.RiskFlags == nil {
		rec.RiskFlags = []string{}
	}
	s.txs[tx.ID] = &rec
	for _, id := range ids {
		s.byAccount[id] = append(s.byAccount[id], &rec)
	}
	s.byLedger[rec.Ledger] = append(s.byLedger[rec.Ledger], &rec)
	s.outbox = append(s.outbox, outboxRow{tx: &rec})
	res.Record = rec
	return res, nil
}

// RelayOutbox hands up to limit unclaimed rows, in commit order, to publish, and deletes them
// when it returns nil. Rows another relay holds are skipped.
func (s *Store) RelayOutbox(ctx context.Context, limit int, publish func(ctx context.Context, txs []app.TxRecord) error) (int, error) {
	if err := s.call(ctx, "RelayOutbox", ""); err != nil {
		return 0, err
	}
	s.mu.Lock()
	var claimed []*app.TxRecord
	for i := range s.outbox {
		if len(claimed) == limit {
			break
		}
		if !s.outbox[i].claimed {
			s.outbox[i].claimed = true
			claimed = append(claimed, s.outbox[i].tx)
		}
	}
	s.mu.Unlock()
	if len(claimed) == 0 {
		return 0, nil
	}
	txs := make([]app.TxRecord, len(claimed))
	for i, t := range claimed {
		txs[i] = *t
	}
	err := publish(ctx, txs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		for i := range s.outbox {
			if slices.Contains(claimed, s.outbox[i].tx) {
				s.outbox[i].claimed = false
			}
		}
		return 0, fmt.Errorf("memstore RelayOutbox: publishing: %w", err)
	}
	s.outbox = slices.DeleteFunc(s.outbox, func(r outboxRow) bool { return slices.Contains(claimed, r.tx) })
	return len(claimed), nil
}

// OutboxPending counts the rows not yet relayed.
func (s *Store) OutboxPending(ctx context.Context) (int64, error) {
	if err := s.call(ctx, "OutboxPending", ""); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.outbox)), nil
}

// Close does nothing: the store holds no connections.
func (s *Store) Close() {}

// Cache is an in-memory app.Cache. Its zero value is not usable; use NewCache.
type Cache struct {
	hook Hook

	mu       sync.Mutex
	debits   map[string]map[string]time.Time // account → tx id → when it debited
	accounts map[string]app.CachedAccount
}

var _ app.Cache = (*Cache)(nil)

// NewCache returns an empty cache; hook may be nil.
func NewCache(hook Hook) *Cache {
	return &Cache{hook: hook, debits: map[string]map[string]time.Time{}, accounts: map[string]app.CachedAccount{}}
}

func (c *Cache) call(ctx context.Context, name, key string) error {
	if c.hook != nil {
		if err := c.hook(ctx, name, key); err != nil {
			return fmt.Errorf("memstore cache %s: %w", name, err)
		}
	}
	return nil
}

// CountDebits records txID against each account and counts the distinct transactions within
// window before now; only the newest keep entries of an account are kept.
func (c *Cache) CountDebits(ctx context.Context, txID string, accounts []string, now time.Time, window time.Duration, keep int) ([]int64, error) {
	if err := c.call(ctx, "CountDebits", txID); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	counts := make([]int64, len(accounts))
	for i, acc := range accounts {
		m := c.debits[acc]
		if m == nil {
			m = map[string]time.Time{}
			c.debits[acc] = m
		}
		if _, ok := m[txID]; !ok {
			m[txID] = now
		}
		type entry struct {
			id string
			at time.Time
		}
		var live []entry
		for id, at := range m {
			if at.After(now.Add(-window)) && !at.After(now) {
				live = append(live, entry{id, at})
			} else if !at.After(now.Add(-window)) {
				delete(m, id)
			}
		}
		if keep > 0 && len(live) > keep {
			slices.SortFunc(live, func(a, b entry) int { return b.at.Compare(a.at) })
			for _, e := range live[keep:] {
				delete(m, e.id)
			}
			live = live[:keep]
		}
		counts[i] = int64(len(live))
	}
	return counts, nil
}

// UncountDebits forgets txID from the accounts' counts.
func (c *Cache) UncountDebits(ctx context.Context, txID string, accounts []string) error {
	if err := c.call(ctx, "UncountDebits", txID); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, acc := range accounts {
		delete(c.debits[acc], txID)
	}
	return nil
}

// Account returns the cached body of an account (the very slice PutAccounts was given).
func (c *Cache) Account(ctx context.Context, id string) ([]byte, bool, error) {
	if err := c.call(ctx, "CacheAccount", id); err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.accounts[id]
	return e.Body, ok, nil
}

// PutAccounts keeps each entry unless the cache holds the same or a newer version of it.
func (c *Cache) PutAccounts(ctx context.Context, entries []app.CachedAccount) error {
	key := ""
	if len(entries) > 0 {
		key = entries[0].ID
	}
	if err := c.call(ctx, "PutAccounts", key); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range entries {
		if old, ok := c.accounts[e.ID]; !ok || cmp.Less(old.Version, e.Version) {
			c.accounts[e.ID] = e
		}
	}
	return nil
}

// Close does nothing.
func (c *Cache) Close() error { return nil }
