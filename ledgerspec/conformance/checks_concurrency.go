package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"stacklab/ledgerspec"
)

// firstErr keeps the first error of a group of goroutines and cancels the others.
type firstErr struct {
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

func (f *firstErr) set(err error) {
	if err == nil {
		return
	}
	f.once.Do(func() {
		f.err = err
		f.cancel()
	})
}

// group derives an env whose requests stop when one goroutine of the group fails.
func (e *env) group() (*env, *firstErr) {
	ctx, cancel := context.WithCancel(e.ctx)
	ce := *e
	ce.ctx = ctx
	return &ce, &firstErr{cancel: cancel}
}

// problemCode decodes a 422's code and posting index, checking the problem's shape.
func problemCode(x *exchange) (ledgerspec.Code, int, error) {
	p, err := x.Problem()
	if err != nil {
		return "", 0, x.fail("a problem body (%v)", err)
	}
	idx := noIndex
	if p.PostingIndex != nil {
		idx = *p.PostingIndex
	}
	if err := x.wantProblem(x.Status, p.Code, idx); err != nil {
		return "", 0, err
	}
	return p.Code, idx, nil
}

const (
	bankAccounts  = 8
	bankWorkers   = 8
	bankReaders   = 2
	bankPerWorker = 30
	bankFunding   = 1000
	bankDuration  = 10 * time.Second
)

func checkBank(e *env) error {
	L := e.ledger()
	src := e.id("S")
	if err := e.accounts(L, noFlags, src); err != nil {
		return err
	}
	accts := make([]string, bankAccounts)
	capped := make(map[string]bool)
	for i := range accts {
		accts[i] = e.id(fmt.Sprintf("b%d", i))
		capped[accts[i]] = true
	}
	if err := e.accounts(L, debitsCapped, accts...); err != nil {
		return err
	}
	var mu sync.Mutex
	var committed []ledgerspec.Transaction
	var lost []string
	for _, a := range accts {
		tx, err := e.transfer(src, a, bankFunding)
		if err != nil {
			return err
		}
		committed = append(committed, tx)
	}

	ge, fe := e.group()
	deadline := time.Now().Add(bankDuration)
	var writers sync.WaitGroup
	var refused atomic.Int64
	for w := range bankWorkers {
		writers.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for range bankPerWorker {
				if time.Now().After(deadline) || ge.ctx.Err() != nil {
					return
				}
				i, j := rng.IntN(bankAccounts), rng.IntN(bankAccounts-1)
				if j >= i {
					j++
				}
				nt := newTx(ge.id("t"), posting(accts[i], accts[j], 1+rng.Int64N(400)))
				if rng.IntN(4) == 0 { // a second posting onward, from the credited account
					k := rng.IntN(bankAccounts - 1)
					if k >= j {
						k++
					}
					nt.Postings = append(nt.Postings, posting(accts[j], accts[k], 1+rng.Int64N(400)))
				}
				x, err := ge.postTx(nt)
				switch {
				case err != nil && isNoAnswer(err) && ge.ctx.Err() == nil:
					mu.Lock()
					lost = append(lost, nt.ID)
					mu.Unlock()
					continue
				case err != nil:
					fe.set(err)
					return
				case x.Status == http.StatusCreated:
					tx, err := checkCommitted(x, nt, http.StatusCreated)
					if err != nil {
						fe.set(err)
						return
					}
					mu.Lock()
					committed = append(committed, tx)
					mu.Unlock()
				case x.Status == http.StatusUnprocessableEntity:
					code, idx, err := problemCode(x)
					if err != nil {
						fe.set(err)
						return
					}
					if code != ledgerspec.CodeExceedsCredits || idx < 0 || idx >= len(nt.Postings) {
						fe.set(x.fail("201, or 422 exceeds_credits at one of the postings"))
						return
					}
					refused.Add(1)
				default:
					fe.set(x.fail("201, or 422 exceeds_credits"))
					return
				}
			}
		})
	}
	var writing atomic.Bool
	writing.Store(true)
	snaps := make([][]ledgerspec.Balances, bankReaders)
	var readers sync.WaitGroup
	for r := range bankReaders {
		readers.Go(func() {
			for writing.Load() && ge.ctx.Err() == nil {
				b, _, err := ge.balances(L)
				if err != nil {
					fe.set(err)
					return
				}
				snaps[r] = append(snaps[r], b)
			}
		})
	}
	writers.Wait()
	writing.Store(false)
	readers.Wait()
	if fe.err != nil {
		return fe.err
	}
	// Resolve the transfers whose answer was lost.
	for _, id := range lost {
		x, err := e.get(ledgerspec.TransactionPath(id), nil)
		if err != nil {
			return fmt.Errorf("resolving a transfer whose answer was lost: %w", err)
		}
		switch x.Status {
		case http.StatusOK:
			var tx ledgerspec.Transaction
			if err := x.wantJSON(http.StatusOK, &tx); err != nil {
				return err
			}
			committed = append(committed, tx)
		case http.StatusNotFound:
		default:
			return x.fail("200 or 404 for a transfer whose answer was lost")
		}
	}
	all := append([]string{src}, accts...)
	h, err := newHistory(L, all, capped, committed)
	if err != nil {
		return fmt.Errorf("the committed transfers: %w", err)
	}
	n := 0
	for r, list := range snaps {
		if err := checkReader(list); err != nil {
			return fmt.Errorf("reader %d: %w", r, err)
		}
		for _, b := range list {
			if err := h.checkSnapshot(b); err != nil {
				return fmt.Errorf("a balance snapshot read during the run (%d transfers committed, %d refused): %w", len(committed), refused.Load(), err)
			}
			n++
		}
	}
	if n == 0 {
		return errors.New("no balance snapshot was read during the run")
	}
	b, x, err := e.balances(L)
	if err != nil {
		return err
	}
	if err := h.checkSnapshot(b); err != nil {
		return x.fail("the final snapshot: %v", err)
	}
	if b.AsOfSeq != h.lastSeq() {
		return x.fail("as_of_seq %d, the seq of the last committed transfer", h.lastSeq())
	}
	got := make(map[string]counters)
	for _, id := range all {
		a, err := e.account(id)
		if err != nil {
			return err
		}
		got[id] = counters{a.DebitsPosted, a.CreditsPosted}
	}
	return h.checkFinal(got)
}

