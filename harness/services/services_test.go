package services_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"stacklab/harness/proc"
	"stacklab/harness/services"
	"stacklab/ledgerspec"
	"stacklab/ledgerspec/conformance/kafkalog"
	"stacklab/stacks/events"
	"stacklab/stacks/events/franz"
)

func start(t *testing.T, cfg services.Config) *services.Services {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := services.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// needStandard fails the test unless PostgreSQL and Redis answer on their standard ports.
func needStandard(t *testing.T) {
	t.Helper()
	for _, addr := range []string{"127.0.0.1:5432", "127.0.0.1:6379"} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("this test needs the machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); %s: %v "+
				"(start them as /work/shared/ENVIRONMENT.md says)", addr, err)
		}
		c.Close()
	}
}

func comm(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// live reports whether pid exists and is not a zombie.
func live(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}

// inGroup lists the live processes of process group pgid.
func inGroup(t *testing.T, pgid int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		// state ppid pgrp …
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func checkPIDs(t *testing.T, e services.Endpoint, exe string) {
	t.Helper()
	if len(e.PIDs) == 0 {
		t.Fatalf("%s: no PIDs recorded", e.Service)
	}
	// The main process (listed first) must be alive. The others, such as PostgreSQL backends of
	// a shared server, may have exited since Start; a live one must run exe.
	for i, pid := range e.PIDs {
		got := comm(pid)
		if got == "" && i > 0 && !live(pid) {
			continue
		}
		if got != exe {
			t.Errorf("%s: pid %d runs %q, want %q", e.Service, pid, got, exe)
		}
	}
}

func TestEmbedded(t *testing.T) {
	s := start(t, services.Config{ForceEmbedded: true})
	t.Logf("embedded start times: postgres %v, redis %v, kafka %v", s.Postgres.StartTime, s.Redis.StartTime, s.Kafka.StartTime)

	for _, e := range []services.Endpoint{s.Postgres, s.Redis, s.Kafka} {
		if e.Source != services.SourceEmbedded || e.StartTime <= 0 || e.Command == "" {
			t.Errorf("%s: source %q, start time %v, command %q; want embedded with both recorded", e.Service, e.Source, e.StartTime, e.Command)
		}
	}
	if !strings.HasPrefix(s.Postgres.Version, "PostgreSQL ") || s.Postgres.URL == services.StandardPostgresURL {
		t.Errorf("postgres: version %q at %s", s.Postgres.Version, s.Postgres.URL)
	}
	if s.Redis.Version == "" || s.Redis.URL == services.StandardRedisURL {
		t.Errorf("redis: version %q at %s", s.Redis.Version, s.Redis.URL)
	}
	if !strings.HasPrefix(s.Kafka.Version, "kfake ") || !s.Kafka.InProcess || !slices.Equal(s.Kafka.PIDs, []int{os.Getpid()}) {
		t.Errorf("kafka: %+v, want in-process kfake", s.Kafka)
	}
	checkPIDs(t, s.Postgres, "postgres")
	checkPIDs(t, s.Redis, "redis-server")
	for _, d := range []string{s.Postgres.Dir, s.Redis.Dir} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Errorf("folder %s: %v", d, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// PostgreSQL: a real, durable server in a database of its own.
	dsn, drop, err := s.NewDatabase(ctx, "embedded")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var fsync string
	var sum int
	if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil || fsync != "on" {
		t.Errorf("fsync = %q (%v), want on", fsync, err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2), (39)"); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT sum(n) FROM t").Scan(&sum); err != nil || sum != 42 {
		t.Errorf("sum = %d (%v), want 42", sum, err)
	}
	conn.Close(ctx)
	if err := drop(ctx); err != nil {
		t.Error(err)
	}

	// Redis.
	opt, err := redis.ParseURL(s.Redis.URL)
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opt)
	if err := rc.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := rc.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Errorf("GET k = %q (%v)", v, err)
	}
	rc.Close()

	// Kafka: the lab's own publisher and reader.
	pub, err := franz.Open(ctx, franz.Config{Brokers: s.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish(ctx, []events.Record{{Topic: ledgerspec.TopicTransactions, Key: []byte("t1"), Value: []byte("{}")}}); err != nil {
		t.Fatal(err)
	}
	pub.Close()
	log, err := kafkalog.Open(s.Brokers)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := log.Records(ctx, ledgerspec.TopicTransactions)
	log.Close()
	if err != nil || len(evs) != 1 || string(evs[0].Key) != "t1" {
		t.Errorf("read back %v (%v), want the one record", evs, err)
	}

	// Close stops every process of both servers and removes their folders.
	pgRoot, redisRoot := s.Postgres.PIDs[0], s.Redis.PIDs[0]
	pgTree, err := proc.Tree(pgRoot)
	if err != nil || len(pgTree) < 2 {
		t.Fatalf("postgres process tree %v (%v): want the postmaster and its helpers", pgTree, err)
	}
	closeStart := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Close took %v", time.Since(closeStart))
	for _, pid := range append(pgTree, s.Redis.PIDs...) {
		if live(pid) {
			t.Errorf("pid %d (%s) still running after Close", pid, comm(pid))
		}
	}
	for _, g := range []int{pgRoot, redisRoot} {
		if left := inGroup(t, g); len(left) > 0 {
			t.Errorf("process group %d still has %v after Close", g, left)
		}
	}
	for _, d := range []string{s.Postgres.Dir, s.Redis.Dir} {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("folder %s still there after Close (%v)", d, err)
		}
	}
	if _, err := net.DialTimeout("tcp", s.Brokers[0], time.Second); err == nil {
		t.Errorf("kafka still listening at %s after Close", s.Brokers[0])
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestStandardPorts(t *testing.T) {
	needStandard(t)
	s := start(t, services.Config{})
	if s.Postgres.Source != services.SourceStandardPort || s.Postgres.URL != services.StandardPostgresURL {
		t.Errorf("postgres: %s at %s, want the standard port", s.Postgres.Source, s.Postgres.URL)
	}
	if s.Redis.Source != services.SourceStandardPort || s.Redis.URL != services.StandardRedisURL {
		t.Errorf("redis: %s at %s, want the standard port", s.Redis.Source, s.Redis.URL)
	}
	if s.Kafka.Source != services.SourceEmbedded {
		t.Errorf("kafka: %s, want embedded (nothing configured)", s.Kafka.Source)
	}
	if !strings.HasPrefix(s.Postgres.Version, "PostgreSQL ") || s.Redis.Version == "" {
		t.Errorf("versions: postgres %q, redis %q", s.Postgres.Version, s.Redis.Version)
	}
	checkPIDs(t, s.Postgres, "postgres")
	checkPIDs(t, s.Redis, "redis-server")
	// The postmaster leads the list and is the parent of the rest.
	tree, err := proc.Tree(s.Postgres.PIDs[0])
	if err != nil || len(tree) < 2 {
		t.Errorf("postgres tree from pid %d: %v (%v)", s.Postgres.PIDs[0], tree, err)
	}
	if s.Postgres.Dir != "" || s.Redis.Dir != "" || s.Postgres.StartTime != 0 {
		t.Errorf("found servers carry embedded details: %+v %+v", s.Postgres, s.Redis)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Close leaves servers it did not start alone.
	for _, pid := range append([]int{s.Postgres.PIDs[0]}, s.Redis.PIDs...) {
		if !live(pid) {
			t.Errorf("Close stopped pid %d, which it did not start", pid)
		}
	}
	needStandard(t)
}

func TestConfiguredAddresses(t *testing.T) {
	needStandard(t)
	k, err := services.StartKafka(services.KafkaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	t.Setenv("DATABASE_URL", services.StandardPostgresURL)
	t.Setenv("REDIS_URL", services.StandardRedisURL)
	t.Setenv("KAFKA_BROKERS", strings.Join(k.Brokers(), ", "))
	cfg := services.ConfigFromEnv()
	if !slices.Equal(cfg.KafkaBrokers, k.Brokers()) {
		t.Fatalf("ConfigFromEnv brokers = %q, want %q", cfg.KafkaBrokers, k.Brokers())
	}
	cfg.ForceEmbedded = true // configured addresses win even so
	s := start(t, cfg)
	for _, e := range []services.Endpoint{s.Postgres, s.Redis, s.Kafka} {
		if e.Source != services.SourceEnv {
			t.Errorf("%s: source %q, want env", e.Service, e.Source)
		}
	}
	// kfake answers ApiVersions with its own mix of versions; a real broker's guess reads
	// like "Kafka v3.8".
	if !strings.HasPrefix(s.Kafka.Version, "Kafka ") || !strings.Contains(s.Kafka.Version, "v") {
		t.Errorf("kafka version %q, want a guess from the API versions", s.Kafka.Version)
	}
	want := []string{
		"DATABASE_URL=" + services.StandardPostgresURL,
		"REDIS_URL=" + services.StandardRedisURL,
		"KAFKA_BROKERS=" + strings.Join(k.Brokers(), ","),
	}
	if got := s.Env(); !slices.Equal(got, want) {
		t.Errorf("Env() = %q, want %q", got, want)
	}
}

func TestBadAddressesFailClearlyAndQuickly(t *testing.T) {
	needStandard(t)
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ok := services.Config{DatabaseURL: services.StandardPostgresURL, RedisURL: services.StandardRedisURL}
	tests := []struct {
		name string
		cfg  func(services.Config) services.Config
		want []string
	}{
		{"postgres refused", func(c services.Config) services.Config {
			c.DatabaseURL = "postgres://postgres:secret@127.0.0.1:1/postgres?sslmode=disable"
			return c
		}, []string{"postgres from DATABASE_URL", "127.0.0.1:1", "xxxxx"}},
		{"postgres silent", func(c services.Config) services.Config {
			c.DatabaseURL = "postgres://postgres@" + silent.Addr().String() + "/postgres?sslmode=disable"
			return c
		}, []string{"postgres from DATABASE_URL", silent.Addr().String()}},
		{"postgres unparsable", func(c services.Config) services.Config { c.DatabaseURL = "postgres://%zz"; return c },
			[]string{"postgres from DATABASE_URL", "parsing"}},
		{"redis refused", func(c services.Config) services.Config { c.RedisURL = "redis://127.0.0.1:1/0"; return c },
			[]string{"redis from REDIS_URL", "127.0.0.1:1"}},
		{"redis silent", func(c services.Config) services.Config {
			c.RedisURL = "redis://" + silent.Addr().String() + "/0"
			return c
		},
			[]string{"redis from REDIS_URL", silent.Addr().String()}},
		{"redis not a url", func(c services.Config) services.Config { c.RedisURL = "localhost:6379"; return c },
			[]string{"redis from REDIS_URL", "parsing"}},
		{"kafka refused", func(c services.Config) services.Config { c.KafkaBrokers = []string{"127.0.0.1:1"}; return c },
			[]string{"kafka from KAFKA_BROKERS", "127.0.0.1:1"}},
		{"kafka silent", func(c services.Config) services.Config { c.KafkaBrokers = []string{silent.Addr().String()}; return c },
			[]string{"kafka from KAFKA_BROKERS", silent.Addr().String()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Now()
			s, err := services.Start(context.Background(), tc.cfg(ok))
			took := time.Since(t0)
			if err == nil {
				s.Close()
				t.Fatal("Start succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
			if took >= 10*time.Second {
				t.Errorf("Start took %v to fail", took)
			}
		})
	}
}

func TestNewDatabase(t *testing.T) {
	needStandard(t)
	s := start(t, services.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsnA, dropA, err := s.NewDatabase(ctx, "Conformance run/nethttp")
	if err != nil {
		t.Fatal(err)
	}
	dsnB, dropB, err := s.NewDatabase(ctx, "Conformance run/nethttp")
	if err != nil {
		t.Fatal(err)
	}
	if dsnA == dsnB {
		t.Fatalf("two databases share the DSN %s", dsnA)
	}
	a, err := pgx.Connect(ctx, dsnA)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(context.Background())
	b, err := pgx.Connect(ctx, dsnB)
	if err != nil {
		t.Fatal(err)
	}
	var nameA, nameB string
	if err := a.QueryRow(ctx, "SELECT current_database()").Scan(&nameA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, "SELECT current_database()").Scan(&nameB); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(nameA, "conformance_run_nethttp_") || nameA == nameB {
		t.Errorf("names %q and %q", nameA, nameB)
	}
	if _, err := a.Exec(ctx, "CREATE TABLE rows_of_a (n int); INSERT INTO rows_of_a VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'rows_of_a'").Scan(&n); err != nil || n != 0 {
		t.Errorf("database B sees %d tables of A (%v)", n, err)
	}
	b.Close(ctx)

	// A drops while its connection is still open (FORCE), B after its connection closed.
	if err := dropA(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dropB(ctx); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, s.Postgres.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = ANY($1)", []string{nameA, nameB}).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d of the dropped databases remain (%v)", n, err)
	}
	if err := dropA(ctx); err != nil {
		t.Errorf("dropping again: %v", err)
	}
}

func TestEmbeddedPostgresNeedsAReachableFolder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only a root process runs PostgreSQL as another user")
	}
	parent := t.TempDir() // 0700, root's
	t0 := time.Now()
	s, err := services.Start(context.Background(), services.Config{ForceEmbedded: true, TempDir: parent})
	if err == nil {
		s.Close()
		t.Fatal("Start succeeded in a folder the postgres user cannot reach")
	}
	if !strings.Contains(err.Error(), "postgres user") || !strings.Contains(err.Error(), parent) {
		t.Errorf("error %q does not say why", err)
	}
	if took := time.Since(t0); took > 5*time.Second {
		t.Errorf("took %v to fail", took)
	}
	if ents, _ := os.ReadDir(parent); len(ents) != 0 {
		t.Errorf("left %d entries in %s", len(ents), parent)
	}
}

func TestStartKafkaOnAGivenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	k, err := services.StartKafka(services.KafkaOptions{Port: port, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if want := []string{"127.0.0.1:" + strconv.Itoa(port)}; !slices.Equal(k.Brokers(), want) {
		t.Fatalf("Brokers() = %v, want %v", k.Brokers(), want)
	}
	if _, err := services.StartKafka(services.KafkaOptions{Port: port}); err == nil {
		t.Error("a second broker started on a taken port")
	}
}
