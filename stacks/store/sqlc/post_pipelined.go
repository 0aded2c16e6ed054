package sqlcstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"stacklab/stacks/app"
	"stacklab/stacks/store/internal/posting"
	"stacklab/stacks/store/sqlc/sqlcdb"
)

// postPipelined makes one attempt of sqlc-pipelined's Post, in two round trips:
//
//  1. begin; read the id; lock the named accounts in id order unless the id is decided
//  2. failed:    insert the failed record; commit
//     committed: update the counters; take the ledger's seq and insert the record, its
//     history index and its outbox row (one statement); commit
//
// An id found in round trip 1 costs a second round trip too: the rollback. raced reports that a
// concurrent request decided the id first.
func (s *Store) postPipelined(ctx context.Context, tx app.TxRecord, ids []string, decide app.Decider) (res app.PostResult, raced bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return res, false, fmt.Errorf("acquiring a connection: %w", err)
	}
	defer release(conn)

	p := newPipeline(conn.Conn())
	q := sqlcdb.New(p)
	var (
		found      sqlcdb.Transaction
		isFound    bool
		lockedRows []sqlcdb.Account
		lockParams = sqlcdb.LockAccountsParams{Ids: ids, TxID: tx.ID}
	)
	err = p.run(ctx, []step{
		p.execStep(ctx, "begin"),
		func() error {
			var err error
			found, err = q.GetTransaction(ctx, tx.ID)
			isFound = err == nil
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		},
		func() error {
			var err error
			lockedRows, err = q.LockAccounts(ctx, lockParams)
			return err
		},
	})
	if err != nil {
		return res, false, fmt.Errorf("reading id and locking accounts: %w", err)
	}
	if isFound {
		if _, err := conn.Exec(ctx, "rollback"); err != nil {
			return res, false, fmt.Errorf("ending the read of a decided id: %w", err)
		}
		res, err := existing(found)
		return res, false, err
	}

	locked := lockedRecords(lockedRows)
	d := decide(locked)
	if d.FailCode != "" {
		return s.storeFailedPipelined(ctx, conn, tx, d)
	}
	return s.storeCommittedPipelined(ctx, conn, tx, d, locked)
}

// storeFailedPipelined inserts the failed record and commits, in one round trip.
func (s *Store) storeFailedPipelined(ctx context.Context, conn *pgxpool.Conn, tx app.TxRecord, d app.Decision) (app.PostResult, bool, error) {
	p := newPipeline(conn.Conn())
	q := sqlcdb.New(p)
	arg := failedParams(tx, d)
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
	return app.PostResult{Record: posting.FailedRecord(tx, d)}, false, nil
}

// storeCommittedPipelined applies the deltas and commits the transaction, in one round trip.
func (s *Store) storeCommittedPipelined(ctx context.Context, conn *pgxpool.Conn, tx app.TxRecord, d app.Decision, locked []app.AccountRecord) (app.PostResult, bool, error) {
	// The commit is queued behind the updates, so it must not depend on looking at their
	// results: check here that the update will touch exactly the deltas' accounts, all locked.
	if err := posting.CheckDeltas(d.Deltas, locked); err != nil {
		return app.PostResult{}, false, err
	}
	upd, ins, rec := commitParams(tx, d)
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
	res, err := committed(rec, d, updated)
	return res, false, err
}
