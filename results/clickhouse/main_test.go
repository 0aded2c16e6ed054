package clickhouse

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vahid-sohrabloo/chconn/v2"

	"stacklab/results"
)

// The tests run against the real ClickHouse CLICKHOUSE_URL names. `make test` runs them under
// `harness exec`, which sets it (starting an embedded server from the installed clickhouse-server
// when it is not set); by hand: go run ./harness/cmd/harness exec -- go test ./results/clickhouse/.
// Without it they fail: a sink tested against nothing is not tested. Each test works in a database
// of its own and drops it. The tests that stop and start servers are in stacklab/harness/services.
func server(t testing.TB) Config {
	t.Helper()
	cfg, ok, err := ConfigFromEnv()
	switch {
	case err != nil:
		t.Fatalf("no ClickHouse for the tests: %v", err)
	case !ok:
		t.Fatalf("these tests need a real ClickHouse: set %s (e.g. 127.0.0.1:9000), or run them under "+
			"`go run ./harness/cmd/harness exec -- go test ./results/clickhouse/` (make test does), which starts one "+
			"from the installed clickhouse-server", EnvURL)
	}
	return cfg
}

// testDatabase is a fresh database name for t.
func testDatabase(t *testing.T) string {
	var b [4]byte
	if _, err := crand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, t.Name())
	if len(name) > 40 {
		name = name[:40]
	}
	return "stacklab_test_" + name + "_" + hex.EncodeToString(b[:])
}

// openSink opens a sink on a fresh database of cfg's server, dropped when t ends.
func openSink(t *testing.T, cfg Config) *Sink {
	t.Helper()
	cfg.Database = testDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.exec(ctx, "DROP DATABASE IF EXISTS "+s.db); err != nil {
			t.Errorf("dropping the test database: %v", err)
		}
		s.Close()
	})
	return s
}

// exec runs a statement on the sink's connection (tests only).
func (s *Sink) exec(ctx context.Context, q string) error {
	return s.with(ctx, func(ctx context.Context, conn chconn.Conn) error { return conn.Exec(ctx, q) })
}

// rows counts the rows of run id in table, whatever their digest.
func rows(t *testing.T, s *Sink, table, id string) uint64 {
	t.Helper()
	var n uint64
	err := s.with(context.Background(), func(ctx context.Context, conn chconn.Conn) error {
		counts, err := s.digests(context.Background(), conn, table, id)
		for _, c := range counts {
			n += c
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// tableRows counts every row of table.
func tableRows(t *testing.T, s *Sink, table string) uint64 {
	t.Helper()
	var n uint64
	err := s.with(context.Background(), func(ctx context.Context, conn chconn.Conn) error {
		v, err := queryString(context.Background(), conn, fmt.Sprintf("SELECT toString(count()) FROM %s.%s", s.db, table))
		if err == nil {
			_, err = fmt.Sscan(v, &n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantRows checks the rows run has in each table: the runs row (0 or 1), its stacks and records.
func wantRows(t *testing.T, s *Sink, run *results.Run, runsRows uint64) {
	t.Helper()
	for _, c := range []struct {
		table string
		want  uint64
	}{{TableRuns, runsRows}, {TableStacks, uint64(len(run.Stacks))}, {TableResults, uint64(len(run.Records))}} {
		if got := rows(t, s, c.table, run.ID); got != c.want {
			t.Errorf("%s holds %d rows of run %s, want %d", c.table, got, run.ID, c.want)
		}
	}
}
