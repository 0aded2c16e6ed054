package workload

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"stacklab/ledgerspec"
)

// Account choice.
const (
	SkewUniform = "uniform"
	SkewZipf    = "zipf"
)

// Setup amounts: every account is funded once from the bank account with FundAmount, below
// ledgerspec.DefaultLargeAmount so setup raises no risk flag; transfers move 1…MaxTransfer.
const (
	FundAmount  int64 = 90_000_000
	MaxTransfer int64 = 1000
)

// Params are the knobs of a workload.
type Params struct {
	// Host is the Host header sent with every request ("127.0.0.1:8080").
	Host string
	// Seed fixes the setup (ledger, account ids) and every random choice of the run.
	Seed uint64
	// RunID is part of every id created during the run; 1–16 of [A-Za-z0-9].
	RunID string
	// Accounts is the number of funded accounts the setup creates (default 1000).
	Accounts int
	// Skew chooses accounts: SkewUniform (default) or SkewZipf.
	Skew string
	// ZipfS is the Zipf exponent, > 1 (default 1.1).
	ZipfS float64
}

// Workload is a Spec with its parameters, ready to set up and to generate requests.
type Workload struct {
	Spec
	p        Params
	ops      []Op
	cum      []int // cumulative weights
	ledger   string
	bank     string
	accounts []string
	// precomputed paths, per account
	accPath, txPagePath, accPagePath []string
	ledgerPath, balancesPath         string
}

// New prepares the workload called name.
func New(name string, p Params) (*Workload, error) {
	spec, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if p.Host == "" {
		return nil, errors.New("workload: Host is required")
	}
	if p.Accounts == 0 {
		p.Accounts = 1000
	}
	if p.Accounts < 2 {
		return nil, fmt.Errorf("workload: %d accounts: need at least 2", p.Accounts)
	}
	if p.Skew == "" {
		p.Skew = SkewUniform
	}
	if p.Skew != SkewUniform && p.Skew != SkewZipf {
		return nil, fmt.Errorf("workload: skew %q is neither %q nor %q", p.Skew, SkewUniform, SkewZipf)
	}
	if p.ZipfS == 0 {
		p.ZipfS = 1.1
	}
	if p.Skew == SkewZipf && !(p.ZipfS > 1) {
		return nil, fmt.Errorf("workload: zipf exponent %v must be > 1", p.ZipfS)
	}
	if p.RunID == "" || len(p.RunID) > 16 || !ledgerspec.ValidID(p.RunID) || strings.ContainsAny(p.RunID, "-_") {
		return nil, fmt.Errorf("workload: run id %q must be 1–16 letters or digits", p.RunID)
	}
	w := &Workload{Spec: spec, p: p, ops: spec.Ops()}
	total := 0
	for _, m := range spec.Mix {
		if m.Weight <= 0 {
			return nil, fmt.Errorf("workload %s: weight %d of %s must be positive", name, m.Weight, ops[m.Kind].Name)
		}
		total += m.Weight
		w.cum = append(w.cum, total)
	}
	seed := strconv.FormatUint(p.Seed, 36)
	w.ledger = "LG" + strings.ToUpper(seed)
	w.bank = "s" + seed + "-bank"
	for i := range p.Accounts {
		id := "s" + seed + "-" + strconv.Itoa(i)
		w.accounts = append(w.accounts, id)
		w.accPath = append(w.accPath, ledgerspec.AccountPath(id))
		w.txPagePath = append(w.txPagePath, ledgerspec.AccountTransactionsPath(id, ledgerspec.DefaultPageLimit, -1))
		w.accPagePath = append(w.accPagePath, ledgerspec.AccountPagePath(id))
	}
	w.ledgerPath = ledgerspec.LedgerPagePath(w.ledger)
	w.balancesPath = ledgerspec.BalancesPath(w.ledger)
	return w, nil
}

// Ops lists the workload's operations; an operation's index in this list is its number in
// Gen.Next and in every output.
func (w *Workload) Ops() []Op { return w.ops }

// Ledger is the ledger the setup creates.
func (w *Workload) Ledger() string { return w.ledger }

// Accounts are the ids of the funded accounts.
func (w *Workload) Accounts() []string { return w.accounts }

// SetupStats says what the setup did.
type SetupStats struct {
	Accounts int
	// Created counts 201 answers; the rest were idempotent replays of an earlier setup.
	Created  int
	Requests int
	Duration time.Duration
}

