package clickhouse

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
)

// SystemConfig is the server configuration the embedded server starts from (Debian's, and the
// official packages'); every path and port in it is overridden on the command line.
const SystemConfig = "/etc/clickhouse-server/config.xml"

// EmbeddedStartTimeout bounds how long StartEmbedded waits for the server to answer a query.
const EmbeddedStartTimeout = 60 * time.Second

// binaryCandidates are where clickhouse-server is looked for after PATH (Debian puts it in
// /usr/sbin, which a user's PATH may lack).
var binaryCandidates = []string{"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"}

// serverBinary finds the clickhouse-server executable.
func serverBinary() (string, error) {
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil
	}
	for _, p := range binaryCandidates {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("no clickhouse-server on PATH or in %s (Debian: apt-get install clickhouse-server)", strings.Join(binaryCandidates, ", "))
}

// Installed reports whether StartEmbedded can run: a clickhouse-server binary and its system
// configuration are installed.
func Installed() bool {
	if _, err := serverBinary(); err != nil {
		return false
	}
	_, err := os.Stat(SystemConfig)
	return err == nil
}

// Server is a ClickHouse server this package started, living in a folder of its own.
type Server struct {
	dir      string
	line     string // the command line, for messages
	logPath  string // the server's log
	outPath  string // its standard output and error
	addr     string // native protocol, host:port
	httpAddr string
	version  string

	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has been waited for
	waitErr error

	closeOnce sync.Once
	closeErr  error
}

// StartEmbedded starts clickhouse-server in a new folder made inside dir (the system's temporary
// folder when dir is ""), listening on free loopback ports, and waits (at most
// EmbeddedStartTimeout, or less when ctx ends first) until it answers a query. Everything the
// server writes stays in its folder; Close stops it and removes the folder. The server runs in its
// own process group with SIGKILL as its parent-death signal, so it never outlives this process.
func StartEmbedded(ctx context.Context, dir string) (*Server, error) {
	bin, err := serverBinary()
	if err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	if _, err := os.Stat(SystemConfig); err != nil {
		return nil, fmt.Errorf("embedded clickhouse: its configuration: %w", err)
	}
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	srvDir, err := os.MkdirTemp(dir, "stacklab-clickhouse-")
	if err != nil {
		return nil, fmt.Errorf("embedded clickhouse: making its folder: %w", err)
	}
	if srvDir, err = filepath.Abs(srvDir); err != nil {
		_ = os.RemoveAll(srvDir)
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, EmbeddedStartTimeout)
	defer cancel()
	const attempts = 3 // a port found free may be taken before the server binds it
	for attempt := 1; ; attempt++ {
		s, err := startServer(ctx, bin, srvDir)
		if err == nil {
			return s, nil
		}
		if attempt < attempts && errors.Is(err, errPortTaken) && ctx.Err() == nil {
			continue
		}
		_ = os.RemoveAll(srvDir)
		return nil, err
	}
}

var errPortTaken = errors.New("a port was taken")

// startServer makes one attempt; on failure the process is gone and the folder remains.
func startServer(ctx context.Context, bin, dir string) (*Server, error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	logDir := filepath.Join(dir, "log")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	s := &Server{
		dir:      dir,
		logPath:  filepath.Join(logDir, "clickhouse-server.log"),
		outPath:  filepath.Join(logDir, "stdout.log"),
		addr:     net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		httpAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])),
		exited:   make(chan struct{}),
	}
	configFile, err := writeConfig(dir, s.logPath, ports)
	if err != nil {
		return nil, fmt.Errorf("embedded clickhouse: %w", err)
	}
	args := []string{"--config-file=" + configFile}
	s.line = bin + " " + strings.Join(args, " ")
	out, err := os.OpenFile(s.outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("embedded clickhouse: opening its output file: %w", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = []string{"LANG=C", "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := startLocked(cmd); err != nil {
		out.Close()
		return nil, fmt.Errorf("embedded clickhouse: starting `%s`: %w", s.line, err)
	}
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		out.Close()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.kill()
		<-s.exited
		if strings.Contains(tail(s.logPath, 50)+tail(s.outPath, 50), "Address already in use") {
			return nil, fmt.Errorf("%w: %w", errPortTaken, err)
		}
		return nil, err
	}
	return s, nil
}

