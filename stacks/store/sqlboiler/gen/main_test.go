package main

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		dsn  string
		want []string
	}{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
			[]string{`host = "127.0.0.1"`, `port = 5432`, `user = "postgres"`, `sslmode = "disable"`, `dbname = "lab_gen_x"`}},
		{"postgres://u:p%22w@db.example:6543/postgres?sslmode=require",
			[]string{`host = "db.example"`, `port = 6543`, `sslmode = "require"`, `pass = "p\"w"`}},
		// pgx's default, prefer, may connect without TLS; lib/pq has no prefer.
		{"host=127.0.0.1 user=postgres", []string{`sslmode = "disable"`}},
	}
	for _, tt := range tests {
		cfg, err := pgx.ParseConfig(tt.dsn)
		if err != nil {
			t.Fatalf("%s: %v", tt.dsn, err)
		}
		got := config("/out/models", cfg, "lab_gen_x")
		for _, w := range append(tt.want, `output = "/out/models"`, "wipe = true", "no-tests = true") {
			if !strings.Contains(got, w) {
				t.Errorf("config for %s lacks %s:\n%s", tt.dsn, w, got)
			}
		}
		if !strings.Contains(tt.dsn, ":p") && strings.Contains(got, "pass") {
			t.Errorf("config for %s has a password line:\n%s", tt.dsn, got)
		}
	}
}
