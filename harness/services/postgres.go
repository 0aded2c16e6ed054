package services

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"stacklab/harness/proc"
)

// StandardPostgresURL is the PostgreSQL Start looks for when none is configured.
const StandardPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// postgresSettings are the embedded server's settings: durable like a real database (fsync on, a
// benchmark measures a real database), sized small, reachable on loopback TCP only.
var postgresSettings = []string{
	"listen_addresses=127.0.0.1",
	"fsync=on",
	"synchronous_commit=on",
	"full_page_writes=on",
	"shared_buffers=128MB",
	"max_connections=200",
	"huge_pages=off",
	"logging_collector=off",
	"log_min_messages=warning",
	"TimeZone=UTC",
	"log_timezone=UTC",
}

// probePostgres connects to dsn within timeout and reads the server's version and, for a server
// on this machine, its processes.
func probePostgres(ctx context.Context, dsn string, timeout time.Duration) (version string, pids []int, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("parsing the PostgreSQL URL: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", nil, fmt.Errorf("connecting to PostgreSQL at %s: %w", redactURL(dsn), err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		return "", nil, fmt.Errorf("reading the PostgreSQL version at %s: %w", redactURL(dsn), err)
	}
	if !localHost(cfg.Host) {
		return version, nil, nil
	}
	// The postmaster's PID is the first line of postmaster.pid in the data directory (readable
	// when the server runs on this machine and we are its owner or root).
	mainPID, self := 0, 0
	_ = conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&self)
	var dataDir string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&dataDir); err == nil {
		if b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			mainPID, _ = strconv.Atoi(strings.TrimSpace(first))
		}
	}
	pids, err = serverPIDs(mainPID, "postgres")
	if err != nil {
		return "", nil, err
	}
	// Leave out the backend serving this probe: it ends with the probe.
	pids = slices.DeleteFunc(pids, func(pid int) bool { return pid == self })
	return version, pids, nil
}

// embeddedPostgres is a PostgreSQL server started from the installed binaries.
type embeddedPostgres struct {
	server *proc.Child
	dir    string
	url    string
}

// postgresBinDir finds the folder holding initdb and postgres: the newest of
// /usr/lib/postgresql/*/bin, else the one on PATH.
func postgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(d string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return major(b) - major(a) })
	if p, err := lookPathDir("postgres"); err == nil {
		dirs = append(dirs, p)
	}
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL binaries (initdb and postgres) in /usr/lib/postgresql/*/bin or on PATH")
}

// postgresCredential is the user the server runs as: PostgreSQL refuses to run as root, so a root
// process runs it as the postgres user; anyone else runs it as themselves (nil).
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no postgres user to run it as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("reading the postgres user's ids: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// startPostgres creates a cluster in a new folder under parent and starts a server on a free
// loopback port; extra settings (name=value) come after the defaults.
func startPostgres(ctx context.Context, parent string, extra ...string) (*embeddedPostgres, error) {
	bin, err := postgresBinDir()
	if err != nil {
		return nil, fmt.Errorf("embedded postgres: %w", err)
	}
	cred, err := postgresCredential()
	if err != nil {
		return nil, fmt.Errorf("embedded postgres: %w", err)
	}
	if cred != nil {
		if err := reachableBy(parent, cred); err != nil {
			return nil, fmt.Errorf("embedded postgres: the server runs as the postgres user, who cannot reach %s: %w", parent, err)
		}
	}
	dir, err := os.MkdirTemp(parent, "stacklab-postgres-")
	if err != nil {
		return nil, fmt.Errorf("embedded postgres: making its folder: %w", err)
	}
	pg, err := startPostgresIn(ctx, bin, dir, cred, extra)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return pg, nil
}

func startPostgresIn(ctx context.Context, bin, dir string, cred *syscall.Credential, extra []string) (*embeddedPostgres, error) {
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("embedded postgres: giving %s to the postgres user: %w", dir, err)
		}
	}
	data := filepath.Join(dir, "data")
	// --no-sync only skips flushing the freshly created files: the server itself runs with fsync on.
	err := proc.Run(proc.Options{Service: "embedded postgres (initdb)", Path: filepath.Join(bin, "initdb"),
		Args: []string{"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
		Dir:  dir, LogPath: filepath.Join(dir, "initdb.log"), Credential: cred}, readyTimeout)
	if err != nil {
		return nil, err
	}
	// A free port can be taken between the probe and the bind: try another one then.
	for attempt := 1; ; attempt++ {
		port, err := proc.FreePort()
		if err != nil {
			return nil, fmt.Errorf("embedded postgres: %w", err)
		}
		args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", dir}
		for _, s := range append(slices.Clone(postgresSettings), extra...) {
			args = append(args, "-c", s)
		}
		server, err := proc.Start(proc.Options{Service: "embedded postgres", Path: filepath.Join(bin, "postgres"), Args: args,
			Dir: dir, LogPath: filepath.Join(dir, "postgres.log"), Credential: cred})
		if err != nil {
			return nil, err
		}
		pg := &embeddedPostgres{server: server, dir: dir,
			url: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)}
		err = waitReady(ctx, server, func(ctx context.Context) error {
			_, _, err := probePostgres(ctx, pg.url, time.Second)
			return err
		})
		if err == nil {
			return pg, nil
		}
		_ = server.Stop(syscall.SIGINT, 5*time.Second)
		if attempt == 3 || !strings.Contains(proc.LogTail(server.LogPath(), 20), "already in use") {
			return nil, err
		}
	}
}

// close stops the server with a fast shutdown and removes its folder.
func (p *embeddedPostgres) close() error {
	err := p.server.Stop(syscall.SIGINT, 15*time.Second)
	if rmErr := os.RemoveAll(p.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("removing %s: %w", p.dir, rmErr))
	}
	return err
}

// localHost reports whether host (from a DSN or URL) is this machine.
func localHost(host string) bool {
	if strings.HasPrefix(host, "/") || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var keywordPassword = regexp.MustCompile(`(^|\s)password\s*=\s*('(\\.|[^'])*'|\S+)`)

// redactURL hides a password in a URL or keyword/value DSN, for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.User != nil {
		return u.Redacted()
	}
	return keywordPassword.ReplaceAllString(s, "${1}password=xxxxx")
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// reachableBy checks that the user of cred may search dir and every folder above it.
func reachableBy(dir string, cred *syscall.Credential) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("resolving %s: %w", dir, err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("reading %s: %w", d, err)
		}
		mode := st.Mode().Perm()
		sys, ok := st.Sys().(*syscall.Stat_t)
		searchable := mode&0o001 != 0 ||
			(ok && sys.Uid == cred.Uid && mode&0o100 != 0) ||
			(ok && sys.Gid == cred.Gid && mode&0o010 != 0)
		if !searchable {
			return fmt.Errorf("%s (mode %v) is not searchable by uid %d; choose a folder such as %s", d, mode, cred.Uid, os.TempDir())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}