// writeConfig copies the system configuration folder (config.xml, users.xml, their .d folders)
// into dir/etc and adds config.d/zz-stacklab-embedded.xml, which moves every path and port. The
// server is started on the copy, not on the system file with command-line overrides: the server
// saves its preprocessed configuration under the <path> of the file it reads, before any
// override applies, so the system file would make it write to /var/lib/clickhouse.
func writeConfig(dir, logPath string, ports []int) (string, error) {
	sysDir := filepath.Dir(SystemConfig)
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
				if sub == "" && filepath.Join(sysDir, e.Name()) != SystemConfig {
					continue // a file the lab does not need (a key readable by the server's user only)
				}
				return "", fmt.Errorf("copying the configuration: %w", err)
			}
			if err := os.WriteFile(filepath.Join(etc, sub, e.Name()), data, 0o644); err != nil {
				return "", fmt.Errorf("copying the configuration: %w", err)
			}
		}
	}
	root, err := rootElement(SystemConfig)
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
	return filepath.Join(etc, filepath.Base(SystemConfig)), nil
}

// rootElement reads the name of the XML file's root element (<yandex> in 18.16, <clickhouse> in
// current releases); an override file must use the same.
func rootElement(path string) (string, error) {
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
func (s *Server) waitReady(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		select {
		case <-s.exited:
			return s.failure(fmt.Errorf("exited while starting: %v", s.waitErr))
		default:
		}
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := dial(qctx, Config{Addr: s.addr, User: DefaultUser})
		if err == nil {
			s.version, err = queryString(qctx, conn, "SELECT version()")
			conn.Close()
		}
		cancel()
		if err == nil {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return s.failure(fmt.Errorf("did not answer a query in time (%v); last attempt: %v", ctx.Err(), last))
		case <-s.exited:
		case <-tick.C:
		}
	}
}

// failure wraps err with the command line and the tails of the server's log and output.
func (s *Server) failure(err error) error {
	return fmt.Errorf("embedded clickhouse: `%s` %w\n--- last lines of %s ---\n%s\n--- last lines of %s ---\n%s",
		s.line, err, s.logPath, tail(s.logPath, 20), s.outPath, tail(s.outPath, 10))
}

// kill sends SIGKILL to the server's process group.
func (s *Server) kill() { _ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) }

// Addr is the server's native protocol address (host:port), for Config.Addr.
func (s *Server) Addr() string { return s.addr }

// HTTPAddr is the server's HTTP interface address (host:port).
func (s *Server) HTTPAddr() string { return s.httpAddr }

// Version is the server's version (e.g. "18.16.1").
func (s *Server) Version() string { return s.version }

// Dir is the server's folder.
func (s *Server) Dir() string { return s.dir }

// LogPath is the server's log file.
func (s *Server) LogPath() string { return s.logPath }

// PIDs are the server's live processes (the server and any children), the server first.
func (s *Server) PIDs() []int { return processTree(s.cmd.Process.Pid) }

// Config is a sink configuration for this server (database "" is DefaultDatabase). Sinks
// opened with it keep no published markers in the spool (see Sink.Name).
func (s *Server) Config(database string) Config {
	return Config{Addr: s.addr, Database: database, scratch: true}
}

// Close stops the server (SIGTERM, then SIGKILL to its process group after 20 s) and removes its
// folder. Calling it again returns the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(20 * time.Second):
				s.kill()
				select {
				case <-s.exited:
				case <-time.After(5 * time.Second):
					errs = append(errs, fmt.Errorf("embedded clickhouse (pid %d): still running 5 s after SIGKILL", s.cmd.Process.Pid))
				}
			}
		}
		s.kill() // anything left in the group; ESRCH when nothing is
		if err := os.RemoveAll(s.dir); err != nil {
			errs = append(errs, fmt.Errorf("embedded clickhouse: removing %s: %w", s.dir, err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
