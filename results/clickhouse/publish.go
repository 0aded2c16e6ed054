package clickhouse

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/vahid-sohrabloo/chconn/v2"
	"github.com/vahid-sohrabloo/chconn/v2/column"

	"stacklab/results"
)

// MaxRecords is the most records Publish takes in one run: far above any plan, and far below
// the rows ClickHouse would split one insert block at (max_insert_block_size, about a million).
const MaxRecords = 500_000

// ErrNotFound is returned by LoadRun for a run that is not published (has no runs row).
var ErrNotFound = errors.New("run not published")

// ErrConflict is returned by Publish when the database holds rows of a different run with the
// same id.
var ErrConflict = errors.New("a different run with this id is in ClickHouse")

// Publish copies the run into ClickHouse, exactly once: a run that is already there is not
// inserted again (published is false, err nil), and a publication cut short (a crash, a lost
// connection) is completed by the next Publish of the same run without duplicating anything.
// See the package documentation for the protocol.
func (s *Sink) Publish(ctx context.Context, run *results.Run) (published bool, err error) {
	if run == nil {
		return false, fmt.Errorf("clickhouse: publishing a nil run")
	}
	if err := run.Check(); err != nil {
		return false, fmt.Errorf("clickhouse: refusing to publish: %w", err)
	}
	if len(run.Records) > MaxRecords {
		return false, fmt.Errorf("clickhouse: run %q has %d records, more than one insert block may hold (%d)", run.ID, len(run.Records), MaxRecords)
	}
	digest, err := Digest(run)
	if err != nil {
		return false, fmt.Errorf("clickhouse: publishing run %q: %w", run.ID, err)
	}
	// Build every block first: a run that cannot be encoded fails before anything is written.
	res, err := resultRows(run, digest)
	if err != nil {
		return false, fmt.Errorf("clickhouse: publishing run %q: %w", run.ID, err)
	}
	stk, err := stackRows(run, digest)
	if err != nil {
		return false, fmt.Errorf("clickhouse: publishing run %q: %w", run.ID, err)
	}
	runRow, err := runRows(run, digest, time.Now())
	if err != nil {
		return false, fmt.Errorf("clickhouse: publishing run %q: %w", run.ID, err)
	}
	err = s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
		present, err := s.digests(ctx, conn, TableRuns, run.ID)
		if err != nil {
			return err
		}
		if len(present) > 0 {
			if _, ok := present[digest]; !ok || len(present) > 1 {
				return fmt.Errorf("clickhouse: run %q: %w (runs rows with digests %v, this run's is %s)", run.ID, ErrConflict, keys(present), digest)
			}
			return nil // published before: nothing to do
		}
		if err := s.complete(ctx, conn, TableResults, run.ID, digest, len(run.Records), &res.colSet); err != nil {
			return err
		}
		if err := s.complete(ctx, conn, TableStacks, run.ID, digest, len(run.Stacks), &stk.colSet); err != nil {
			return err
		}
		if err := s.insert(ctx, conn, TableRuns, &runRow.colSet); err != nil {
			return err
		}
		published = true
		return nil
	})
	if err != nil {
		return false, err
	}
	return published, nil
}

// digests counts the rows of run id in table by run digest.
func (s *Sink) digests(ctx context.Context, conn chconn.Conn, table, id string) (map[string]uint64, error) {
	dig, n := column.NewString(), column.New[uint64]()
	q := fmt.Sprintf("SELECT run_digest, count() FROM %s.%s WHERE run_id = %s GROUP BY run_digest", s.db, table, quote(id))
	stmt, err := conn.Select(ctx, q, dig, n)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: counting the rows of run %q in %s: %w", id, table, err)
	}
	defer stmt.Close()
	counts := map[string]uint64{}
	for stmt.Next() {
		for i := range stmt.RowsInBlock() {
			counts[dig.Row(i)] += n.Row(i)
		}
	}
	if err := stmt.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: counting the rows of run %q in %s: %w", id, table, err)
	}
	return counts, nil
}

