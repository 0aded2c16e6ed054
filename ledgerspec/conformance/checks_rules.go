package conformance

import (
	"math"
	"net/http"
	"sync"

	"stacklab/ledgerspec"
)

// ruleFixture is a ledger L1 with unflagged accounts A, B and S (a source), a capped account C
// (debits_must_not_exceed_credits, zero balance), a credits-capped account K (zero balance), an
// unflagged D, accounts X and Y in another ledger L2, and M, a valid id that names no account.
type ruleFixture struct {
	L1, L2                 string
	A, B, S, C, K, D, X, Y string
	M                      string
}

func (e *env) ruleFixture() (ruleFixture, error) {
	f := ruleFixture{L1: e.ledger(), L2: e.ledger(), A: e.id("A"), B: e.id("B"), S: e.id("S"), C: e.id("C"), K: e.id("K"),
		D: e.id("D"), X: e.id("X"), Y: e.id("Y"), M: e.id("M")}
	if err := e.accounts(f.L1, noFlags, f.A, f.B, f.S, f.D); err != nil {
		return f, err
	}
	if err := e.accounts(f.L1, debitsCapped, f.C); err != nil {
		return f, err
	}
	if err := e.accounts(f.L1, creditsCapped, f.K); err != nil {
		return f, err
	}
	return f, e.accounts(f.L2, noFlags, f.X, f.Y)
}

// all lists the fixture's existing accounts.
func (f ruleFixture) all() []string { return []string{f.A, f.B, f.S, f.C, f.K, f.D, f.X, f.Y} }

// refusals posts each transaction (with a fresh id) and expects the 422 at the index, with no
// state change on every account of the fixture.
type want422 struct {
	ps    []ledgerspec.Posting
	code  ledgerspec.Code
	index int
}

func (e *env) refuseAll(f ruleFixture, cases ...want422) error {
	for _, c := range cases {
		if _, err := e.refuseTx(newTx(e.id("t"), c.ps...), c.code, c.index, f.all()...); err != nil {
			return err
		}
	}
	return nil
}

func ps(p ...ledgerspec.Posting) []ledgerspec.Posting { return p }

func checkRuleAccountsDifferent(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	code := ledgerspec.CodeAccountsMustBeDifferent
	return e.refuseAll(f,
		want422{ps(posting(f.A, f.A, 5)), code, 0},
		want422{ps(posting(f.A, f.B, 5), posting(f.B, f.B, 5)), code, 1},
		want422{ps(posting(f.A, f.B, 5), posting(f.B, f.A, 5), posting(f.S, f.A, 1), posting(f.D, f.D, 1)), code, 3},
	)
}

func checkRuleAmountOutOfRange(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	code := ledgerspec.CodeAmountOutOfRange
	if err := e.refuseAll(f,
		want422{ps(posting(f.A, f.B, 0)), code, 0},
		want422{ps(posting(f.A, f.B, -1)), code, 0},
		want422{ps(posting(f.A, f.B, ledgerspec.MaxAmount+1)), code, 0},
		want422{ps(posting(f.A, f.B, math.MaxInt64)), code, 0},
		want422{ps(posting(f.A, f.B, math.MinInt64)), code, 0},
		want422{ps(posting(f.A, f.B, 5), posting(f.A, f.B, 0)), code, 1},
	); err != nil {
		return err
	}
	if _, err := e.transfer(f.A, f.B, ledgerspec.MaxAmount); err != nil {
		return err
	}
	_, err = e.transfer(f.A, f.B, ledgerspec.MinAmount)
	return err
}

func checkRuleDebitNotFound(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	code := ledgerspec.CodeDebitAccountNotFound
	return e.refuseAll(f,
		want422{ps(posting(f.M, f.B, 5)), code, 0},
		want422{ps(posting(f.A, f.B, 5), posting(f.M, f.B, 5)), code, 1},
		want422{ps(posting(f.M, e.id("N"), 5)), code, 0},
	)
}

func checkRuleCreditNotFound(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	code := ledgerspec.CodeCreditAccountNotFound
	return e.refuseAll(f,
		want422{ps(posting(f.A, f.M, 5)), code, 0},
		want422{ps(posting(f.A, f.B, 5), posting(f.A, f.M, 5)), code, 1},
		want422{ps(posting(f.X, f.M, 5)), code, 0},
	)
}

func checkRuleSameLedger(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	code := ledgerspec.CodeAccountsMustHaveTheSameLedger
	return e.refuseAll(f,
		want422{ps(posting(f.A, f.X, 5)), code, 0},
		want422{ps(posting(f.X, f.A, 5)), code, 0},
		want422{ps(posting(f.A, f.B, 5), posting(f.X, f.Y, 5)), code, 1},
		want422{ps(posting(f.X, f.Y, 5), posting(f.A, f.B, 5)), code, 1},
		want422{ps(posting(f.A, f.B, 5), posting(f.A, f.X, 5)), code, 1},
	)
}

