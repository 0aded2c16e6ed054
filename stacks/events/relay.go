package events

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
)

// RelayOptions tunes a Relay. Zero fields take their defaults.
type RelayOptions struct {
	// Batch is the most outbox rows one RelayOutbox call claims (default 256).
	Batch int
	// Poll is how long Run waits for a Notify before it looks at the outbox anyway (default 250 ms).
	Poll time.Duration
	// Linger is how long Run waits after a Notify before it claims a batch, so commits that arrive
	// close together are relayed in one claim, one produce and one delete instead of one each
	// (default 5 ms; a negative Linger relays at once). It bounds the delay it adds to an event.
	Linger time.Duration
	// MinBackoff is the first wait after a failed attempt (default 50 ms); every further failure
	// doubles it, up to MaxBackoff (default 5 s).
	MinBackoff, MaxBackoff time.Duration
	// Timeout bounds one attempt: claiming a batch, publishing it and deleting its rows
	// (default 10 s), so a stuck broker never holds the rows' locks forever. It also bounds how
	// long a publish stuck on a broker that went away, or came back without its topics, holds up
	// the next attempt (which checks the topics): a healthy broker acknowledges a batch in
	// milliseconds, a real cluster's leader election takes seconds, so 10 s gives up on neither
	// and the relay recovers within about 10 s of the broker's return.
	Timeout time.Duration
}

func (o RelayOptions) withDefaults() RelayOptions {
	if o.Batch <= 0 {
		o.Batch = 256
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.Linger == 0 {
		o.Linger = 5 * time.Millisecond
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 50 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return o
}

// RelayStats are a Relay's counters since it was made.
type RelayStats struct {
	// Published counts the outbox rows relayed: their records were acknowledged and the rows deleted.
	Published int64
	// Records counts the records the broker acknowledged (transactions and alerts). A batch whose
	// rows could not be deleted afterwards is counted again when it is relayed again.
	Records int64
	// Failures counts the attempts that failed (claiming, encoding, publishing or deleting).
	Failures int64
}

// Relay moves outbox rows to the broker. Run it in its own goroutine; Notify it after every commit.
// Its methods are safe for concurrent use.
type Relay struct {
	ob    Outbox
	pub   Publisher
	codec app.Codec
	log   *zap.Logger
	opt   RelayOptions

	wake chan struct{}

	published atomic.Int64
	records   atomic.Int64
	failures  atomic.Int64
}

var _ app.Notifier = (*Relay)(nil)

// NewRelay returns a relay from ob to pub that encodes event values with codec. A nil log discards
// the relay's messages.
func NewRelay(ob Outbox, pub Publisher, codec app.Codec, log *zap.Logger, opt RelayOptions) *Relay {
	if log == nil {
		log = zap.NewNop()
	}
	return &Relay{
		ob:    ob,
		pub:   pub,
		codec: codec,
		log:   log,
		opt:   opt.withDefaults(),
		wake:  make(chan struct{}, 1),
	}
}

// Notify tells the relay that rows may be waiting. It never blocks: notifications that arrive
// while one is already pending are merged into it.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Stats reads the relay's counters.
func (r *Relay) Stats() RelayStats {
	return RelayStats{
		Published: r.published.Load(),
		Records:   r.records.Load(),
		Failures:  r.failures.Load(),
	}
}

// Run relays rows until ctx ends: at start, Linger after every Notify and at least every Poll
// interval, it relays batches until a batch comes back less than full (what was committed before
// the claim is then relayed; later commits notify again). A failed attempt is logged and retried
// after a backoff. Run returns only when ctx ends.
func (r *Relay) Run(ctx context.Context) {
	poll := time.NewTimer(r.opt.Poll)
	defer poll.Stop()
	for {
		r.relayAll(ctx)
		poll.Reset(r.opt.Poll)
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
			if r.opt.Linger > 0 && !sleep(ctx, r.opt.Linger) {
				return
			}
		case <-poll.C:
		}
	}
}

// relayAll relays batches until one relays less than a full batch, retrying failures, or until ctx
// ends. A short batch means the outbox held nothing more when it was claimed, so a further claim
// would find only rows committed since, which notify on their own: not claiming again saves a
// round trip or more per wake-up at low rates. Rows skipped because another relay held them are
// picked up by the next poll.
func (r *Relay) relayAll(ctx context.Context) {
	var backoff time.Duration
	for ctx.Err() == nil {
		n, err := r.relayOnce(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = r.nextBackoff(backoff)
			r.log.Warn("outbox relay attempt failed; retrying",
				zap.Error(err), zap.Duration("backoff", backoff), zap.Int64("failures", r.failures.Load()))
			if !sleep(ctx, backoff) {
				return
			}
			continue
		}
		if backoff > 0 {
			r.log.Info("outbox relay recovered", zap.Int("relayed", n))
			backoff = 0
		}
		if n < r.opt.Batch {
			return
		}
	}
}

// Drain relays until the outbox holds no pending row, or until ctx ends; graceful shutdown calls it
// after the HTTP server stopped taking requests. Failed attempts are retried after a backoff. It
// returns nil once nothing is pending, else an error that says how many rows were left.
func (r *Relay) Drain(ctx context.Context) error {
	var backoff time.Duration
	pending := int64(-1) // unknown until first counted
	for {
		count, err := r.ob.OutboxPending(ctx)
		if err != nil {
			if ctx.Err() != nil && pending >= 0 {
				return fmt.Errorf("draining outbox: %d rows still pending: %w", pending, err)
			}
			return fmt.Errorf("draining outbox: counting pending rows: %w", err)
		}
		pending = count
		if pending == 0 {
			return nil
		}
		n, err := r.relayOnce(ctx)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return fmt.Errorf("draining outbox: %d rows still pending: %w (last attempt: %w)", pending, ctx.Err(), err)
			}
			backoff = r.nextBackoff(backoff)
			r.log.Warn("outbox drain attempt failed; retrying",
				zap.Error(err), zap.Int64("pending", pending), zap.Duration("backoff", backoff))
		case n > 0:
			backoff = 0
			continue
		default:
			// Every pending row is claimed by another relay (Run, or another instance of the
			// stack): wait for it to finish with them.
			backoff = r.opt.MinBackoff
		}
		if !sleep(ctx, backoff) {
			return fmt.Errorf("draining outbox: %d rows still pending: %w", pending, ctx.Err())
		}
	}
}