// complete makes table hold exactly the want rows of the run: it inserts them in one block when
// none are there, and does nothing when all are. Anything else (some rows, or rows of another run
// with the same id) cannot be repaired safely and is an error saying so.
func (s *Sink) complete(ctx context.Context, conn chconn.Conn, table, id, digest string, want int, rows *colSet) error {
	present, err := s.digests(ctx, conn, table, id)
	if err != nil {
		return err
	}
	mine := present[digest]
	delete(present, digest)
	switch {
	case len(present) > 0:
		return fmt.Errorf("clickhouse: run %q: %w: %s holds %v rows of it under other digests (this run's is %s); remove them with ALTER TABLE %s.%s DELETE WHERE run_id = %s",
			id, ErrConflict, table, present, digest, s.db, table, quote(id))
	case mine == uint64(want):
		return nil // there from an earlier, interrupted Publish (or nothing to insert)
	case mine != 0:
		return fmt.Errorf("clickhouse: run %q: %s holds %d of its %d rows, which one insert block cannot leave; remove them with ALTER TABLE %s.%s DELETE WHERE run_id = %s and publish again",
			id, table, mine, want, s.db, table, quote(id))
	}
	return s.insert(ctx, conn, table, rows)
}

// insert sends the rows as one block, then lets the test hook interrupt.
func (s *Sink) insert(ctx context.Context, conn chconn.Conn, table string, rows *colSet) error {
	q := fmt.Sprintf("INSERT INTO %s.%s (%s) VALUES", s.db, table, rows.names())
	if err := conn.Insert(ctx, q, rows.columns()...); err != nil {
		return fmt.Errorf("clickhouse: inserting into %s.%s: %w", s.db, table, err)
	}
	if s.afterInsert != nil {
		if err := s.afterInsert(table); err != nil {
			return fmt.Errorf("clickhouse: after inserting into %s.%s: %w", s.db, table, err)
		}
	}
	return nil
}

