package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
)

// counters are an account's expected state.
type counters struct{ debits, credits, version int64 }

// apply adds a committed transaction's postings to want: each account once per transaction.
func apply(want map[string]*counters, postings []ledgerspec.Posting) {
	touched := map[string]bool{}
	get := func(id string) *counters {
		c := want[id]
		if c == nil {
			c = &counters{}
			want[id] = c
		}
		if !touched[id] {
			touched[id] = true
			c.version++
		}
		return c
	}
	for _, p := range postings {
		get(p.DebitAccountID).debits += p.Amount
		get(p.CreditAccountID).credits += p.Amount
	}
}

func testNoDeadlocks(t *testing.T, s Store) {
	ctx := testContext(t)
	createAccounts(ctx, t, s, account("A", "L1", noFlags), account("B", "L1", noFlags), account("C", "L1", noFlags))
	shapes := [][]ledgerspec.Posting{
		{posting("A", "B", 1)},
		{posting("B", "A", 2)},
		{posting("C", "A", 3), posting("B", "C", 4)},
		{posting("A", "C", 5), posting("C", "B", 6), posting("B", "A", 7)},
	}
	const workers, each = 8, 20
	dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := range each {
				ps := shapes[(w+k)%len(shapes)]
				tx := newTx(fmt.Sprintf("w%d-%d", w, k), ps...)
				res, err := s.Post(dctx, tx, transfer(ps))
				if err != nil {
					t.Errorf("Post(%s): %v", tx.ID, err)
					return
				}
				if !res.Record.Committed() || res.Existing != nil {
					t.Errorf("Post(%s) = %+v, want committed", tx.ID, res)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := dctx.Err(); err != nil {
		t.Fatalf("opposite transfers did not finish within the deadline (deadlock?): %v", err)
	}
	t.Logf("%d opposite-direction Posts by %d workers in %v", workers*each, workers, time.Since(start).Round(time.Millisecond))
	want := map[string]*counters{}
	for w := range workers {
		for k := range each {
			apply(want, shapes[(w+k)%len(shapes)])
		}
	}
	for _, id := range []string{"A", "B", "C"} {
		w := want[id]
		if d := diffAccount(mustAccount(ctx, t, s, id), acct(id, "L1", w.debits, w.credits, w.version)); d != "" {
			t.Error(d)
		}
	}
}

// testSeqOrder posts concurrently in two ledgers while a reader polls one ledger's balances.
// Every snapshot must hold exactly the transactions with seq ≤ as_of_seq, and as_of_seq must
// never go backwards: seqs grow in commit order.
func testSeqOrder(t *testing.T, s Store) {
	ctx := testContext(t)
	ledgers := map[string][]string{"L1": {"a0", "a1", "a2", "a3", "a4"}, "L2": {"b0", "b1", "b2"}}
	for _, l := range []string{"L1", "L2"} {
		for _, id := range ledgers[l] {
			createAccounts(ctx, t, s, account(id, l, noFlags))
		}
	}
	type done struct {
		ledger   string
		seq      int64
		postings []ledgerspec.Posting
	}
	var (
		mu        sync.Mutex
		committed []done
		writers   sync.WaitGroup
	)
	writer := func(ledger string, w int) {
		accts := ledgers[ledger]
		rng := rand.New(rand.NewPCG(uint64(w), 42))
		for k := range 25 {
			n := 1 + rng.IntN(2)
			ps := make([]ledgerspec.Posting, n)
			for i := range ps {
				d := rng.IntN(len(accts))
				c := (d + 1 + rng.IntN(len(accts)-1)) % len(accts)
				ps[i] = posting(accts[d], accts[c], 1+rng.Int64N(1000))
			}
			tx := newTx(ledger+"-w"+strconv.Itoa(w)+"-"+strconv.Itoa(k), ps...)
			res, err := s.Post(ctx, tx, transfer(ps))
			if err != nil || res.Existing != nil || !res.Record.Committed() {
				t.Errorf("Post(%s) = %+v, %v; want committed", tx.ID, res, err)
				return
			}
			mu.Lock()
			committed = append(committed, done{ledger, res.Record.Seq, ps})
			mu.Unlock()
		}
	}
	for w := range 6 {
		writers.Go(func() { writer("L1", w) })
	}
	for w := range 2 {
		writers.Go(func() { writer("L2", 100+w) })
	}
	stop := make(chan struct{})
	var snaps []app.Snapshot
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			snap, err := s.Balances(ctx, "L1", 0)
			if err != nil {
				t.Errorf("Balances(L1): %v", err)
				return
			}
			snaps = append(snaps, snap)
		}
	})
	writers.Wait()
	close(stop)
	reader.Wait()
	final, err := s.Balances(ctx, "L1", 0)
	if err != nil {
		t.Fatalf("Balances(L1): %v", err)
	}
	snaps = append(snaps, final)
	if t.Failed() {
		return
	}

	seqs := map[int64]string{}
	var l1 []done
	for _, c := range committed {
		if other, dup := seqs[c.seq]; dup {
			t.Errorf("seq %d given twice (ledgers %s and %s)", c.seq, other, c.ledger)
		}
		seqs[c.seq] = c.ledger
		if c.ledger == "L1" {
			l1 = append(l1, c)
		}
	}
	slices.SortFunc(l1, func(a, b done) int { return cmp.Compare(a.seq, b.seq) })

	prev, distinct := int64(0), 0
	for i, snap := range snaps {
		if t.Failed() && i > 0 && snaps[i-1].AsOfSeq != snap.AsOfSeq {
			t.Errorf("stopped checking at snapshot %d of %d", i, len(snaps))
			break
		}
		if snap.AsOfSeq < prev {
			t.Errorf("snapshot %d: as_of_seq %d after %d: went backwards", i, snap.AsOfSeq, prev)
		}
		if snap.AsOfSeq != prev {
			distinct++
		}
		prev = snap.AsOfSeq
		if snap.AsOfSeq != 0 && seqs[snap.AsOfSeq] != "L1" {
			t.Errorf("snapshot %d: as_of_seq %d is not a seq of L1", i, snap.AsOfSeq)
		}
		want := map[string]*counters{}
		for _, c := range l1 {
			if c.seq <= snap.AsOfSeq {
				apply(want, c.postings)
			}
		}
		var total int64
		for _, a := range snap.Accounts {
			w := want[a.ID]
			if w == nil {
				w = &counters{}
			}
			total += a.DebitsPosted
			if a.DebitsPosted != w.debits || a.CreditsPosted != w.credits || a.Version != w.version {
				t.Errorf("snapshot %d at seq %d: %s has %d/%d v%d, want %d/%d v%d (the transactions with seq ≤ as_of_seq)",
					i, snap.AsOfSeq, a.ID, a.DebitsPosted, a.CreditsPosted, a.Version, w.debits, w.credits, w.version)
			}
		}
		if len(snap.Accounts) != len(ledgers["L1"]) {
			t.Errorf("snapshot %d lists %d accounts, want %d", i, len(snap.Accounts), len(ledgers["L1"]))
		}
		if snap.TotalDebits != strconv.FormatInt(total, 10) || snap.TotalCredits != snap.TotalDebits {
			t.Errorf("snapshot %d: totals %s/%s, want %d/%d", i, snap.TotalDebits, snap.TotalCredits, total, total)
		}
	}
	if len(l1) == 0 || final.AsOfSeq != l1[len(l1)-1].seq {
		t.Errorf("final as_of_seq %d, want the last L1 seq", final.AsOfSeq)
	}
	t.Logf("%d snapshots while %d transactions committed; %d distinct as_of_seq values", len(snaps), len(committed), distinct)
}
