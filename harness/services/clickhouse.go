package services

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"stacklab/harness/proc"
	"stacklab/results/clickhouse"
)

// ClickHouseSystemConfig is the server configuration an embedded ClickHouse starts from (Debian's,
// and the official packages'); the embedded server runs on a copy with every path and port moved.
const ClickHouseSystemConfig = "/etc/clickhouse-server/config.xml"

// ClickHouseStartTimeout bounds how long StartClickHouse waits for the server to answer a query.
const ClickHouseStartTimeout = 60 * time.Second

// clickhouseBinaries are where clickhouse-server is looked for after PATH (Debian puts it in
// /usr/sbin, which a user's PATH may lack).
var clickhouseBinaries = []string{"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"}

// clickhouseBinary finds the clickhouse-server executable.
func clickhouseBinary() (string, error) {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil
	}
	for _, p := range clickhouseBinaries {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("no clickhouse-server on PATH or in %s (Debian: apt-get install clickhouse-server)", strings.Join(clickhouseBinaries, ", "))
}

// ClickHouseInstalled reports whether StartClickHouse can run: a clickhouse-server binary and its
// system configuration are installed.
func ClickHouseInstalled() bool {
	if _, err := clickhouseBinary(); err != nil {
		return false
	}
	_, err := os.Stat(ClickHouseSystemConfig)
	return err == nil
}

// ClickHouseServer is a ClickHouse server started from the installed clickhouse-server, living in
// a folder of its own. Its data is a scratch copy, gone when it stops: the spool is what is kept.
type ClickHouseServer struct {
	child    *proc.Child
	dir      string
	logPath  string // the server's own log (its output goes to the child's log)
	addr     string // native protocol, host:port
	httpAddr string
	version  string

	closeOnce sync.Once
	closeErr  error
}

// StartClickHouse starts clickhouse-server in a new folder made inside parent (the system's
// temporary folder when parent is ""), listening on free loopback ports, and waits (at most
// ClickHouseStartTimeout, or less when ctx ends first) until it answers a query. Everything the
// server writes stays in its folder; Close stops it and removes the folder. It is started with
// proc.Start: its own process group, SIGKILL as its parent-death signal, so it never outlives
// this process.
//
// The server runs on a copy of the system configuration (ClickHouseSystemConfig and its .d
// folders) made in its folder, with a config.d file that moves every path (data, tmp, user files,
// format schemas, access, logs) into that folder and every port (native, HTTP, interserver, and
// the MySQL and PostgreSQL ports of current releases) to a free loopback port. A copy rather than
// the system file with command-line overrides: the server saves its preprocessed configuration
// under the <path> of the file it reads before overrides apply, which would write into
// /var/lib/clickhouse.
func StartClickHouse(ctx context.Context, parent string) (*ClickHouseServer, error) {
	bin, err := clickhouseBinary()
	if err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	if _, err := os.Stat(ClickHouseSystemConfig); err != nil {
		return nil, fmt.Errorf("embedded clickhouse: its configuration: %w", err)
	}
	if parent == "" {
		parent = os.TempDir()
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	dir, err := os.MkdirTemp(parent, "stacklab-clickhouse-")
	if err != nil {
		return nil, fmt.Errorf("embedded clickhouse: making its folder: %w", err)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, ClickHouseStartTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ { // a port found free may be taken before the server binds it
		s, err := startClickHouse(ctx, bin, dir)
		if err == nil {
			return s, nil
		}
		if attempt < 3 && errors.Is(err, errPortTaken) && ctx.Err() == nil {
			continue
		}
		_ = os.RemoveAll(dir)
		return nil, err
	}
}

var errPortTaken = errors.New("a port was taken")

// startClickHouse makes one attempt; on failure the process is gone and the folder remains.
func startClickHouse(ctx context.Context, bin, dir string) (*ClickHouseServer, error) {
	ports := make([]int, 5)
	for i := range ports {
		p, err := freePortExcept(ports[:i])
		if err != nil {
			return nil, fmt.Errorf("embedded clickhouse: %w", err)
		}
		ports[i] = p
	}
	logDir := filepath.Join(dir, "log")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	s := &ClickHouseServer{
		dir:      dir,
		logPath:  filepath.Join(logDir, "clickhouse-server.log"),
		addr:     net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		httpAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])),
	}
	configFile, err := writeClickHouseConfig(dir, s.logPath, ports)
	if err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	s.child, err = proc.Start(proc.Options{Service: "embedded clickhouse", Path: bin, Args: []string{"--config-file=" + configFile},
		Dir: dir, LogPath: filepath.Join(logDir, "stdout.log")})
	if err != nil {
		return nil, err
	}
	err = s.waitReady(ctx)
	if err == nil {
		return s, nil
	}
	_ = s.child.Stop(syscall.SIGKILL, 0)
	if strings.Contains(proc.LogTail(s.logPath, 50)+proc.LogTail(s.child.LogPath(), 50), "Address already in use") {
		return nil, fmt.Errorf("%w: %w", errPortTaken, err)
	}
	return nil, err
}

