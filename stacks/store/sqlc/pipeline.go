package sqlcstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// errQueued is what a generated query method sees while a pipeline only records its query.
var errQueued = errors.New("sqlcstore: query queued, not run")

// pipeline sends several sqlc-generated queries in one network round trip (a pgx.Batch) while
// keeping sqlc's generated argument binding and row scanning. It implements sqlcdb.DBTX.
//
// run calls every step twice. First the pipeline records: each generated method called by a step
// queues its SQL and arguments and gets errQueued. Then, with the batch sent, it reads: the same
// calls, in the same order, receive their own query's result. A step must therefore assign its
// outputs on every call and make the same queries in the same order each time.
type pipeline struct {
	conn    *pgx.Conn
	batch   pgx.Batch
	results pgx.BatchResults
	reading bool
	next    int
}

// step is one part of a pipeline; see pipeline.
type step func() error

// newPipeline returns an empty pipeline on conn. A pipeline runs once.
func newPipeline(conn *pgx.Conn) *pipeline { return &pipeline{conn: conn} }

// run sends the steps' queries in one round trip and lets each step read its result. It stops at
// the first step that fails and returns that error. The server skips every query after a failed
// one, so a "commit" queued last never runs after an error.
func (p *pipeline) run(ctx context.Context, steps []step) (err error) {
	for i, s := range steps {
		if err := s(); !errors.Is(err, errQueued) {
			return fmt.Errorf("pipeline step %d did not queue a query (got %v)", i, err)
		}
	}
	p.results = p.conn.SendBatch(ctx, &p.batch)
	p.reading = true
	defer func() {
		if cerr := p.results.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	if p.next != len(p.batch.QueuedQueries) {
		return fmt.Errorf("pipeline read %d of its %d queries", p.next, len(p.batch.QueuedQueries))
	}
	return nil
}

// advance checks that a read call asks for the next queued query's result.
func (p *pipeline) advance(sql string) error {
	if p.next >= len(p.batch.QueuedQueries) {
		return fmt.Errorf("pipeline: reading a query that was not queued: %.60q", sql)
	}
	if want := p.batch.QueuedQueries[p.next].SQL; want != sql {
		return fmt.Errorf("pipeline: reading %.60q where %.60q was queued", sql, want)
	}
	p.next++
	return nil
}

// Exec queues or reads a statement without rows.
func (p *pipeline) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if !p.reading {
		p.batch.Queue(sql, args...)
		return pgconn.CommandTag{}, errQueued
	}
	if err := p.advance(sql); err != nil {
		return pgconn.CommandTag{}, err
	}
	return p.results.Exec()
}

// Query queues or reads a query with rows.
func (p *pipeline) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	if !p.reading {
		p.batch.Queue(sql, args...)
		return nil, errQueued
	}
	if err := p.advance(sql); err != nil {
		return nil, err
	}
	return p.results.Query()
}

// QueryRow queues or reads a query with one row.
func (p *pipeline) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	if !p.reading {
		p.batch.Queue(sql, args...)
		return errRow{errQueued}
	}
	if err := p.advance(sql); err != nil {
		return errRow{err}
	}
	return p.results.QueryRow()
}

// errRow is a pgx.Row whose Scan fails with err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// execStep is a step running a statement without arguments, such as "begin" or "commit".
func (p *pipeline) execStep(ctx context.Context, sql string) step {
	return func() error {
		_, err := p.Exec(ctx, sql)
		return err
	}
}
