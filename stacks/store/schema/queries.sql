-- The ledger's queries of the sqlc stores (sqlc and sqlc-pipelined). sqlc type-checks them against
-- schema.sql and generates the pgx/v5 code in ../sqlc/sqlcdb (see sqlc.yaml).

-- name: CreateAccount :one
-- CreateAccount inserts an account (and its ledger's row, the first time) unless the id exists,
-- and returns the stored row with created telling which happened. When a concurrent request
-- inserts the same id between this statement's snapshot and its insert, it returns no row:
-- run it again.
WITH new_ledger AS (
    INSERT INTO ledgers (ledger)
    SELECT @ledger::text
    WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE accounts.id = @id::text)
    ON CONFLICT (ledger) DO NOTHING
), inserted AS (
    INSERT INTO accounts (id, ledger, name, debits_must_not_exceed_credits,
                          credits_must_not_exceed_debits, created_at)
    VALUES (@id::text, @ledger::text, @name::text, @debits_must_not_exceed_credits::boolean,
            @credits_must_not_exceed_debits::boolean, @created_at::timestamptz)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, ledger, name, debits_must_not_exceed_credits, credits_must_not_exceed_debits,
              debits_posted, credits_posted, version, created_at
)
SELECT i.id, i.ledger, i.name, i.debits_must_not_exceed_credits, i.credits_must_not_exceed_debits,
       i.debits_posted, i.credits_posted, i.version, i.created_at, true AS created
FROM inserted i
UNION ALL
SELECT a.id, a.ledger, a.name, a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits,
       a.debits_posted, a.credits_posted, a.version, a.created_at, false AS created
FROM accounts a
WHERE a.id = @id::text AND NOT EXISTS (SELECT 1 FROM inserted);

-- name: GetAccount :one
SELECT id, ledger, name, debits_must_not_exceed_credits, credits_must_not_exceed_debits,
       debits_posted, credits_posted, version, created_at
FROM accounts
WHERE id = @id::text;

-- name: AccountExists :one
SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @id::text) AS found;

-- name: GetTransaction :one
SELECT id, ledger, seq, debit_ids, credit_ids, amounts, description, risk_flags, created_at,
       fail_code, fail_index
FROM transactions
WHERE id = @id::text;

-- name: AccountTransactions :many
-- AccountTransactions lists the committed transactions touching an account, ascending by seq.
SELECT t.id, t.ledger, t.seq, t.debit_ids, t.credit_ids, t.amounts, t.description, t.risk_flags,
       t.created_at, t.fail_code, t.fail_index
FROM account_entries e
JOIN transactions t ON t.id = e.tx_id
WHERE e.account_id = @account_id::text AND e.seq > @after_seq::bigint
ORDER BY e.seq
LIMIT @max_rows::integer;

-- name: AccountHistory :many
-- AccountHistory lists them newest first, below before_seq (which is never null: pass the
-- largest bigint for no bound).
SELECT t.id, t.ledger, t.seq, t.debit_ids, t.credit_ids, t.amounts, t.description, t.risk_flags,
       t.created_at, t.fail_code, t.fail_index
FROM account_entries e
JOIN transactions t ON t.id = e.tx_id
WHERE e.account_id = @account_id::text AND e.seq < @before_seq::bigint
ORDER BY e.seq DESC
LIMIT @max_rows::integer;

-- name: LedgerTransactions :many
SELECT id, ledger, seq, debit_ids, credit_ids, amounts, description, risk_flags, created_at,
       fail_code, fail_index
FROM transactions
WHERE ledger = @ledger::text AND seq IS NOT NULL
ORDER BY seq DESC
LIMIT @max_rows::integer;

-- name: Balances :many
-- Balances reads a ledger's snapshot in one statement, hence from one snapshot: as_of_seq and the
-- totals repeat on every row. A ledger without accounts gives no row (its snapshot is empty, at
-- seq 0, totals 0). A null max_accounts lists every account. The totals are a materialized CTE
-- so that they are computed once, whatever plan the accounts get.
WITH head AS MATERIALIZED (
    SELECT l.last_seq,
           coalesce(sum(s.debits_posted), 0)::text AS total_debits,
           coalesce(sum(s.credits_posted), 0)::text AS total_credits
    FROM ledgers l
    JOIN accounts s ON s.ledger = l.ledger
    WHERE l.ledger = @ledger::text
    GROUP BY l.last_seq
)
SELECT head.last_seq AS as_of_seq, head.total_debits::text AS total_debits,
       head.total_credits::text AS total_credits,
       a.id, a.ledger, a.name, a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits,
       a.debits_posted, a.credits_posted, a.version, a.created_at