// Setup creates the bank account and the workload's accounts and funds each from the bank,
// with conc requests in flight. It is idempotent: a second setup with the same seed replays.
// Workloads without setup return at once.
func (w *Workload) Setup(ctx context.Context, c *ledgerspec.Client, conc int) (SetupStats, error) {
	st := SetupStats{}
	if !w.Spec.Setup {
		return st, nil
	}
	t0 := time.Now()
	_, rep, err := c.CreateAccount(ctx, ledgerspec.NewAccount{ID: w.bank, Ledger: w.ledger, Name: "load bank"})
	if err != nil {
		return st, fmt.Errorf("setup: creating bank account %s: %w", w.bank, err)
	}
	st.Requests++
	if rep.Status == 201 {
		st.Created++
	}
	if conc <= 0 {
		conc = 16
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				created, n, err := w.setupAccount(ctx, c, i)
				mu.Lock()
				st.Requests += n
				st.Created += created
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	for i := range w.accounts {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	st.Accounts = len(w.accounts)
	st.Duration = time.Since(t0)
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return st, fmt.Errorf("setup: %w", firstErr)
	}
	return st, nil
}

func (w *Workload) setupAccount(ctx context.Context, c *ledgerspec.Client, i int) (created, requests int, err error) {
	id := w.accounts[i]
	a, rep, err := c.CreateAccount(ctx, ledgerspec.NewAccount{ID: id, Ledger: w.ledger, Name: "load account " + strconv.Itoa(i),
		Flags: ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true}})
	if err != nil {
		return 0, 1, fmt.Errorf("creating account %s: %w", id, err)
	}
	if rep.Status == 201 {
		created++
	}
	if a.ID != id || a.Ledger != w.ledger {
		return created, 1, fmt.Errorf("creating account %s: answer is account %q in ledger %q", id, a.ID, a.Ledger)
	}
	seed := strconv.FormatUint(w.p.Seed, 36)
	fund := "s" + seed + "-f-" + strconv.Itoa(i)
	tx, rep, err := c.Transfer(ctx, fund, w.bank, id, FundAmount)
	if err != nil {
		return created, 2, fmt.Errorf("funding account %s: %w", id, err)
	}
	if rep.Status == 201 {
		created++
	}
	if tx.ID != fund {
		return created, 2, fmt.Errorf("funding account %s: answer is transaction %q", id, tx.ID)
	}
	return created, 2, nil
}

// Gen generates one worker's requests. It is not safe for concurrent use.
type Gen struct {
	w      *Workload
	worker string
	rng    *rand.Rand
	zipf   *rand.Zipf
	n      uint64 // ids created by this generator
	body   []byte
	// what the last request expects, for validation
	lastOp     int
	lastAcc    int
	lastDebit  int
	lastCredit int
	lastAmount int64
	lastID     []byte
	lastBatch  [BatchPostings]ledgerspec.Posting
}

// Gen returns the generator of worker number worker (distinct per worker of a run).
func (w *Workload) Gen(worker int) *Gen {
	g := &Gen{w: w, worker: strconv.FormatUint(uint64(worker), 36),
		rng: rand.New(rand.NewPCG(w.p.Seed, uint64(worker)+1)), body: make([]byte, 0, 512), lastID: make([]byte, 0, 64)}
	if w.p.Skew == SkewZipf {
		g.zipf = rand.NewZipf(g.rng, w.p.ZipfS, 1, uint64(len(w.accounts)-1))
	}
	return g
}

func (g *Gen) account() int {
	if g.zipf != nil {
		return int(g.zipf.Uint64())
	}
	return g.rng.IntN(len(g.w.accounts))
}