// freePortExcept is a free loopback port other than those given (each found free a moment ago
// and released since, so the kernel might hand one out again).
func freePortExcept(taken []int) (int, error) {
	for {
		p, err := proc.FreePort()
		if err != nil {
			return 0, err
		}
		dup := false
		for _, t := range taken {
			dup = dup || t == p
		}
		if !dup {
			return p, nil
		}
	}
}

// writeClickHouseConfig copies the system configuration folder (config.xml, users.xml, their .d
// folders) into dir/etc and adds config.d/zz-stacklab-embedded.xml, which moves every path and
// port; it returns the copy of config.xml.
func writeClickHouseConfig(dir, logPath string, ports []int) (string, error) {
	sysDir := filepath.Dir(ClickHouseSystemConfig)
	etc := filepath.Join(dir, "etc")
	for _, sub := range []string{"", "config.d", "users.d", "conf.d"} {
		ents, err := os.ReadDir(filepath.Join(sysDir, sub))
		if err != nil {
			if sub != "" && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return "", fmt.Errorf("reading the system configuration: %w", err)
		}
		if err := os.MkdirAll(filepath.Join(etc, sub), 0o755); err != nil {
			return "", fmt.Errorf("copying the configuration: %w", err)
		}
		for _, e := range ents {
			if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			data, err := os.ReadFile(filepath.Join(sysDir, sub, e.Name()))
			if err != nil {
				if sub == "" && filepath.Join(sysDir, e.Name()) != ClickHouseSystemConfig {
					continue // a file the lab does not need (a key readable by the server's user only)
				}
				return "", fmt.Errorf("copying the configuration: %w", err)
			}
			if err := os.WriteFile(filepath.Join(etc, sub, e.Name()), data, 0o644); err != nil {
				return "", fmt.Errorf("copying the configuration: %w", err)
			}
		}
	}
	root, err := xmlRoot(ClickHouseSystemConfig)
	if err != nil {
		return "", err
	}
	in := func(sub string) string { return filepath.Join(dir, sub) + "/" }
	settings := [][2]string{
		{"path", dir + "/"},
		{"tmp_path", in("tmp")},
		{"user_files_path", in("user_files")},
		{"format_schema_path", in("format_schemas")},
		{"tcp_port", strconv.Itoa(ports[0])},
		{"http_port", strconv.Itoa(ports[1])},
		// Ports the system configuration may open that the lab never uses: moved to free ones
		// so they cannot collide with a system server. Current releases also open MySQL and
		// PostgreSQL protocol ports; 18.16 ignores those keys.
		{"interserver_http_port", strconv.Itoa(ports[2])},
		{"mysql_port", strconv.Itoa(ports[3])},
		{"postgresql_port", strconv.Itoa(ports[4])},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\"?>\n<!-- written by stacklab for an embedded server -->\n<%s>\n", root)
	for _, kv := range settings {
		fmt.Fprintf(&b, "    <%s>%s</%s>\n", kv[0], xmlText(kv[1]), kv[0])
	}
	fmt.Fprintf(&b, "    <logger>\n        <level>information</level>\n        <log>%s</log>\n        <errorlog>%s</errorlog>\n    </logger>\n",
		xmlText(logPath), xmlText(filepath.Join(filepath.Dir(logPath), "clickhouse-server.err.log")))
	// Current releases keep users and grants made by SQL in a folder of their own.
	fmt.Fprintf(&b, "    <user_directories>\n        <local_directory>\n            <path>%s</path>\n        </local_directory>\n    </user_directories>\n", xmlText(in("access")))
	fmt.Fprintf(&b, "</%s>\n", root)
	if err := os.MkdirAll(filepath.Join(etc, "config.d"), 0o755); err != nil {
		return "", fmt.Errorf("writing the configuration: %w", err)
	}
	if err := os.WriteFile(filepath.Join(etc, "config.d", "zz-stacklab-embedded.xml"), []byte(b.String()), 0o644); err != nil {
		return "", fmt.Errorf("writing the configuration: %w", err)
	}
	return filepath.Join(etc, filepath.Base(ClickHouseSystemConfig)), nil
}

