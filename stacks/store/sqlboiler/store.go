package sqlboilerstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"runtime"
	"time"

	"github.com/aarondl/null/v8"
	"github.com/aarondl/sqlboiler/v4/boil"
	"github.com/aarondl/sqlboiler/v4/queries/qm"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"stacklab/ledgerspec"
	"stacklab/stacks/app"
	"stacklab/stacks/events"
	"stacklab/stacks/store/internal/dberr"
	"stacklab/stacks/store/schema"
	"stacklab/stacks/store/sqlboiler/models"
)

// connectTimeout bounds connecting to PostgreSQL, so an unreachable server is an error, not a hang.
const connectTimeout = 5 * time.Second

// The pool recycles connections as pgxpool does by default, so that the lab's stores differ in
// their library, not in how long they keep a connection.
const (
	connMaxLifetime = time.Hour
	connMaxIdleTime = 30 * time.Minute
)

// maxAttempts bounds how often Post and CreateAccount start again after losing a race for an id.
const maxAttempts = 3

// Config configures a Store.
type Config struct {
	// DSN is a PostgreSQL connection string (URL or key=value).
	DSN string
	// MaxConns caps the pool (open and idle connections alike); 0 takes pgxpool's default, the
	// larger of 4 and the CPU count, as the sqlc stores do.
	MaxConns int32
	// Dial, when set, connects every connection of the pool (tests count round trips with it);
	// nil dials TCP or a Unix socket as pgx does.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Store is the ledger's store on PostgreSQL through SQLBoiler's generated models on database/sql.
type Store struct {
	db *sql.DB
}

var (
	_ app.Store     = (*Store)(nil)
	_ events.Outbox = (*Store)(nil)
)

// Open connects to PostgreSQL, checks the connection and applies the schema.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cc, err := pgx.ParseConfig(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("parsing PostgreSQL DSN: %w", err)
	}
	if t := cc.ConnectTimeout; t <= 0 || t > connectTimeout {
		cc.ConnectTimeout = connectTimeout
	}
	if cfg.Dial != nil {
		cc.DialFunc = cfg.Dial
	}
	where := fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	db := stdlib.OpenDB(*cc)
	conns := int(cfg.MaxConns)
	if conns <= 0 {
		conns = max(4, runtime.NumCPU())
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(connMaxLifetime)
	db.SetConnMaxIdleTime(connMaxIdleTime)

	pctx, cancel := context.WithTimeout(ctx, 2*connectTimeout)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s: %w", where, err)
	}
	// Without arguments pgx sends the script as one simple query, as schema.Apply does.
	if _, err := db.ExecContext(pctx, schema.Script()); err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing PostgreSQL at %s: applying the ledger schema: %w", where, err)
	}
	return &Store{db: db}, nil
}

// Close releases the store's connections.
func (s *Store) Close() {
	// Close only reports the errors of closing connections, which are gone either way.
	_ = s.db.Close()
}

// CreateAccount inserts a when its id is new, else returns the stored account.
func (s *Store) CreateAccount(ctx context.Context, a app.AccountRecord) (_ app.AccountRecord, _ bool, err error) {
	defer dberr.Mark(&err)
	for attempt := 1; ; attempt++ {
		stored, created, err := s.createAccount(ctx, a)
		switch {
		case err != nil:
			return app.AccountRecord{}, false, fmt.Errorf("creating account %q: %w", a.ID, err)
		case stored != nil:
			return accountRecord(stored), created, nil
		case attempt == maxAttempts:
			return app.AccountRecord{}, false, fmt.Errorf("creating account %q: neither inserted nor found after %d attempts", a.ID, attempt)
		}
	}
}

