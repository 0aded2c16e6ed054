package clickhouse

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vahid-sohrabloo/chconn/v2"
	"github.com/vahid-sohrabloo/chconn/v2/column"

	"stacklab/results"
	"stacklab/results/resultstest"
)

// v1Run is a run the first schema can hold: four dimensions per stack, no p99.99.
func v1Run(t *testing.T) *results.Run {
	run := resultstest.Run(t, "20261124T101500Z-v1", runStart, 31)
	for i := range run.Stacks {
		st := &run.Stacks[i]
		if st.Dims.Has("events") {
			st.Name = "http=fiber/store=sqlboiler/json=sonic/redis=rueidis"
			st.Dims = results.MustParseDims(st.Name)
		}
	}
	for i := range run.Records {
		r := &run.Records[i]
		r.Dims = results.MustParseDims(r.Stack)
		if r.Dims.Has("events") {
			r.Stack = "http=fiber/store=sqlboiler/json=sonic/redis=rueidis"
			r.Dims = results.MustParseDims(r.Stack)
		}
		r.Corrected.P9999, r.Service.P9999 = 0, 0
	}
	if err := run.Check(); err != nil {
		t.Fatal(err)
	}
	return run
}

// asV1 turns the rows of a table as this version writes them into the rows the first version
// wrote: dim_http … dim_redis instead of the two arrays, and none of the columns added since
// (p99.99, cpus, wrong).
func asV1(cs *colSet, dims []results.Dims) *colSet {
	v1 := &colSet{}
	for _, d := range cs.defs {
		switch {
		case d.name == "dim_keys":
			for _, key := range []string{"http", "store", "json", "redis"} {
				c := v1.str("dim_" + key)
				for _, ds := range dims {
					c.Append(ds.Get(key))
				}
			}
		case d.name == "dim_values" || strings.HasSuffix(d.name, "_p9999_ns") || d.name == "cpus" || d.name == "wrong":
		default:
			v1.defs = append(v1.defs, d)
		}
	}
	return v1
}

