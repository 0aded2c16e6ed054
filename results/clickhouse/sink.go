package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vahid-sohrabloo/chconn/v2"
	"github.com/vahid-sohrabloo/chconn/v2/column"

	"stacklab/results/spool"
)

// Defaults of Config.
const (
	DefaultAddr     = "127.0.0.1:9000"
	DefaultDatabase = "stacklab"
	DefaultUser     = "default"
	// ConnectTimeout bounds every connection attempt (dial, handshake).
	ConnectTimeout = 5 * time.Second
	// OperationTimeout bounds a sink operation (Publish, LoadRun, …) whose context has no
	// deadline, so a server that stops answering mid-query cannot hang the lab.
	OperationTimeout = 2 * time.Minute
)

// EnvURL names the environment variable holding the ClickHouse to use; see ParseURL.
const EnvURL = "CLICKHOUSE_URL"

// Config says which ClickHouse to publish to.
type Config struct {
	// Addr is the host:port of ClickHouse's native protocol (DefaultAddr when empty).
	Addr string
	// Database holds the lab's tables (DefaultDatabase when empty); EnsureSchema creates it.
	Database string
	// User and Password authenticate (user DefaultUser, no password, when empty).
	User, Password string

	// Scratch marks a server whose data does not outlive it (an embedded server the harness
	// started for one run): sinks on it have no Name, so the spool keeps no published markers
	// for it.
	Scratch bool
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	if c.User == "" {
		c.User = DefaultUser
	}
	return c
}

// ParseURL reads a ClickHouse address as the lab's users give it in CLICKHOUSE_URL: either
// host:port ("127.0.0.1:9000") or clickhouse://user:password@host:port/database. A port left out
// is 9000; the database left out is left empty (DefaultDatabase).
func ParseURL(s string) (Config, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Config{}, fmt.Errorf("parsing the ClickHouse address: empty")
	}
	if !strings.Contains(s, "://") {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			host, port = s, "9000"
		}
		if host == "" {
			return Config{}, fmt.Errorf("parsing the ClickHouse address %q: no host", s)
		}
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return Config{}, fmt.Errorf("parsing the ClickHouse address %q: bad port %q", s, port)
		}
		return Config{Addr: net.JoinHostPort(host, port)}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return Config{}, fmt.Errorf("parsing the ClickHouse URL: %w", err)
	}
	if u.Scheme != "clickhouse" && u.Scheme != "tcp" {
		return Config{}, fmt.Errorf("parsing the ClickHouse URL %s: scheme %q, want clickhouse:// (the native protocol)", redact(u), u.Scheme)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return Config{}, fmt.Errorf("parsing the ClickHouse URL %s: no host", redact(u))
	}
	if port == "" {
		port = "9000"
	}
	cfg := Config{Addr: net.JoinHostPort(host, port), Database: strings.Trim(u.Path, "/")}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if cfg.Database != "" {
		if err := checkIdent(cfg.Database); err != nil {
			return Config{}, fmt.Errorf("parsing the ClickHouse URL %s: %w", redact(u), err)
		}
	}
	return cfg, nil
}

// ConfigFromEnv reads CLICKHOUSE_URL; ok is false when it is not set.
func ConfigFromEnv() (cfg Config, ok bool, err error) {
	v := os.Getenv(EnvURL)
	if strings.TrimSpace(v) == "" {
		return Config{}, false, nil
	}
	cfg, err = ParseURL(v)
	if err != nil {
		return Config{}, true, fmt.Errorf("%s: %w", EnvURL, err)
	}
	return cfg, true, nil
}

func redact(u *url.URL) string {
	if _, has := u.User.Password(); has {
		c := *u
		c.User = url.UserPassword(u.User.Username(), "xxx")
		return c.String()
	}
	return u.String()
}

// Sink publishes runs to one ClickHouse database. Its methods may be called from several
// goroutines; they take turns on one connection, which is made again when it broke.
type Sink struct {
	cfg     Config
	db      string // the database as a quoted identifier
	mu      sync.Mutex
	conn    chconn.Conn
	version string

	// afterInsert, when set (by tests), runs after each insert of Publish with the table's name;
	// an error it returns stops Publish there, as a crash would.
	afterInsert func(table string) error
}