func keys(m map[string]uint64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Digest identifies a run's content: the SHA-256 of its JSON form with every time in UTC. Two
// copies of one run (in memory, in the spool) have the same digest.
func Digest(run *results.Run) (string, error) {
	c := *run
	c.Started, c.Finished = c.Started.UTC(), c.Finished.UTC()
	c.Records = make([]results.Record, len(run.Records))
	copy(c.Records, run.Records)
	for i := range c.Records {
		c.Records[i].Started = c.Records[i].Started.UTC()
	}
	if len(c.Plan) > 0 {
		var b bytes.Buffer
		if err := json.Compact(&b, c.Plan); err != nil {
			return "", fmt.Errorf("the plan is not valid JSON: %w", err)
		}
		c.Plan = b.Bytes()
	}
	data, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("encoding the run for its digest: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// splitTime is a time as DateTime seconds and nanoseconds. The zero time is (0, 0).
func splitTime(t time.Time) (sec, ns uint32, err error) {
	if t.IsZero() {
		return 0, 0, nil
	}
	u := t.Unix()
	if u < 0 || u > math.MaxUint32 {
		return 0, 0, fmt.Errorf("time %v is outside ClickHouse's DateTime range (1970 to 2106)", t)
	}
	return uint32(u), uint32(t.Nanosecond()), nil
}

// joinTime is the inverse of splitTime, in UTC.
func joinTime(sec, ns uint32) time.Time {
	if sec == 0 && ns == 0 {
		return time.Time{}
	}
	return time.Unix(int64(sec), int64(ns)).UTC()
}

func flag(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// jsonString is v as JSON, "" for a nil or empty map.
func jsonMap(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func runRows(run *results.Run, digest string, now time.Time) (*runCols, error) {
	c := newRunCols()
	started, startedNs, err := splitTime(run.Started)
	if err != nil {
		return nil, fmt.Errorf("started: %w", err)
	}
	finished, finishedNs, err := splitTime(run.Finished)
	if err != nil {
		return nil, fmt.Errorf("finished: %w", err)
	}
	var plan string
	if len(run.Plan) > 0 {
		var b bytes.Buffer
		if err := json.Compact(&b, run.Plan); err != nil {
			return nil, fmt.Errorf("the plan is not valid JSON: %w", err)
		}
		plan = b.String()
	}
	env, err := json.Marshal(run.Env)
	if err != nil {
		return nil, fmt.Errorf("encoding the environment: %w", err)
	}
	pub, _, err := splitTime(now)
	if err != nil {
		return nil, fmt.Errorf("publication time: %w", err)
	}
	e := &run.Env
	c.runID.Append(run.ID)
	c.digest.Append(digest)
	c.started.Append(started)
	c.startedNs.Append(startedNs)
	c.finished.Append(finished)
	c.finishedNs.Append(finishedNs)
	c.schemaVersion.Append(uint32(run.SchemaVersion))
	c.planName.Append(run.PlanName)
	c.plan.Append(plan)
	c.hostname.Append(e.Hostname)
	c.cpuModel.Append(e.CPUModel)
	c.cores.Append(int64(e.Cores))
	c.memoryMiB.Append(e.MemoryMiB)
	c.kernel.Append(e.Kernel)
	c.os.Append(e.OS)
	c.goVersion.Append(e.GoVersion)
	c.goamd64.Append(e.GOAMD64)
	c.gomaxprocs.Append(int64(e.GOMAXPROCS))
	c.gitCommit.Append(e.GitCommit)
	c.gitDirty.Append(flag(e.GitDirty))
	c.env.Append(string(env))
	c.notes.Append(nonNil(run.Notes))
	c.nStacks.Append(uint32(len(run.Stacks)))
	c.nRecords.Append(uint32(len(run.Records)))
	c.published.Append(pub)
	return c, nil
}

// dimArrays are a stack's dimensions as the dim_keys and dim_values columns hold them.
func dimArrays(d results.Dims) (keys, values []string) {
	keys, values = make([]string, len(d)), make([]string, len(d))
	for i, x := range d {
		keys[i], values[i] = x.Key, x.Part
	}
	return keys, values
}

// dimsOf is the inverse of dimArrays; no dimensions are nil.
func dimsOf(keys, values []string) (results.Dims, error) {
	if len(keys) != len(values) {
		return nil, fmt.Errorf("%d dimension keys but %d values", len(keys), len(values))
	}
	if len(keys) == 0 {
		return nil, nil
	}
	d := make(results.Dims, len(keys))
	for i := range keys {
		d[i] = results.Dim{Key: keys[i], Part: values[i]}
	}
	return d, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func stackRows(run *results.Run, digest string) (*stackCols, error) {
	c := newStackCols()
	runStarted, _, err := splitTime(run.Started)
	if err != nil {
		return nil, fmt.Errorf("started: %w", err)
	}
	for i := range run.Stacks {
		st := &run.Stacks[i]
		modules, err := jsonMap(st.Modules)
		if err != nil {
			return nil, fmt.Errorf("stack %s: encoding its modules: %w", st.Key(), err)
		}
		c.runID.Append(run.ID)
		c.digest.Append(digest)
		c.runStarted.Append(runStarted)
		c.position.Append(uint32(i))
		c.stack.Append(st.Name)
		c.label.Append(st.Label)
		c.stackKey.Append(st.Key())
		keys, values := dimArrays(st.Dims)
		c.dimKeys.Append(keys)
		c.dimValues.Append(values)
		c.confRan.Append(flag(st.Conformance.Ran))
		c.confPassed.Append(int64(st.Conformance.Passed))
		c.confFailed.Append(int64(st.Conformance.Failed))
		c.confSkipped.Append(int64(st.Conformance.Skipped))
		c.confFailures.Append(nonNil(st.Conformance.Failures))
		c.conformant.Append(flag(st.Conformance.OK()))
		c.modules.Append(modules)
		c.binarySHA256.Append(st.BinarySHA256)
		c.errorText.Append(st.Error)
	}
	return c, nil
}

func (l *latencyCols) append(v *results.Latency) {
	l.count.Append(v.Count)
	l.min.Append(v.Min)
	l.mean.Append(v.Mean)
	l.p50.Append(v.P50)
	l.p90.Append(v.P90)
	l.p99.Append(v.P99)
	l.p999.Append(v.P999)
	l.p9999.Append(v.P9999)
	l.max.Append(v.Max)
	l.hdr.Append(v.HDR)
}

func (l *latencyCols) row(i int) results.Latency {
	return results.Latency{Count: l.count.Row(i), Min: l.min.Row(i), Mean: l.mean.Row(i), P50: l.p50.Row(i),
		P90: l.p90.Row(i), P99: l.p99.Row(i), P999: l.p999.Row(i), P9999: l.p9999.Row(i), Max: l.max.Row(i), HDR: l.hdr.Row(i)}
}

func resultRows(run *results.Run, digest string) (*resultCols, error) {
	c := newResultCols()
	runStarted, _, err := splitTime(run.Started)
	if err != nil {
		return nil, fmt.Errorf("started: %w", err)
	}
	for i := range run.Records {
		r := &run.Records[i]
		started, startedNs, err := splitTime(r.Started)
		if err != nil {
			return nil, fmt.Errorf("record %d started: %w", i, err)
		}
		classes := make([]string, 0, len(r.ByClass))
		for k := range r.ByClass {
			classes = append(classes, k)
		}
		sort.Strings(classes)
		counts := make([]int64, len(classes))
		for j, k := range classes {
			counts[j] = r.ByClass[k]
		}
		c.runID.Append(run.ID)
		c.digest.Append(digest)
		c.runStarted.Append(runStarted)
		c.position.Append(uint32(i))
		c.stack.Append(r.Stack)
		c.label.Append(r.Label)
		c.stackKey.Append(results.StackKey(r.Stack, r.Label))
		keys, values := dimArrays(r.Dims)
		c.dimKeys.Append(keys)
		c.dimValues.Append(values)
		c.workload.Append(r.Workload)
		c.workloadKind.Append(r.WorkloadKind)
		c.op.Append(r.Op)
		c.round.Append(int64(r.Round))
		c.trial.Append(int64(r.Trial))
		c.step.Append(int64(r.Step))
		c.mode.Append(r.Mode)
		c.requestedRate.Append(r.RequestedRate)
		c.started.Append(started)
		c.startedNs.Append(startedNs)
		c.seconds.Append(r.Seconds)
		c.conns.Append(int64(r.Conns))
		c.cpus.Append(r.CPUs)
		c.requests.Append(r.Requests)
		c.errors.Append(r.Errors)
		c.errorsClass.Append(classes)
		c.errorsCount.Append(counts)
		c.rate.Append(r.Rate)
		c.corrected.append(&r.Corrected)
		c.service.append(&r.Service)
		c.stackCPU.Append(r.StackCPU)
		c.stackRSSPeak.Append(r.StackRSSPeak)
		c.stackCtxVol.Append(r.StackCtxVol)
		c.stackCtxInv.Append(r.StackCtxInvol)
		c.postgresCPU.Append(r.PostgresCPU)
		c.redisCPU.Append(r.RedisCPU)
		c.kafkaCPU.Append(r.KafkaCPU)
		c.loadgenCPU.Append(r.LoadgenCPU)
		c.resourcesMeter.Append(r.ResourcesMeter)
		c.valid.Append(flag(r.Valid))
		c.invalidReasons.Append(nonNil(r.InvalidReasons))
		c.wrong.Append(nonNil(r.Wrong))
		c.conformant.Append(flag(r.Conformant))
		c.genLagP99.Append(r.GenLagP99)
		c.genLateFraction.Append(r.GenLateFraction)
		c.sloMet.Append(flag(r.SLOMet))
		c.sloBreaks.Append(nonNil(r.SLOBreaks))
	}
	return c, nil
}
