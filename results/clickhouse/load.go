package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vahid-sohrabloo/chconn/v2"

	"stacklab/results"
)

// LoadRun reads a published run back: the runs row, then the stacks and results rows carrying the
// same digest, in their original order. A run without its runs row is not published (ErrNotFound),
// whatever other rows it left behind. Times come back in UTC; empty lists and maps come back nil.
func (s *Sink) LoadRun(ctx context.Context, id string) (*results.Run, error) {
	var run *results.Run
	err := s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
		var digest string
		var nStacks, nRecords int
		var err error
		run, digest, nStacks, nRecords, err = s.loadRunRow(ctx, conn, id)
		if err != nil {
			return err
		}
		if run.Stacks, err = s.loadStacks(ctx, conn, id, digest); err != nil {
			return err
		}
		if run.Records, err = s.loadRecords(ctx, conn, id, digest); err != nil {
			return err
		}
		if len(run.Stacks) != nStacks || len(run.Records) != nRecords {
			return fmt.Errorf("clickhouse: run %q: found %d stacks and %d records, its runs row says %d and %d",
				id, len(run.Stacks), len(run.Records), nStacks, nRecords)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := run.Check(); err != nil {
		return nil, fmt.Errorf("clickhouse: run %q as read back: %w", id, err)
	}
	return run, nil
}

// ListRuns returns the ids of the published runs, oldest first.
func (s *Sink) ListRuns(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
		c := newRunCols()
		stmt, err := conn.Select(ctx, fmt.Sprintf("SELECT run_id FROM %s.%s ORDER BY started, started_ns, run_id", s.db, TableRuns), c.runID)
		if err != nil {
			return fmt.Errorf("clickhouse: listing runs: %w", err)
		}
		defer stmt.Close()
		for stmt.Next() {
			ids = c.runID.Read(ids)
		}
		if err := stmt.Err(); err != nil {
			return fmt.Errorf("clickhouse: listing runs: %w", err)
		}
		return nil
	})
	return ids, err
}

func (s *Sink) loadRunRow(ctx context.Context, conn chconn.Conn, id string) (run *results.Run, digest string, nStacks, nRecords int, err error) {
	c := newRunCols()
	q := fmt.Sprintf("SELECT %s FROM %s.%s WHERE run_id = %s", c.names(), s.db, TableRuns, quote(id))
	stmt, err := conn.Select(ctx, q, c.columns()...)
	if err != nil {
		return nil, "", 0, 0, fmt.Errorf("clickhouse: reading run %q: %w", id, err)
	}
	defer stmt.Close()
	var runs []*results.Run
	for stmt.Next() {
		for i := range stmt.RowsInBlock() {
			r := &results.Run{
				Schema:        results.Schema,
				SchemaVersion: int(c.schemaVersion.Row(i)),
				ID:            c.runID.Row(i),
				Started:       joinTime(c.started.Row(i), c.startedNs.Row(i)),
				Finished:      joinTime(c.finished.Row(i), c.finishedNs.Row(i)),
				PlanName:      c.planName.Row(i),
				Notes:         nilIfEmpty(c.notes.Row(i)),
			}
			if p := c.plan.Row(i); p != "" {
				r.Plan = json.RawMessage(p)
			}
			if err := json.Unmarshal([]byte(c.env.Row(i)), &r.Env); err != nil {
				return nil, "", 0, 0, fmt.Errorf("clickhouse: run %q: decoding its env column: %w", id, err)
			}
			runs = append(runs, r)
			digest, nStacks, nRecords = c.digest.Row(i), int(c.nStacks.Row(i)), int(c.nRecords.Row(i))
		}
	}
	if err := stmt.Err(); err != nil {
		return nil, "", 0, 0, fmt.Errorf("clickhouse: reading run %q: %w", id, err)
	}
	switch len(runs) {
	case 0:
		return nil, "", 0, 0, fmt.Errorf("clickhouse: run %q in %s: %w", id, s, ErrNotFound)
	case 1:
		return runs[0], digest, nStacks, nRecords, nil
	}
	return nil, "", 0, 0, fmt.Errorf("clickhouse: run %q has %d runs rows (published concurrently?)", id, len(runs))
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func (s *Sink) loadStacks(ctx context.Context, conn chconn.Conn, id, digest string) ([]results.StackInfo, error) {
	c := newStackCols()
	q := fmt.Sprintf("SELECT %s FROM %s.%s WHERE run_id = %s AND run_digest = %s ORDER BY position",
		c.names(), s.db, TableStacks, quote(id), quote(digest))
	stmt, err := conn.Select(ctx, q, c.columns()...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: reading the stacks of run %q: %w", id, err)
	}
	defer stmt.Close()
	var stacks []results.StackInfo
	for stmt.Next() {
		for i := range stmt.RowsInBlock() {
			st := results.StackInfo{
				Name:         c.stack.Row(i),
				Label:        c.label.Row(i),
				BinarySHA256: c.binarySHA256.Row(i),
				Conformance: results.Conformance{Ran: c.confRan.Row(i) != 0, Passed: int(c.confPassed.Row(i)),
					Failed: int(c.confFailed.Row(i)), Skipped: int(c.confSkipped.Row(i)),
					Failures: nilIfEmpty(c.confFailures.Row(i))},
				Error: c.errorText.Row(i),
			}
			if st.Dims, err = dimsOf(c.dimKeys.Row(i), c.dimValues.Row(i)); err != nil {
				return nil, fmt.Errorf("clickhouse: run %q, stack %s: %w", id, st.Key(), err)
			}
			if m := c.modules.Row(i); m != "" {
				if err := json.Unmarshal([]byte(m), &st.Modules); err != nil {
					return nil, fmt.Errorf("clickhouse: run %q, stack %s: decoding its modules column: %w", id, st.Key(), err)
				}
			}
			stacks = append(stacks, st)
		}
	}
	if err := stmt.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: reading the stacks of run %q: %w", id, err)
	}
	return stacks, nil
}

