package conformance

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"stacklab/ledgerspec"
)

// topicIndex is a topic's records by key.
type topicIndex map[string][][]byte

func (e *env) readTopic(topic string) (topicIndex, error) {
	evs, err := e.s.events.Records(e.ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("reading topic %s: %w", topic, err)
	}
	idx := make(topicIndex, len(evs))
	for _, ev := range evs {
		idx[string(ev.Key)] = append(idx[string(ev.Key)], ev.Value)
	}
	return idx, nil
}

// sameEvent checks that every record of id on a topic decodes to the committed transaction.
func sameEvent(topic, id string, values [][]byte, want committedTx) error {
	for _, v := range values {
		var got ledgerspec.Transaction
		if err := decodeStrict(v, &got); err != nil {
			return fmt.Errorf("topic %s, key %s: the value %s is not a transaction: %v", topic, id, excerpt(v, 300), err)
		}
		if !sameTx(got, want.tx) {
			return fmt.Errorf("topic %s, key %s: the value %s differs from the transaction as committed %s", topic, id, excerpt(v, 300), excerpt(want.raw, 300))
		}
	}
	return nil
}

// awaitTopic polls topic until every id of want is on it (each record checked), or the deadline.
// It returns the ids still missing.
func (e *env) awaitTopic(topic string, want map[string]committedTx, deadline time.Time) ([]string, topicIndex, error) {
	for {
		idx, err := e.readTopic(topic)
		if err != nil {
			return nil, nil, err
		}
		var missing []string
		for id, c := range want {
			vs, ok := idx[id]
			if !ok {
				missing = append(missing, id)
				continue
			}
			if err := sameEvent(topic, id, vs, c); err != nil {
				return nil, nil, err
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			sort.Strings(missing)
			return missing, idx, nil
		}
		select {
		case <-e.ctx.Done():
			return nil, nil, fmt.Errorf("waiting for topic %s: %w", topic, e.ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func missingError(topic string, missing []string, of int) error {
	show := missing
	if len(show) > 10 {
		show = show[:10]
	}
	return fmt.Errorf("after %s, %d of the %d transactions that must be on topic %s are not: %s",
		eventsDeadline, len(missing), of, topic, strings.Join(show, ", "))
}

func checkEventsTransactions(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	if _, err := e.transfer(f.A, f.B, 3); err != nil { // a witness, whatever else ran
		return err
	}
	committed, _ := e.rec.snapshot()
	missing, _, err := e.awaitTopic(ledgerspec.TopicTransactions, committed, time.Now().Add(eventsDeadline))
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return missingError(ledgerspec.TopicTransactions, missing, len(committed))
	}
	return nil
}

func checkEventsAlerts(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	if _, err := e.transfer(f.A, f.B, e.s.largeAmount); err != nil { // a flagged witness
		return err
	}
	committed, _ := e.rec.snapshot()
	flagged := make(map[string]committedTx)
	for id, c := range committed {
		if len(c.tx.RiskFlags) > 0 {
			flagged[id] = c
		}
	}
	missing, idx, err := e.awaitTopic(ledgerspec.TopicAlerts, flagged, time.Now().Add(eventsDeadline))
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return missingError(ledgerspec.TopicAlerts, missing, len(flagged))
	}
	for id, c := range committed {
		if _, on := idx[id]; on && len(c.tx.RiskFlags) == 0 {
			return fmt.Errorf("topic %s holds transaction %s, which has no risk flags: %s", ledgerspec.TopicAlerts, id, excerpt(c.raw, 300))
		}
	}
	return nil
}

func checkEventsNoFailed(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	if _, err := e.refuseTx(newTx(e.id("t"), posting(f.A, f.A, 1)), ledgerspec.CodeAccountsMustBeDifferent, 0, f.A); err != nil { // a failed witness
		return err
	}
	committed, failed := e.rec.snapshot()
	// Wait until the stack published what it committed, so a failed id had its chance to appear.
	if _, _, err := e.awaitTopic(ledgerspec.TopicTransactions, committed, time.Now().Add(eventsDeadline)); err != nil {
		return err
	}
	for _, topic := range []string{ledgerspec.TopicTransactions, ledgerspec.TopicAlerts} {
		idx, err := e.readTopic(topic)
		if err != nil {
			return err
		}
		var found []string
		for id := range failed {
			if _, ok := idx[id]; ok {
				found = append(found, id)
			}
		}
		if len(found) > 0 {
			slices.Sort(found)
			return fmt.Errorf("topic %s holds %d ids whose transaction failed with a 422 (of %d failed): %s", topic, len(found), len(failed), strings.Join(found[:min(10, len(found))], ", "))
		}
	}
	return nil
}

// checkSeqUnique: every transaction committed during the run has its own seq.
func checkSeqUnique(e *env) error {
	for range 2 { // witnesses in two ledgers
		f, err := e.txFixture()
		if err != nil {
			return err
		}
		if _, err := e.transfer(f.A, f.B, 1); err != nil {
			return err
		}
	}
	committed, _ := e.rec.snapshot()
	bySeq := make(map[int64]string, len(committed))
	for id, c := range committed {
		if other, ok := bySeq[c.tx.Seq]; ok {
			return fmt.Errorf("transactions %s and %s were both committed with seq %d", other, id, c.tx.Seq)
		}
		bySeq[c.tx.Seq] = id
	}
	return nil
}

// checkCommittedReadable: every transaction committed during the run reads back as committed, and
// every id refused with a 422 is still unknown.
func checkCommittedReadable(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	if _, err := e.transfer(f.A, f.B, 1); err != nil {
		return err
	}
	if _, err := e.refuseTx(newTx(e.id("t"), posting(f.A, f.A, 1)), ledgerspec.CodeAccountsMustBeDifferent, 0, f.A); err != nil {
		return err
	}
	committed, failed := e.rec.snapshot()
	type job struct {
		id string
		c  *committedTx
	}
	jobs := make(chan job)
	ge, fe := e.group()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for j := range jobs {
				if j.c == nil {
					fe.set(ge.wantNoTx(j.id))
					continue
				}
				got, x, err := ge.tx(j.id)
				if err != nil {
					fe.set(err)
					continue
				}
				if !sameTx(got, j.c.tx) {
					fe.set(x.fail("the transaction as committed: %s", excerpt(j.c.raw, 300)))
				}
			}
		})
	}
	func() {
		defer close(jobs)
		for id, c := range committed {
			select {
			case jobs <- job{id: id, c: &c}:
			case <-ge.ctx.Done():
				return
			}
		}
		for id := range failed {
			select {
			case jobs <- job{id: id}:
			case <-ge.ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	return fe.err
}