// Next appends the next request to dst and returns its operation's index in Ops.
func (g *Gen) Next(dst []byte) (op int, req []byte) {
	w := g.w
	op = 0
	if len(w.cum) > 1 {
		r := g.rng.IntN(w.cum[len(w.cum)-1])
		for r >= w.cum[op] {
			op++
		}
	}
	g.lastOp = op
	switch w.ops[op].Kind {
	case OpGetAccount:
		g.lastAcc = g.account()
		return op, get(dst, w.accPath[g.lastAcc], w.p.Host, "")
	case OpTxPage:
		g.lastAcc = g.account()
		return op, get(dst, w.txPagePath[g.lastAcc], w.p.Host, "")
	case OpAccountPage:
		g.lastAcc = g.account()
		return op, get(dst, w.accPagePath[g.lastAcc], w.p.Host, "")
	case OpBalances:
		return op, get(dst, w.balancesPath, w.p.Host, "")
	case OpLedgerPage:
		return op, get(dst, w.ledgerPath, w.p.Host, "")
	case OpFragment:
		return op, get(dst, w.ledgerPath, w.p.Host, fragmentHeaders)
	case OpPlaintext:
		return op, get(dst, ledgerspec.PathBenchPlaintext, w.p.Host, "")
	case OpJSON:
		return op, get(dst, ledgerspec.PathBenchJSON, w.p.Host, "")
	case OpTransfer:
		g.newID('t')
		g.lastDebit = g.account()
		g.lastCredit = g.account()
		if g.lastCredit == g.lastDebit {
			g.lastCredit = (g.lastCredit + 1) % len(w.accounts)
		}
		g.lastAmount = 1 + g.rng.Int64N(MaxTransfer)
		b := append(g.body[:0], `{"id":"`...)
		b = append(b, g.lastID...)
		b = append(b, `","postings":[{"debit_account_id":"`...)
		b = append(b, w.accounts[g.lastDebit]...)
		b = append(b, `","credit_account_id":"`...)
		b = append(b, w.accounts[g.lastCredit]...)
		b = append(b, `","amount":`...)
		b = strconv.AppendInt(b, g.lastAmount, 10)
		b = append(b, `}],"description":"load"}`...)
		g.body = b
		return op, post(dst, ledgerspec.PathTransactions, w.p.Host, b)
	case OpBatch:
		g.newID('b')
		b := append(g.body[:0], `{"id":"`...)
		b = append(b, g.lastID...)
		b = append(b, `","postings":[`...)
		for i := range g.lastBatch {
			d := g.account()
			c := g.account()
			if c == d {
				c = (c + 1) % len(w.accounts)
			}
			g.lastBatch[i] = ledgerspec.Posting{DebitAccountID: w.accounts[d], CreditAccountID: w.accounts[c], Amount: 1 + g.rng.Int64N(MaxTransfer)}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"debit_account_id":"`...)
			b = append(b, w.accounts[d]...)
			b = append(b, `","credit_account_id":"`...)
			b = append(b, w.accounts[c]...)
			b = append(b, `","amount":`...)
			b = strconv.AppendInt(b, g.lastBatch[i].Amount, 10)
			b = append(b, '}')
		}
		b = append(b, `],"description":"`...)
		b = append(b, batchDescription...)
		b = append(b, `"}`...)
		g.body = b
		return op, post(dst, ledgerspec.PathTransactions, w.p.Host, b)
	case OpCreateAccount:
		g.newID('x') // sorts after the set-up accounts, so the first of those stays on the ledger page
		b := append(g.body[:0], `{"id":"`...)
		b = append(b, g.lastID...)
		b = append(b, `","ledger":"`...)
		b = append(b, w.ledger...)
		b = append(b, `","name":"load run account","flags":{"debits_must_not_exceed_credits":false,"credits_must_not_exceed_debits":false}}`...)
		g.body = b
		return op, post(dst, ledgerspec.PathAccounts, w.p.Host, b)
	}
	panic(fmt.Sprintf("workload: operation kind %d has no request builder", w.ops[op].Kind)) // programming error
}

// Writes reports whether the last request Next built writes a transaction (a 201 acknowledges it).
func (g *Gen) Writes() bool {
	k := g.w.ops[g.lastOp].Kind
	return k == OpTransfer || k == OpBatch
}

// WrittenID is the id of the transaction the last request writes (valid when Writes).
func (g *Gen) WrittenID() []byte { return g.lastID }

// newID sets lastID to a fresh id: kind-runID-worker-n.
func (g *Gen) newID(kind byte) {
	g.n++
	b := append(g.lastID[:0], kind, '-')
	b = append(b, g.w.p.RunID...)
	b = append(b, '-')
	b = append(b, g.worker...)
	b = append(b, '-')
	g.lastID = strconv.AppendUint(b, g.n, 36)
}

// batchDescription is the description of every batch: long, with characters every codec must
// escape or carry as UTF-8 (quotes, a backslash, <, &, non-ASCII), as a JSON string body.
const batchDescription = `payroll run for November: salaries, \"bonus\" & <expenses> \\ team Zürich, Kraków, 東京 — ` +
	`reconciled against the bank statement of the month; see ticket #4521 for the exceptions and approvals.`

// BatchDescription is the description a batch transaction carries once decoded.
const BatchDescription = `payroll run for November: salaries, "bonus" & <expenses> \ team Zürich, Kraków, 東京 — ` +
	`reconciled against the bank statement of the month; see ticket #4521 for the exceptions and approvals.`

var fragmentHeaders = ledgerspec.HeaderHXRequest + ": " + ledgerspec.HTMLHXRequestTrue + "\r\n" +
	ledgerspec.HeaderHXTarget + ": " + ledgerspec.HTMLIDAccounts + "\r\n"

func get(dst []byte, path, host, extra string) []byte {
	dst = append(dst, "GET "...)
	dst = append(dst, path...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, host...)
	dst = append(dst, "\r\n"...)
	dst = append(dst, extra...)
	return append(dst, "\r\n"...)
}

func post(dst []byte, path, host string, body []byte) []byte {
	dst = append(dst, "POST "...)
	dst = append(dst, path...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, host...)
	dst = append(dst, "\r\nContent-Type: "...)
	dst = append(dst, ledgerspec.ContentTypeJSON...)
	dst = append(dst, "\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(body)), 10)
	dst = append(dst, "\r\n\r\n"...)
	return append(dst, body...)
}
