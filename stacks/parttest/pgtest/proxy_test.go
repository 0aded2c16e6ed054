package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func query(dsn string, within time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(ctx, "SELECT 42").Scan(&n)
	return n, err
}

func TestProxy(t *testing.T) {
	p := NewProxy(t, Database(t))
	if n, err := query(p.DSN(), 5*time.Second); err != nil || n != 42 {
		t.Fatalf("through the proxy: %d, %v", n, err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	p.Down()
	start := time.Now()
	if _, err := query(p.DSN(), 5*time.Second); err == nil || time.Since(start) > time.Second {
		t.Errorf("connecting while down: %v after %v; want a refusal at once", err, time.Since(start))
	}
	if err := conn.Ping(ctx); err == nil {
		t.Error("a connection made before Down still works")
	}
	p.Up()
	if n, err := query(p.DSN(), 5*time.Second); err != nil || n != 42 {
		t.Fatalf("after Up: %d, %v", n, err)
	}

	conn2, err := pgx.Connect(ctx, p.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(ctx)
	p.Pause()
	start = time.Now()
	pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err = conn2.Ping(pctx)
	cancel()
	if took := time.Since(start); err == nil || took < 250*time.Millisecond {
		t.Errorf("a query while paused: %v after %v; want no answer until its deadline", err, took)
	}
	p.Resume()
	if n, err := query(p.DSN(), 5*time.Second); err != nil || n != 42 {
		t.Fatalf("after Resume: %d, %v", n, err)
	}
}

func TestTerminate(t *testing.T) {
	dsn := Database(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if n := Terminate(t, dsn); n != 1 {
		t.Errorf("Terminate ended %d connections, want 1", n)
	}
	if err := conn.Ping(ctx); err == nil {
		t.Error("a terminated connection still works")
	}
	if n, err := query(dsn, 5*time.Second); err != nil || n != 42 {
		t.Errorf("a new connection after Terminate: %d, %v", n, err)
	}
}
