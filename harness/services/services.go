package services

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"stacklab/harness/proc"
	"stacklab/results/clickhouse"
)

const (
	// readyTimeout bounds the wait for an embedded server to answer, and each setup command.
	readyTimeout = 30 * time.Second
	// probeTimeout bounds each look at a configured or standard address.
	probeTimeout = 5 * time.Second
	// standardProbeTimeout bounds the look at a standard port, which usually answers or refuses
	// at once.
	standardProbeTimeout = 2 * time.Second
)

// Config says where the services are; an empty address means "find or start one".
type Config struct {
	// DatabaseURL is an admin DSN of a PostgreSQL server (one that may create databases).
	DatabaseURL string
	// RedisURL is a Redis URL, redis://host:port/db.
	RedisURL string
	// KafkaBrokers are Kafka seed addresses, host:port.
	KafkaBrokers []string
	// ClickHouse asks Start for a ClickHouse too: the one ClickHouseURL names, else one started
	// from the installed clickhouse-server (ClickHouseInstalled); Start fails when it can have
	// neither. ClickHouse has no standard-port step: a server found there may hold someone's data.
	ClickHouse bool
	// ClickHouseURL is a ClickHouse address as clickhouse.ParseURL reads it (CLICKHOUSE_URL).
	ClickHouseURL string
	// ForceEmbedded skips the standard ports: every service not given above is started here.
	ForceEmbedded bool
	// TempDir is where embedded servers get their folders (default: os.TempDir()).
	TempDir string
}

