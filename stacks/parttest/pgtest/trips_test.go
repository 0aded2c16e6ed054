package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestTripCounter counts a PostgreSQL connection's round trips for statements sent one at a time
// and for the same statements sent as one batch.
func TestTripCounter(t *testing.T) {
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(Database(t))
	if err != nil {
		t.Fatal(err)
	}
	var c TripCounter
	cfg.DialFunc = c.Dial
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(ctx)
	if n := c.Take(); n < 1 {
		t.Errorf("connecting took %d round trips, want at least 1", n)
	}

	// Prepare the statement first, so that each query below is one round trip.
	const sql = "SELECT $1::integer"
	if _, err := conn.Prepare(ctx, sql, sql); err != nil {
		t.Fatal(err)
	}
	c.Take()
	for i := range 3 {
		var v int
		if err := conn.QueryRow(ctx, sql, i).Scan(&v); err != nil || v != i {
			t.Fatalf("query %d = %d, %v", i, v, err)
		}
	}
	if n := c.Take(); n != 3 {
		t.Errorf("3 queries one at a time took %d round trips, want 3", n)
	}

	var b pgx.Batch
	for i := range 3 {
		b.Queue(sql, i)
	}
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		t.Fatal(err)
	}
	if n := c.Take(); n != 1 {
		t.Errorf("3 queries in one batch took %d round trips, want 1", n)
	}
	if n := c.Count(); n != 0 {
		t.Errorf("Count after Take = %d, want 0", n)
	}
}
