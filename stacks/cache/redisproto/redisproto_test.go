package redisproto_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/redisproto"
	"stacklab/stacks/parttest/redistest"
)

func newProto(t *testing.T, ttl time.Duration) *redisproto.Protocol {
	t.Helper()
	p, err := redisproto.New("part", redisproto.Config{URL: "redis://x", Prefix: "pre:", AccountTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     redisproto.Config
		wantErr string
		wantTTL string
	}{
		{"defaults", redisproto.Config{URL: "u"}, "", "300000"},
		{"ttl", redisproto.Config{URL: "u", AccountTTL: 1500 * time.Millisecond}, "", "1500"},
		{"empty URL", redisproto.Config{}, "part: Config.URL is empty", ""},
		{"negative TTL", redisproto.Config{URL: "u", AccountTTL: -time.Second}, "part: negative AccountTTL", ""},
		{"negative pool", redisproto.Config{URL: "u", PoolSize: -1}, "PoolSize (-1)", ""},
		{"TTL below a millisecond", redisproto.Config{URL: "u", AccountTTL: time.Microsecond}, "millisecond resolution", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := redisproto.New("part", tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New(%+v) = %v, want an error containing %q", tt.cfg, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.TTL() != tt.wantTTL {
				t.Fatalf("TTL() = %q, want %q", p.TTL(), tt.wantTTL)
			}
		})
	}
}

func TestCount(t *testing.T) {
	p := newProto(t, 0)
	now := time.UnixMilli(1_800_000_000_123).Add(999 * time.Microsecond) // sub-millisecond part dropped
	cmds, err := p.Count("tx-1", []string{"a", "b"}, now, 30*time.Second, 64)
	if err != nil {
		t.Fatal(err)
	}
	want := []redisproto.Command{
		{"ZADD", "pre:vel:a", "NX", "1800000000123", "tx-1"},
		{"ZREMRANGEBYRANK", "pre:vel:a", "0", "-65"},
		{"ZCOUNT", "pre:vel:a", "(1799999970123", "+inf"},
		{"PEXPIRE", "pre:vel:a", "30000"},
		{"ZADD", "pre:vel:b", "NX", "1800000000123", "tx-1"},
		{"ZREMRANGEBYRANK", "pre:vel:b", "0", "-65"},
		{"ZCOUNT", "pre:vel:b", "(1799999970123", "+inf"},
		{"PEXPIRE", "pre:vel:b", "30000"},
	}
	if !slices.EqualFunc(cmds, want, slices.Equal) {
		t.Fatalf("Count =\n%q\nwant\n%q", cmds, want)
	}
	for i := range 2 {
		if c := cmds[i*redisproto.CommandsPerAccount+redisproto.CountReply]; c.Name() != "ZCOUNT" {
			t.Errorf("the count reply of account %d is of %s, want ZCOUNT", i, c.Name())
		}
	}
	// Appending to one command must not overwrite the next.
	_ = append(cmds[0], "extra")
	if cmds[1].Name() != "ZREMRANGEBYRANK" {
		t.Fatalf("commands share their tails: %q", cmds[1])
	}
	if c := cmds[4]; c.Key() != "pre:vel:b" || !slices.Equal(c.Args(), []string{"NX", "1800000000123", "tx-1"}) {
		t.Fatalf("Key, Args of %q = %q, %q", c, c.Key(), c.Args())
	}
	if got := cmds[3].Any(); len(got) != 3 || got[0] != "PEXPIRE" || got[2] != "30000" {
		t.Fatalf("Any() = %v", got)
	}
	if cmds, err := p.Count("tx-1", nil, now, time.Second, 1); err != nil || cmds != nil {
		t.Fatalf("Count of no accounts = %q, %v", cmds, err)
	}
	for _, bad := range []struct {
		window time.Duration
		keep   int
	}{{0, 10}, {time.Microsecond, 10}, {time.Second, 0}, {time.Second, -1}} {
		if _, err := p.Count("tx", []string{"a"}, now, bad.window, bad.keep); err == nil || !strings.HasPrefix(err.Error(), "part: counting debits: window") {
			t.Errorf("Count(window %v, keep %d) = %v, want an argument error", bad.window, bad.keep, err)
		}
	}
}

func TestUncount(t *testing.T) {
	p := newProto(t, 0)
	want := []redisproto.Command{{"ZREM", "pre:vel:a", "tx-9"}, {"ZREM", "pre:vel:b", "tx-9"}}
	if got := p.Uncount("tx-9", []string{"a", "b"}); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("Uncount = %q, want %q", got, want)
	}
	if got := p.Uncount("tx-9", nil); got != nil {
		t.Fatalf("Uncount of no accounts = %q", got)
	}
}

func TestPuts(t *testing.T) {
	p := newProto(t, 2*time.Second)
	puts, err := p.Puts([]app.CachedAccount{{ID: "a", Version: 7, Body: []byte("{}")}, {ID: "b", Version: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(puts) != 2 || puts[0].Key != "pre:acc:a" || string(puts[0].Value) != "0000000000000000007{}" ||
		puts[1].Key != "pre:acc:b" || string(puts[1].Value) != "0000000000000000000" {
		t.Fatalf("Puts = %q", puts)
	}
	if p.TTL() != "2000" {
		t.Fatalf("TTL = %q", p.TTL())
	}
	if _, err := p.Puts([]app.CachedAccount{{ID: "a", Version: 1}, {ID: "b", Version: -1}}); err == nil ||
		err.Error() != "part: putting account b: negative version -1" {
		t.Fatalf("Puts with version -1: %v", err)
	}
}

func TestEncodeEntry(t *testing.T) {
	tests := []struct {
		version int64
		body    string
		want    string
	}{
		{0, "", "0000000000000000000"},
		{7, "{}", "0000000000000000007{}"},
		{1234567890, "x", "0000000001234567890x"},
		{1<<63 - 1, "", "9223372036854775807"},
	}
	for _, tt := range tests {
		if got := string(redisproto.EncodeEntry(app.CachedAccount{Version: tt.version, Body: []byte(tt.body)})); got != tt.want {
			t.Errorf("EncodeEntry(%d, %q) = %q, want %q", tt.version, tt.body, got, tt.want)
		}
	}
}

func TestDecode(t *testing.T) {
	p := newProto(t, 0)
	body, err := p.Decode("a", redisproto.EncodeEntry(app.CachedAccount{Version: 42, Body: []byte("body")}))
	if err != nil || string(body) != "body" {
		t.Fatalf("Decode = %q, %v", body, err)
	}
	if body, err := p.Decode("a", []byte("0000000000000000000")); err != nil || len(body) != 0 {
		t.Fatalf("Decode of an empty body = %q, %v", body, err)
	}
	if _, err := p.Decode("a", []byte("short")); err == nil || err.Error() != "part: account a: entry of 5 bytes is shorter than its version" {
		t.Fatalf("Decode of a short entry: %v", err)
	}
}

// TestPutScriptSHA1 asks Redis for the name of the script.
func TestPutScriptSHA1(t *testing.T) {
	rdb := redistest.Client(t, redistest.URL(t))
	got, err := rdb.ScriptLoad(context.Background(), redisproto.PutScript).Result()
	if err != nil {
		t.Fatal(err)
	}
	if got != redisproto.PutScriptSHA1 {
		t.Fatalf("Redis names the put script %s, PutScriptSHA1 is %s", got, redisproto.PutScriptSHA1)
	}
}
