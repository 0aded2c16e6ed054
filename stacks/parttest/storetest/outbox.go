package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
)

// commitMany commits n transfers A→B with ids prefix0…, in order, and returns their records.
func commitMany(ctx context.Context, t *testing.T, s Store, prefix string, n int) []app.TxRecord {
	t.Helper()
	recs := make([]app.TxRecord, n)
	for i := range recs {
		recs[i] = commit(ctx, t, s, newTx(fmt.Sprintf("%s%02d", prefix, i), posting("A", "B", int64(i+1)))).Record
	}
	return recs
}

func wantPending(ctx context.Context, t *testing.T, s Store, want int64) {
	t.Helper()
	if n, err := s.OutboxPending(ctx); err != nil || n != want {
		t.Errorf("OutboxPending = %d, %v; want %d", n, err, want)
	}
}

func testOutbox(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags))
	wantPending(ctx, t, s, 0)
	recs := commitMany(ctx, t, s, "t", 5)
	if _, err := s.Post(ctx, newTx("failed", posting("A", "B", 1)), refuse(ledgerspec.CodeExceedsCredits, 0)); err != nil {
		t.Fatalf("Post(failed): %v", err)
	}
	wantPending(ctx, t, s, 5)

	var got []app.TxRecord
	record := func(_ context.Context, txs []app.TxRecord) error {
		got = append(got, txs...)
		return nil
	}
	n, err := s.RelayOutbox(ctx, 3, record)
	if err != nil || n != 3 {
		t.Fatalf("RelayOutbox(3) = %d, %v; want 3", n, err)
	}
	checkList(t, "first relay", got, nil, recs[:3]...)
	wantPending(ctx, t, s, 2)

	errBroker := errors.New("broker down")
	calls := 0
	n, err = s.RelayOutbox(ctx, 10, func(_ context.Context, txs []app.TxRecord) error {
		calls++
		checkList(t, "relay whose publish fails", txs, nil, recs[3:]...)
		return errBroker
	})
	if err == nil || n != 0 {
		t.Errorf("RelayOutbox with a failing publish = %d, %v; want 0 and an error", n, err)
	}
	if !errors.Is(err, errBroker) {
		t.Errorf("RelayOutbox error %v does not wrap publish's error", err)
	}
	if calls != 1 {
		t.Errorf("publish called %d times, want 1", calls)
	}
	wantPending(ctx, t, s, 2)

	got = nil
	n, err = s.RelayOutbox(ctx, 10, record)
	if err != nil || n != 2 {
		t.Fatalf("RelayOutbox(10) = %d, %v; want 2", n, err)
	}
	checkList(t, "relay after the failure", got, nil, recs[3:]...)
	wantPending(ctx, t, s, 0)

	got = nil
	n, err = s.RelayOutbox(ctx, 10, record)
	if err != nil || n != 0 || len(got) != 0 {
		t.Errorf("RelayOutbox on an empty outbox = %d, %v, published %v; want 0, nothing", n, err, txIDs(got))
	}
}

// testOutboxSkipLocked holds one relay inside publish while another runs: the second must skip
// the first one's rows, not wait for them and not publish them.
func testOutboxSkipLocked(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags))
	recs := commitMany(ctx, t, s, "t", 20)

	claimed := make(chan []app.TxRecord, 1)
	release := make(chan struct{})
	type outcome struct {
		n   int
		err error
	}
	first := make(chan outcome, 1)
	go func() {
		n, err := s.RelayOutbox(ctx, 5, func(_ context.Context, txs []app.TxRecord) error {
			claimed <- txs
			<-release
			return nil
		})
		first <- outcome{n, err}
	}()
	var held []app.TxRecord
	select {
	case held = <-claimed:
	case <-time.After(30 * time.Second):
		t.Fatal("the first relay never published")
	}
	checkList(t, "first relay (held)", held, nil, recs[:5]...)

	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	var second []app.TxRecord
	n, err := s.RelayOutbox(sctx, 100, func(_ context.Context, txs []app.TxRecord) error {
		second = append(second, txs...)
		return nil
	})
	cancel()
	close(release)
	if err != nil || n != 15 {
		t.Errorf("second relay while the first holds 5 rows = %d, %v; want 15 (SKIP LOCKED, no wait)", n, err)
	}
	checkList(t, "second relay", second, nil, recs[5:]...)
	if o := <-first; o.err != nil || o.n != 5 {
		t.Errorf("first relay = %d, %v; want 5", o.n, o.err)
	}
	wantPending(ctx, t, s, 0)
}

// testOutboxConcurrentRelays runs relays side by side until the outbox is empty: every committed
// transaction is published exactly once (publish never fails here), never by two relays at once,
// and each batch is in commit order.
func testOutboxConcurrentRelays(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags))
	recs := commitMany(ctx, t, s, "t", 60)
	var (
		mu        sync.Mutex
		inFlight  = map[string]bool{}
		published = map[string]int{}
		wg        sync.WaitGroup
	)
	publish := func(_ context.Context, txs []app.TxRecord) error {
		mu.Lock()
		for i, tx := range txs {
			if inFlight[tx.ID] {
				t.Errorf("%s is being published by two relays at once", tx.ID)
			}
			inFlight[tx.ID] = true
			published[tx.ID]++
			if i > 0 && tx.Seq <= txs[i-1].Seq {
				t.Errorf("batch not in commit order: %s (seq %d) after %s (seq %d)", tx.ID, tx.Seq, txs[i-1].ID, txs[i-1].Seq)
			}
		}
		mu.Unlock()
		time.Sleep(2 * time.Millisecond) // hold the rows while other relays claim theirs
		mu.Lock()
		for _, tx := range txs {
			delete(inFlight, tx.ID)
		}
		mu.Unlock()
		return nil
	}
	for range 4 {
		wg.Go(func() {
			for {
				n, err := s.RelayOutbox(ctx, 4, publish)
				if err != nil {
					t.Errorf("RelayOutbox: %v", err)
					return
				}
				if n == 0 {
					pending, err := s.OutboxPending(ctx)
					if err != nil {
						t.Errorf("OutboxPending: %v", err)
						return
					}
					if pending == 0 {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for _, r := range recs {
		if published[r.ID] != 1 {
			t.Errorf("%s published %d times, want 1", r.ID, published[r.ID])
		}
	}
	if len(published) != len(recs) {
		t.Errorf("published %d distinct transactions, want %d", len(published), len(recs))
	}
	wantPending(ctx, t, s, 0)
}
