package sqlcstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"stacklab/stacks/app"
	"stacklab/stacks/store/internal/dberr"
	"stacklab/stacks/store/internal/posting"
	"stacklab/stacks/store/sqlc/sqlcdb"
)

// maxAttempts bounds how often Post and CreateAccount start again after losing a race for an id.
const maxAttempts = 3

// Post decides tx.ID as app.Store documents: postPipelined in the variant sqlc-pipelined,
// postPlain in sqlc. When a concurrent request decided the id first, it starts again.
func (s *Store) Post(ctx context.Context, tx app.TxRecord, decide app.Decider) (_ app.PostResult, err error) {
	defer dberr.Mark(&err)
	ids := posting.Accounts(tx)
	for attempt := 1; ; attempt++ {
		var (
			res   app.PostResult
			raced bool
			err   error
		)
		if s.pipeline {
			res, raced, err = s.postPipelined(ctx, tx, ids, decide)
		} else {
			res, raced, err = s.postPlain(ctx, tx, ids, decide)
		}
		switch {
		case err != nil:
			return app.PostResult{}, fmt.Errorf("posting transaction %q: %w", tx.ID, err)
		case !raced:
			return res, nil
		case attempt == maxAttempts:
			return app.PostResult{}, fmt.Errorf("posting transaction %q: decided concurrently yet not readable after %d attempts", tx.ID, attempt)
		}
	}
}

// existing is the result of an id found decided.
func existing(row sqlcdb.Transaction) (app.PostResult, error) {
	rec, err := txRecord(row)
	if err != nil {
		return app.PostResult{}, err
	}
	return app.PostResult{Existing: &rec}, nil
}

func lockedRecords(rows []sqlcdb.Account) []app.AccountRecord {
	locked := make([]app.AccountRecord, len(rows))
	for i := range rows {
		locked[i] = accountRecord(rows[i])
	}
	return locked
}

// failedParams are the arguments that store tx as refused by d.
func failedParams(tx app.TxRecord, d app.Decision) sqlcdb.InsertFailedTransactionParams {
	arg := sqlcdb.InsertFailedTransactionParams{
		ID:          tx.ID,
		Description: tx.Description,
		CreatedAt:   tx.CreatedAt,
		FailCode:    string(d.FailCode),
		FailIndex:   int32(d.FailIndex),
	}
	if d.Ledger != "" {
		arg.Ledger = &d.Ledger
	}
	arg.DebitIds, arg.CreditIds, arg.Amounts = posting.Arrays(tx)
	return arg
}

// commitParams are the arguments that apply d's deltas and store tx as committed, and the
// record to return once the database gave it a seq.
func commitParams(tx app.TxRecord, d app.Decision) (sqlcdb.UpdateAccountsParams, sqlcdb.CommitTransactionParams, app.TxRecord) {
	upd := sqlcdb.UpdateAccountsParams{
		Ids:     make([]string, len(d.Deltas)),
		Debits:  make([]int64, len(d.Deltas)),
		Credits: make([]int64, len(d.Deltas)),
	}
	for i, dl := range d.Deltas {
		upd.Ids[i], upd.Debits[i], upd.Credits[i] = dl.AccountID, dl.Debits, dl.Credits
	}
	rec := posting.CommittedRecord(tx, d)
	ins := sqlcdb.CommitTransactionParams{
		Ledger:      d.Ledger,
		ID:          tx.ID,
		Description: tx.Description,
		RiskFlags:   rec.RiskFlags,
		CreatedAt:   tx.CreatedAt,
	}
	ins.DebitIds, ins.CreditIds, ins.Amounts = posting.Arrays(tx)
	return upd, ins, rec
}

// committed is the result of a commit: the record and the changed accounts, sorted by id.
func committed(rec app.TxRecord, d app.Decision, updated []sqlcdb.Account) (app.PostResult, error) {
	if len(updated) != len(d.Deltas) {
		// Unreachable after posting.CheckDeltas: the rows were locked and exist.
		return app.PostResult{}, fmt.Errorf("committed, but %d of %d accounts were updated", len(updated), len(d.Deltas))
	}
	res := app.PostResult{Record: rec, Accounts: make([]app.AccountRecord, len(updated))}
	for i := range updated {
		res.Accounts[i] = accountRecord(updated[i])
	}
	posting.SortAccounts(res.Accounts)
	return res, nil
}

// isDecidedRace reports whether err is the unique violation of a concurrent request having
// decided the same transaction id first.
func isDecidedRace(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "transactions_pkey"
}

// release ends a transaction left open by an error and returns the connection to the pool.
func release(conn *pgxpool.Conn) {
	if pc := conn.Conn().PgConn(); !pc.IsClosed() && pc.TxStatus() != 'I' {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		// An error here needs no report: Release destroys a connection still in a transaction.
		_, _ = conn.Exec(ctx, "rollback")
		cancel()
	}
	conn.Release()
}