func checkRuleExceedsCredits(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	code := ledgerspec.CodeExceedsCredits
	if err := e.refuseAll(f, want422{ps(posting(f.C, f.D, 1)), code, 0}); err != nil {
		return err
	}
	if _, err := e.transfer(f.S, f.C, 100); err != nil {
		return err
	}
	if err := e.refuseAll(f,
		want422{ps(posting(f.C, f.D, 101)), code, 0},
		want422{ps(posting(f.C, f.D, 60), posting(f.C, f.D, 41)), code, 1},
		want422{ps(posting(f.A, f.B, 5), posting(f.C, f.D, 60), posting(f.C, f.B, 41)), code, 2},
	); err != nil {
		return err
	}
	if _, err := e.transfer(f.C, f.D, 100); err != nil { // exactly the balance: allowed
		return err
	}
	if err := e.refuseAll(f, want422{ps(posting(f.C, f.D, 1)), code, 0}); err != nil {
		return err
	}
	return e.wantCounters(f.C, 100, 100)
}

func checkRuleExceedsDebits(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	code := ledgerspec.CodeExceedsDebits
	if err := e.refuseAll(f, want422{ps(posting(f.S, f.K, 1)), code, 0}); err != nil {
		return err
	}
	if _, err := e.transfer(f.K, f.D, 50); err != nil {
		return err
	}
	if err := e.refuseAll(f,
		want422{ps(posting(f.S, f.K, 51)), code, 0},
		want422{ps(posting(f.S, f.K, 30), posting(f.A, f.K, 21)), code, 1},
	); err != nil {
		return err
	}
	if _, err := e.transfer(f.S, f.K, 50); err != nil {
		return err
	}
	if err := e.refuseAll(f, want422{ps(posting(f.S, f.K, 1)), code, 0}); err != nil {
		return err
	}
	return e.wantCounters(f.K, 50, 50)
}

// fillNearMax brings debit's debits_posted and credit's credits_posted to 2^63 − 1024 with 64
// transactions of 16 postings of 2^53 − 1.
func (e *env) fillNearMax(debit, credit string) error {
	p := make([]ledgerspec.Posting, ledgerspec.MaxPostings)
	for i := range p {
		p[i] = posting(debit, credit, ledgerspec.MaxAmount)
	}
	for range 64 {
		if _, _, err := e.commit(newTx(e.id("t"), p...)); err != nil {
			return err
		}
	}
	return e.wantCounters(debit, nearMax, 0)
}

// nearMax is 64 × 16 × (2^53 − 1) = 2^63 − 1024: 1023 below the largest int64.
const nearMax = math.MaxInt64 - 1023

func checkRuleOverflowsDebits(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	if err := e.fillNearMax(f.A, f.B); err != nil {
		return err
	}
	code := ledgerspec.CodeOverflowsDebits
	if err := e.refuseAll(f,
		want422{ps(posting(f.A, f.B, 1024)), code, 0}, // both would overflow: debits is checked first
		want422{ps(posting(f.A, f.D, 1024)), code, 0},
		want422{ps(posting(f.D, f.S, 5), posting(f.A, f.D, 1000), posting(f.A, f.S, 24)), code, 2},
	); err != nil {
		return err
	}
	if _, err := e.transfer(f.A, f.D, 1023); err != nil {
		return err
	}
	if err := e.refuseAll(f, want422{ps(posting(f.A, f.D, 1)), code, 0}); err != nil {
		return err
	}
	return e.wantCounters(f.A, math.MaxInt64, 0)
}

func checkRuleOverflowsCredits(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	if err := e.fillNearMax(f.A, f.B); err != nil {
		return err
	}
	code := ledgerspec.CodeOverflowsCredits
	if err := e.refuseAll(f,
		want422{ps(posting(f.D, f.B, 1024)), code, 0},
		want422{ps(posting(f.A, f.B, 1), posting(f.D, f.B, 1023)), code, 1},
	); err != nil {
		return err
	}
	if _, err := e.transfer(f.D, f.B, 1023); err != nil {
		return err
	}
	if err := e.refuseAll(f,
		want422{ps(posting(f.D, f.B, 1)), code, 0},
		want422{ps(posting(f.A, f.B, 1)), code, 0},
	); err != nil {
		return err
	}
	return e.wantCounters(f.B, 0, math.MaxInt64)
}

func checkPrecedencePostingOrder(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	return e.refuseAll(f,
		want422{ps(posting(f.A, f.M, 5), posting(f.A, f.A, 5)), ledgerspec.CodeCreditAccountNotFound, 0},
		want422{ps(posting(f.A, f.B, 0), posting(f.M, f.B, 5)), ledgerspec.CodeAmountOutOfRange, 0},
		want422{ps(posting(f.A, f.X, 5), posting(f.M, f.B, 5)), ledgerspec.CodeAccountsMustHaveTheSameLedger, 0},
		want422{ps(posting(f.A, f.B, 5), posting(f.M, f.B, 5), posting(f.A, f.A, 5)), ledgerspec.CodeDebitAccountNotFound, 1},
	)
}

