package sqlcstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"

	"stacklab/stacks/parttest/pgtest"
	"stacklab/stacks/parttest/storetest"
	sqlcstore "stacklab/stacks/store/sqlc"
)

func openStore(t testing.TB) *sqlcstore.Store {
	t.Helper()
	s, err := sqlcstore.Open(context.Background(), sqlcstore.Config{DSN: pgtest.Database(t), MaxConns: 8})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openStore(t) })
}

func TestOpenUnreachable(t *testing.T) {
	start := time.Now()
	s, err := sqlcstore.Open(context.Background(), sqlcstore.Config{DSN: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded against a closed port")
	}
	if !strings.Contains(err.Error(), "connecting to PostgreSQL at 127.0.0.1:1/postgres") {
		t.Errorf("error %q does not say where it failed to connect", err)
	}
	if d := time.Since(start); d > 11*time.Second {
		t.Errorf("Open took %v to fail", d)
	}
}

func TestOpenBadDSN(t *testing.T) {
	if _, err := sqlcstore.Open(context.Background(), sqlcstore.Config{DSN: "postgres://[::1"}); err == nil ||
		!strings.Contains(err.Error(), "parsing PostgreSQL DSN") {
		t.Errorf("Open with a malformed DSN = %v, want a parse error", err)
	}
}

// benchDecide commits every posting, with no rule: the benchmarks measure the store.
func benchDecide(ledger string, postings []ledgerspec.Posting) app.Decider {
	return func([]app.AccountRecord) app.Decision {
		sums := map[string]*app.Delta{}
		for _, p := range postings {
			for _, side := range []struct {
				id     string
				debit  bool
				amount int64
			}{{p.DebitAccountID, true, p.Amount}, {p.CreditAccountID, false, p.Amount}} {
				d := sums[side.id]
				if d == nil {
					d = &app.Delta{AccountID: side.id}
					sums[side.id] = d
				}
				if side.debit {
					d.Debits += side.amount
				} else {
					d.Credits += side.amount
				}
			}
		}
		dec := app.Decision{Ledger: ledger}
		for _, d := range sums {
			dec.Deltas = append(dec.Deltas, *d)
		}
		slices.SortFunc(dec.Deltas, func(a, b app.Delta) int { return strings.Compare(a.AccountID, b.AccountID) })
		return dec
	}
}

// benchStore opens a store with n accounts acc0000… in ledger BENCH.
func benchStore(b *testing.B, n int) *sqlcstore.Store {
	b.Helper()
	s := openStore(b)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range n {
		a := app.AccountRecord{ID: fmt.Sprintf("acc%04d", i), Ledger: "BENCH", Name: "bench", CreatedAt: now}
		if _, _, err := s.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

var benchRun atomic.Int64 // keeps transaction ids unique across benchmark runs on one database

func benchPost(s *sqlcstore.Store, pick func() (string, string)) error {
	ctx := context.Background()
	debit, credit := pick()
	postings := []ledgerspec.Posting{{DebitAccountID: debit, CreditAccountID: credit, Amount: 1}}
	tx := app.TxRecord{ID: fmt.Sprintf("tx-%d", benchRun.Add(1)), Postings: postings, RiskFlags: []string{},
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	res, err := s.Post(ctx, tx, benchDecide("BENCH", postings))
	if err != nil {
		return err
	}
	if res.Record.Seq == 0 {
		return fmt.Errorf("not committed: %+v", res)
	}
	return nil
}

func BenchmarkPost(b *testing.B) {
	b.Run("accounts=2", func(b *testing.B) {
		s := benchStore(b, 2)
		b.ReportAllocs()
		for b.Loop() {
			if err := benchPost(s, func() (string, string) { return "acc0000", "acc0001" }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("accounts=1000/random", func(b *testing.B) {
		s := benchStore(b, 1000)
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			if err := benchPost(s, func() (string, string) { return randomPair(rng, 1000) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("accounts=1000/random/parallel", func(b *testing.B) {
		s := benchStore(b, 1000)
		b.ReportAllocs()
		b.SetParallelism(4) // 8 posting goroutines on 2 cores: commits overlap their fsyncs
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			rng := rand.New(rand.NewPCG(uint64(benchRun.Add(1)), 2))
			for pb.Next() {
				if err := benchPost(s, func() (string, string) { return randomPair(rng, 1000) }); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func randomPair(rng *rand.Rand, n int) (string, string) {
	d := rng.IntN(n)
	c := (d + 1 + rng.IntN(n-1)) % n
	return fmt.Sprintf("acc%04d", d), fmt.Sprintf("acc%04d", c)
}

func BenchmarkAccount(b *testing.B) {
	s := benchStore(b, 2)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Account(ctx, "acc0001"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBalances(b *testing.B) {
	s := benchStore(b, 100)
	for range 50 {
		if err := benchPost(s, func() (string, string) { return "acc0000", "acc0042" }); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		snap, err := s.Balances(ctx, "BENCH", 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Accounts) != 100 || snap.AsOfSeq == 0 {
			b.Fatalf("snapshot with %d accounts at seq %d", len(snap.Accounts), snap.AsOfSeq)
		}
	}
}
