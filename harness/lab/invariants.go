package lab

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kgo"

	"stacklab/ledgerspec"
	"stacklab/loadgen"
	"stacklab/results"
)

// The invariants a ledger must keep, checked in the stack's database after every trial. A
// trial that breaks one is not a measurement of a working ledger: its records are invalid for
// wrong answers, whatever their numbers.
var invariantQueries = []struct {
	name, query string
}{
	{"conservation: total debits equal total credits in every ledger", `
		SELECT ledger || ': debits ' || sum(debits_posted) || ', credits ' || sum(credits_posted)
		FROM accounts GROUP BY ledger HAVING sum(debits_posted) <> sum(credits_posted) LIMIT 5`},
	{"each account's counters equal the sum of its committed postings", `
		WITH p AS (
			SELECT unnest(debit_ids) AS d, unnest(credit_ids) AS c, unnest(amounts) AS a
			FROM transactions WHERE seq IS NOT NULL),
		deb AS (SELECT d AS id, sum(a) AS s FROM p GROUP BY d),
		cred AS (SELECT c AS id, sum(a) AS s FROM p GROUP BY c)
		SELECT a.id || ': debits_posted ' || a.debits_posted || ' vs postings ' || coalesce(deb.s, 0) ||
			', credits_posted ' || a.credits_posted || ' vs postings ' || coalesce(cred.s, 0)
		FROM accounts a LEFT JOIN deb ON deb.id = a.id LEFT JOIN cred ON cred.id = a.id
		WHERE a.debits_posted <> coalesce(deb.s, 0) OR a.credits_posted <> coalesce(cred.s, 0) LIMIT 5`},
	{"no capped account is over its cap", `
		SELECT id || ': debits ' || debits_posted || ', credits ' || credits_posted FROM accounts
		WHERE (debits_must_not_exceed_credits AND debits_posted > credits_posted)
		   OR (credits_must_not_exceed_debits AND credits_posted > debits_posted) LIMIT 5`},
	{"every committed seq is unique across ledgers", `
		SELECT seq || ' is held by ' || count(*) || ' transactions' FROM transactions
		WHERE seq IS NOT NULL GROUP BY seq HAVING count(*) > 1 LIMIT 5`},
	{"each ledger's last seq is its newest transaction's", `
		SELECT l.ledger || ': last_seq ' || l.last_seq || ', newest transaction ' || coalesce(t.m, 0)
		FROM ledgers l LEFT JOIN (SELECT ledger, max(seq) AS m FROM transactions WHERE seq IS NOT NULL GROUP BY ledger) t
		USING (ledger) WHERE l.last_seq <> coalesce(t.m, 0) LIMIT 5`},
	{"the history index holds each committed transaction once per account, at its seq", `
		WITH x AS (SELECT DISTINCT id, seq, unnest(debit_ids || credit_ids) AS acc FROM transactions WHERE seq IS NOT NULL)
		SELECT 'transaction ' || x.id || ' is missing from the history of ' || x.acc FROM x
		LEFT JOIN account_entries e ON e.account_id = x.acc AND e.seq = x.seq AND e.tx_id = x.id
		WHERE e.tx_id IS NULL
		UNION ALL
		SELECT 'history entry ' || e.account_id || '@' || e.seq || ' names ' || e.tx_id || ', which is not committed at that seq'
		FROM account_entries e LEFT JOIN transactions t ON t.id = e.tx_id AND t.seq = e.seq
		WHERE t.id IS NULL LIMIT 5`},
}

// Bounds on the waits of the events check: the relay lingers a few ms and polls every 250 ms.
const (
	outboxDrainWait = 15 * time.Second
	topicWait       = 15 * time.Second
)

// checkLedger checks the ledger a stack left in the database at dsn after a trial: the invariant
// queries, every acknowledged write present with its seq, and (with a topic watcher) the outbox
// drained and every committed transaction on the transactions topic. It returns what is wrong, or
// nothing; an error means the check itself could not run.
func checkLedger(ctx context.Context, dsn string, acks []loadgen.Ack, topic *topicWatcher) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, outboxDrainWait+topicWait+30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("checking the ledger: connecting: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var wrong []string
	for _, q := range invariantQueries {
		rows, err := queryStrings(ctx, conn, q.query)
		if err != nil {
			return nil, fmt.Errorf("checking %q: %w", q.name, err)
		}
		if len(rows) > 0 {
			wrong = append(wrong, q.name+": "+strings.Join(rows, "; "))
		}
	}
	if w, err := checkAcknowledged(ctx, conn, acks); err != nil {
		return nil, err
	} else if w != "" {
		wrong = append(wrong, w)
	}
	if topic == nil {
		return wrong, nil
	}
	w, err := checkPublished(ctx, conn, topic)
	if err != nil {
		return nil, err
	}
	if w != "" {
		wrong = append(wrong, w)
	}
	return wrong, nil
}

