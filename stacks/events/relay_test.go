package events_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/events"
	"stacklab/stacks/events/eventstest"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// committed returns n committed transactions; every third one carries a risk flag.
func committed(n int) []app.TxRecord {
	txs := make([]app.TxRecord, n)
	for i := range txs {
		flags := []string{}
		if i%3 == 2 {
			flags = []string{"velocity"}
		}
		txs[i] = app.TxRecord{
			ID:     fmt.Sprintf("tx-%03d", i),
			Ledger: "L1",
			Seq:    int64(i + 1),
			Postings: []ledgerspec.Posting{
				{DebitAccountID: "a", CreditAccountID: "b", Amount: int64(100 + i)},
			},
			Description: fmt.Sprintf("payment %d", i),
			RiskFlags:   flags,
			CreatedAt:   t0.Add(time.Duration(i) * time.Millisecond),
			FailIndex:   -1,
		}
	}
	return txs
}

// expected returns the records the relay must publish for txs, in order.
func expected(t *testing.T, txs []app.TxRecord) []events.Record {
	t.Helper()
	var recs []events.Record
	for i := range txs {
		v, err := eventstest.JSONCodec{}.Marshal(app.TransactionView(&txs[i]))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, events.Record{Topic: ledgerspec.TopicTransactions, Key: []byte(txs[i].ID), Value: v})
		if len(txs[i].RiskFlags) > 0 {
			recs = append(recs, events.Record{Topic: ledgerspec.TopicAlerts, Key: []byte(txs[i].ID), Value: v})
		}
	}
	return recs
}

func sameRecords(t *testing.T, got, want []events.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Topic != want[i].Topic || string(got[i].Key) != string(want[i].Key) || string(got[i].Value) != string(want[i].Value) {
			t.Fatalf("record %d = %s/%s %s, want %s/%s %s", i,
				got[i].Topic, got[i].Key, got[i].Value, want[i].Topic, want[i].Key, want[i].Value)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func pending(t *testing.T, ob events.Outbox) int64 {
	t.Helper()
	n, err := ob.OutboxPending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// runRelay starts r.Run and returns a function that stops it and waits for it to return.
func runRelay(t *testing.T, r *events.Relay) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5 s of its context ending")
		}
	}
	t.Cleanup(stop)
	return stop
}

func TestRelayPublishesEveryCommittedTransaction(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		batch int
	}{
		{"one", 1, 0},
		{"one batch", 10, 0},
		{"several batches", 25, 4},
		{"batch of one", 7, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ob := &eventstest.Outbox{}
			pub := &eventstest.Publisher{}
			// A long poll: only Notify can wake the relay within the test's deadline.
			r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{Batch: tc.batch, Poll: time.Hour})
			runRelay(t, r)
			txs := committed(tc.n)
			ob.Add(txs...)
			r.Notify()
			waitFor(t, "the outbox to empty", func() bool { return pending(t, ob) == 0 })
			sameRecords(t, pub.Records(), expected(t, txs))
			st := r.Stats()
			if st.Published != int64(tc.n) || st.Records != int64(len(expected(t, txs))) || st.Failures != 0 {
				t.Errorf("Stats = %+v, want %d published, %d records, 0 failures", st, tc.n, len(expected(t, txs)))
			}
		})
	}
}

func TestRelayValueIsTheTransactionView(t *testing.T) {
	ob := &eventstest.Outbox{}
	pub := &eventstest.Publisher{}
	tx := committed(3)[2] // flagged
	ob.Add(tx)
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{})
	if err := r.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs := pub.Records()
	if len(recs) != 2 || recs[0].Topic != ledgerspec.TopicTransactions || recs[1].Topic != ledgerspec.TopicAlerts {
		t.Fatalf("records = %+v, want one on each topic", recs)
	}
	for _, rec := range recs {
		var got ledgerspec.Transaction
		if err := (eventstest.JSONCodec{}).Unmarshal(rec.Value, &got); err != nil {
			t.Fatalf("value of %s: %v", rec.Topic, err)
		}
		if got.ID != tx.ID || got.Seq != tx.Seq || got.Description != tx.Description ||
			!slices.Equal(got.RiskFlags, tx.RiskFlags) || !slices.Equal(got.Postings, tx.Postings) ||
			got.CreatedAt != ledgerspec.FormatTime(tx.CreatedAt) {
			t.Errorf("value on %s = %+v, want the view of %+v", rec.Topic, got, tx)
		}
		if string(rec.Key) != tx.ID {
			t.Errorf("key on %s = %q, want %q", rec.Topic, rec.Key, tx.ID)
		}
	}
}

