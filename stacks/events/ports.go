package events

import (
	"context"

	"stacklab/stacks/app"
)

// Outbox is the store side of the transactional outbox: every committed transaction leaves one row
// in the same database transaction that commits it (see app.Store.Post).
type Outbox interface {
	// RelayOutbox claims up to limit pending rows in commit order, skipping rows that another relay
	// holds (FOR UPDATE SKIP LOCKED), calls publish with their committed transactions, and deletes
	// the rows when publish returns nil, all in one database transaction. When publish fails, the
	// rows stay for the next attempt. It returns how many rows it relayed.
	RelayOutbox(ctx context.Context, limit int, publish func(ctx context.Context, txs []app.TxRecord) error) (int, error)
	// OutboxPending counts the rows not yet relayed.
	OutboxPending(ctx context.Context) (int64, error)
}

// Record is one message for the broker.
type Record struct {
	Topic string
	Key   []byte
	Value []byte
}

// Publisher sends records to a broker.
type Publisher interface {
	// Publish sends the records and returns once the broker acknowledged every one of them.
	Publish(ctx context.Context, recs []Record) error
	// Close flushes and releases the publisher.
	Close()
}
