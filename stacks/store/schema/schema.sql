-- The ledger's PostgreSQL schema, shared by every store of the lab. Apply runs this file in one
-- implicit transaction under an advisory lock, so it must stay idempotent: IF NOT EXISTS everywhere.
-- The invariants of the contract live here, in CHECK constraints, not only in Go.

-- transaction_seq gives every committed transaction its seq: unique across ledgers.
CREATE SEQUENCE IF NOT EXISTS transaction_seq AS bigint;

-- ledgers holds one row per ledger, created with the ledger's first account. Its row is the
-- ledger's commit-order lock: a commit sets last_seq = nextval('transaction_seq') as its last
-- statement and holds the row lock until COMMIT, so seqs grow in commit order within a ledger.
CREATE TABLE IF NOT EXISTS ledgers (
    ledger   text COLLATE "C" PRIMARY KEY,
    last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0)
);

-- accounts: counters only ever change by relative increments, so the CHECKs below and bigint's
-- own overflow error see the real values.
CREATE TABLE IF NOT EXISTS accounts (
    id                             text COLLATE "C" PRIMARY KEY,
    ledger                         text COLLATE "C" NOT NULL REFERENCES ledgers (ledger),
    name                           text NOT NULL,
    debits_must_not_exceed_credits boolean NOT NULL,
    credits_must_not_exceed_debits boolean NOT NULL,
    debits_posted                  bigint NOT NULL DEFAULT 0,
    credits_posted                 bigint NOT NULL DEFAULT 0,
    version                        bigint NOT NULL DEFAULT 0,
    created_at                     timestamptz NOT NULL,
    CONSTRAINT accounts_counters_not_negative CHECK (debits_posted >= 0 AND credits_posted >= 0),
    CONSTRAINT accounts_flags_exclusive
        CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
    CONSTRAINT accounts_debits_within_credits
        CHECK (NOT debits_must_not_exceed_credits OR debits_posted <= credits_posted),
    CONSTRAINT accounts_credits_within_debits
        CHECK (NOT credits_must_not_exceed_debits OR credits_posted <= debits_posted),
    CONSTRAINT accounts_version_not_negative CHECK (version >= 0)
);

-- The ledger's accounts by id (balances). No index covers the counters, so their updates stay HOT.
CREATE INDEX IF NOT EXISTS accounts_ledger_id ON accounts (ledger, id);

-- transactions holds every decided id: committed (seq set, fail_code null) or failed (the reverse).
-- Its primary key is what makes concurrent requests for one id decide it once. The postings are
-- three parallel arrays in posting order.
CREATE TABLE IF NOT EXISTS transactions (
    id          text COLLATE "C" PRIMARY KEY,
    ledger      text COLLATE "C",
    seq         bigint,
    debit_ids   text[] NOT NULL,
    credit_ids  text[] NOT NULL,
    amounts     bigint[] NOT NULL,
    description text NOT NULL,
    risk_flags  text[],
    created_at  timestamptz NOT NULL,
    fail_code   text,
    fail_index  integer,
    CONSTRAINT transactions_postings_parallel CHECK (
        cardinality(debit_ids) = cardinality(credit_ids)
        AND cardinality(amounts) = cardinality(debit_ids)),
    CONSTRAINT transactions_decided_once CHECK (
        (seq IS NOT NULL AND seq > 0 AND ledger IS NOT NULL AND risk_flags IS NOT NULL
            AND fail_code IS NULL AND fail_index IS NULL)
        OR (seq IS NULL AND risk_flags IS NULL AND fail_code IS NOT NULL AND fail_index IS NOT NULL))
);

-- A ledger's newest committed transactions, by seq (either direction).
CREATE UNIQUE INDEX IF NOT EXISTS transactions_ledger_seq ON transactions (ledger, seq)
    WHERE seq IS NOT NULL;

-- account_entries is the per-account history index: one row per account a committed transaction
-- touches (an account in two postings of one transaction gets one row). The primary key serves
-- an account's history in both directions by seq.
CREATE TABLE IF NOT EXISTS account_entries (
    account_id text COLLATE "C" NOT NULL,
    seq        bigint NOT NULL,
    tx_id      text COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, seq)
);

-- outbox holds one row per committed transaction until a relay has published it.
CREATE TABLE IF NOT EXISTS outbox (
    id    bigserial PRIMARY KEY,
    tx_id text COLLATE "C" NOT NULL
);
