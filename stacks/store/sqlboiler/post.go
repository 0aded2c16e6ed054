package sqlboilerstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/aarondl/null/v8"
	"github.com/aarondl/sqlboiler/v4/boil"
	"github.com/aarondl/sqlboiler/v4/queries"
	"github.com/aarondl/sqlboiler/v4/queries/qm"
	"github.com/aarondl/sqlboiler/v4/types"

	"stacklab/stacks/app"
	"stacklab/stacks/store/internal/dberr"
	"stacklab/stacks/store/internal/posting"
	"stacklab/stacks/store/sqlboiler/models"
)

// Raw SQL, only where SQLBoiler has no way to say it: its Update and UpdateAll bind every new
// value as a parameter, so they cannot set a column to an expression of the row.
const (
	// addDeltas adds the deltas to the counters relative to the stored values, so that the
	// schema's CHECK constraints and bigint's overflow error see the real results (an absolute
	// value computed in Go would hide an overflow); one statement for every account.
	addDeltas = `UPDATE "accounts" AS a
SET "debits_posted" = a."debits_posted" + d.debits,
    "credits_posted" = a."credits_posted" + d.credits,
    "version" = a."version" + 1
FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS d (id, debits, credits)
WHERE a."id" = d.id
RETURNING a.*`
	// takeSeq gives the transaction the next value of the sequence and locks the ledger's row
	// until COMMIT, in one statement: the lock is what orders seqs by commit within a ledger,
	// so the seq must be taken under it, not before.
	takeSeq = `UPDATE "ledgers" SET "last_seq" = nextval('transaction_seq') WHERE "ledger" = $1 RETURNING "last_seq"`
)

