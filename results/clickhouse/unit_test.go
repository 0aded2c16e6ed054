package clickhouse

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"stacklab/results"
	"stacklab/results/resultstest"
	"stacklab/results/spool"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		want    Config
		wantErr string
	}{
		{in: "127.0.0.1:9000", want: Config{Addr: "127.0.0.1:9000"}},
		{in: " clickhouse.lan ", want: Config{Addr: "clickhouse.lan:9000"}},
		{in: "[::1]:19000", want: Config{Addr: "[::1]:19000"}},
		{in: "clickhouse://lab:s%40cret@db.example:9440/results", want: Config{Addr: "db.example:9440", Database: "results", User: "lab", Password: "s@cret"}},
		{in: "clickhouse://127.0.0.1", want: Config{Addr: "127.0.0.1:9000"}},
		{in: "tcp://127.0.0.1:9001/", want: Config{Addr: "127.0.0.1:9001"}},
		{in: "", wantErr: "empty"},
		{in: "http://127.0.0.1:8123", wantErr: "native protocol"},
		{in: "clickhouse://u:pw@127.0.0.1/bad-name", wantErr: "database name"},
		{in: "clickhouse:///db", wantErr: "no host"},
		{in: "127.0.0.1:http", wantErr: "bad port"},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseURL(%q) = %+v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			}
			if strings.Contains(tt.in, "pw") && err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("ParseURL(%q): the error shows the password: %v", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv(EnvURL, "")
	if _, ok, err := ConfigFromEnv(); ok || err != nil {
		t.Errorf("unset: ok=%v err=%v", ok, err)
	}
	t.Setenv(EnvURL, "127.0.0.1:9123")
	if cfg, ok, err := ConfigFromEnv(); !ok || err != nil || cfg.Addr != "127.0.0.1:9123" {
		t.Errorf("set: %+v ok=%v err=%v", cfg, ok, err)
	}
	t.Setenv(EnvURL, "ftp://x")
	if _, ok, err := ConfigFromEnv(); !ok || err == nil || !strings.Contains(err.Error(), EnvURL) {
		t.Errorf("bad: ok=%v err=%v", ok, err)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"run-1", `'run-1'`},
		{"it's", `'it\'s'`},
		{`a\b`, `'a\\b'`},
		{`\'; DROP TABLE runs; --`, `'\\\'; DROP TABLE runs; --'`},
		{"nul\x00", `'nul\0'`},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSplitJoinTime(t *testing.T) {
	zone := time.FixedZone("X", -7*3600)
	tests := []struct {
		in      time.Time
		sec, ns uint32
		wantErr bool
	}{
		{in: time.Time{}, sec: 0, ns: 0},
		{in: time.Date(2026, 11, 24, 10, 15, 0, 123456789, time.UTC), sec: 1795515300, ns: 123456789},
		{in: time.Date(2026, 11, 24, 3, 15, 0, 1, zone), sec: 1795515300, ns: 1},
		{in: time.Date(2106, 2, 7, 6, 28, 15, 999999999, time.UTC), sec: 1<<32 - 1, ns: 999999999},
		{in: time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), wantErr: true},
		{in: time.Date(2106, 2, 7, 6, 28, 16, 0, time.UTC), wantErr: true},
	}
	for _, tt := range tests {
		sec, ns, err := splitTime(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("splitTime(%v) accepted a time outside DateTime", tt.in)
			}
			continue
		}
		if err != nil || sec != tt.sec || ns != tt.ns {
			t.Errorf("splitTime(%v) = %d, %d, %v; want %d, %d", tt.in, sec, ns, err, tt.sec, tt.ns)
		}
		if back := joinTime(sec, ns); !back.Equal(tt.in) || back.Location() != time.UTC {
			t.Errorf("joinTime(%d, %d) = %v, want %v in UTC", sec, ns, back, tt.in)
		}
	}
}