// publishV1 creates the first schema in the sink's database and publishes run into it as the
// first version did (the same protocol and rows, the dimensions in their own columns).
func publishV1(t *testing.T, s *Sink, run *results.Run) {
	t.Helper()
	ddl, err := os.ReadFile("testdata/schema-v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	var sql []string
	for _, line := range strings.Split(string(ddl), "\n") {
		if !strings.HasPrefix(line, "--") {
			sql = append(sql, line)
		}
	}
	digest, err := Digest(run)
	if err != nil {
		t.Fatal(err)
	}
	res, err := resultRows(run, digest)
	if err != nil {
		t.Fatal(err)
	}
	stk, err := stackRows(run, digest)
	if err != nil {
		t.Fatal(err)
	}
	runRow, err := runRows(run, digest, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var recDims, stackDims []results.Dims
	for _, r := range run.Records {
		recDims = append(recDims, r.Dims)
	}
	for _, st := range run.Stacks {
		stackDims = append(stackDims, st.Dims)
	}
	err = s.with(context.Background(), func(ctx context.Context, conn chconn.Conn) error {
		for _, stmt := range strings.Split(strings.ReplaceAll(strings.Join(sql, "\n"), "{{.DB}}", s.db), ";") {
			if stmt = strings.TrimSpace(stmt); stmt != "" {
				if err := conn.Exec(ctx, stmt); err != nil {
					t.Fatalf("creating the first schema: %v\n%s", err, stmt)
				}
			}
		}
		if err := s.insert(ctx, conn, TableResults, asV1(&res.colSet, recDims)); err != nil {
			return err
		}
		if err := s.insert(ctx, conn, TableStacks, asV1(&stk.colSet, stackDims)); err != nil {
			return err
		}
		return s.insert(ctx, conn, TableRuns, &runRow.colSet)
	})
	if err != nil {
		t.Fatalf("publishing as the first version did: %v", err)
	}
}

// TestMigrateV1: tables made and filled by the first schema are migrated by EnsureSchema; the runs
// they held read back whole, dimensions included, and new runs go in beside them.
func TestMigrateV1(t *testing.T) {
	cfg := server(t)
	cfg.Database = testDatabase(t)
	ctx := context.Background()
	// A sink on the database without its schema: dial only, so publishV1 makes the tables.
	raw := &Sink{cfg: cfg.withDefaults(), db: "`" + cfg.Database + "`"}
	t.Cleanup(func() {
		if err := raw.exec(context.Background(), "DROP DATABASE IF EXISTS "+raw.db); err != nil {
			t.Errorf("dropping the test database: %v", err)
		}
		raw.Close()
	})
	if err := raw.exec(ctx, "CREATE DATABASE "+raw.db); err != nil {
		t.Fatal(err)
	}
	old := v1Run(t)
	publishV1(t, raw, old)

	s, err := Open(ctx, cfg) // EnsureSchema migrates
	if err != nil {
		t.Fatalf("Open on the first schema: %v", err)
	}
	defer s.Close()

	// Every declared column is there with its type; the first schema's dimension columns stay.
	for _, tb := range tables() {
		var have map[string]string
		err := s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
			var err error
			have, err = s.tableColumns(ctx, conn, tb.name)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range tb.cols.defs {
			if have[d.name] != d.typ {
				t.Errorf("%s.%s is %q after the migration, want %s", tb.name, d.name, have[d.name], d.typ)
			}
		}
		if tb.name != TableRuns {
			if _, ok := have["dim_json"]; !ok {
				t.Errorf("the migration dropped %s.dim_json", tb.name)
			}
		}
		ddl, err := migrationDDL(s.db, tb, have)
		if err != nil || len(ddl) != 0 {
			t.Errorf("%s after the migration still needs %v (%v)", tb.name, ddl, err)
		}
	}

	// The old run reads back as it was written, its dimensions from the old columns.
	got := loadRun(t, s, old.ID)
	if d := resultstest.Diff(old, got); len(d) > 0 {
		t.Errorf("the run published by the first schema reads back differently:\n%s", strings.Join(d, "\n"))
	}
	if got.Records[0].Dims.String() != got.Records[0].Stack {
		t.Errorf("record dims %v of stack %s", got.Records[0].Dims, got.Records[0].Stack)
	}

	// A new run, with a fifth dimension, goes in beside it and reads back whole.
	fresh := resultstest.Run(t, "20261124T111500Z-v2", runStart.Add(time.Hour), 32)
	if !publish(t, s, fresh) {
		t.Error("the new run was not published")
	}
	if d := resultstest.Diff(fresh, loadRun(t, s, fresh.ID)); len(d) > 0 {
		t.Errorf("a run published after the migration reads back differently:\n%s", strings.Join(d, "\n"))
	}
	ids, err := s.ListRuns(ctx)
	if err != nil || !slices.Equal(ids, []string{old.ID, fresh.ID}) {
		t.Errorf("ListRuns = %v, %v", ids, err)
	}

	// The arrays answer for old and new rows alike, as the dashboard queries them.
	parts := map[string]bool{}
	err = s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
		part := column.NewString()
		stmt, err := conn.Select(ctx, "SELECT DISTINCT dim_values[indexOf(dim_keys, 'json')] FROM "+s.db+".results", part)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for stmt.Next() {
			for i := range stmt.RowsInBlock() {
				parts[part.Row(i)] = true
			}
		}
		return stmt.Err()
	})
	if err != nil || len(parts) != 2 || !parts["std"] || !parts["sonic"] {
		t.Errorf("json parts over both runs: %v, %v", parts, err)
	}

	// Opening it again changes nothing.
	if err := reopen(t, s).EnsureSchema(ctx); err != nil {
		t.Errorf("EnsureSchema on the migrated tables: %v", err)
	}
}