// Post decides tx.ID as app.Store documents. When a concurrent request decided the id first, it
// starts again.
func (s *Store) Post(ctx context.Context, tx app.TxRecord, decide app.Decider) (_ app.PostResult, err error) {
	defer dberr.Mark(&err)
	ids := posting.Accounts(tx)
	for attempt := 1; ; attempt++ {
		res, raced, err := s.post(ctx, tx, ids, decide)
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

// post makes one attempt, one statement per round trip, in the order of the sqlc store:
//
//	read the id (no transaction); a decided id ends here
//	begin; lock the named accounts in id order; decide
//	failed:    insert the failed record; commit
//	committed: add the deltas; take the ledger's seq; insert the record, one history row per
//	           account and the outbox row; commit
//
// raced reports that a concurrent request decided the id first.
func (s *Store) post(ctx context.Context, tx app.TxRecord, ids []string, decide app.Decider) (res app.PostResult, raced bool, err error) {
	found, err := models.FindTransaction(ctx, s.db, tx.ID)
	switch {
	case err == nil:
		rec, err := txRecord(found)
		if err != nil {
			return res, false, err
		}
		return app.PostResult{Existing: &rec}, false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return res, false, fmt.Errorf("reading id: %w", err)
	}

	dbtx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return res, false, fmt.Errorf("beginning: %w", err)
	}
	defer rollback(dbtx)
	lockedRows, err := models.Accounts(
		models.AccountWhere.ID.IN(ids),
		qm.OrderBy(models.AccountColumns.ID),
		qm.For("UPDATE"),
	).All(ctx, dbtx)
	if err != nil {
		return res, false, fmt.Errorf("locking accounts: %w", err)
	}
	locked := make([]app.AccountRecord, len(lockedRows))
	for i, m := range lockedRows {
		locked[i] = accountRecord(m)
	}
	d := decide(locked)
	if d.FailCode != "" {
		return storeFailed(ctx, dbtx, tx, d)
	}
	return storeCommitted(ctx, dbtx, tx, d, locked)
}

// storeFailed inserts the failed record and commits.
func storeFailed(ctx context.Context, dbtx *sql.Tx, tx app.TxRecord, d app.Decision) (app.PostResult, bool, error) {
	rec := posting.FailedRecord(tx, d)
	m := transactionModel(rec)
	err := m.Insert(ctx, dbtx, boil.Infer())
	if err == nil {
		err = dbtx.Commit()
	}
	if isUniqueViolation(err, "transactions_pkey") {
		return app.PostResult{}, true, nil
	}
	if err != nil {
		return app.PostResult{}, false, fmt.Errorf("storing failed decision %s: %w", d.FailCode, err)
	}
	return app.PostResult{Record: rec}, false, nil
}

// storeCommitted applies the deltas and commits the transaction.
func storeCommitted(ctx context.Context, dbtx *sql.Tx, tx app.TxRecord, d app.Decision, locked []app.AccountRecord) (app.PostResult, bool, error) {
	if err := posting.CheckDeltas(d.Deltas, locked); err != nil {
		return app.PostResult{}, false, err
	}
	ids := make(types.StringArray, len(d.Deltas))
	debits := make(types.Int64Array, len(d.Deltas))
	credits := make(types.Int64Array, len(d.Deltas))
	for i, dl := range d.Deltas {
		ids[i], debits[i], credits[i] = dl.AccountID, dl.Debits, dl.Credits
	}
	var updated models.AccountSlice
	if err := queries.Raw(addDeltas, ids, debits, credits).Bind(ctx, dbtx, &updated); err != nil {
		return app.PostResult{}, false, fmt.Errorf("updating counters in ledger %q: %w", d.Ledger, err)
	}
	if len(updated) != len(d.Deltas) {
		// Unreachable after CheckDeltas: the rows were locked and exist.
		return app.PostResult{}, false, fmt.Errorf("%d of %d accounts updated", len(updated), len(d.Deltas))
	}

	rec := posting.CommittedRecord(tx, d)
	err := queries.Raw(takeSeq, d.Ledger).QueryRowContext(ctx, dbtx).Scan(&rec.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return app.PostResult{}, false, fmt.Errorf("committing in ledger %q: the ledger has no row", d.Ledger)
	}
	if err != nil {
		return app.PostResult{}, false, fmt.Errorf("taking a seq in ledger %q: %w", d.Ledger, err)
	}
	m := transactionModel(rec)
	if err := m.Insert(ctx, dbtx, boil.Infer()); err != nil {
		if isUniqueViolation(err, "transactions_pkey") {
			return app.PostResult{}, true, nil
		}
		return app.PostResult{}, false, fmt.Errorf("storing transaction in ledger %q: %w", d.Ledger, err)
	}
	// SQLBoiler inserts one row per statement: a round trip per account of the transaction.
	for _, id := range posting.Accounts(tx) {
		e := models.AccountEntry{AccountID: id, Seq: rec.Seq, TXID: tx.ID}
		if err := e.Insert(ctx, dbtx, boil.Infer()); err != nil {
			return app.PostResult{}, false, fmt.Errorf("storing the history row of account %q: %w", id, err)
		}
	}
	box := models.Outbox{TXID: tx.ID}
	if err := box.Insert(ctx, dbtx, boil.Infer()); err != nil {
		return app.PostResult{}, false, fmt.Errorf("storing the outbox row: %w", err)
	}
	if err := dbtx.Commit(); err != nil {
		return app.PostResult{}, false, fmt.Errorf("committing in ledger %q: %w", d.Ledger, err)
	}

	res := app.PostResult{Record: rec, Accounts: make([]app.AccountRecord, len(updated))}
	for i, a := range updated {
		res.Accounts[i] = accountRecord(a)
	}
	posting.SortAccounts(res.Accounts)
	return res, false, nil
}

// transactionModel is a decided record as its row.
func transactionModel(rec app.TxRecord) *models.Transaction {
	debits, credits, amounts := posting.Arrays(rec)
	m := &models.Transaction{
		ID:          rec.ID,
		Ledger:      null.NewString(rec.Ledger, rec.Ledger != ""),
		DebitIds:    debits,
		CreditIds:   credits,
		Amounts:     amounts,
		Description: rec.Description,
		RiskFlags:   rec.RiskFlags, // nil (NULL) for a failed record
		CreatedAt:   rec.CreatedAt,
	}
	if rec.Committed() {
		m.Seq = null.Int64From(rec.Seq)
	} else {
		m.FailCode = null.StringFrom(string(rec.FailCode))
		m.FailIndex = null.IntFrom(rec.FailIndex)
	}
	return m
}