// ConfigFromEnv reads DATABASE_URL, REDIS_URL, KAFKA_BROKERS (comma-separated) and
// CLICKHOUSE_URL. It leaves Config.ClickHouse false: a ClickHouse is for whoever asks for one.
func ConfigFromEnv() Config {
	var brokers []string
	for b := range strings.SplitSeq(os.Getenv("KAFKA_BROKERS"), ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	return Config{
		DatabaseURL:   os.Getenv("DATABASE_URL"),
		RedisURL:      os.Getenv("REDIS_URL"),
		KafkaBrokers:  brokers,
		ClickHouseURL: os.Getenv(clickhouse.EnvURL),
	}
}

// Source says how an endpoint was obtained.
type Source string

// The sources, in the order Start tries them.
const (
	// SourceEnv is an address given in Config, normally from DATABASE_URL, REDIS_URL or
	// KAFKA_BROKERS.
	SourceEnv Source = "env"
	// SourceStandardPort is a server found on its standard loopback port.
	SourceStandardPort Source = "standard-port"
	// SourceEmbedded is a server started by Start.
	SourceEmbedded Source = "embedded"
)

// Endpoint is one service as the lab uses it.
type Endpoint struct {
	// Service is "postgres", "redis", "kafka" or "clickhouse".
	Service string
	// URL is the admin DSN, the Redis URL, the comma-separated broker addresses, or the
	// ClickHouse address (as CLICKHOUSE_URL takes it; "" when none was asked for).
	URL    string
	Source Source
	// Version is the server's own account of its version: SELECT version(), INFO server's
	// redis_version, a guess from Kafka's API versions, the kfake module version, or ClickHouse's
	// SELECT version().
	Version string
	// PIDs are the server's processes when known (root process first for a started server).
	// PostgreSQL forks a process per connection: proc.Tree(PIDs[0]) reads the current set.
	PIDs []int
	// InProcess is set for a broker running inside this process (PIDs is then this process).
	InProcess bool
	// Dir is the folder of an embedded PostgreSQL, Redis or ClickHouse server, removed by Close.
	Dir string
	// Command is the command line that started an embedded server.
	Command string
	// StartTime is how long starting an embedded server took, until it answered.
	StartTime time.Duration
}

// Services are the lab's running services. Close stops the ones Start started.
type Services struct {
	Postgres Endpoint
	Redis    Endpoint
	Kafka    Endpoint
	// ClickHouse is set when Config.ClickHouse asked for one (its URL is "" otherwise).
	ClickHouse Endpoint
	// Brokers are the Kafka broker addresses (Kafka.URL split).
	Brokers []string

	pg         *embeddedPostgres
	redis      *embeddedRedis
	kafka      *KafkaServer
	clickhouse *ClickHouseServer
	chConfig   clickhouse.Config
}

// Start finds or starts every service (see the package comment). On error, whatever it started is
// stopped again.
func Start(ctx context.Context, cfg Config) (*Services, error) {
	parent := cfg.TempDir
	if parent == "" {
		parent = os.TempDir()
	}
	s := &Services{}
	err := s.startPostgres(ctx, cfg, parent)
	if err == nil {
		err = s.startRedis(ctx, cfg, parent)
	}
	if err == nil {
		err = s.startKafka(ctx, cfg)
	}
	if err == nil && cfg.ClickHouse {
		err = s.startClickHouse(ctx, cfg, parent)
	}
	if err != nil {
		if cerr := s.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return nil, err
	}
	return s, nil
}

func (s *Services) startPostgres(ctx context.Context, cfg Config, parent string) error {
	s.Postgres.Service = "postgres"
	if cfg.DatabaseURL != "" {
		version, pids, err := probePostgres(ctx, cfg.DatabaseURL, probeTimeout)
		if err != nil {
			return fmt.Errorf("postgres from DATABASE_URL: %w", err)
		}
		s.Postgres.URL, s.Postgres.Source, s.Postgres.Version, s.Postgres.PIDs = cfg.DatabaseURL, SourceEnv, version, pids
		return nil
	}
	if !cfg.ForceEmbedded {
		if version, pids, err := probePostgres(ctx, StandardPostgresURL, standardProbeTimeout); err == nil {
			s.Postgres.URL, s.Postgres.Source, s.Postgres.Version, s.Postgres.PIDs = StandardPostgresURL, SourceStandardPort, version, pids
			return nil
		}
	}
	start := time.Now()
	pg, err := startPostgres(ctx, parent)
	if err != nil {
		return err
	}
	s.pg = pg
	version, pids, err := probePostgres(ctx, pg.url, probeTimeout)
	if err != nil {
		return fmt.Errorf("embedded postgres: %w", err)
	}
	s.Postgres = Endpoint{Service: "postgres", URL: pg.url, Source: SourceEmbedded, Version: version, PIDs: pids,
		Dir: pg.dir, Command: pg.server.Line(), StartTime: time.Since(start)}
	return nil
}

func (s *Services) startRedis(ctx context.Context, cfg Config, parent string) error {
	s.Redis.Service = "redis"
	if cfg.RedisURL != "" {
		version, pids, err := probeRedis(ctx, cfg.RedisURL, probeTimeout)
		if err != nil {
			return fmt.Errorf("redis from REDIS_URL: %w", err)
		}
		s.Redis.URL, s.Redis.Source, s.Redis.Version, s.Redis.PIDs = cfg.RedisURL, SourceEnv, version, pids
		return nil
	}
	if !cfg.ForceEmbedded {
		if version, pids, err := probeRedis(ctx, StandardRedisURL, standardProbeTimeout); err == nil {
			s.Redis.URL, s.Redis.Source, s.Redis.Version, s.Redis.PIDs = StandardRedisURL, SourceStandardPort, version, pids
			return nil
		}
	}
	start := time.Now()
	r, err := startRedis(ctx, parent)
	if err != nil {
		return err
	}
	s.redis = r
	version, pids, err := probeRedis(ctx, r.url, probeTimeout)
	if err != nil {
		return fmt.Errorf("embedded redis: %w", err)
	}
	s.Redis = Endpoint{Service: "redis", URL: r.url, Source: SourceEmbedded, Version: version, PIDs: pids,
		Dir: r.dir, Command: r.server.Line(), StartTime: time.Since(start)}
	return nil
}

func (s *Services) startKafka(ctx context.Context, cfg Config) error {
	s.Kafka.Service = "kafka"
	if len(cfg.KafkaBrokers) > 0 {
		version, err := ProbeKafka(ctx, cfg.KafkaBrokers, probeTimeout)
		if err != nil {
			return fmt.Errorf("kafka from KAFKA_BROKERS: %w", err)
		}
		s.Brokers = append([]string(nil), cfg.KafkaBrokers...)
		s.Kafka.URL, s.Kafka.Source, s.Kafka.Version = strings.Join(s.Brokers, ","), SourceEnv, version
		return nil
	}
	start := time.Now()
	k, err := StartKafka(KafkaOptions{})
	if err != nil {
		return err
	}
	s.kafka = k
	s.Brokers = k.Brokers()
	if _, err := ProbeKafka(ctx, s.Brokers, probeTimeout); err != nil {
		return fmt.Errorf("embedded kafka: %w", err)
	}
	s.Kafka = Endpoint{Service: "kafka", URL: strings.Join(s.Brokers, ","), Source: SourceEmbedded,
		Version: KfakeVersion(), PIDs: []int{os.Getpid()}, InProcess: true, Command: "kfake (in process)",
		StartTime: time.Since(start)}
	return nil
}

func (s *Services) startClickHouse(ctx context.Context, cfg Config, parent string) error {
	s.ClickHouse.Service = "clickhouse"
	if cfg.ClickHouseURL != "" {
		chc, err := clickhouse.ParseURL(cfg.ClickHouseURL)
		if err != nil {
			return fmt.Errorf("clickhouse from %s: %w", clickhouse.EnvURL, err)
		}
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		version, err := clickhouse.Ping(pctx, chc)
		if err != nil {
			return fmt.Errorf("clickhouse from %s: %w", clickhouse.EnvURL, err)
		}
		s.ClickHouse.URL, s.ClickHouse.Source, s.ClickHouse.Version, s.chConfig = cfg.ClickHouseURL, SourceEnv, version, chc
		return nil
	}
	if !ClickHouseInstalled() {
		_, err := clickhouseBinary()
		return fmt.Errorf("clickhouse: no %s and none installed to start: %w", clickhouse.EnvURL, err)
	}
	start := time.Now()
	srv, err := StartClickHouse(ctx, parent)
	if err != nil {
		return err
	}
	s.clickhouse, s.chConfig = srv, srv.Config("")
	s.ClickHouse = Endpoint{Service: "clickhouse", URL: srv.URL(), Source: SourceEmbedded, Version: srv.Version(), PIDs: srv.PIDs(),
		Dir: srv.Dir(), Command: srv.Command(), StartTime: time.Since(start)}
	return nil
}

// ClickHouseConfig is the sink configuration of the ClickHouse Start provided; ok is false when
// none was asked for. An embedded server's is a scratch one (clickhouse.Config.Scratch).
func (s *Services) ClickHouseConfig() (cfg clickhouse.Config, ok bool) {
	return s.chConfig, s.ClickHouse.URL != ""
}

// Close stops the servers Start started and removes their folders; servers found elsewhere keep
// running. It is safe to call more than once.
func (s *Services) Close() error {
	var errs []error
	if s.clickhouse != nil {
		if err := s.clickhouse.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing embedded clickhouse: %w", err))
		}
		s.clickhouse = nil
	}
	if s.kafka != nil {
		s.kafka.Close()
		s.kafka = nil
	}
	if s.redis != nil {
		if err := s.redis.close(); err != nil {
			errs = append(errs, fmt.Errorf("closing embedded redis: %w", err))
		}
		s.redis = nil
	}
	if s.pg != nil {
		if err := s.pg.close(); err != nil {
			errs = append(errs, fmt.Errorf("closing embedded postgres: %w", err))
		}
		s.pg = nil
	}
	return errors.Join(errs...)
}