// relayOnce makes one bounded attempt at one batch and returns how many rows it relayed.
func (r *Relay) relayOnce(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opt.Timeout)
	defer cancel()
	n, err := r.ob.RelayOutbox(ctx, r.opt.Batch, func(ctx context.Context, txs []app.TxRecord) error {
		recs, err := r.encode(txs)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		if err := r.pub.Publish(ctx, recs); err != nil {
			return fmt.Errorf("publishing %d records: %w", len(recs), err)
		}
		r.records.Add(int64(len(recs)))
		return nil
	})
	if err != nil {
		r.failures.Add(1)
		return 0, fmt.Errorf("relaying outbox: %w", err)
	}
	r.published.Add(int64(n))
	return n, nil
}

// encode turns committed transactions into records, in commit order: each transaction's record on
// the transactions topic is followed by its alert, when it has risk flags.
func (r *Relay) encode(txs []app.TxRecord) ([]Record, error) {
	recs := make([]Record, 0, len(txs))
	for i := range txs {
		tx := &txs[i]
		if !tx.Committed() || tx.Seq <= 0 {
			// A failed id is never published. The store should not have queued it; drop it
			// with its row rather than block the outbox.
			r.log.Error("outbox row holds a transaction that is not committed; not publishing it",
				zap.String("id", tx.ID), zap.String("fail_code", string(tx.FailCode)))
			continue
		}
		value, err := r.codec.Marshal(app.TransactionView(tx))
		if err != nil {
			return nil, fmt.Errorf("encoding transaction %q with codec %s: %w", tx.ID, r.codec.Name(), err)
		}
		key := []byte(tx.ID)
		recs = append(recs, Record{Topic: ledgerspec.TopicTransactions, Key: key, Value: value})
		if len(tx.RiskFlags) > 0 {
			recs = append(recs, Record{Topic: ledgerspec.TopicAlerts, Key: key, Value: value})
		}
	}
	return recs, nil
}

func (r *Relay) nextBackoff(cur time.Duration) time.Duration {
	if cur <= 0 {
		return r.opt.MinBackoff
	}
	return min(2*cur, r.opt.MaxBackoff)
}

// sleep waits d or until ctx ends, and reports whether it waited the whole d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
