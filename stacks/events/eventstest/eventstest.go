package eventstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"stacklab/stacks/app"
	"stacklab/stacks/events"
)

// ErrInjected is the error an Outbox or Publisher returns for a failure asked of it.
var ErrInjected = errors.New("eventstest: injected failure")

type row struct {
	tx      app.TxRecord
	claimed bool
}

// Outbox is an in-memory events.Outbox. The zero value is empty and ready.
type Outbox struct {
	mu          sync.Mutex
	rows        []*row // commit order
	failCommits int
	calls       int
}

var _ events.Outbox = (*Outbox)(nil)

// Add queues committed transactions, as a store's commits would.
func (o *Outbox) Add(txs ...app.TxRecord) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, tx := range txs {
		o.rows = append(o.rows, &row{tx: tx})
	}
}

// FailNextCommits makes the next n relays fail after publish succeeded, as when the database
// transaction that deletes the rows does not commit: the rows stay and will be published again.
func (o *Outbox) FailNextCommits(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failCommits = n
}

// Calls counts the RelayOutbox calls so far.
func (o *Outbox) Calls() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

// RelayOutbox claims up to limit unclaimed rows in commit order, calls publish with them outside
// the lock, and deletes them when publish returns nil.
func (o *Outbox) RelayOutbox(ctx context.Context, limit int, publish func(context.Context, []app.TxRecord) error) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("relaying in-memory outbox: %w", err)
	}
	o.mu.Lock()
	o.calls++
	var claimed []*row
	for _, r := range o.rows {
		if len(claimed) == limit {
			break
		}
		if !r.claimed {
			r.claimed = true
			claimed = append(claimed, r)
		}
	}
	o.mu.Unlock()
	if len(claimed) == 0 {
		return 0, nil
	}
	txs := make([]app.TxRecord, len(claimed))
	for i, r := range claimed {
		txs[i] = r.tx
	}
	err := publish(ctx, txs)

	o.mu.Lock()
	defer o.mu.Unlock()
	if err == nil && o.failCommits > 0 {
		o.failCommits--
		err = fmt.Errorf("deleting relayed rows: %w", ErrInjected)
	}
	if err != nil {
		for _, r := range claimed {
			r.claimed = false
		}
		return 0, err
	}
	o.rows = slices.DeleteFunc(o.rows, func(r *row) bool { return slices.Contains(claimed, r) })
	return len(claimed), nil
}

// OutboxPending counts the rows not yet relayed, claimed or not.
func (o *Outbox) OutboxPending(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("counting in-memory outbox: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return int64(len(o.rows)), nil
}

// Publisher is an in-memory events.Publisher that keeps every record it accepted. The zero value
// is ready.
type Publisher struct {
	mu      sync.Mutex
	recs    []events.Record
	batches []int
	fail    int
	calls   int
	closed  bool
}

var _ events.Publisher = (*Publisher)(nil)

// FailNext makes the next n Publish calls fail with ErrInjected without accepting anything.
func (p *Publisher) FailNext(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = n
}

// Publish accepts the records, unless a failure was asked for or ctx has ended.
func (p *Publisher) Publish(ctx context.Context, recs []events.Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publishing to memory: %w", err)
	}
	if p.closed {
		return errors.New("publishing to memory: publisher closed")
	}
	if p.fail > 0 {
		p.fail--
		return fmt.Errorf("publishing to memory: %w", ErrInjected)
	}
	for _, r := range recs {
		p.recs = append(p.recs, events.Record{Topic: r.Topic, Key: bytes.Clone(r.Key), Value: bytes.Clone(r.Value)})
	}
	p.batches = append(p.batches, len(recs))
	return nil
}

// Close makes later Publish calls fail.
func (p *Publisher) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
}

// Records returns a copy of every accepted record, in acceptance order.
func (p *Publisher) Records() []events.Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.recs)
}

// Batches returns the size of every accepted Publish call, in order.
func (p *Publisher) Batches() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.batches)
}

// Calls counts the Publish calls, failed ones included.
func (p *Publisher) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// JSONCodec is an app.Codec on encoding/json with strict decoding.
type JSONCodec struct{}

var _ app.Codec = JSONCodec{}

// Name returns "eventstest-json".
func (JSONCodec) Name() string { return "eventstest-json" }

// Marshal encodes v.
func (JSONCodec) Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding json: %w", err)
	}
	return b, nil
}

// Unmarshal decodes data into v, refusing unknown fields and trailing data.
func (JSONCodec) Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("decoding json: trailing data after the value")
	}
	return nil
}
