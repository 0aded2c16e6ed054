package store_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"stacklab/ledgerspec"
	"stacklab/stacks"
	"stacklab/stacks/app"
	"stacklab/stacks/parttest/pgtest"
)

const (
	benchLedger   = "BENCH"
	benchAccounts = 100
	pageRows      = 20
)

// BenchmarkStore runs every store of the registry on the real PostgreSQL (a fresh database per
// store): op=post commits a transfer between two random accounts of the ledger, post-parallel
// does so from 8 goroutines (commits overlap), account reads one account, balances reads the
// ledger's snapshot of 100 accounts, page lists a page of 20 of an account's transactions.
func BenchmarkStore(b *testing.B) {
	for _, name := range slices.Sorted(maps.Keys(stacks.Stores)) {
		b.Run("store="+name, func(b *testing.B) {
			var trips pgtest.TripCounter
			s := openBench(b, name, &trips)
			ctx := context.Background()
			run := func(op string, f func(b *testing.B)) {
				b.Run("op="+op, func(b *testing.B) {
					b.ReportAllocs()
					trips.Take()
					f(b)
					b.ReportMetric(float64(trips.Take())/float64(b.N), "roundtrips/op")
				})
			}
			run("post", func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				for b.Loop() {
					debit, credit := randomPair(rng)
					if err := post(ctx, s, debit, credit); err != nil {
						b.Fatal(err)
					}
				}
			})
			run("post-parallel", func(b *testing.B) {
				b.SetParallelism(4) // 8 posting goroutines on 2 cores: commits overlap their fsyncs
				b.RunParallel(func(pb *testing.PB) {
					rng := rand.New(rand.NewPCG(uint64(txSeq.Add(1)), 2))
					for pb.Next() {
						debit, credit := randomPair(rng)
						if err := post(ctx, s, debit, credit); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
			run("account", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Account(ctx, accountID(7)); err != nil {
						b.Fatal(err)
					}
				}
			})
			run("balances", func(b *testing.B) {
				for b.Loop() {
					snap, err := s.Balances(ctx, benchLedger, 0)
					if err != nil {
						b.Fatal(err)
					}
					if len(snap.Accounts) != benchAccounts || snap.AsOfSeq == 0 {
						b.Fatalf("snapshot with %d accounts at seq %d", len(snap.Accounts), snap.AsOfSeq)
					}
				}
			})
			run("page", func(b *testing.B) {
				for b.Loop() {
					list, err := s.AccountTransactions(ctx, accountID(0), 0, pageRows)
					if err != nil {
						b.Fatal(err)
					}
					if len(list) != pageRows {
						b.Fatalf("page of %d transactions, want %d", len(list), pageRows)
					}
				}
			})
		})
	}
}

// openBench opens a store on a fresh database, dialing through trips, with the ledger's accounts
// and a page's worth of transactions of account 0.
func openBench(b *testing.B, name string, trips *pgtest.TripCounter) stacks.Store {
	b.Helper()
	ctx := context.Background()
	s, err := stacks.Stores[name](ctx, stacks.StoreConfig{DSN: pgtest.Database(b), MaxConns: 8, Dial: trips.Dial})
	if err != nil {
		b.Fatalf("opening store %s: %v", name, err)
	}
	b.Cleanup(s.Close)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range benchAccounts {
		a := app.AccountRecord{ID: accountID(i), Ledger: benchLedger, Name: "bench", CreatedAt: now}
		if _, _, err := s.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	for range pageRows + 5 {
		if err := post(ctx, s, accountID(0), accountID(1)); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func accountID(i int) string { return fmt.Sprintf("acc%04d", i) }

func randomPair(rng *rand.Rand) (string, string) {
	d := rng.IntN(benchAccounts)
	c := (d + 1 + rng.IntN(benchAccounts-1)) % benchAccounts
	return accountID(d), accountID(c)
}

// txSeq keeps transaction ids unique across the benchmarks of one process.
var txSeq atomic.Int64

// post commits a transfer of 1 from debit to credit and requires it committed.
func post(ctx context.Context, s stacks.Store, debit, credit string) error {
	postings := []ledgerspec.Posting{{DebitAccountID: debit, CreditAccountID: credit, Amount: 1}}
	tx := app.TxRecord{ID: fmt.Sprintf("tx-%d", txSeq.Add(1)), Postings: postings, RiskFlags: []string{},
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	res, err := s.Post(ctx, tx, commitAll(postings))
	if err != nil {
		return err
	}
	if res.Record.Seq == 0 {
		return fmt.Errorf("not committed: %+v", res)
	}
	return nil
}

// commitAll commits every posting in the bench ledger, with no rule: the benchmark measures the
// store, not the ledger's rules.
func commitAll(postings []ledgerspec.Posting) app.Decider {
	return func([]app.AccountRecord) app.Decision {
		sums := map[string]*app.Delta{}
		add := func(id string, debits, credits int64) {
			d := sums[id]
			if d == nil {
				d = &app.Delta{AccountID: id}
				sums[id] = d
			}
			d.Debits += debits
			d.Credits += credits
		}
		for _, p := range postings {
			add(p.DebitAccountID, p.Amount, 0)
			add(p.CreditAccountID, 0, p.Amount)
		}
		dec := app.Decision{Ledger: benchLedger}
		for _, d := range sums {
			dec.Deltas = append(dec.Deltas, *d)
		}
		slices.SortFunc(dec.Deltas, func(a, b app.Delta) int { return strings.Compare(a.AccountID, b.AccountID) })
		return dec
	}
}
