package services

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDatabaseName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z_][a-z0-9_]*_\d{12}_[0-9a-f]{8}$`)
	tests := []struct{ prefix, wantStart string }{
		{"run", "run_"},
		{"Conformance Run/nethttp+sqlc", "conformance_run_nethttp_sqlc_"},
		{"", "db_"},
		{"---", "db_"},
		{"9lives", "db_9lives_"},
		{strings.Repeat("abc", 30), strings.Repeat("abc", 13) + "a_"},
	}
	for _, tc := range tests {
		a, err := databaseName(tc.prefix)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := databaseName(tc.prefix)
		if !strings.HasPrefix(a, tc.wantStart) || !valid.MatchString(a) || len(a) > 63 {
			t.Errorf("databaseName(%q) = %q (%d bytes), want a valid name starting %q", tc.prefix, a, len(a), tc.wantStart)
		}
		if a == b {
			t.Errorf("databaseName(%q) gave %q twice", tc.prefix, a)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"},
		{"postgresql://u:p@h/db", "postgresql://u:p@h/x"},
		{"postgres://h:5/", "postgres://h:5/x"},
		{"host=127.0.0.1 user=postgres dbname=postgres sslmode=disable", "host=127.0.0.1 user=postgres sslmode=disable dbname=x"},
		{"host=127.0.0.1 user=postgres", "host=127.0.0.1 user=postgres dbname=x"},
		{"dbname='my db' host=h", "host=h dbname=x"},
	}
	for _, tc := range tests {
		got, err := withDatabase(tc.dsn, "x")
		if err != nil || got != tc.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", tc.dsn, got, err, tc.want)
		}
	}
	if _, err := withDatabase("postgres://%zz", "x"); err == nil {
		t.Error("an unparsable URL gave no error")
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:secret@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"redis://:secret@h:6379/0", "redis://:xxxxx@h:6379/0"},
		{"host=h password=secret user=u", "host=h password=xxxxx user=u"},
		{"password='a b' host=h", "password=xxxxx host=h"},
	}
	for _, tc := range tests {
		if got := redactURL(tc.in); got != tc.want {
			t.Errorf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseInfo(t *testing.T) {
	info := "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nprocess_id:1234\r\n\r\n# Clients\r\nconnected_clients:1\r\n"
	got := parseInfo(info)
	want := map[string]string{"redis_version": "7.0.15", "redis_mode": "standalone", "process_id": "1234", "connected_clients": "1"}
	if len(got) != len(want) {
		t.Fatalf("parseInfo = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestLocalHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true}, {"::1", true}, {"localhost", true}, {"/var/run/postgresql", true},
		{"10.0.0.1", false}, {"db.example.com", false}, {"", false},
	}
	for _, tc := range tests {
		if got := localHost(tc.host); got != tc.want {
			t.Errorf("localHost(%q) = %v", tc.host, got)
		}
	}
}

// A server that fails to start names itself, its command and the end of its log, quickly, and
// leaves no folder behind.
func TestEmbeddedPostgresFailureIsExplained(t *testing.T) {
	parent := filepath.Join(os.TempDir(), "stacklab-services-test-"+time.Now().Format("150405.000000"))
	if err := os.Mkdir(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(parent)
	t0 := time.Now()
	pg, err := startPostgres(context.Background(), parent, "shared_buffers=lots")
	if err == nil {
		pg.close()
		t.Fatal("a server with a bad setting started")
	}
	msg := err.Error()
	for _, want := range []string{"embedded postgres", "bin/postgres -D", "shared_buffers=lots", "last lines of", `invalid value for parameter "shared_buffers"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not contain %q:\n%s", want, msg)
		}
	}
	if took := time.Since(t0); took > readyTimeout {
		t.Errorf("took %v to fail", took)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("left %d entries in %s", len(ents), parent)
	}
}