func TestDigest(t *testing.T) {
	run := resultstest.Run(t, "r-digest", runStart, 42)
	base, err := Digest(run)
	if err != nil {
		t.Fatal(err)
	}
	// The same run, other forms: times in another zone, the plan reformatted, a JSON round trip.
	same := *run
	same.Started = same.Started.In(time.FixedZone("Y", 5*3600))
	same.Plan = json.RawMessage(strings.ReplaceAll(string(run.Plan), "\n", "\n\t"))
	data, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	var decoded results.Run
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*results.Run{"other zone and plan layout": &same, "JSON round trip": &decoded} {
		if d, err := Digest(r); err != nil || d != base {
			t.Errorf("%s: digest %s, %v; want %s", name, d, err, base)
		}
	}
	// Any measurement changed changes it.
	other := resultstest.Run(t, "r-digest", runStart, 42)
	other.Records[5].Service.P99++
	if d, _ := Digest(other); d == base {
		t.Error("a changed p99 kept the digest")
	}
	// Digest does not change the run it reads.
	if !run.Records[0].Started.Equal(other.Records[0].Started) || run.Records[0].Started.Location() == time.UTC {
		t.Error("Digest changed the run's times")
	}
}

// A run spooled before dimensions were data keeps the digest it was published under: the
// digest below is what the first version of Digest computed for this file.
func TestDigestOfV1Run(t *testing.T) {
	sp, err := spool.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	run, err := sp.Load("../spool/testdata/20261124T100000Z-v1old.json")
	if err != nil {
		t.Fatal(err)
	}
	const v1Digest = "cf73d43b35116da0ec0c538c73bbbeeaf30cd90f48118dc17657bf2f7b269192"
	if d, err := Digest(run); err != nil || d != v1Digest {
		t.Errorf("digest %s, %v; the first version published it as %s", d, err, v1Digest)
	}
}

func TestCheckIdent(t *testing.T) {
	for _, ok := range []string{"stacklab", "_x", "lab_2026"} {
		if err := checkIdent(ok); err != nil {
			t.Errorf("checkIdent(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "2lab", "lab-x", "lab`; DROP", "lab.x"} {
		if checkIdent(bad) == nil {
			t.Errorf("checkIdent(%q) accepted it", bad)
		}
	}
}

// TestOpenSilentServer: a server that accepts connections and never answers makes Open fail
// after ConnectTimeout, with an error saying where and why, instead of hanging.
func TestOpenSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	start := time.Now()
	s, err := Open(context.Background(), Config{Addr: ln.Addr().String()})
	took := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded against a silent server")
	}
	if took < ConnectTimeout-time.Second || took > ConnectTimeout+2*time.Second {
		t.Errorf("Open gave up after %v, want about %v", took, ConnectTimeout)
	}
	for _, want := range []string{"connecting to " + ln.Addr().String(), "timeout 5s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestMigrationDDL(t *testing.T) {
	var stacks table
	for _, tb := range tables() {
		if tb.name == TableStacks {
			stacks = tb
		}
	}
	have := map[string]string{}
	for _, d := range stacks.cols.defs {
		have[d.name] = d.typ
	}
	if ddl, err := migrationDDL("`db`", stacks, have); err != nil || len(ddl) != 0 {
		t.Errorf("a table as declared needs %v, %v", ddl, err)
	}

	// The first schema: the dimensions as four columns. The arrays come with defaults computed
	// from them, each after the column declared before it.
	delete(have, "dim_keys")
	delete(have, "dim_values")
	for _, k := range []string{"http", "store", "json", "redis"} {
		have["dim_"+k] = "String"
	}
	ddl, err := migrationDDL("`db`", stacks, have)
	want := []string{
		"ALTER TABLE `db`.stacks ADD COLUMN dim_keys Array(String) DEFAULT ['http', 'store', 'json', 'redis'] AFTER stack_key",
		"ALTER TABLE `db`.stacks ADD COLUMN dim_values Array(String) DEFAULT [dim_http, dim_store, dim_json, dim_redis] AFTER dim_keys",
	}
	if err != nil || strings.Join(ddl, "\n") != strings.Join(want, "\n") {
		t.Errorf("migrating the first schema:\n got %q, %v\nwant %q", ddl, err, want)
	}

	// Without the old columns a missing column gets its type's default.
	delete(have, "dim_redis")
	ddl, _ = migrationDDL("`db`", stacks, have)
	if len(ddl) != 2 || strings.Contains(ddl[0], "DEFAULT") || strings.Contains(ddl[1], "DEFAULT") {
		t.Errorf("a table without all four old columns: %q", ddl)
	}

	// A column of another type is not migrated.
	have["dim_keys"] = "String"
	if _, err := migrationDDL("`db`", stacks, have); err == nil || !strings.Contains(err.Error(), "dim_keys is String") {
		t.Errorf("a column of another type: %v", err)
	}
}
