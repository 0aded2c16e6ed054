package sqlcstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"stacklab/stacks/app"
	"stacklab/stacks/store/sqlc/sqlcdb"
)

// maxAttempts bounds how often Post and CreateAccount start again after losing a race for an id.
const maxAttempts = 3

// Post decides tx.ID as app.Store documents, in two round trips:
//
//  1. begin; read the id; lock the named accounts in id order unless the id is decided
//  2. failed:    insert the failed record; commit
//     committed: update the counters; take the ledger's seq and insert the record, its
//     history index and its outbox row (one statement); commit
//
// An id found in round trip 1 costs a second round trip too: the rollback.
func (s *Store) Post(ctx context.Context, tx app.TxRecord, decide app.Decider) (app.PostResult, error) {
	ids := postingAccounts(tx)
	for attempt := 1; ; attempt++ {
		res, raced, err := s.post(ctx, tx, ids, decide)
		switch {
		case err != nil:
			return app.PostResult{}, fmt.Errorf("posting transaction %q: %w", tx.ID, err)
		case !raced:
			return res, nil
		case attempt == maxAttempts:
			return app.PostResult{}, fmt.Errorf("posting transaction %q: decided concurrently yet not readable after %d attempts", tx.ID, attempt)
		}
	}
}

// post makes one attempt. raced reports that a concurrent request decided the id first.
func (s *Store) post(ctx context.Context, tx app.TxRecord, ids []string, decide app.Decider) (res app.PostResult, raced bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return res, false, fmt.Errorf("acquiring a connection: %w", err)
	}
	defer release(conn)

	p := newPipeline(conn.Conn())
	q := sqlcdb.New(p)
	var (
		existing    sqlcdb.Transaction
		found       bool
		lockedRows  []sqlcdb.Account
		lockTxParam = sqlcdb.LockAccountsParams{Ids: ids, TxID: tx.ID}
	)
	err = p.run(ctx, []step{
		p.execStep(ctx, "begin"),
		func() error {
			var err error
			existing, err = q.GetTransaction(ctx, tx.ID)
			found = err == nil
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		},
		func() error {
			var err error
			lockedRows, err = q.LockAccounts(ctx, lockTxParam)
			return err
		},
	})
	if err != nil {
		return res, false, fmt.Errorf("reading id and locking accounts: %w", err)
	}
	if found {
		if _, err := conn.Exec(ctx, "rollback"); err != nil {
			return res, false, fmt.Errorf("ending the read of a decided id: %w", err)
		}
		rec, err := txRecord(existing)
		if err != nil {
			return res, false, err
		}
		res.Existing = &rec
		return res, false, nil
	}

	locked := make([]app.AccountRecord, len(lockedRows))
	for i := range lockedRows {
		locked[i] = accountRecord(lockedRows[i])
	}
	d := decide(locked)
	if d.FailCode != "" {
		return s.storeFailed(ctx, conn, tx, d)
	}
	return s.storeCommitted(ctx, conn, tx, d, locked)
}

// storeFailed inserts the failed record and commits, in one round trip.
func (s *Store) storeFailed(ctx context.Context, conn *pgxpool.Conn, tx app.TxRecord, d app.Decision) (app.PostResult, bool, error) {
	p := newPipeline(conn.Conn())
	q := sqlcdb.New(p)
	arg := sqlcdb.InsertFailedTransactionParams{
		ID:          tx.ID,
		Description: tx.Description,
		CreatedAt:   tx.CreatedAt,
		FailCode:    string(d.FailCode),
		FailIndex:   int32(d.FailIndex),
	}
	if d.Ledger != "" {
		arg.Ledger = &d.Ledger
	}
	arg.DebitIds, arg.CreditIds, arg.Amounts = postingArrays(tx)
	err := p.run(ctx, []step{
		func() error { return q.InsertFailedTransaction(ctx, arg) },
		p.execStep(ctx, "commit"),
	})
	if isDecidedRace(err) {
		return app.PostResult{}, true, nil
	}
	if err != nil {
		return app.PostResult{}, false, fmt.Errorf("storing failed decision %s: %w", d.FailCode, err)
	}
	rec := recordOf(tx)
	rec.Ledger, rec.RiskFlags, rec.FailCode, rec.FailIndex = d.Ledger, nil, d.FailCode, d.FailIndex
	return app.PostResult{Record: rec}, false, nil
}