func TestRelayBatchesInCommitOrder(t *testing.T) {
	ob := &eventstest.Outbox{}
	pub := &eventstest.Publisher{}
	txs := committed(10)
	for i := range txs {
		txs[i].RiskFlags = []string{} // one record per transaction
	}
	ob.Add(txs...)
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{Batch: 3})
	if err := r.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := pub.Batches(), []int{3, 3, 3, 1}; !slices.Equal(got, want) {
		t.Errorf("batches = %v, want %v", got, want)
	}
	sameRecords(t, pub.Records(), expected(t, txs))
}

func TestRelayRetriesFailedPublishes(t *testing.T) {
	ob := &eventstest.Outbox{}
	pub := &eventstest.Publisher{}
	pub.FailNext(3)
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{
		Poll: time.Hour, MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond,
	})
	runRelay(t, r)
	txs := committed(5)
	ob.Add(txs...)
	r.Notify()
	waitFor(t, "the outbox to empty", func() bool { return pending(t, ob) == 0 })
	// Failed publishes accepted nothing, so every record is there exactly once.
	sameRecords(t, pub.Records(), expected(t, txs))
	if st := r.Stats(); st.Failures != 3 || st.Published != 5 {
		t.Errorf("Stats = %+v, want 3 failures and 5 published", st)
	}
	if got := pub.Calls(); got != 4 {
		t.Errorf("Publish called %d times, want 4 (3 failures, 1 success)", got)
	}
}

func TestRelayRepublishesRowsWhoseDeleteFailed(t *testing.T) {
	ob := &eventstest.Outbox{}
	pub := &eventstest.Publisher{}
	ob.FailNextCommits(1)
	txs := committed(4)
	ob.Add(txs...)
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{MinBackoff: time.Millisecond})
	if err := r.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	// At least once: the batch went out, its rows stayed, so it went out again.
	want := expected(t, txs)
	sameRecords(t, pub.Records(), append(slices.Clone(want), want...))
	if st := r.Stats(); st.Failures != 1 || st.Published != 4 || st.Records != int64(2*len(want)) {
		t.Errorf("Stats = %+v, want 1 failure, 4 published, %d records", st, 2*len(want))
	}
}

func TestRelayPollsWithoutNotify(t *testing.T) {
	ob := &eventstest.Outbox{}
	pub := &eventstest.Publisher{}
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{Poll: 10 * time.Millisecond})
	runRelay(t, r)
	waitFor(t, "a first poll", func() bool { return ob.Calls() >= 2 })
	txs := committed(3)
	ob.Add(txs...) // no Notify
	waitFor(t, "the outbox to empty", func() bool { return pending(t, ob) == 0 })
	sameRecords(t, pub.Records(), expected(t, txs))
}

func TestRelayPublishesRowsLeftByAnEarlierRun(t *testing.T) {
	ob := &eventstest.Outbox{}
	pub := &eventstest.Publisher{}
	first := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{Poll: time.Hour})
	stop := runRelay(t, first)
	txs := committed(6)
	ob.Add(txs[:2]...)
	first.Notify()
	waitFor(t, "the first rows", func() bool { return pending(t, ob) == 0 })
	stop()
	// Commits that happened while no relay ran (or that a crashed one left behind).
	ob.Add(txs[2:]...)
	if n := pending(t, ob); n != 4 {
		t.Fatalf("pending = %d, want 4", n)
	}
	second := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{Poll: time.Hour})
	runRelay(t, second) // no Notify: Run relays what it finds at start
	waitFor(t, "the rows left behind", func() bool { return pending(t, ob) == 0 })
	sameRecords(t, pub.Records(), expected(t, txs))
}

func TestRelayNeverPublishesAFailedID(t *testing.T) {
	ob := &eventstest.Outbox{}
	pub := &eventstest.Publisher{}
	txs := committed(3)
	bad := app.TxRecord{ID: "failed", Postings: txs[0].Postings, FailCode: ledgerspec.CodeExceedsCredits, FailIndex: 0}
	ob.Add(txs[0], bad, txs[1], txs[2])
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{})
	if err := r.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, pub.Records(), expected(t, txs))
}

type failingCodec struct{ eventstest.JSONCodec }

func (failingCodec) Marshal(any) ([]byte, error) { return nil, errors.New("cannot encode") }