// concurrently runs f(i) for i in 0…n−1 at once (released together) and waits for all.
func concurrently(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

func checkHotAccount(e *env) error {
	const funding, amount, attempts = 1000, 70, 64
	L := e.ledger()
	s, h, d := e.id("S"), e.id("H"), e.id("D")
	if err := e.accounts(L, noFlags, s, d); err != nil {
		return err
	}
	if err := e.accounts(L, debitsCapped, h); err != nil {
		return err
	}
	if _, err := e.transfer(s, h, funding); err != nil {
		return err
	}
	var ok, refused atomic.Int64
	ge, fe := e.group()
	concurrently(attempts, func(int) {
		nt := newTx(ge.id("t"), posting(h, d, amount))
		x, err := ge.postTx(nt)
		if err != nil {
			fe.set(err)
			return
		}
		switch x.Status {
		case http.StatusCreated:
			if _, err := checkCommitted(x, nt, http.StatusCreated); err != nil {
				fe.set(err)
				return
			}
			ok.Add(1)
		default:
			if err := x.wantProblem(http.StatusUnprocessableEntity, ledgerspec.CodeExceedsCredits, 0); err != nil {
				fe.set(err)
				return
			}
			refused.Add(1)
		}
	})
	if fe.err != nil {
		return fe.err
	}
	want := int64(funding / amount)
	if ok.Load() != want {
		return fmt.Errorf("%d concurrent debits of %d from an account holding %d: want exactly %d answered 201 and %d answered 422; got %d and %d",
			attempts, amount, funding, want, attempts-want, ok.Load(), refused.Load())
	}
	if err := e.wantCounters(h, want*amount, funding); err != nil {
		return err
	}
	return e.wantCounters(d, 0, want*amount)
}

func checkConcurrentDuplicates(e *env) error {
	const n = 32
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	nt := newTx(e.id("t"), posting(f.A, f.B, 77))
	xs := make([]*exchange, n)
	ge, fe := e.group()
	concurrently(n, func(i int) {
		x, err := ge.postTx(nt)
		fe.set(err)
		xs[i] = x
	})
	if fe.err != nil {
		return fe.err
	}
	var first *exchange
	for _, x := range xs {
		if x.Status == http.StatusCreated {
			if first != nil {
				return x.fail("exactly one 201 among %d concurrent identical requests; got a second one", n)
			}
			first = x
		}
	}
	if first == nil {
		return fmt.Errorf("%d concurrent identical requests: want exactly one 201; got none (first reply: %s)", n, xs[0].got())
	}
	if _, err := checkCommitted(first, nt, http.StatusCreated); err != nil {
		return err
	}
	if err := first.wantReplayed(false); err != nil {
		return err
	}
	for _, x := range xs {
		switch x.Status {
		case http.StatusCreated:
		case http.StatusOK:
			if !bytes.Equal(x.Body, first.Body) {
				return x.fail("a replay byte-identical to the 201: %s", excerpt(first.Body, 300))
			}
			if err := x.wantReplayed(true); err != nil {
				return err
			}
		case http.StatusConflict:
			if err := x.wantProblem(http.StatusConflict, ledgerspec.CodeRequestInProgress, noIndex); err != nil {
				return err
			}
		default:
			return x.fail("201 once, then 200 replays or 409 request_in_progress")
		}
	}
	if err := e.wantCounters(f.A, 77, 0); err != nil {
		return fmt.Errorf("applied once: %w", err)
	}
	txs, err := e.listAll(f.A)
	if err != nil {
		return err
	}
	if len(txs) != 1 {
		return fmt.Errorf("account %s lists %d transactions after %d concurrent identical requests, want 1", f.A, len(txs), n)
	}
	return nil
}

func checkOppositeDirections(e *env) error {
	const each = 50
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	ge, fe := e.group()
	concurrently(2*each+10, func(i int) {
		var nt ledgerspec.NewTransaction
		switch {
		case i < each:
			nt = newTx(ge.id("t"), posting(f.A, f.B, 1))
		case i < 2*each:
			nt = newTx(ge.id("t"), posting(f.B, f.A, 2))
		default: // both directions in one transaction
			nt = newTx(ge.id("t"), posting(f.B, f.A, 3), posting(f.A, f.B, 4))
		}
		x, err := ge.postTx(nt)
		if err != nil {
			fe.set(fmt.Errorf("transfers in opposite directions (a deadlock shows as a timeout): %w", err))
			return
		}
		if _, err := checkCommitted(x, nt, http.StatusCreated); err != nil {
			fe.set(err)
		}
	})
	if fe.err != nil {
		return fe.err
	}
	if err := e.wantCounters(f.A, each*1+10*4, each*2+10*3); err != nil {
		return err
	}
	return e.wantCounters(f.B, each*2+10*3, each*1+10*4)
}

func checkReadYourWrites(e *env) error {
	const rounds, hammers = 30, 4
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	r := f.A
	// acked holds the counters of r that every read started after it must show at least.
	var acked atomic.Pointer[counters]
	acked.Store(&counters{})
	ge, fe := e.group()
	var done atomic.Bool
	var wg sync.WaitGroup
	for range hammers {
		wg.Go(func() {
			for !done.Load() && ge.ctx.Err() == nil {
				min := *acked.Load()
				a, err := ge.account(r)
				if err != nil {
					fe.set(err)
					return
				}
				if a.DebitsPosted < min.debits || a.CreditsPosted < min.credits {
					fe.set(fmt.Errorf("GET %s started after a 201 took the account to debits %d, credits %d, and showed debits %d, credits %d (a stale read)",
						ledgerspec.AccountPath(r), min.debits, min.credits, a.DebitsPosted, a.CreditsPosted))
					return
				}
			}
		})
	}
	want := counters{}
	for i := range rounds {
		if fe.err != nil {
			break
		}
		a, err := ge.account(r)
		if err != nil {
			fe.set(err)
			break
		}
		if (counters{a.DebitsPosted, a.CreditsPosted}) != want {
			fe.set(fmt.Errorf("round %d: GET %s shows debits %d, credits %d; want %d, %d", i, ledgerspec.AccountPath(r), a.DebitsPosted, a.CreditsPosted, want.debits, want.credits))
			break
		}
		amount := int64(i + 1)
		if i%2 == 0 {
			_, err = ge.transfer(r, f.B, amount)
			want.debits += amount
		} else {
			_, err = ge.transfer(f.B, r, amount)
			want.credits += amount
		}
		if err != nil {
			fe.set(err)
			break
		}
		w := want
		acked.Store(&w)
		a, err = ge.account(r)
		if err != nil {
			fe.set(err)
			break
		}
		if (counters{a.DebitsPosted, a.CreditsPosted}) != want {
			fe.set(fmt.Errorf("round %d: GET %s right after the 201 shows debits %d, credits %d; want %d, %d (read-your-writes)",
				i, ledgerspec.AccountPath(r), a.DebitsPosted, a.CreditsPosted, want.debits, want.credits))
			break
		}
	}
	done.Store(true)
	wg.Wait()
	return fe.err
}

func checkPaginationConcurrent(e *env) error {
	const writers, perWriter, limit = 4, 15, 5
	L := e.ledger()
	p := e.id("P")
	if err := e.accounts(L, noFlags, p); err != nil {
		return err
	}
	others, err := e.freshAccounts(L, writers)
	if err != nil {
		return err
	}
	ge, fe := e.group()
	var writing atomic.Bool
	writing.Store(true)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				var err error
				if i%2 == 0 {
					_, err = ge.transfer(p, others[w], 1)
				} else {
					_, err = ge.transfer(others[w], p, 1)
				}
				if err != nil {
					fe.set(err)
					return
				}
			}
		})
	}
	go func() { wg.Wait(); writing.Store(false) }()
	var seen []ledgerspec.Transaction
	after := int64(0)
	for pages := 0; ; pages++ {
		if fe.err != nil || pages > 10000 {
			break
		}
		stillWriting := writing.Load()
		pg, _, err := ge.page(ledgerspec.AccountTransactionsPath(p, limit, after))
		if err != nil {
			fe.set(err)
			break
		}
		seen = append(seen, pg.Items...)
		if len(pg.Items) > 0 {
			after = *pg.NextAfter
			continue
		}
		if !stillWriting {
			break // an empty page read after every writer finished: the end
		}
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
	if fe.err != nil {
		return fe.err
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Seq <= seen[i-1].Seq {
			return fmt.Errorf("paging with limit=%d while writers committed: seq %d (%s) came after seq %d (%s)", limit, seen[i].Seq, seen[i].ID, seen[i-1].Seq, seen[i-1].ID)
		}
	}
	full, err := e.listAll(p)
	if err != nil {
		return err
	}
	key := func(t ledgerspec.Transaction) string { return fmt.Sprintf("%s@%d", t.ID, t.Seq) }
	a, b := make([]string, len(seen)), make([]string, len(full))
	for i, t := range seen {
		a[i] = key(t)
	}
	for i, t := range full {
		b[i] = key(t)
	}
	if len(full) != writers*perWriter {
		return fmt.Errorf("account %s lists %d transactions, want the %d committed", p, len(full), writers*perWriter)
	}
	if !slices.Equal(a, b) {
		missing := []string{}
		for _, k := range b {
			if !slices.Contains(a, k) {
				missing = append(missing, k)
			}
		}
		return fmt.Errorf("the pages read while writers committed differ from the full list read afterwards: %d vs %d items, skipped %v", len(a), len(b), missing)
	}
	return nil
}