// Env returns DATABASE_URL, REDIS_URL, KAFKA_BROKERS and, when Start provided a ClickHouse,
// CLICKHOUSE_URL for child processes, as KEY=value.
func (s *Services) Env() []string {
	env := []string{
		"DATABASE_URL=" + s.Postgres.URL,
		"REDIS_URL=" + s.Redis.URL,
		"KAFKA_BROKERS=" + strings.Join(s.Brokers, ","),
	}
	if s.ClickHouse.URL != "" {
		env = append(env, clickhouse.EnvURL+"="+s.ClickHouse.URL)
	}
	return env
}

// NewDatabase creates a fresh database with a unique name that starts with prefix (reduced to
// lower-case letters, digits and underscores), and returns its DSN and a function that drops it,
// closing any connection still open to it.
func (s *Services) NewDatabase(ctx context.Context, prefix string) (dsn string, drop func(context.Context) error, err error) {
	name, err := databaseName(prefix)
	if err != nil {
		return "", nil, err
	}
	dsn, err = withDatabase(s.Postgres.URL, name)
	if err != nil {
		return "", nil, err
	}
	if err := adminExec(ctx, s.Postgres.URL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	drop = func(ctx context.Context) error {
		if err := adminExec(ctx, s.Postgres.URL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("dropping database %s: %w", name, err)
		}
		return nil
	}
	return dsn, drop, nil
}

func adminExec(ctx context.Context, dsn, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", redactURL(dsn), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return err
	}
	return nil
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// databaseName makes a unique, valid, unquoted-safe database name from prefix.
func databaseName(prefix string) (string, error) {
	p := nonIdent.ReplaceAllString(strings.ToLower(prefix), "_")
	p = strings.Trim(p, "_")
	if p == "" || (p[0] >= '0' && p[0] <= '9') {
		p = "db_" + p
	}
	p = strings.TrimRight(p[:min(len(p), 40)], "_")
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a database name: %w", err)
	}
	// At most 40 + 1 + 12 + 1 + 8 = 62 bytes: within PostgreSQL's 63.
	name := fmt.Sprintf("%s_%s_%s", p, time.Now().UTC().Format("060102150405"), hex.EncodeToString(b[:]))
	return name, nil
}

var keywordDBName = regexp.MustCompile(`(^|\s)dbname\s*=\s*('(\\.|[^'])*'|\S+)`)

// withDatabase returns dsn (a URL or keyword/value DSN) pointing at database name.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parsing the PostgreSQL URL: %w", err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return "", fmt.Errorf("parsing the PostgreSQL DSN: %w", err)
	}
	rest := strings.TrimSpace(keywordDBName.ReplaceAllString(dsn, ""))
	return strings.TrimSpace(rest + " dbname=" + name), nil
}

// waitReady polls probe until it succeeds, the child exits, readyTimeout passes or ctx ends.
func waitReady(ctx context.Context, c *proc.Child, probe func(context.Context) error) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	var last error
	for {
		if last = probe(ctx); last == nil {
			return nil
		}
		select {
		case <-c.Exited():
			return c.Failure(fmt.Errorf("exited before it answered (%v); last probe: %w", c.WaitErr(), last))
		case <-deadline.C:
			return c.Failure(fmt.Errorf("did not answer within %v: %w", readyTimeout, last))
		case <-ctx.Done():
			return c.Failure(fmt.Errorf("start abandoned: %w", ctx.Err()))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// lookPathDir returns the folder of the executable name found on PATH.
func lookPathDir(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}
