package lab

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"stacklab/ledgerspec"
	"stacklab/loadgen"
	"stacklab/stacks/app"
	"stacklab/stacks/parttest/pgtest"
	sqlcstore "stacklab/stacks/store/sqlc"
)

// ledgerWithTransactions makes a database with a small consistent ledger written by a real store,
// and returns its DSN and the acknowledgements of its transactions.
func ledgerWithTransactions(t *testing.T) (string, []loadgen.Ack) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.Database(t)
	s, err := sqlcstore.Open(ctx, sqlcstore.Config{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, id := range []string{"a", "b", "c"} {
		capped := ledgerspec.AccountFlags{DebitsMustNotExceedCredits: id == "c"}
		if _, _, err := s.CreateAccount(ctx, app.AccountRecord{ID: id, Ledger: "INV", Flags: capped, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	var acks []loadgen.Ack
	for i, p := range [][]ledgerspec.Posting{
		{{DebitAccountID: "a", CreditAccountID: "b", Amount: 10}},
		{{DebitAccountID: "b", CreditAccountID: "c", Amount: 4}, {DebitAccountID: "a", CreditAccountID: "c", Amount: 1}},
		{{DebitAccountID: "c", CreditAccountID: "a", Amount: 5}},
	} {
		postings := p
		res, err := s.Post(ctx, app.TxRecord{ID: fmt.Sprintf("tx-%d", i), Postings: postings, RiskFlags: []string{}, CreatedAt: now},
			func(locked []app.AccountRecord) app.Decision { return app.Decide(postings, locked) })
		if err != nil || !res.Record.Committed() {
			t.Fatalf("posting tx-%d: %+v, %v", i, res.Record, err)
		}
		acks = append(acks, loadgen.Ack{ID: res.Record.ID, Seq: res.Record.Seq})
	}
	return dsn, acks
}

func execSQL(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// The checks pass on a ledger a real store wrote, and each corruption a broken store could leave
// is caught by the check that names it.
func TestCheckLedger(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		corrupt string // SQL run on the consistent ledger
		acks    func([]loadgen.Ack) []loadgen.Ack
		want    string // a substring of the failure; "" for none
	}{
		{name: "consistent"},
		{name: "a posting applied twice", corrupt: `UPDATE accounts SET debits_posted = debits_posted + 10 WHERE id = 'a';
			UPDATE accounts SET credits_posted = credits_posted + 10 WHERE id = 'b'`, want: "counters equal the sum"},
		{name: "money created", corrupt: `UPDATE accounts SET credits_posted = credits_posted + 7 WHERE id = 'b'`, want: "conservation"},
		{name: "over the cap", corrupt: `ALTER TABLE accounts DROP CONSTRAINT accounts_debits_within_credits;
			UPDATE accounts SET debits_posted = credits_posted + 1 WHERE id = 'c'`, want: "over its cap"},
		{name: "a seq twice", corrupt: `DROP INDEX transactions_ledger_seq;
			UPDATE transactions SET seq = (SELECT min(seq) FROM transactions) WHERE id = 'tx-2'`, want: "unique"},
		{name: "last seq behind", corrupt: `UPDATE ledgers SET last_seq = last_seq - 1`, want: "last seq"},
		{name: "history entry lost", corrupt: `DELETE FROM account_entries WHERE tx_id = 'tx-1' AND account_id = 'c'`, want: "missing from the history"},
		{name: "an acknowledged write lost",
			acks: func(a []loadgen.Ack) []loadgen.Ack { return append(a, loadgen.Ack{ID: "tx-ghost", Seq: 99}) },
			want: "acknowledged writes lost: 1 of 4 missing"},
		{name: "an acknowledged write moved",
			acks: func(a []loadgen.Ack) []loadgen.Ack { a[0].Seq += 1000; return a },
			want: "1 with another seq"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn, acks := ledgerWithTransactions(t)
			if tc.corrupt != "" {
				execSQL(t, dsn, tc.corrupt)
			}
			if tc.acks != nil {
				acks = tc.acks(acks)
			}
			wrong, err := checkLedger(ctx, dsn, acks, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(wrong, " | ")
			switch {
			case tc.want == "" && len(wrong) > 0:
				t.Errorf("a consistent ledger is wrong: %s", got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("got %q, want a failure naming %q", got, tc.want)
			}
		})
	}
}