func checkPrecedenceRuleOrder(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	return e.refuseAll(f,
		want422{ps(posting(f.A, f.A, 0)), ledgerspec.CodeAccountsMustBeDifferent, 0},
		want422{ps(posting(f.M, f.M, 5)), ledgerspec.CodeAccountsMustBeDifferent, 0},
		want422{ps(posting(f.M, f.B, 0)), ledgerspec.CodeAmountOutOfRange, 0},
		want422{ps(posting(f.M, e.id("N"), 5)), ledgerspec.CodeDebitAccountNotFound, 0},
		want422{ps(posting(f.A, f.B, 5), posting(f.X, f.M, 5)), ledgerspec.CodeCreditAccountNotFound, 1},
		want422{ps(posting(f.A, f.B, 5), posting(f.M, f.X, 5)), ledgerspec.CodeDebitAccountNotFound, 1},
		want422{ps(posting(f.C, f.K, 1)), ledgerspec.CodeExceedsCredits, 0},
	)
}

func checkPrecedenceRule2BeforeRule3(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	return e.refuseAll(f,
		want422{ps(posting(f.C, f.D, 100), posting(f.A, f.M, 5)), ledgerspec.CodeCreditAccountNotFound, 1},
		want422{ps(posting(f.C, f.D, 100), posting(f.M, f.A, 5)), ledgerspec.CodeDebitAccountNotFound, 1},
		want422{ps(posting(f.C, f.D, 100), posting(f.A, f.B, 0)), ledgerspec.CodeAmountOutOfRange, 1},
		want422{ps(posting(f.C, f.D, 100), posting(f.A, f.X, 5)), ledgerspec.CodeAccountsMustHaveTheSameLedger, 1},
		want422{ps(posting(f.S, f.K, 1), posting(f.B, f.B, 5)), ledgerspec.CodeAccountsMustBeDifferent, 1},
	)
}

func checkRule3Sequential(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	if err := e.refuseAll(f, want422{ps(posting(f.C, f.D, 100), posting(f.S, f.C, 100)), ledgerspec.CodeExceedsCredits, 0}); err != nil {
		return err
	}
	if _, _, err := e.commit(newTx(e.id("t"), posting(f.S, f.C, 100), posting(f.C, f.D, 100))); err != nil {
		return err
	}
	if err := e.wantCounters(f.C, 100, 100); err != nil {
		return err
	}
	// K may be credited only after it was debited, within one transaction too.
	if _, _, err := e.commit(newTx(e.id("t"), posting(f.K, f.S, 30), posting(f.S, f.K, 30))); err != nil {
		return err
	}
	return e.refuseAll(f,
		want422{ps(posting(f.C, f.D, 1), posting(f.S, f.C, 1)), ledgerspec.CodeExceedsCredits, 0},
		want422{ps(posting(f.S, f.K, 1), posting(f.K, f.S, 1)), ledgerspec.CodeExceedsDebits, 0},
	)
}

func checkAtomicity(e *env) error {
	f, err := e.ruleFixture()
	if err != nil {
		return err
	}
	if err := e.refuseAll(f,
		want422{ps(posting(f.S, f.B, 10), posting(f.C, f.D, 10)), ledgerspec.CodeExceedsCredits, 1},
		want422{ps(posting(f.S, f.B, 10), posting(f.S, f.A, 20), posting(f.D, f.C, 5), posting(f.C, f.D, 6)), ledgerspec.CodeExceedsCredits, 3},
		want422{ps(posting(f.A, f.B, 10), posting(f.S, f.K, 1)), ledgerspec.CodeExceedsDebits, 1},
	); err != nil {
		return err
	}
	for _, id := range []string{f.S, f.B, f.A, f.C, f.D} {
		if err := e.wantCounters(id, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// checkBalancesExactTotals fills two pairs of accounts of one ledger near the int64 limit, so the
// ledger's totals exceed int64: they must still be exact.
func checkBalancesExactTotals(e *env) error {
	L := e.ledger()
	ids, err := e.freshAccounts(L, 4)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { errs[i] = e.fillNearMax(ids[2*i], ids[2*i+1]) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	x, err := e.get(ledgerspec.BalancesPath(L), nil)
	if err != nil {
		return err
	}
	var b ledgerspec.Balances
	if err := x.wantJSON(http.StatusOK, &b); err != nil {
		return err
	}
	const want = "18446744073709549568" // 2 × (2^63 − 1024)
	if b.TotalDebits.String() != want || b.TotalCredits.String() != want {
		return x.fail("total_debits and total_credits exactly %s (beyond int64)", want)
	}
	// The ledger page shows the same totals.
	x, doc, err := e.ledgerPage(L)
	if err != nil {
		return err
	}
	acc := byID(doc, ledgerspec.HTMLIDAccounts)
	if acc == nil {
		return x.fail("an element with id %q", ledgerspec.HTMLIDAccounts)
	}
	total := ledgerspec.FormatAmountDigits(want)
	if err := wantFields(acc, "#"+ledgerspec.HTMLIDAccounts, fieldWant{ledgerspec.FieldTotalDebits, total}, fieldWant{ledgerspec.FieldTotalCredits, total}); err != nil {
		return x.fail("the exact totals: %v", err)
	}
	return nil
}