// createAccount returns the stored account when the id exists. Else it inserts the ledger's row
// (unless it exists) and the account in one transaction, so that an account refused because a
// concurrent request inserted its id first does not leave its ledger behind; the account
// inserted concurrently is then read. stored is nil when there was none to read after all (the
// caller tries again).
func (s *Store) createAccount(ctx context.Context, a app.AccountRecord) (stored *models.Account, created bool, err error) {
	stored, err = models.FindAccount(ctx, s.db, a.ID)
	switch {
	case err == nil:
		return stored, false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer rollback(tx)
	l := models.Ledger{Ledger: a.Ledger}
	// INSERT … ON CONFLICT (ledger) DO NOTHING
	if err := l.Upsert(ctx, tx, false, []string{models.LedgerColumns.Ledger}, boil.None(), boil.Whitelist(models.LedgerColumns.Ledger)); err != nil {
		return nil, false, err
	}
	m := &models.Account{
		ID:                         a.ID,
		Ledger:                     a.Ledger,
		Name:                       a.Name,
		DebitsMustNotExceedCredits: a.Flags.DebitsMustNotExceedCredits,
		CreditsMustNotExceedDebits: a.Flags.CreditsMustNotExceedDebits,
		CreatedAt:                  a.CreatedAt,
	}
	err = m.Insert(ctx, tx, boil.Infer()) // counters and version come back from their defaults
	if err == nil {
		err = tx.Commit()
	}
	switch {
	case err == nil:
		return m, true, nil
	case !isUniqueViolation(err, "accounts_pkey"):
		return nil, false, err
	}
	rollback(tx) // end the failed transaction before reading on another connection
	stored, err = models.FindAccount(ctx, s.db, a.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return stored, false, err
}

// Account returns one account or app.ErrNotFound.
func (s *Store) Account(ctx context.Context, id string) (_ app.AccountRecord, err error) {
	defer dberr.Mark(&err)
	m, err := models.FindAccount(ctx, s.db, id)
	if errors.Is(err, sql.ErrNoRows) {
		return app.AccountRecord{}, fmt.Errorf("account %q: %w", id, app.ErrNotFound)
	}
	if err != nil {
		return app.AccountRecord{}, fmt.Errorf("reading account %q: %w", id, err)
	}
	return accountRecord(m), nil
}

// Transaction returns the decided record of an id or app.ErrNotFound.
func (s *Store) Transaction(ctx context.Context, id string) (_ app.TxRecord, err error) {
	defer dberr.Mark(&err)
	m, err := models.FindTransaction(ctx, s.db, id)
	if errors.Is(err, sql.ErrNoRows) {
		return app.TxRecord{}, fmt.Errorf("transaction %q: %w", id, app.ErrNotFound)
	}
	if err != nil {
		return app.TxRecord{}, fmt.Errorf("reading transaction %q: %w", id, err)
	}
	return txRecord(m)
}

// entriesJoin joins an account's history index to its transactions.
var entriesJoin = qm.InnerJoin(`"account_entries" ON "account_entries"."tx_id" = "transactions"."id"`)

// AccountTransactions lists the committed transactions touching an account, ascending by seq.
func (s *Store) AccountTransactions(ctx context.Context, accountID string, after int64, limit int) (_ []app.TxRecord, err error) {
	defer dberr.Mark(&err)
	rows, err := models.Transactions(
		entriesJoin,
		models.AccountEntryWhere.AccountID.EQ(accountID),
		models.AccountEntryWhere.Seq.GT(after),
		qm.OrderBy(models.AccountEntryTableColumns.Seq),
		qm.Limit(rowLimit(limit)),
	).All(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("listing transactions of account %q: %w", accountID, err)
	}
	return s.history(ctx, accountID, rows)
}

// AccountHistory lists the committed transactions touching an account, newest first.
func (s *Store) AccountHistory(ctx context.Context, accountID string, before int64, limit int) (_ []app.TxRecord, err error) {
	defer dberr.Mark(&err)
	mods := []qm.QueryMod{entriesJoin, models.AccountEntryWhere.AccountID.EQ(accountID)}
	if before > 0 {
		mods = append(mods, models.AccountEntryWhere.Seq.LT(before))
	}
	mods = append(mods, qm.OrderBy(models.AccountEntryTableColumns.Seq+" DESC"), qm.Limit(rowLimit(limit)))
	rows, err := models.Transactions(mods...).All(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("listing history of account %q: %w", accountID, err)
	}
	return s.history(ctx, accountID, rows)
}

// history converts an account's rows; an empty list is ErrNotFound when the account is unknown.
func (s *Store) history(ctx context.Context, accountID string, rows models.TransactionSlice) ([]app.TxRecord, error) {
	if len(rows) == 0 {
		found, err := models.AccountExists(ctx, s.db, accountID)
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
	rows, err := models.Transactions(
		models.TransactionWhere.Ledger.EQ(null.StringFrom(ledger)),
		models.TransactionWhere.Seq.IsNotNull(), // lets PostgreSQL use the partial index on (ledger, seq)
		qm.OrderBy(models.TransactionTableColumns.Seq+" DESC"),
		qm.Limit(rowLimit(limit)),
	).All(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("listing transactions of ledger %q: %w", ledger, err)
	}
	return txRecords(rows)
}

// balanceRow is an account of a Balances snapshot with the snapshot's head, repeated per row.
type balanceRow struct {
	models.Account `boil:",bind"`
	AsOfSeq        int64  `boil:"as_of_seq"`
	TotalDebits    string `boil:"total_debits"`
	TotalCredits   string `boil:"total_credits"`
}

// Balances reads one consistent snapshot of a ledger: one statement, so one MVCC snapshot. The
// ledger's last seq comes from a join, the totals over every account from window sums, which
// PostgreSQL computes before LIMIT cuts the list; SQLBoiler binds them beside the embedded
// account. A ledger without accounts gives no row: an empty snapshot at seq 0.
func (s *Store) Balances(ctx context.Context, ledger string, limit int) (_ app.Snapshot, err error) {
	defer dberr.Mark(&err)
	mods := []qm.QueryMod{
		qm.Select(`"accounts".*`,
			`"ledgers"."last_seq" AS as_of_seq`,
			`(sum("accounts"."debits_posted") OVER ())::text AS total_debits`,
			`(sum("accounts"."credits_posted") OVER ())::text AS total_credits`),
		qm.InnerJoin(`"ledgers" ON "ledgers"."ledger" = "accounts"."ledger"`),
		models.AccountWhere.Ledger.EQ(ledger),
		qm.OrderBy(models.AccountTableColumns.ID),
	}
	if limit > 0 {
		mods = append(mods, qm.Limit(rowLimit(limit)))
	}
	var rows []*balanceRow
	if err := models.Accounts(mods...).Bind(ctx, s.db, &rows); err != nil {
		return app.Snapshot{}, fmt.Errorf("reading balances of ledger %q: %w", ledger, err)
	}
	snap := app.Snapshot{Ledger: ledger, TotalDebits: "0", TotalCredits: "0",
		Accounts: make([]app.AccountRecord, 0, len(rows))}
	for i, r := range rows {
		if i == 0 {
			snap.AsOfSeq, snap.TotalDebits, snap.TotalCredits = r.AsOfSeq, r.TotalDebits, r.TotalCredits
		}
		snap.Accounts = append(snap.Accounts, accountRecord(&r.Account))
	}
	return snap, nil
}

// rowLimit turns a Go limit into a LIMIT: negative means no rows (as in the sqlc stores).
func rowLimit(limit int) int { return max(limit, 0) }

// rollback ends tx unless it is already committed or rolled back (then it sends nothing).
func rollback(tx *sql.Tx) {
	// ErrTxDone after a commit is expected; any other error leaves a connection that
	// database/sql discards.
	_ = tx.Rollback()
}

// isUniqueViolation reports whether err is PostgreSQL refusing a duplicate key of constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

func accountRecord(m *models.Account) app.AccountRecord {
	return app.AccountRecord{
		ID:     m.ID,
		Ledger: m.Ledger,
		Name:   m.Name,
		Flags: ledgerspec.AccountFlags{
			DebitsMustNotExceedCredits: m.DebitsMustNotExceedCredits,
			CreditsMustNotExceedDebits: m.CreditsMustNotExceedDebits,
		},
		DebitsPosted:  m.DebitsPosted,
		CreditsPosted: m.CreditsPosted,
		Version:       m.Version,
		CreatedAt:     m.CreatedAt.UTC(),
	}
}

func txRecords(rows models.TransactionSlice) ([]app.TxRecord, error) {
	out := make([]app.TxRecord, len(rows))
	for i, m := range rows {
		rec, err := txRecord(m)
		if err != nil {
			return nil, err
		}
		out[i] = rec
	}
	return out, nil
}

func txRecord(m *models.Transaction) (app.TxRecord, error) {
	n := len(m.DebitIds)
	if len(m.CreditIds) != n || len(m.Amounts) != n {
		return app.TxRecord{}, fmt.Errorf("transaction %q: postings arrays of lengths %d, %d, %d",
			m.ID, n, len(m.CreditIds), len(m.Amounts))
	}
	rec := app.TxRecord{
		ID:          m.ID,
		Ledger:      m.Ledger.String,
		Postings:    make([]ledgerspec.Posting, n),
		Description: m.Description,
		CreatedAt:   m.CreatedAt.UTC(),
	}
	for i := range rec.Postings {
		rec.Postings[i] = ledgerspec.Posting{DebitAccountID: m.DebitIds[i], CreditAccountID: m.CreditIds[i], Amount: m.Amounts[i]}
	}
	switch {
	case m.Seq.Valid:
		rec.Seq = m.Seq.Int64
		rec.RiskFlags = m.RiskFlags
		if rec.RiskFlags == nil {
			rec.RiskFlags = []string{}
		}
	case m.FailCode.Valid && m.FailIndex.Valid:
		rec.FailCode = ledgerspec.Code(m.FailCode.String)
		rec.FailIndex = m.FailIndex.Int
	default:
		return app.TxRecord{}, fmt.Errorf("transaction %q: neither committed nor failed", m.ID)
	}
	return rec, nil
}