// Open connects to ClickHouse (each attempt bounded by ConnectTimeout) and creates the database
// and tables when they do not exist.
func Open(ctx context.Context, cfg Config) (*Sink, error) {
	cfg = cfg.withDefaults()
	if err := checkIdent(cfg.Database); err != nil {
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	s := &Sink{cfg: cfg, db: "`" + cfg.Database + "`"}
	s.mu.Lock()
	err := s.connectLocked(ctx)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := s.EnsureSchema(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// dial opens one connection to the server at addr with the default database, within
// ConnectTimeout.
func dial(ctx context.Context, cfg Config) (chconn.Conn, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: address %q: %w", cfg.Addr, err)
	}
	u := url.URL{Scheme: "clickhouse", Host: net.JoinHostPort(host, port), Path: "/default",
		RawQuery: url.Values{"sslmode": {"disable"}, "connect_timeout": {strconv.Itoa(int(ConnectTimeout / time.Second))},
			"client_name": {"stacklab"}}.Encode()}
	if cfg.Password != "" {
		u.User = url.UserPassword(cfg.User, cfg.Password)
	} else {
		u.User = url.User(cfg.User)
	}
	conf, err := chconn.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("clickhouse: configuring the connection to %s: %w", cfg.Addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
	defer cancel()
	conn, err := chconn.ConnectConfig(ctx, conf)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: connecting to %s as %s (timeout %v): %w", cfg.Addr, cfg.User, ConnectTimeout, err)
	}
	return conn, nil
}

// Ping connects to the server of cfg (within ConnectTimeout) and returns its version, as
// SELECT version() gives it; it neither needs nor touches the sink's database. A starter waits
// with it for a server to answer.
func Ping(ctx context.Context, cfg Config) (version string, err error) {
	cfg = cfg.withDefaults()
	conn, err := dial(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	version, err = queryString(ctx, conn, "SELECT version()")
	if err != nil {
		return "", fmt.Errorf("clickhouse: asking %s for its version: %w", cfg.Addr, err)
	}
	return version, nil
}

// connectLocked makes the connection when there is none or it broke; s.mu is held.
func (s *Sink) connectLocked(ctx context.Context) error {
	if s.conn != nil && !s.conn.IsClosed() {
		return nil
	}
	conn, err := dial(ctx, s.cfg)
	if err != nil {
		return err
	}
	version, err := queryString(ctx, conn, "SELECT version()")
	if err != nil {
		conn.Close()
		return fmt.Errorf("clickhouse: asking %s for its version: %w", s.cfg.Addr, err)
	}
	s.conn, s.version = conn, version
	return nil
}

// with runs f on the connection, made again first when needed. f gets ctx bounded by
// OperationTimeout when it had no deadline.
func (s *Sink) with(ctx context.Context, f func(ctx context.Context, conn chconn.Conn) error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, OperationTimeout)
		defer cancel()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.connectLocked(ctx); err != nil {
		return err
	}
	return f(ctx, s.conn)
}

// Close closes the connection.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	if err != nil {
		return fmt.Errorf("clickhouse: closing the connection to %s: %w", s.cfg.Addr, err)
	}
	return nil
}

// Config is the sink's configuration with its defaults filled in.
func (s *Sink) Config() Config { return s.cfg }

// Version is the server's version, as SELECT version() gave it (e.g. "18.16.1").
func (s *Sink) Version() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// Name names this destination in the spool's published markers: the address and the database,
// so a run published to one server is not taken as published to another. It is "" for an
// scratch server (Config.Scratch): its data goes with it, so marking runs as published there
// would only keep them from the next server.
func (s *Sink) Name() string {
	if s.cfg.Scratch {
		return ""
	}
	return spool.SinkName("clickhouse-" + s.cfg.Addr + "-" + s.cfg.Database)
}

// String describes the sink for messages.
func (s *Sink) String() string {
	return "ClickHouse at " + s.cfg.Addr + " (database " + s.cfg.Database + ")"
}

// EnsureSchema creates the database and the tables when they do not exist, and adds to existing
// tables the columns they lack (a table made by an earlier version of the schema; see
// migrationDDL). Running it again changes nothing.
func (s *Sink) EnsureSchema(ctx context.Context) error {
	return s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
		for _, ddl := range schemaDDL(s.db) {
			if err := conn.Exec(ctx, ddl); err != nil {
				return fmt.Errorf("clickhouse: creating the schema in %s: %w\n%s", s, err, ddl)
			}
		}
		for _, t := range tables() {
			have, err := s.tableColumns(ctx, conn, t.name)
			if err != nil {
				return err
			}
			ddl, err := migrationDDL(s.db, t, have)
			if err != nil {
				return fmt.Errorf("clickhouse: migrating %s: %w", s, err)
			}
			for _, stmt := range ddl {
				if err := conn.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("clickhouse: migrating the schema in %s: %w\n%s", s, err, stmt)
				}
			}
		}
		return nil
	})
}

// tableColumns maps the columns of table, in the sink's database, to their types.
func (s *Sink) tableColumns(ctx context.Context, conn chconn.Conn, table string) (map[string]string, error) {
	name, typ := column.NewString(), column.NewString()
	q := fmt.Sprintf("SELECT name, type FROM system.columns WHERE database = %s AND table = %s", quote(s.cfg.Database), quote(table))
	stmt, err := conn.Select(ctx, q, name, typ)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: reading the columns of %s.%s: %w", s.db, table, err)
	}
	defer stmt.Close()
	cols := map[string]string{}
	for stmt.Next() {
		for i := range stmt.RowsInBlock() {
			cols[name.Row(i)] = typ.Row(i)
		}
	}
	if err := stmt.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: reading the columns of %s.%s: %w", s.db, table, err)
	}
	return cols, nil
}

// queryString runs a query answering one String (or one value cast to String) in one row.
func queryString(ctx context.Context, conn chconn.Conn, query string) (string, error) {
	col := column.NewString()
	stmt, err := conn.Select(ctx, query, col)
	if err != nil {
		return "", err
	}
	defer stmt.Close()
	var vals []string
	for stmt.Next() {
		vals = col.Read(vals)
	}
	if err := stmt.Err(); err != nil {
		return "", err
	}
	if len(vals) != 1 {
		return "", fmt.Errorf("%s: %d rows, want 1", query, len(vals))
	}
	return vals[0], nil
}

// checkIdent accepts plain identifiers only (database names are put into SQL unquoted but for
// backquotes).
func checkIdent(name string) error {
	if name == "" {
		return errors.New("empty database name")
	}
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return fmt.Errorf("database name %q: only letters, digits and '_' (not first) are allowed", name)
		}
	}
	return nil
}

// quote makes s a ClickHouse string literal.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