// xmlRoot reads the name of the XML file's root element (<yandex> in 18.16, <clickhouse> in
// current releases); an override file must use the same.
func xmlRoot(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading the system configuration: %w", err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	for {
		tok, err := d.Token()
		if err != nil {
			return "", fmt.Errorf("reading the system configuration %s: no root element: %w", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local, nil
		}
	}
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// waitReady polls until the server answers SELECT version(), the process exits or ctx ends.
func (s *ClickHouseServer) waitReady(ctx context.Context) error {
	var last error
	for {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		s.version, last = clickhouse.Ping(qctx, clickhouse.Config{Addr: s.addr})
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-s.child.Exited():
			return s.failure(fmt.Errorf("exited while starting (%v); last attempt: %w", s.child.WaitErr(), last))
		case <-ctx.Done():
			return s.failure(fmt.Errorf("did not answer a query in time (%v); last attempt: %w", ctx.Err(), last))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// failure wraps err with the command line, the tail of the server's output and of its own log.
func (s *ClickHouseServer) failure(err error) error {
	return fmt.Errorf("%w\n--- last lines of %s ---\n%s", s.child.Failure(err), s.logPath, proc.LogTail(s.logPath, 20))
}

// Addr is the server's native protocol address (host:port), for clickhouse.Config.Addr.
func (s *ClickHouseServer) Addr() string { return s.addr }

// HTTPAddr is the server's HTTP interface address (host:port).
func (s *ClickHouseServer) HTTPAddr() string { return s.httpAddr }

// URL is the server's address as CLICKHOUSE_URL takes it (clickhouse.ParseURL).
func (s *ClickHouseServer) URL() string { return "clickhouse://" + s.addr }

// Version is the server's version (e.g. "18.16.1").
func (s *ClickHouseServer) Version() string { return s.version }

// Dir is the server's folder.
func (s *ClickHouseServer) Dir() string { return s.dir }

// LogPath is the server's log file.
func (s *ClickHouseServer) LogPath() string { return s.logPath }

// Command is the command line that started the server.
func (s *ClickHouseServer) Command() string { return s.child.Line() }

// PIDs are the server's live processes (the server and any children), the server first.
func (s *ClickHouseServer) PIDs() []int {
	pids, _ := proc.Tree(s.child.PID())
	return pids
}

// Config is a sink configuration for this server (database "" is the sink's default). It is a
// scratch server (clickhouse.Config.Scratch): sinks on it keep no published markers in the spool.
func (s *ClickHouseServer) Config(database string) clickhouse.Config {
	return clickhouse.Config{Addr: s.addr, Database: database, Scratch: true}
}

// Close stops the server (SIGTERM, then SIGKILL to its process group after 20 s) and removes its
// folder. Calling it again returns the first result.
func (s *ClickHouseServer) Close() error {
	s.closeOnce.Do(func() {
		err := s.child.Stop(syscall.SIGTERM, 20*time.Second)
		if rmErr := os.RemoveAll(s.dir); rmErr != nil {
			err = errors.Join(err, fmt.Errorf("embedded clickhouse: removing %s: %w", s.dir, rmErr))
		}
		s.closeErr = err
	})
	return s.closeErr
}