func (s *Sink) loadRecords(ctx context.Context, conn chconn.Conn, id, digest string) ([]results.Record, error) {
	c := newResultCols()
	q := fmt.Sprintf("SELECT %s FROM %s.%s WHERE run_id = %s AND run_digest = %s ORDER BY position",
		c.names(), s.db, TableResults, quote(id), quote(digest))
	stmt, err := conn.Select(ctx, q, c.columns()...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: reading the results of run %q: %w", id, err)
	}
	defer stmt.Close()
	var recs []results.Record
	for stmt.Next() {
		for i := range stmt.RowsInBlock() {
			r := results.Record{
				RunID:           c.runID.Row(i),
				Stack:           c.stack.Row(i),
				Label:           c.label.Row(i),
				Workload:        c.workload.Row(i),
				WorkloadKind:    c.workloadKind.Row(i),
				Op:              c.op.Row(i),
				Round:           int(c.round.Row(i)),
				Trial:           int(c.trial.Row(i)),
				Step:            int(c.step.Row(i)),
				Mode:            c.mode.Row(i),
				RequestedRate:   c.requestedRate.Row(i),
				Started:         joinTime(c.started.Row(i), c.startedNs.Row(i)),
				Seconds:         c.seconds.Row(i),
				Conns:           int(c.conns.Row(i)),
				CPUs:            c.cpus.Row(i),
				Requests:        c.requests.Row(i),
				Errors:          c.errors.Row(i),
				Rate:            c.rate.Row(i),
				Corrected:       c.corrected.row(i),
				Service:         c.service.row(i),
				StackCPU:        c.stackCPU.Row(i),
				StackRSSPeak:    c.stackRSSPeak.Row(i),
				StackCtxVol:     c.stackCtxVol.Row(i),
				StackCtxInvol:   c.stackCtxInv.Row(i),
				PostgresCPU:     c.postgresCPU.Row(i),
				RedisCPU:        c.redisCPU.Row(i),
				KafkaCPU:        c.kafkaCPU.Row(i),
				LoadgenCPU:      c.loadgenCPU.Row(i),
				ResourcesMeter:  c.resourcesMeter.Row(i),
				Valid:           c.valid.Row(i) != 0,
				InvalidReasons:  nilIfEmpty(c.invalidReasons.Row(i)),
				Wrong:           nilIfEmpty(c.wrong.Row(i)),
				Conformant:      c.conformant.Row(i) != 0,
				GenLagP99:       c.genLagP99.Row(i),
				GenLateFraction: c.genLateFraction.Row(i),
				SLOMet:          c.sloMet.Row(i) != 0,
				SLOBreaks:       nilIfEmpty(c.sloBreaks.Row(i)),
			}
			if r.Dims, err = dimsOf(c.dimKeys.Row(i), c.dimValues.Row(i)); err != nil {
				return nil, fmt.Errorf("clickhouse: run %q, record %d: %w", id, len(recs), err)
			}
			classes, counts := c.errorsClass.Row(i), c.errorsCount.Row(i)
			if len(classes) != len(counts) {
				return nil, fmt.Errorf("clickhouse: run %q, record %d: %d error classes but %d counts", id, len(recs), len(classes), len(counts))
			}
			if len(classes) > 0 {
				r.ByClass = make(map[string]int64, len(classes))
				for j, k := range classes {
					r.ByClass[k] = counts[j]
				}
			}
			recs = append(recs, r)
		}
	}
	if err := stmt.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: reading the results of run %q: %w", id, err)
	}
	return recs, nil
}