// storeCommitted applies the deltas and commits the transaction, in one round trip.
func (s *Store) storeCommitted(ctx context.Context, conn *pgxpool.Conn, tx app.TxRecord, d app.Decision, locked []app.AccountRecord) (app.PostResult, bool, error) {
	// The commit is queued behind the updates, so it must not depend on looking at their
	// results: check here that the update will touch exactly the deltas' accounts, all locked.
	if err := checkDeltas(d.Deltas, locked); err != nil {
		return app.PostResult{}, false, err
	}
	upd := sqlcdb.UpdateAccountsParams{
		Ids:     make([]string, len(d.Deltas)),
		Debits:  make([]int64, len(d.Deltas)),
		Credits: make([]int64, len(d.Deltas)),
	}
	for i, dl := range d.Deltas {
		upd.Ids[i], upd.Debits[i], upd.Credits[i] = dl.AccountID, dl.Debits, dl.Credits
	}
	rec := recordOf(tx)
	rec.Ledger = d.Ledger
	if rec.RiskFlags == nil {
		rec.RiskFlags = []string{}
	}
	ins := sqlcdb.CommitTransactionParams{
		Ledger:      d.Ledger,
		ID:          tx.ID,
		Description: tx.Description,
		RiskFlags:   rec.RiskFlags,
		CreatedAt:   tx.CreatedAt,
	}
	ins.DebitIds, ins.CreditIds, ins.Amounts = postingArrays(tx)

	p := newPipeline(conn.Conn())
	q := sqlcdb.New(p)
	var updated []sqlcdb.Account
	err := p.run(ctx, []step{
		func() error {
			var err error
			updated, err = q.UpdateAccounts(ctx, upd)
			return err
		},
		func() error {
			var err error
			rec.Seq, err = q.CommitTransaction(ctx, ins)
			return err
		},
		p.execStep(ctx, "commit"),
	})
	if isDecidedRace(err) {
		return app.PostResult{}, true, nil
	}
	if err != nil {
		return app.PostResult{}, false, fmt.Errorf("committing in ledger %q: %w", d.Ledger, err)
	}
	if len(updated) != len(d.Deltas) {
		// Unreachable after checkDeltas: the rows were locked and exist.
		return app.PostResult{}, false, fmt.Errorf("committed, but %d of %d accounts were updated", len(updated), len(d.Deltas))
	}
	res := app.PostResult{Record: rec, Accounts: make([]app.AccountRecord, len(updated))}
	for i := range updated {
		res.Accounts[i] = accountRecord(updated[i])
	}
	slices.SortFunc(res.Accounts, func(a, b app.AccountRecord) int { return strings.Compare(a.ID, b.ID) })
	return res, false, nil
}

// checkDeltas refuses a decision whose deltas name an account twice or one that is not locked.
func checkDeltas(deltas []app.Delta, locked []app.AccountRecord) error {
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

// isDecidedRace reports whether err is the unique violation of a concurrent request having
// decided the same transaction id first.
func isDecidedRace(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "transactions_pkey"
}

// release ends a transaction left open by an error and returns the connection to the pool.
func release(conn *pgxpool.Conn) {
	if pc := conn.Conn().PgConn(); !pc.IsClosed() && pc.TxStatus() != 'I' {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		// An error here needs no report: Release destroys a connection still in a transaction.
		_, _ = conn.Exec(ctx, "rollback")
		cancel()
	}
	conn.Release()
}

// recordOf copies the fields of tx that the caller provides.
func recordOf(tx app.TxRecord) app.TxRecord {
	return app.TxRecord{
		ID:          tx.ID,
		Postings:    tx.Postings,
		Description: tx.Description,
		RiskFlags:   tx.RiskFlags,
		CreatedAt:   tx.CreatedAt.UTC().Truncate(time.Microsecond), // as stored
	}
}

// postingAccounts lists the accounts named by tx's postings, sorted, each once.
func postingAccounts(tx app.TxRecord) []string {
	ids := make([]string, 0, 2*len(tx.Postings))
	for _, p := range tx.Postings {
		ids = append(ids, p.DebitAccountID, p.CreditAccountID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// postingArrays splits the postings into the three parallel arrays the schema stores.
func postingArrays(tx app.TxRecord) (debits, credits []string, amounts []int64) {
	n := len(tx.Postings)
	debits, credits, amounts = make([]string, n), make([]string, n), make([]int64, n)
	for i, p := range tx.Postings {
		debits[i], credits[i], amounts[i] = p.DebitAccountID, p.CreditAccountID, p.Amount
	}
	return debits, credits, amounts
}
