package sqlcstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/events"
	"stacklab/stacks/store/internal/dberr"
	"stacklab/stacks/store/schema"
	"stacklab/stacks/store/sqlc/sqlcdb"
)

// connectTimeout bounds connecting to PostgreSQL, so an unreachable server is an error, not a hang.
const connectTimeout = 5 * time.Second

// Config configures a Store.
type Config struct {
	// DSN is a PostgreSQL connection string (URL or key=value).
	DSN string
	// MaxConns caps the pool; 0 keeps pgxpool's default (the larger of 4 and the CPU count).
	MaxConns int32
	// Pipeline selects the variant sqlc-pipelined: Post and RelayOutbox send several generated
	// queries per round trip as pgx batches (see pipeline). False runs one query per round trip
	// inside a pgx.Tx, the way sqlc's documentation shows.
	Pipeline bool
	// Dial, when set, connects every connection of the pool (tests count round trips with it);
	// nil dials TCP or a Unix socket as pgx does.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Store is the ledger's store on PostgreSQL through sqlc-generated queries.
type Store struct {
	pool     *pgxpool.Pool
	q        *sqlcdb.Queries
	pipeline bool
}

var (
	_ app.Store     = (*Store)(nil)
	_ events.Outbox = (*Store)(nil)
)

// Open connects to PostgreSQL, checks the connection and applies the schema.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	pc, err := pgxpool.ParseConfig(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("parsing PostgreSQL DSN: %w", err)
	}
	if t := pc.ConnConfig.ConnectTimeout; t <= 0 || t > connectTimeout {
		pc.ConnConfig.ConnectTimeout = connectTimeout
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	if cfg.Dial != nil {
		pc.ConnConfig.DialFunc = cfg.Dial
	}
	where := fmt.Sprintf("%s:%d/%s", pc.ConnConfig.Host, pc.ConnConfig.Port, pc.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("opening PostgreSQL pool for %s: %w", where, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 2*connectTimeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %w", where, err)
	}
	if err := schema.Apply(pctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("preparing PostgreSQL at %s: %w", where, err)
	}
	return &Store{pool: pool, q: sqlcdb.New(pool), pipeline: cfg.Pipeline}, nil
}

// Close releases the store's connections.
func (s *Store) Close() { s.pool.Close() }

// CreateAccount inserts a when its id is new, else returns the stored account.
func (s *Store) CreateAccount(ctx context.Context, a app.AccountRecord) (_ app.AccountRecord, _ bool, err error) {
	defer dberr.Mark(&err)
	arg := sqlcdb.CreateAccountParams{
		Ledger:                     a.Ledger,
		ID:                         a.ID,
		Name:                       a.Name,
		DebitsMustNotExceedCredits: a.Flags.DebitsMustNotExceedCredits,
		CreditsMustNotExceedDebits: a.Flags.CreditsMustNotExceedDebits,
		CreatedAt:                  a.CreatedAt,
	}
	// The statement finds no row only when a concurrent request inserted the id after its
	// snapshot was taken; the next run sees that row.
	for attempt := 1; ; attempt++ {
		row, err := s.q.CreateAccount(ctx, arg)
		switch {
		case err == nil:
			return accountRecord(sqlcdb.Account{
				ID: row.ID, Ledger: row.Ledger, Name: row.Name,
				DebitsMustNotExceedCredits: row.DebitsMustNotExceedCredits,
				CreditsMustNotExceedDebits: row.CreditsMustNotExceedDebits,
				DebitsPosted:               row.DebitsPosted, CreditsPosted: row.CreditsPosted,
				Version: row.Version, CreatedAt: row.CreatedAt,
			}), row.Created, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return app.AccountRecord{}, false, fmt.Errorf("creating account %q: %w", a.ID, err)
		case attempt == maxAttempts:
			return app.AccountRecord{}, false, fmt.Errorf("creating account %q: neither inserted nor found after %d attempts", a.ID, attempt)
		}
	}
}

// Account returns one account or app.ErrNotFound.
func (s *Store) Account(ctx context.Context, id string) (_ app.AccountRecord, err error) {
	defer dberr.Mark(&err)
	row, err := s.q.GetAccount(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.AccountRecord{}, fmt.Errorf("account %q: %w", id, app.ErrNotFound)
	}
	if err != nil {
		return app.AccountRecord{}, fmt.Errorf("reading account %q: %w", id, err)
	}
	return accountRecord(row), nil
}

// Transaction returns the decided record of an id or app.ErrNotFound.
func (s *Store) Transaction(ctx context.Context, id string) (_ app.TxRecord, err error) {
	defer dberr.Mark(&err)
	row, err := s.q.GetTransaction(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.TxRecord{}, fmt.Errorf("transaction %q: %w", id, app.ErrNotFound)
	}
	if err != nil {
		return app.TxRecord{}, fmt.Errorf("reading transaction %q: %w", id, err)
	}
	return txRecord(row)
}

// AccountTransactions lists the committed transactions touching an account, ascending by seq.
func (s *Store) AccountTransactions(ctx context.Context, accountID string, after int64, limit int) (_ []app.TxRecord, err error) {
	defer dberr.Mark(&err)
	rows, err := s.q.AccountTransactions(ctx, sqlcdb.AccountTransactionsParams{
		AccountID: accountID, AfterSeq: after, MaxRows: rowLimit(limit)})
	if err != nil {
		return nil, fmt.Errorf("listing transactions of account %q: %w", accountID, err)
	}
	return s.history(ctx, accountID, rows)
}

// AccountHistory lists the committed transactions touching an account, newest first.
func (s *Store) AccountHistory(ctx context.Context, accountID string, before int64, limit int) (_ []app.TxRecord, err error) {
	defer dberr.Mark(&err)
	if before <= 0 {
		before = math.MaxInt64 // seqs come from a bigint sequence, so none reaches it
	}
	rows, err := s.q.AccountHistory(ctx, sqlcdb.AccountHistoryParams{
		AccountID: accountID, BeforeSeq: before, MaxRows: rowLimit(limit)})
	if err != nil {
		return nil, fmt.Errorf("listing history of account %q: %w", accountID, err)
	}
	return s.history(ctx, accountID, rows)
}

// history converts an account's rows; an empty list is ErrNotFound when the account is unknown.
func (s *Store) history(ctx context.Context, accountID string, rows []sqlcdb.Transaction) ([]app.TxRecord, error) {
	if len(rows) == 0 {
		found, err := s.q.AccountExists(ctx, accountID)
		if err != nil {
			return nil, fmt.Errorf("checking account %q: %w", accountID, err)
		}
		if !found {
			return nil, fmt.Errorf("account %q: %w", accountID, app.ErrNotFound)
		}
	}
	return txRecords(rows)
}

// LedgerTransactions lists a ledger's newest committed transactions, newest first.
func (s *Store) LedgerTransactions(ctx context.Context, ledger string, limit int) (_ []app.TxRecord, err error) {
	defer dberr.Mark(&err)
	rows, err := s.q.LedgerTransactions(ctx, sqlcdb.LedgerTransactionsParams{Ledger: ledger, MaxRows: rowLimit(limit)})
	if err != nil {
		return nil, fmt.Errorf("listing transactions of ledger %q: %w", ledger, err)
	}
	return txRecords(rows)
}

// Balances reads one consistent snapshot of a ledger: one statement, so one MVCC snapshot.
func (s *Store) Balances(ctx context.Context, ledger string, limit int) (_ app.Snapshot, err error) {
	defer dberr.Mark(&err)
	arg := sqlcdb.BalancesParams{Ledger: ledger}
	if limit > 0 {
		n := rowLimit(limit)
		arg.MaxAccounts = &n
	}
	rows, err := s.q.Balances(ctx, arg)
	if err != nil {
		return app.Snapshot{}, fmt.Errorf("reading balances of ledger %q: %w", ledger, err)
	}
	snap := app.Snapshot{Ledger: ledger, TotalDebits: "0", TotalCredits: "0",
		Accounts: make([]app.AccountRecord, 0, len(rows))}
	for i := range rows {
		r := &rows[i]
		if i == 0 {
			snap.AsOfSeq, snap.TotalDebits, snap.TotalCredits = r.AsOfSeq, r.TotalDebits, r.TotalCredits
		}
		snap.Accounts = append(snap.Accounts, accountRecord(sqlcdb.Account{
			ID: r.ID, Ledger: r.Ledger, Name: r.Name,
			DebitsMustNotExceedCredits: r.DebitsMustNotExceedCredits,
			CreditsMustNotExceedDebits: r.CreditsMustNotExceedDebits,
			DebitsPosted:               r.DebitsPosted, CreditsPosted: r.CreditsPosted,
			Version: r.Version, CreatedAt: r.CreatedAt,
		}))
	}
	return snap, nil
}

// rowLimit turns a Go limit into a LIMIT value: negative means none, huge is capped.
func rowLimit(limit int) int32 {
	switch {
	case limit < 0:
		return 0
	case limit > math.MaxInt32:
		return math.MaxInt32
	}
	return int32(limit)
}

func accountRecord(a sqlcdb.Account) app.AccountRecord {
	return app.AccountRecord{
		ID:     a.ID,
		Ledger: a.Ledger,
		Name:   a.Name,
		Flags: ledgerspec.AccountFlags{
			DebitsMustNotExceedCredits: a.DebitsMustNotExceedCredits,
			CreditsMustNotExceedDebits: a.CreditsMustNotExceedDebits,
		},
		DebitsPosted:  a.DebitsPosted,
		CreditsPosted: a.CreditsPosted,
		Version:       a.Version,
		CreatedAt:     a.CreatedAt.UTC(),
	}
}

func txRecords(rows []sqlcdb.Transaction) ([]app.TxRecord, error) {
	out := make([]app.TxRecord, len(rows))
	for i := range rows {
		rec, err := txRecord(rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = rec
	}
	return out, nil
}

func txRecord(t sqlcdb.Transaction) (app.TxRecord, error) {
	n := len(t.DebitIds)
	if len(t.CreditIds) != n || len(t.Amounts) != n {
		return app.TxRecord{}, fmt.Errorf("transaction %q: postings arrays of lengths %d, %d, %d",
			t.ID, n, len(t.CreditIds), len(t.Amounts))
	}
	rec := app.TxRecord{
		ID:          t.ID,
		Postings:    make([]ledgerspec.Posting, n),
		Description: t.Description,
		CreatedAt:   t.CreatedAt.UTC(),
	}
	for i := range rec.Postings {
		rec.Postings[i] = ledgerspec.Posting{DebitAccountID: t.DebitIds[i], CreditAccountID: t.CreditIds[i], Amount: t.Amounts[i]}
	}
	if t.Ledger != nil {
		rec.Ledger = *t.Ledger
	}
	switch {
	case t.Seq != nil:
		rec.Seq = *t.Seq
		rec.RiskFlags = t.RiskFlags
		if rec.RiskFlags == nil {
			rec.RiskFlags = []string{}
		}
	case t.FailCode != nil && t.FailIndex != nil:
		rec.FailCode = ledgerspec.Code(*t.FailCode)
		rec.FailIndex = int(*t.FailIndex)
	default:
		return app.TxRecord{}, fmt.Errorf("transaction %q: neither committed nor failed", t.ID)
	}
	return rec, nil
}
