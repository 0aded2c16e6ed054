package sqlcstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"stacklab/stacks/app"
	"stacklab/stacks/store/internal/posting"
	"stacklab/stacks/store/sqlc/sqlcdb"
)

// postPlain makes one attempt of sqlc's Post with one generated query per round trip, in a
// pgx.Tx as sqlc's documentation runs queries in a transaction (Begin, Queries.WithTx, Commit,
// a deferred Rollback):
//
//	read the id (no transaction); a decided id ends here
//	begin; lock the named accounts in id order; decide
//	failed:    insert the failed record; commit
//	committed: update the counters; take the ledger's seq and insert the record, its history
//	           index and its outbox row (one statement); commit
//
// raced reports that a concurrent request decided the id first.
func (s *Store) postPlain(ctx context.Context, tx app.TxRecord, ids []string, decide app.Decider) (res app.PostResult, raced bool, err error) {
	found, err := s.q.GetTransaction(ctx, tx.ID)
	switch {
	case err == nil:
		res, err := existing(found)
		return res, false, err
	case !errors.Is(err, pgx.ErrNoRows):
		return res, false, fmt.Errorf("reading id: %w", err)
	}

	dbtx, err := s.pool.Begin(ctx)
	if err != nil {
		return res, false, fmt.Errorf("beginning: %w", err)
	}
	// After Commit, Rollback does nothing and sends nothing.
	defer func() { _ = dbtx.Rollback(ctx) }()
	q := s.q.WithTx(dbtx)

	// LockAccounts also locks nothing when the id was decided since it was read.
	lockedRows, err := q.LockAccounts(ctx, sqlcdb.LockAccountsParams{Ids: ids, TxID: tx.ID})
	if err != nil {
		return res, false, fmt.Errorf("locking accounts: %w", err)
	}
	locked := lockedRecords(lockedRows)
	d := decide(locked)
	if d.FailCode != "" {
		err := q.InsertFailedTransaction(ctx, failedParams(tx, d))
		if err == nil {
			err = dbtx.Commit(ctx)
		}
		if isDecidedRace(err) {
			return res, true, nil
		}
		if err != nil {
			return res, false, fmt.Errorf("storing failed decision %s: %w", d.FailCode, err)
		}
		return app.PostResult{Record: posting.FailedRecord(tx, d)}, false, nil
	}

	if err := posting.CheckDeltas(d.Deltas, locked); err != nil {
		return res, false, err
	}
	upd, ins, rec := commitParams(tx, d)
	updated, err := q.UpdateAccounts(ctx, upd)
	if err != nil {
		return res, false, fmt.Errorf("updating counters in ledger %q: %w", d.Ledger, err)
	}
	if rec.Seq, err = q.CommitTransaction(ctx, ins); err == nil {
		err = dbtx.Commit(ctx)
	}
	if isDecidedRace(err) {
		return res, true, nil
	}
	if err != nil {
		return res, false, fmt.Errorf("committing in ledger %q: %w", d.Ledger, err)
	}
	res, err = committed(rec, d, updated)
	return res, false, err
}