func queryStrings(ctx context.Context, conn *pgx.Conn, query string, args ...any) ([]string, error) {
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// checkAcknowledged reports acknowledged writes that are missing or hold another seq.
func checkAcknowledged(ctx context.Context, conn *pgx.Conn, acks []loadgen.Ack) (string, error) {
	const chunk = 5000
	var missing, moved int
	var first string
	for start := 0; start < len(acks); start += chunk {
		part := acks[start:min(start+chunk, len(acks))]
		ids := make([]string, len(part))
		for i, a := range part {
			ids[i] = a.ID
		}
		rows, err := conn.Query(ctx, `SELECT id, coalesce(seq, 0) FROM transactions WHERE id = ANY($1)`, ids)
		if err != nil {
			return "", fmt.Errorf("reading acknowledged transactions: %w", err)
		}
		stored := map[string]int64{}
		var id string
		var seq int64
		_, err = pgx.ForEachRow(rows, []any{&id, &seq}, func() error { stored[id] = seq; return nil })
		if err != nil {
			return "", fmt.Errorf("reading acknowledged transactions: %w", err)
		}
		for _, a := range part {
			got, ok := stored[a.ID]
			switch {
			case !ok:
				missing++
				if first == "" {
					first = fmt.Sprintf("%s (seq %d) is not in the ledger", a.ID, a.Seq)
				}
			case got != a.Seq:
				moved++
				if first == "" {
					first = fmt.Sprintf("%s was acknowledged with seq %d and holds %d", a.ID, a.Seq, got)
				}
			}
		}
	}
	if missing+moved == 0 {
		return "", nil
	}
	return fmt.Sprintf("acknowledged writes lost: %d of %d missing, %d with another seq (first: %s)", missing, len(acks), moved, first), nil
}

// checkPublished waits for the outbox to drain and for every committed transaction to reach the
// transactions topic.
func checkPublished(ctx context.Context, conn *pgx.Conn, topic *topicWatcher) (string, error) {
	deadline := time.Now().Add(outboxDrainWait)
	for {
		var pending int64
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&pending); err != nil {
			return "", fmt.Errorf("counting the outbox: %w", err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Sprintf("the outbox still holds %d rows %v after the trial", pending, outboxDrainWait), nil
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return "", err
		}
	}
	ids, err := queryStrings(ctx, conn, `SELECT id FROM transactions WHERE seq IS NOT NULL`)
	if err != nil {
		return "", fmt.Errorf("listing committed transactions: %w", err)
	}
	missing := topic.waitFor(ctx, ids, topicWait)
	if len(missing) == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d of %d committed transactions are not on %s %v after the outbox drained (first: %s)",
		len(missing), len(ids), ledgerspec.TopicTransactions, topicWait, missing[0]), nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// topicWatcher reads the transactions topic from its start for the whole run and remembers every
// key it saw, so each trial's check only waits for what is new.
type topicWatcher struct {
	client *kgo.Client
	mu     sync.Mutex
	seen   map[string]bool
	err    error
	done   chan struct{}
}

func watchTopic(brokers []string) (*topicWatcher, error) {
	client, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(ledgerspec.TopicTransactions),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.AllowAutoTopicCreation())
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ledgerspec.TopicTransactions, err)
	}
	w := &topicWatcher{client: client, seen: map[string]bool{}, done: make(chan struct{})}
	go w.loop()
	return w, nil
}

func (w *topicWatcher) loop() {
	defer close(w.done)
	for {
		fetches := w.client.PollFetches(context.Background())
		if fetches.IsClientClosed() {
			return
		}
		w.mu.Lock()
		fetches.EachRecord(func(r *kgo.Record) { w.seen[string(r.Key)] = true })
		w.mu.Unlock()
	}
}

// waitFor waits up to wait for every id to be seen and returns those that were not.
func (w *topicWatcher) waitFor(ctx context.Context, ids []string, wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for {
		var missing []string
		w.mu.Lock()
		for _, id := range ids {
			if !w.seen[id] {
				missing = append(missing, id)
			}
		}
		w.mu.Unlock()
		if len(missing) == 0 || time.Now().After(deadline) || sleepCtx(ctx, 100*time.Millisecond) != nil {
			return missing
		}
	}
}

// judge checks the ledger after a trial and marks its records: invalid for wrong answers when an
// invariant broke (Record.Wrong says which), invalid when the check itself could not run.
func (l *lab) judge(ctx context.Context, sp *stackProcess, recs []results.Record, acks []loadgen.Ack) {
	wrong, err := checkLedger(ctx, sp.dsn, acks, l.topic)
	for i := range recs {
		r := &recs[i]
		switch {
		case err != nil:
			r.Valid = false
			r.InvalidReasons = append(r.InvalidReasons, "the ledger could not be checked after the trial: "+err.Error())
		case len(wrong) > 0:
			r.Valid = false
			r.Wrong = wrong
			r.InvalidReasons = append(r.InvalidReasons, "wrong answers: "+strings.Join(wrong, " | "))
		}
	}
	if err != nil {
		l.note("%s: the ledger could not be checked after a trial: %v", sp.spec, err)
	} else if len(wrong) > 0 {
		l.report.Step(fmt.Sprintf("WRONG ANSWERS from %s: %s", sp.spec, strings.Join(wrong, " | ")))
	}
}

func (w *topicWatcher) close() {
	w.client.Close()
	<-w.done
}