FROM head
CROSS JOIN LATERAL (
    SELECT p.id, p.ledger, p.name, p.debits_must_not_exceed_credits,
           p.credits_must_not_exceed_debits, p.debits_posted, p.credits_posted, p.version,
           p.created_at
    FROM accounts p
    WHERE p.ledger = @ledger::text
    ORDER BY p.id
    LIMIT sqlc.narg(max_accounts)::integer
) a
ORDER BY a.id;

-- name: LockAccounts :many
-- LockAccounts locks the named accounts in id order (so opposite transfers never deadlock), unless
-- the transaction id tx_id is decided already: then it locks and returns nothing.
SELECT id, ledger, name, debits_must_not_exceed_credits, credits_must_not_exceed_debits,
       debits_posted, credits_posted, version, created_at
FROM accounts
WHERE id = ANY(@ids::text[])
  AND NOT EXISTS (SELECT 1 FROM transactions WHERE transactions.id = @tx_id::text)
ORDER BY id
FOR UPDATE;

-- name: UpdateAccounts :many
-- UpdateAccounts adds the deltas to the counters, relative to the stored values, so the CHECK
-- constraints and bigint overflow see the real results.
UPDATE accounts AS a
SET debits_posted = a.debits_posted + d.debits,
    credits_posted = a.credits_posted + d.credits,
    version = a.version + 1
FROM (SELECT unnest(@ids::text[]) AS id,
             unnest(@debits::bigint[]) AS debits,
             unnest(@credits::bigint[]) AS credits) AS d
WHERE a.id = d.id
RETURNING a.id, a.ledger, a.name, a.debits_must_not_exceed_credits,
          a.credits_must_not_exceed_debits, a.debits_posted, a.credits_posted, a.version,
          a.created_at;

-- name: CommitTransaction :one
-- CommitTransaction takes the ledger's next seq and stores the transaction, its history index
-- and its outbox row, in one statement to run last before COMMIT: the ledger row it locks is
-- what orders commits within a ledger. When the ledger has no row, seq is null and the
-- transactions_decided_once check refuses the insert.
WITH next AS (
    UPDATE ledgers
    SET last_seq = nextval('transaction_seq')
    WHERE ledger = @ledger::text
    RETURNING last_seq
), tx AS (
    INSERT INTO transactions (id, ledger, seq, debit_ids, credit_ids, amounts, description,
                              risk_flags, created_at)
    VALUES (@id::text, @ledger::text, (SELECT last_seq FROM next), @debit_ids::text[],
            @credit_ids::text[], @amounts::bigint[], @description::text, @risk_flags::text[],
            @created_at::timestamptz)
    RETURNING id, seq
), entries AS (
    INSERT INTO account_entries (account_id, seq, tx_id)
    SELECT DISTINCT acc.id, tx.seq, tx.id
    FROM tx, unnest(@debit_ids::text[] || @credit_ids::text[]) AS acc (id)
), box AS (
    INSERT INTO outbox (tx_id)
    SELECT tx.id FROM tx
)
SELECT tx.seq::bigint AS seq FROM tx;

-- name: InsertFailedTransaction :exec
INSERT INTO transactions (id, ledger, seq, debit_ids, credit_ids, amounts, description,
                          risk_flags, created_at, fail_code, fail_index)
VALUES (@id::text, sqlc.narg(ledger)::text, NULL, @debit_ids::text[], @credit_ids::text[],
        @amounts::bigint[], @description::text, NULL, @created_at::timestamptz,
        @fail_code::text, @fail_index::integer);

-- name: ClaimOutbox :many
-- ClaimOutbox locks the oldest pending outbox rows that no other relay holds, with their
-- transactions.
SELECT o.id AS outbox_id, sqlc.embed(t)
FROM outbox o
JOIN transactions t ON t.id = o.tx_id
ORDER BY o.id
LIMIT @max_rows::integer
FOR UPDATE OF o SKIP LOCKED;

-- name: DeleteOutbox :exec
DELETE FROM outbox WHERE id = ANY(@ids::bigint[]);

-- name: CountOutbox :one
SELECT count(*) AS pending FROM outbox;
