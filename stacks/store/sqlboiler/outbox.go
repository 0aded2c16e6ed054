package sqlboilerstore

import (
	"context"
	"fmt"

	"github.com/aarondl/sqlboiler/v4/queries/qm"

	"stacklab/stacks/app"
	"stacklab/stacks/store/internal/dberr"
	"stacklab/stacks/store/sqlboiler/models"
)

// claimedRow is an outbox row with its transaction.
type claimedRow struct {
	OutboxID           int64 `boil:"outbox_id"`
	models.Transaction `boil:",bind"`
}

// RelayOutbox claims up to limit outbox rows in commit order (FOR UPDATE SKIP LOCKED), publishes
// their transactions and deletes the rows, in one database transaction: begin, claim, delete,
// commit, one round trip each; when there is nothing to relay or publish fails, the rollback
// replaces delete and commit.
func (s *Store) RelayOutbox(ctx context.Context, limit int, publish func(ctx context.Context, txs []app.TxRecord) error) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	dbtx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("relaying outbox: beginning: %w", err)
	}
	defer rollback(dbtx)
	var rows []*claimedRow
	err = models.Outboxes(
		qm.Select(`"outbox"."id" AS outbox_id`, `"transactions".*`),
		qm.InnerJoin(`"transactions" ON "transactions"."id" = "outbox"."tx_id"`),
		qm.OrderBy(models.OutboxTableColumns.ID),
		qm.Limit(limit),
		qm.For(`UPDATE OF "outbox" SKIP LOCKED`),
	).Bind(ctx, dbtx, &rows)
	if err != nil {
		return 0, fmt.Errorf("claiming outbox rows: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	txs := make([]app.TxRecord, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.OutboxID
		if txs[i], err = txRecord(&r.Transaction); err != nil {
			return 0, fmt.Errorf("reading outbox row %d: %w", r.OutboxID, err)
		}
	}
	if err := publish(ctx, txs); err != nil {
		return 0, fmt.Errorf("publishing %d outbox rows (kept): %w", len(rows), err)
	}
	if _, err := models.Outboxes(models.OutboxWhere.ID.IN(ids)).DeleteAll(ctx, dbtx); err != nil {
		return 0, fmt.Errorf("deleting %d published outbox rows: %w", len(rows), err)
	}
	if err := dbtx.Commit(); err != nil {
		return 0, fmt.Errorf("committing the relay of %d outbox rows: %w", len(rows), err)
	}
	return len(rows), nil
}

// OutboxPending counts the outbox rows not yet relayed.
func (s *Store) OutboxPending(ctx context.Context) (_ int64, err error) {
	defer dberr.Mark(&err)
	n, err := models.Outboxes().Count(ctx, s.db)
	if err != nil {
		return 0, fmt.Errorf("counting outbox rows: %w", err)
	}
	return n, nil
}
