package pgtest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestDatabaseIsFreshAndDropped(t *testing.T) {
	var dsn string
	var name string
	t.Run("inner", func(t *testing.T) {
		dsn = Database(t)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("connecting to the new database: %v", err)
		}
		defer conn.Close(ctx)
		var tables int
		if err := conn.QueryRow(ctx, "SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')").Scan(&name, &tables); err != nil {
			t.Fatalf("reading the new database: %v", err)
		}
		if tables != 0 {
			t.Errorf("new database %s has %d tables, want 0", name, tables)
		}
		// Left open on purpose: the cleanup must drop the database anyway (WITH (FORCE)).
		if _, err := pgx.Connect(ctx, dsn); err != nil {
			t.Fatalf("second connection: %v", err)
		}
	})
	if len(name) != len("lab_t_")+16 || name[:6] != "lab_t_" {
		t.Fatalf("database name %q, want lab_t_ and 16 hex digits", name)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("connecting to the admin database: %v", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatalf("looking for %s: %v", name, err)
	}
	if exists {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/lab_x?sslmode=disable"},
		{"postgresql://u:p@h/db", "postgresql://u:p@h/lab_x"},
		{"postgres://h", "postgres://h/lab_x"},
		{"host=127.0.0.1 dbname=postgres", "host=127.0.0.1 dbname=postgres dbname=lab_x"},
	}
	for _, tt := range tests {
		got, err := WithDatabase(tt.dsn, "lab_x")
		if err != nil || got != tt.want {
			t.Errorf("WithDatabase(%q) = %q, %v; want %q", tt.dsn, got, err, tt.want)
		}
	}
}

func TestKeyValueOverride(t *testing.T) {
	dsn, err := WithDatabase("host=127.0.0.1 user=postgres dbname=postgres", "lab_x")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parsing %q: %v", dsn, err)
	}
	if cfg.Database != "lab_x" {
		t.Errorf("database of %q = %q, want lab_x", dsn, cfg.Database)
	}
}

// fatalTB records a fatal failure instead of ending the test that runs the code under test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestUnreachableServerFailsClearly(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://postgres:secret@127.0.0.1:1/postgres?sslmode=disable")
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		Database(f)
	}()
	<-done
	if f.msg == "" {
		t.Fatal("Database did not fail with an unreachable server")
	}
	for _, want := range []string{"127.0.0.1:1", "unreachable", "pg_ctlcluster", "DATABASE_URL"} {
		if !strings.Contains(f.msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, f.msg)
		}
	}
	if strings.Contains(f.msg, "secret") {
		t.Errorf("failure message shows the password:\n%s", f.msg)
	}
	if d := time.Since(start); d > 2*connectTimeout {
		t.Errorf("failing took %v, want under %v", d, 2*connectTimeout)
	}
}
