package clickhouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/vahid-sohrabloo/chconn/v2"
	"github.com/vahid-sohrabloo/chconn/v2/column"

	"stacklab/results"
	"stacklab/results/resultstest"
	"stacklab/results/spool"
)

var runStart = time.Date(2026, 11, 24, 10, 15, 0, 0, time.UTC)

func publish(t *testing.T, s *Sink, run *results.Run) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	published, err := s.Publish(ctx, run)
	if err != nil {
		t.Fatalf("Publish(%s): %v", run.ID, err)
	}
	return published
}

func loadRun(t *testing.T, s *Sink, id string) *results.Run {
	t.Helper()
	got, err := s.LoadRun(context.Background(), id)
	if err != nil {
		t.Fatalf("LoadRun(%s): %v", id, err)
	}
	return got
}

// reopen opens a second sink on s's database, as another process would.
func reopen(t *testing.T, s *Sink) *Sink {
	t.Helper()
	s2, err := Open(context.Background(), s.Config())
	if err != nil {
		t.Fatalf("opening the database again: %v", err)
	}
	t.Cleanup(func() { s2.Close() })
	return s2
}

func TestEnsureSchemaTwice(t *testing.T) {
	s := openSink(t, server(t)) // Open ran EnsureSchema once
	ctx := context.Background()
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatalf("EnsureSchema a second time: %v", err)
	}
	run := resultstest.Run(t, "r-schema", runStart, 1)
	publish(t, s, run)
	s2 := reopen(t, s) // a third time, on tables holding a run
	if err := s2.EnsureSchema(ctx); err != nil {
		t.Fatalf("EnsureSchema a fourth time: %v", err)
	}
	wantRows(t, s2, run, 1)

	// The server's view of the tables is what the column sets declare.
	want := map[string][]colDef{TableRuns: newRunCols().defs, TableStacks: newStackCols().defs, TableResults: newResultCols().defs}
	got := map[string][]string{}
	err := s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
		table, name, typ := column.NewString(), column.NewString(), column.NewString()
		stmt, err := conn.Select(ctx, "SELECT table, name, type FROM system.columns WHERE database = "+quote(s.cfg.Database), table, name, typ)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for stmt.Next() {
			for i := range stmt.RowsInBlock() {
				got[table.Row(i)] = append(got[table.Row(i)], name.Row(i)+" "+typ.Row(i))
			}
		}
		return stmt.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("the database holds tables %v, want %d", slices.Sorted(mapKeys(got)), len(want))
	}
	for table, defs := range want {
		var w []string
		for _, d := range defs {
			w = append(w, d.name+" "+d.typ)
		}
		if strings.Join(got[table], ", ") != strings.Join(w, ", ") {
			t.Errorf("table %s:\n got %v\nwant %v", table, got[table], w)
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestPublishRoundTrip(t *testing.T) {
	s := openSink(t, server(t))
	orig := resultstest.Run(t, "20261124T101500Z-3f9a2c", runStart, 2)
	// The run goes through the spool first, as it does in the lab.
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Write(orig); err != nil {
		t.Fatal(err)
	}
	fromSpool, err := sp.Load(orig.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !publish(t, s, fromSpool) {
		t.Fatal("Publish of a new run reported published=false")
	}
	got := loadRun(t, s, orig.ID)
	for name, want := range map[string]*results.Run{"the spooled run": fromSpool, "the run in memory": orig} {
		if d := resultstest.Diff(want, got); len(d) > 0 {
			t.Errorf("the run read back differs from %s:\n%s", name, strings.Join(d, "\n"))
		}
	}
	wantDigest, _ := Digest(orig)
	if gotDigest, err := Digest(got); err != nil || gotDigest != wantDigest {
		t.Errorf("digest read back = %s, %v; want %s", gotDigest, err, wantDigest)
	}
	// The histograms come back usable, agreeing with the percentiles stored beside them.
	for i, r := range got.Records {
		for kind, l := range map[string]results.Latency{"corrected": r.Corrected, "service": r.Service} {
			h, err := hdrhistogram.Decode([]byte(l.HDR))
			if err != nil {
				t.Fatalf("record %d %s: decoding the histogram: %v", i, kind, err)
			}
			if h.TotalCount() != l.Count || h.ValueAtQuantile(99) != l.P99 || h.Max() != l.Max {
				t.Errorf("record %d %s: histogram count %d p99 %d max %d, record says %d, %d, %d",
					i, kind, h.TotalCount(), h.ValueAtQuantile(99), h.Max(), l.Count, l.P99, l.Max)
			}
		}
	}
	if got.Records[0].Corrected.HDR == "" || got.Stacks[3].Error == "" || len(got.Notes) != 2 {
		t.Error("the fixture lost its point: empty histogram, error or notes")
	}

	ids, err := s.ListRuns(context.Background())
	if err != nil || !slices.Equal(ids, []string{orig.ID}) {
		t.Errorf("ListRuns = %v, %v", ids, err)
	}
	if _, err := s.LoadRun(context.Background(), "no-such-run"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LoadRun of an unknown run = %v, want ErrNotFound", err)
	}
}

func TestPublishEmptyRun(t *testing.T) {
	s := openSink(t, server(t))
	run := results.NewRun("empty", runStart)
	if !publish(t, s, run) {
		t.Fatal("published=false")
	}
	if publish(t, s, run) {
		t.Fatal("the second Publish inserted again")
	}
	if d := resultstest.Diff(run, loadRun(t, s, run.ID)); len(d) > 0 {
		t.Errorf("differs: %v", d)
	}
	wantRows(t, s, run, 1)
}

func TestRepublishInsertsNothing(t *testing.T) {
	s := openSink(t, server(t))
	runs := []*results.Run{resultstest.Run(t, "r-a", runStart, 3), resultstest.Run(t, "r-b", runStart.Add(time.Hour), 4)}
	for _, run := range runs {
		if !publish(t, s, run) {
			t.Fatalf("first Publish of %s: published=false", run.ID)
		}
	}
	// Again, from this sink, from another connection, and from a copy of the run in another
	// time zone (the same run).
	s2 := reopen(t, s)
	for i := range 3 {
		for _, run := range runs {
			sink := s
			if i > 0 {
				sink = s2
			}
			r := run
			if i == 2 {
				c := *run
				c.Started = c.Started.UTC()
				r = &c
			}
			if publish(t, sink, r) {
				t.Errorf("Publish %d of %s inserted again", i+2, run.ID)
			}
		}
	}
	for _, run := range runs {
		wantRows(t, s, run, 1)
	}
	var records, stacks uint64
	for _, run := range runs {
		records += uint64(len(run.Records))
		stacks += uint64(len(run.Stacks))
	}
	for table, want := range map[string]uint64{TableRuns: 2, TableStacks: stacks, TableResults: records} {
		if got := tableRows(t, s, table); got != want {
			t.Errorf("%s holds %d rows, want %d", table, got, want)
		}
	}
}

func TestPublishConflict(t *testing.T) {
	s := openSink(t, server(t))
	run := resultstest.Run(t, "r-conflict", runStart, 5)
	publish(t, s, run)
	other := resultstest.Run(t, "r-conflict", runStart, 6) // same id, other measurements
	published, err := s.Publish(context.Background(), other)
	if !errors.Is(err, ErrConflict) || published {
		t.Fatalf("Publish of another run with the same id = %v, %v; want ErrConflict", published, err)
	}
	wantRows(t, s, run, 1)
	if d := resultstest.Diff(run, loadRun(t, s, run.ID)); len(d) > 0 {
		t.Errorf("the published run changed: %v", d)
	}
}

var errCrash = errors.New("simulated crash")

// TestPublishAfterCrash interrupts Publish after each of its inserts, then publishes again from a
// new connection (as a restarted harness would): every table ends with exactly the run's rows.
func TestPublishAfterCrash(t *testing.T) {
	tests := []struct {
		crashAfter          string
		results, stacks     uint64 // rows of each table right after the crash, as a factor of the run's
		runs                uint64
		publishedOnRetry    bool
		visibleBeforeFinish bool
	}{
		{crashAfter: TableResults, results: 1, publishedOnRetry: true},
		{crashAfter: TableStacks, results: 1, stacks: 1, publishedOnRetry: true},
		// The runs row went in but the answer was lost: the retry finds the run published.
		{crashAfter: TableRuns, results: 1, stacks: 1, runs: 1, visibleBeforeFinish: true},
	}
	cfg := server(t)
	for _, tt := range tests {
		t.Run("after "+tt.crashAfter, func(t *testing.T) {
			s := openSink(t, cfg)
			run := resultstest.Run(t, "r-crash", runStart, 7)
			s.afterInsert = func(table string) error {
				if table == tt.crashAfter {
					return errCrash
				}
				return nil
			}
			published, err := s.Publish(context.Background(), run)
			if !errors.Is(err, errCrash) || published {
				t.Fatalf("Publish with a crash = %v, %v; want the crash", published, err)
			}
			for table, want := range map[string]uint64{TableResults: tt.results * uint64(len(run.Records)),
				TableStacks: tt.stacks * uint64(len(run.Stacks)), TableRuns: tt.runs} {
				if got := rows(t, s, table, run.ID); got != want {
					t.Errorf("after the crash %s holds %d rows, want %d", table, got, want)
				}
			}
			_, err = s.LoadRun(context.Background(), run.ID)
			if visible := err == nil; visible != tt.visibleBeforeFinish {
				t.Errorf("LoadRun after the crash: %v", err)
			}
			if !tt.visibleBeforeFinish && !errors.Is(err, ErrNotFound) {
				t.Errorf("LoadRun after the crash = %v, want ErrNotFound", err)
			}

			s2 := reopen(t, s)
			if got := publish(t, s2, run); got != tt.publishedOnRetry {
				t.Errorf("Publish after the crash: published = %v, want %v", got, tt.publishedOnRetry)
			}
			publish(t, s2, run) // and once more for good measure
			wantRows(t, s2, run, 1)
			if d := resultstest.Diff(run, loadRun(t, s2, run.ID)); len(d) > 0 {
				t.Errorf("the run read back differs:\n%s", strings.Join(d, "\n"))
			}
		})
	}
}

// TestPublishRefusesPartialTable: a table holding some of a run's rows cannot come from the
// protocol; Publish says so and inserts nothing.
func TestPublishRefusesPartialTable(t *testing.T) {
	s := openSink(t, server(t))
	run := resultstest.Run(t, "r-partial", runStart, 8)
	digest, err := Digest(run)
	if err != nil {
		t.Fatal(err)
	}
	part := *run
	part.Records = run.Records[:3]
	rows3, err := resultRows(&part, digest)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
		return s.insert(ctx, conn, TableResults, &rows3.colSet)
	}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Publish(ctx, run)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("holds 3 of its %d rows", len(run.Records))) ||
		!strings.Contains(err.Error(), "DELETE WHERE run_id = 'r-partial'") {
		t.Fatalf("Publish over a partial table = %v", err)
	}
	if n := rows(t, s, TableStacks, run.ID) + rows(t, s, TableRuns, run.ID); n != 0 {
		t.Errorf("Publish wrote %d rows after finding a partial table", n)
	}
}

func TestPublishRefusesBadRuns(t *testing.T) {
	s := openSink(t, server(t))
	tests := []struct {
		name string
		edit func(*results.Run)
		want string
	}{
		{"inconsistent", func(r *results.Run) { r.Records[0].RunID = "other" }, `belongs to run "other"`},
		{"plan not JSON", func(r *results.Run) { r.Plan = json.RawMessage("{") }, "plan is not valid JSON"},
		{"before 1970", func(r *results.Run) { r.Records[3].Started = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside ClickHouse's DateTime range"},
		{"after 2106", func(r *results.Run) { r.Finished = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside ClickHouse's DateTime range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := resultstest.Run(t, "r-bad", runStart, 9)
			tt.edit(run)
			published, err := s.Publish(context.Background(), run)
			if err == nil || published || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Publish = %v, %v; want an error containing %q", published, err, tt.want)
			}
		})
	}
	for _, table := range []string{TableRuns, TableStacks, TableResults} {
		if n := tableRows(t, s, table); n != 0 {
			t.Errorf("%s holds %d rows after refused runs", table, n)
		}
	}
	if _, err := s.Publish(context.Background(), nil); err == nil {
		t.Error("Publish(nil) succeeded")
	}
}

// BenchmarkPublish publishes a new 24-record run (48 encoded histograms) per iteration and
// reads it back with LoadRun.
func BenchmarkPublish(b *testing.B) {
	cfg := server(b)
	cfg.Database = "stacklab_bench"
	ctx := context.Background()
	s, err := Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = s.exec(ctx, "DROP DATABASE IF EXISTS "+s.db)
		s.Close()
	}()
	runs := make([]*results.Run, b.N)
	for i := range runs {
		runs[i] = resultstest.Run(b, fmt.Sprintf("bench-%d", i), runStart, uint64(i))
	}
	b.ResetTimer()
	for i := range b.N {
		if ok, err := s.Publish(ctx, runs[i]); err != nil || !ok {
			b.Fatalf("Publish: %v, %v", ok, err)
		}
		if _, err := s.LoadRun(ctx, runs[i].ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(runs[0].Records)), "records/op")
}
