package memstore_test

import (
	"context"
	"errors"
	"testing"
	"time"
	"unsafe"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/parttest/memstore"
)

func TestStorePostAndRead(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(nil)
	for _, id := range []string{"b", "a"} {
		if _, created, err := s.CreateAccount(ctx, app.AccountRecord{ID: id, Ledger: "L", Name: "n-" + id}); err != nil || !created {
			t.Fatalf("CreateAccount(%s): %v, created %v", id, err, created)
		}
	}
	if got, created, err := s.CreateAccount(ctx, app.AccountRecord{ID: "a", Ledger: "X"}); err != nil || created || got.Ledger != "L" {
		t.Fatalf("CreateAccount of an existing id: %+v, created %v, %v", got, created, err)
	}
	postings := []ledgerspec.Posting{{DebitAccountID: "a", CreditAccountID: "b", Amount: 5}}
	decide := func(locked []app.AccountRecord) app.Decision { return app.Decide(postings, locked) }
	res, err := s.Post(ctx, app.TxRecord{ID: "t1", Postings: postings}, decide)
	if err != nil || res.Record.Seq != 1 || len(res.Accounts) != 2 || res.Accounts[0].ID != "a" || res.Accounts[0].DebitsPosted != 5 || res.Accounts[0].Version != 1 {
		t.Fatalf("Post: %+v, %v", res, err)
	}
	if res, err := s.Post(ctx, app.TxRecord{ID: "t1", Postings: postings}, decide); err != nil || res.Existing == nil || res.Existing.Seq != 1 {
		t.Fatalf("Post of a decided id: %+v, %v", res, err)
	}
	bad := []ledgerspec.Posting{{DebitAccountID: "a", CreditAccountID: "zz", Amount: 1}}
	res, err = s.Post(ctx, app.TxRecord{ID: "t2", Postings: bad}, func(l []app.AccountRecord) app.Decision { return app.Decide(bad, l) })
	if err != nil || res.Record.FailCode != ledgerspec.CodeCreditAccountNotFound {
		t.Fatalf("Post to a missing account: %+v, %v", res, err)
	}
	snap, err := s.Balances(ctx, "L", 0)
	if err != nil || snap.AsOfSeq != 1 || len(snap.Accounts) != 2 || snap.TotalDebits != "5" || snap.TotalCredits != "5" {
		t.Fatalf("Balances: %+v, %v", snap, err)
	}
	if txs, err := s.AccountTransactions(ctx, "b", 0, 10); err != nil || len(txs) != 1 || txs[0].ID != "t1" {
		t.Fatalf("AccountTransactions: %+v, %v", txs, err)
	}
	if _, err := s.AccountHistory(ctx, "zz", 0, 10); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("AccountHistory of a missing account: %v", err)
	}
	n, err := s.RelayOutbox(ctx, 10, func(_ context.Context, txs []app.TxRecord) error {
		if len(txs) != 1 || txs[0].ID != "t1" {
			t.Errorf("relayed %+v", txs)
		}
		return nil
	})
	if pending, _ := s.OutboxPending(ctx); err != nil || n != 1 || pending != 0 {
		t.Fatalf("RelayOutbox: %d, %v; %d pending", n, err, pending)
	}
}

// TestStoreKeepsStringsAsGiven: the store keeps the very strings it is given (the property the
// transport tests rely on), here strings that alias a buffer changed afterwards.
func TestStoreKeepsStringsAsGiven(t *testing.T) {
	buf := []byte("acc-1Alice")
	s := memstore.New(nil)
	a := app.AccountRecord{ID: unsafe.String(&buf[0], 5), Ledger: "L", Name: unsafe.String(&buf[5], 5)}
	if _, _, err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	copy(buf[5:], "Mallo")
	if got := s.Accounts(); len(got) != 1 || got[0].Name != "Mallo" {
		t.Fatalf("the store copied the name: %+v", got)
	}
}

func TestHook(t *testing.T) {
	var calls []string
	boom := errors.New("boom")
	hook := func(_ context.Context, call, key string) error {
		calls = append(calls, call+" "+key)
		if key == "fail" {
			return boom
		}
		return nil
	}
	s, c := memstore.New(hook), memstore.NewCache(hook)
	ctx := context.Background()
	if _, err := s.Account(ctx, "fail"); !errors.Is(err, boom) {
		t.Errorf("Account: %v, want the hook's error", err)
	}
	if _, _, err := c.Account(ctx, "x"); err != nil {
		t.Errorf("cache Account: %v", err)
	}
	if len(calls) != 2 || calls[0] != "Account fail" || calls[1] != "CacheAccount x" {
		t.Errorf("calls %q", calls)
	}
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	c := memstore.NewCache(nil)
	now := time.Now()
	for i, tx := range []string{"t1", "t2", "t2", "t3"} {
		counts, err := c.CountDebits(ctx, tx, []string{"a"}, now.Add(time.Duration(i)*time.Second), time.Minute, 10)
		want := int64(min(i+1, 3))
		if i == 2 {
			want = 2 // t2 again
		}
		if err != nil || counts[0] != want {
			t.Fatalf("CountDebits(%s): %v, %v; want %d", tx, counts, err, want)
		}
	}
	if counts, _ := c.CountDebits(ctx, "t4", []string{"a"}, now.Add(61*time.Second), time.Minute, 10); counts[0] != 2 {
		t.Errorf("after the window moved: %v, want 2 (t1 expired, t2 on the bound)", counts)
	}
	if err := c.PutAccounts(ctx, []app.CachedAccount{{ID: "a", Version: 2, Body: []byte("v2")}, {ID: "b", Version: 1, Body: []byte("b1")}}); err != nil {
		t.Fatal(err)
	}
	_ = c.PutAccounts(ctx, []app.CachedAccount{{ID: "a", Version: 1, Body: []byte("v1")}})
	if body, ok, _ := c.Account(ctx, "a"); !ok || string(body) != "v2" {
		t.Errorf("an older version replaced a newer one: %q", body)
	}
}