func TestDrain(t *testing.T) {
	tests := []struct {
		name        string
		codec       app.Codec
		failPublish int
		timeout     time.Duration
		wantErr     bool
	}{
		{name: "empty outbox", codec: eventstest.JSONCodec{}, timeout: time.Second},
		{name: "relays everything", codec: eventstest.JSONCodec{}, timeout: 5 * time.Second},
		{name: "retries a failing broker", codec: eventstest.JSONCodec{}, failPublish: 4, timeout: 5 * time.Second},
		{name: "broker down until the deadline", codec: eventstest.JSONCodec{}, failPublish: 1 << 30, timeout: 100 * time.Millisecond, wantErr: true},
		{name: "codec failing until the deadline", codec: failingCodec{}, timeout: 100 * time.Millisecond, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ob := &eventstest.Outbox{}
			pub := &eventstest.Publisher{}
			pub.FailNext(tc.failPublish)
			var txs []app.TxRecord
			if tc.name != "empty outbox" {
				txs = committed(20)
				ob.Add(txs...)
			}
			r := events.NewRelay(ob, pub, tc.codec, nil, events.RelayOptions{Batch: 8, MinBackoff: time.Millisecond, MaxBackoff: 8 * time.Millisecond})
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			start := time.Now()
			err := r.Drain(ctx)
			if took := time.Since(start); took > tc.timeout+time.Second {
				t.Errorf("Drain took %v with a %v deadline", took, tc.timeout)
			}
			if tc.wantErr {
				if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "20 rows still pending") {
					t.Fatalf("Drain = %v, want a deadline error naming 20 pending rows", err)
				}
				if n := pending(t, ob); n != 20 {
					t.Errorf("pending after a failed drain = %d, want 20 (nothing lost)", n)
				}
				if len(pub.Records()) != 0 {
					t.Errorf("%d records published by a drain that never succeeded", len(pub.Records()))
				}
				return
			}
			if err != nil {
				t.Fatalf("Drain: %v", err)
			}
			if n := pending(t, ob); n != 0 {
				t.Errorf("pending after Drain = %d", n)
			}
			sameRecords(t, pub.Records(), expected(t, txs))
			if st := r.Stats(); st.Failures != int64(tc.failPublish) {
				t.Errorf("failures = %d, want %d", st.Failures, tc.failPublish)
			}
		})
	}
}

func TestDrainWaitsForRowsClaimedByAnotherRelay(t *testing.T) {
	ob := &eventstest.Outbox{}
	release := make(chan struct{})
	claimed := make(chan struct{})
	txs := committed(3)
	ob.Add(txs...)
	// Another relay holds the rows while Drain runs.
	go func() {
		_, _ = ob.RelayOutbox(context.Background(), 10, func(context.Context, []app.TxRecord) error {
			close(claimed)
			<-release
			return nil
		})
	}()
	<-claimed
	pub := &eventstest.Publisher{}
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{MinBackoff: time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- r.Drain(context.Background()) }()
	select {
	case err := <-done:
		t.Fatalf("Drain returned %v while rows were still pending", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Drain did not return after the other relay finished")
	}
	if len(pub.Records()) != 0 {
		t.Errorf("Drain published %d records of rows another relay held", len(pub.Records()))
	}
}

func TestNotifyNeverBlocks(t *testing.T) {
	r := events.NewRelay(&eventstest.Outbox{}, &eventstest.Publisher{}, eventstest.JSONCodec{}, nil, events.RelayOptions{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100_000 {
			r.Notify() // nobody runs the relay
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify blocked")
	}
}

func TestRunReturnsWhenContextEndsDuringBackoff(t *testing.T) {
	ob := &eventstest.Outbox{}
	ob.Add(committed(1)...)
	pub := &eventstest.Publisher{}
	pub.FailNext(1 << 30)
	r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{MinBackoff: time.Hour})
	stop := runRelay(t, r)
	waitFor(t, "a failed attempt", func() bool { return r.Stats().Failures == 1 })
	stop() // fails the test unless Run returns within 5 s
	if n := pending(t, ob); n != 1 {
		t.Errorf("pending = %d, want the row kept", n)
	}
}

// Commits that notify within the linger are relayed with one claim and one produce, and a short
// batch is not followed by an empty claim: at low rates a commit costs the relay one claim.
func TestRelayLingerBatchesNotifies(t *testing.T) {
	for _, tc := range []struct {
		name         string
		linger       time.Duration
		maxClaims    int
		maxPublishes int
	}{
		{"linger", 200 * time.Millisecond, 2, 2},
		{"no linger", -1, 10, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ob := &eventstest.Outbox{}
			pub := &eventstest.Publisher{}
			r := events.NewRelay(ob, pub, eventstest.JSONCodec{}, nil, events.RelayOptions{Poll: time.Hour, Linger: tc.linger})
			runRelay(t, r)
			waitFor(t, "the first claim at start", func() bool { return ob.Calls() >= 1 })
			before := ob.Calls()
			txs := committed(10)
			for i := range txs {
				ob.Add(txs[i])
				r.Notify()
				time.Sleep(2 * time.Millisecond)
			}
			waitFor(t, "the outbox to empty", func() bool { return pending(t, ob) == 0 })
			claims := ob.Calls() - before
			if claims > tc.maxClaims || pub.Calls() > tc.maxPublishes {
				t.Errorf("10 commits within %v took %d claims and %d produces, want at most %d and %d",
					tc.linger, claims, pub.Calls(), tc.maxClaims, tc.maxPublishes)
			}
			sameRecords(t, pub.Records(), expected(t, txs))
			t.Logf("%d claims, %d produces", claims, pub.Calls())
		})
	}
}
