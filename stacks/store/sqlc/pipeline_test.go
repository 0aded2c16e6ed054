package sqlcstore

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"stacklab/stacks/parttest/pgtest"
)

func testConn(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Database(t))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	if _, err := conn.Exec(ctx, "CREATE TABLE n (v integer CHECK (v < 10))"); err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestPipelineReadsEachStepsResult(t *testing.T) {
	ctx := context.Background()
	conn := testConn(t)
	p := newPipeline(conn)
	var a, b int
	err := p.run(ctx, []step{
		p.execStep(ctx, "begin"),
		func() error { return p.QueryRow(ctx, "SELECT $1::integer + 1", 41).Scan(&a) },
		func() error { return p.QueryRow(ctx, "SELECT $1::integer * 2", 21).Scan(&b) },
		p.execStep(ctx, "commit"),
	})
	if err != nil || a != 42 || b != 42 {
		t.Fatalf("run = %v with results %d, %d; want nil, 42, 42", err, a, b)
	}
	if s := conn.PgConn().TxStatus(); s != 'I' {
		t.Errorf("transaction status %c after commit, want I", s)
	}
}

func TestPipelineSkipsCommitAfterAnError(t *testing.T) {
	ctx := context.Background()
	conn := testConn(t)
	p := newPipeline(conn)
	err := p.run(ctx, []step{
		p.execStep(ctx, "begin"),
		func() error { _, err := p.Exec(ctx, "INSERT INTO n VALUES ($1)", 1); return err },
		func() error { _, err := p.Exec(ctx, "INSERT INTO n VALUES ($1)", 99); return err },
		p.execStep(ctx, "commit"),
	})
	if err == nil || !strings.Contains(err.Error(), "n_v_check") {
		t.Fatalf("run = %v, want the check violation", err)
	}
	if s := conn.PgConn().TxStatus(); s != 'E' {
		t.Errorf("transaction status %c, want E (failed, commit skipped)", s)
	}
	if _, err := conn.Exec(ctx, "rollback"); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM n").Scan(&rows); err != nil || rows != 0 {
		t.Errorf("table holds %d rows (%v) after the failed pipeline, want 0", rows, err)
	}
}

func TestPipelineMisuse(t *testing.T) {
	ctx := context.Background()
	conn := testConn(t)
	tests := []struct {
		name  string
		steps func(p *pipeline) []step
		want  string
	}{
		{"step without a query", func(p *pipeline) []step {
			return []step{func() error { return nil }}
		}, "did not queue"},
		{"step reading another query", func(p *pipeline) []step {
			return []step{func() error {
				sql := "SELECT 1"
				if p.reading {
					sql = "SELECT 2"
				}
				_, err := p.Exec(ctx, sql)
				return err
			}}
		}, "was queued"},
		{"step reading fewer queries", func(p *pipeline) []step {
			return []step{func() error {
				_, err := p.Exec(ctx, "SELECT 1")
				if !p.reading {
					p.Exec(ctx, "SELECT 2")
				}
				return err
			}}
		}, "read 1 of its 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPipeline(conn)
			err := p.run(ctx, tt.steps(p))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want an error with %q", err, tt.want)
			}
		})
	}
}
