package sqlcstore

import (
	"context"
	"fmt"

	"stacklab/stacks/app"
	"stacklab/stacks/store/internal/dberr"
	"stacklab/stacks/store/sqlc/sqlcdb"
)

// RelayOutbox claims up to limit outbox rows in commit order (FOR UPDATE SKIP LOCKED), publishes
// their transactions and deletes the rows, in one database transaction. sqlc-pipelined takes two
// round trips around publish (begin and claim; delete and commit), sqlc four (begin, claim,
// delete, commit). When there is nothing to relay or publish fails, a rollback replaces the
// delete and the commit: two round trips and three.
func (s *Store) RelayOutbox(ctx context.Context, limit int, publish func(ctx context.Context, txs []app.TxRecord) error) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	if s.pipeline {
		return s.relayPipelined(ctx, limit, publish)
	}
	return s.relayPlain(ctx, limit, publish)
}

func (s *Store) relayPipelined(ctx context.Context, limit int, publish func(ctx context.Context, txs []app.TxRecord) error) (int, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("relaying outbox: acquiring a connection: %w", err)
	}
	defer release(conn)

	p := newPipeline(conn.Conn())
	q := sqlcdb.New(p)
	var rows []sqlcdb.ClaimOutboxRow
	err = p.run(ctx, []step{
		p.execStep(ctx, "begin"),
		func() error {
			var err error
			rows, err = q.ClaimOutbox(ctx, rowLimit(limit))
			return err
		},
	})
	if err != nil {
		return 0, fmt.Errorf("claiming outbox rows: %w", err)
	}
	if len(rows) == 0 {
		if _, err := conn.Exec(ctx, "rollback"); err != nil {
			return 0, fmt.Errorf("ending an empty outbox claim: %w", err)
		}
		return 0, nil
	}
	ids, err := publishClaimed(ctx, rows, publish)
	if err != nil {
		return 0, err
	}
	p = newPipeline(conn.Conn())
	q = sqlcdb.New(p)
	err = p.run(ctx, []step{
		func() error { return q.DeleteOutbox(ctx, ids) },
		p.execStep(ctx, "commit"),
	})
	if err != nil {
		return 0, fmt.Errorf("deleting %d published outbox rows: %w", len(rows), err)
	}
	return len(rows), nil
}

func (s *Store) relayPlain(ctx context.Context, limit int, publish func(ctx context.Context, txs []app.TxRecord) error) (int, error) {
	dbtx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("relaying outbox: beginning: %w", err)
	}
	// After Commit, Rollback does nothing and sends nothing.
	defer func() { _ = dbtx.Rollback(ctx) }()
	q := s.q.WithTx(dbtx)
	rows, err := q.ClaimOutbox(ctx, rowLimit(limit))
	if err != nil {
		return 0, fmt.Errorf("claiming outbox rows: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	ids, err := publishClaimed(ctx, rows, publish)
	if err != nil {
		return 0, err
	}
	if err := q.DeleteOutbox(ctx, ids); err != nil {
		return 0, fmt.Errorf("deleting %d published outbox rows: %w", len(rows), err)
	}
	if err := dbtx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("committing the relay of %d outbox rows: %w", len(rows), err)
	}
	return len(rows), nil
}

// publishClaimed publishes the claimed rows' transactions and returns the rows' ids.
func publishClaimed(ctx context.Context, rows []sqlcdb.ClaimOutboxRow, publish func(ctx context.Context, txs []app.TxRecord) error) ([]int64, error) {
	txs := make([]app.TxRecord, len(rows))
	ids := make([]int64, len(rows))
	for i := range rows {
		r := &rows[i]
		ids[i] = r.OutboxID
		var err error
		if txs[i], err = txRecord(r.Transaction); err != nil {
			return nil, fmt.Errorf("reading outbox row %d: %w", r.OutboxID, err)
		}
	}
	if err := publish(ctx, txs); err != nil {
		return nil, fmt.Errorf("publishing %d outbox rows (kept): %w", len(rows), err)
	}
	return ids, nil
}

// OutboxPending counts the outbox rows not yet relayed.
func (s *Store) OutboxPending(ctx context.Context) (_ int64, err error) {
	defer dberr.Mark(&err)
	n, err := s.q.CountOutbox(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting outbox rows: %w", err)
	}
	return n, nil
}
