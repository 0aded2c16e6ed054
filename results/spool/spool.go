package spool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"stacklab/results"
)

const (
	runExt       = ".json"
	markerPrefix = ".published-"
	maxNameLen   = 200
)

// ErrEmpty is returned by Latest when the spool holds no readable run.
var ErrEmpty = errors.New("the spool holds no run")

// ErrConflict is returned by Write when the spool already holds a different run with the same id.
var ErrConflict = errors.New("the spool already holds a different run with this id")

// Spool is a folder of runs. Its methods may be called from several goroutines and processes.
type Spool struct {
	dir string
}

// Entry is one run file of the spool as List sees it.
type Entry struct {
	ID      string
	Path    string
	Started time.Time
	// PlanName is the run's plan name, for listings.
	PlanName string
	// Published lists the sinks the run is marked as published to, sorted.
	Published []string
	// Err is set when the file cannot be read as a run (corrupt, another schema, a newer version);
	// ID is then the file's name without its extension and Started is zero.
	Err error
}

// IsPublished reports whether the entry is marked as published to sink.
func (e *Entry) IsPublished(sink string) bool {
	for _, s := range e.Published {
		if s == sink {
			return true
		}
	}
	return false
}

// Open opens the spool folder dir, creating it when it does not exist.
func Open(dir string) (*Spool, error) {
	if dir == "" {
		return nil, fmt.Errorf("opening the spool: no folder given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("opening the spool: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the spool: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("opening the spool: %s is not a folder", dir)
	}
	return &Spool{dir: dir}, nil
}

// Dir is the spool's folder.
func (s *Spool) Dir() string { return s.dir }

// Path is where the run with this id is (or would be) kept.
func (s *Spool) Path(id string) string { return filepath.Join(s.dir, id+runExt) }

// Write checks the run (results.Run.Check) and stores it as <id>.json, atomically. Writing a run
// the spool already holds with the same content succeeds and changes nothing; a different run with
// the same id is refused with an error wrapping ErrConflict.
func (s *Spool) Write(run *results.Run) (path string, err error) {
	if run == nil {
		return "", fmt.Errorf("spool: writing a nil run")
	}
	if err := run.Check(); err != nil {
		return "", fmt.Errorf("spool: refusing to write: %w", err)
	}
	if err := checkName("run id", run.ID); err != nil {
		return "", fmt.Errorf("spool: refusing to write run %q: %w", run.ID, err)
	}
	data, err := encode(run)
	if err != nil {
		return "", fmt.Errorf("spool: encoding run %q: %w", run.ID, err)
	}
	path = s.Path(run.ID)
	tmp, err := s.writeTemp(run.ID+runExt, data)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp) // the link below keeps the content under its final name
	// A hard link creates the name only when it is free: the no-overwrite check and the creation
	// are one step.
	if err := os.Link(tmp, path); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("spool: storing run %q: %w", run.ID, err)
		}
		same, cerr := sameRun(path, data)
		if cerr != nil {
			return "", fmt.Errorf("spool: run %q is already spooled and cannot be compared: %w", run.ID, cerr)
		}
		if !same {
			return "", fmt.Errorf("spool: writing run %q to %s: %w", run.ID, path, ErrConflict)
		}
		return path, nil
	}
	if err := syncDir(s.dir); err != nil {
		return "", fmt.Errorf("spool: storing run %q: %w", run.ID, err)
	}
	return path, nil
}

// encode is the spool's JSON form of a run.
func encode(run *results.Run) ([]byte, error) {
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// sameRun reports whether the run file at path holds the run encoded as data: the same bytes,
// or the same run once decoded and encoded again (a file written with other formatting).
func sameRun(path string, data []byte) (bool, error) {
	old, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	if bytes.Equal(old, data) {
		return true, nil
	}
	var run results.Run
	if err := json.Unmarshal(old, &run); err != nil {
		return false, nil // the file there is not even a run: certainly not this one
	}
	again, err := encode(&run)
	if err != nil {
		return false, fmt.Errorf("encoding %s again: %w", path, err)
	}
	return bytes.Equal(again, data), nil
}

// writeTemp writes data to a new temporary file in the spool folder, synced, and returns its path.
func (s *Spool) writeTemp(name string, data []byte) (string, error) {
	f, err := os.CreateTemp(s.dir, "."+name+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("spool: creating a temporary file for %s: %w", name, err)
	}
	tmp := f.Name()
	fail := func(step string, err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", fmt.Errorf("spool: %s %s: %w", step, tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail("writing", err)
	}
	if err := f.Sync(); err != nil {
		return fail("syncing", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail("setting the mode of", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("spool: closing %s: %w", tmp, err)
	}
	return tmp, nil
}

// syncDir makes the folder's entries (a new or renamed file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening folder %s to sync it: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	return nil
}

// header is the part of a run file List needs.
type header struct {
	Schema        string    `json:"schema"`
	SchemaVersion int       `json:"schema_version"`
	ID            string    `json:"id"`
	Started       time.Time `json:"started"`
	PlanName      string    `json:"plan_name"`
}

// List returns the spool's runs, oldest first (by start time, then id). A file that cannot be read
// as a run is listed with Err set; the error List returns is about the folder itself.
func (s *Spool) List() ([]Entry, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("spool: listing %s: %w", s.dir, err)
	}
	markers := map[string][]string{} // run id → sinks
	var runs []string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") || e.IsDir() {
			continue
		}
		if id, sink, ok := strings.Cut(name, markerPrefix); ok {
			markers[id] = append(markers[id], sink)
			continue
		}
		if strings.HasSuffix(name, runExt) {
			runs = append(runs, name)
		}
	}
	list := make([]Entry, 0, len(runs))
	for _, name := range runs {
		id := strings.TrimSuffix(name, runExt)
		path := filepath.Join(s.dir, name)
		e := Entry{ID: id, Path: path}
		h, err := readHeader(path)
		switch {
		case err != nil:
			e.Err = err
		case h.ID != id:
			e.Err = fmt.Errorf("spool: %s holds run %q, not %q", path, h.ID, id)
		default:
			e.Started, e.PlanName = h.Started, h.PlanName
		}
		e.Published = markers[id]
		sort.Strings(e.Published)
		list = append(list, e)
	}
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].Started.Equal(list[j].Started) {
			return list[i].Started.Before(list[j].Started)
		}
		return list[i].ID < list[j].ID
	})
	return list, nil
}

// readHeader reads a run file's schema, id, start and plan name, refusing other schemas and newer
// versions.
func readHeader(path string) (*header, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spool: reading %s: %w", path, err)
	}
	return decodeHeader(path, data)
}

func decodeHeader(path string, data []byte) (*header, error) {
	var h header
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, notARun(path, err)
	}
	if h.Schema != results.Schema {
		return nil, fmt.Errorf("spool: %s is not a run file: schema %q, want %q", path, h.Schema, results.Schema)
	}
	if h.SchemaVersion > results.SchemaVersion {
		return nil, fmt.Errorf("spool: %s was written by a newer version of the record model (schema version %d; this program reads up to %d)", path, h.SchemaVersion, results.SchemaVersion)
	}
	if h.SchemaVersion < 1 {
		return nil, fmt.Errorf("spool: %s: invalid schema version %d", path, h.SchemaVersion)
	}
	return &h, nil
}

// notARun describes a JSON decoding failure of the file at path, with the offset when known.
func notARun(path string, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("spool: %s is not a valid run file (corrupt JSON at byte %d): %w", path, syn.Offset, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("spool: %s is not a valid run file (field %q at byte %d): %w", path, typ.Field, typ.Offset, err)
	}
	return fmt.Errorf("spool: %s is not a valid run file: %w", path, err)
}

// Load reads a run by id (a run of this spool) or by path (any run file, e.g. one copied from
// another machine; an argument holding a '/' or ending in ".json" is a path). It refuses files of another schema or a newer version, and runs that fail
// results.Run.Check.
func (s *Spool) Load(idOrPath string) (*results.Run, error) {
	path, wantID := idOrPath, ""
	if !strings.ContainsRune(idOrPath, filepath.Separator) && !strings.HasSuffix(idOrPath, runExt) {
		if err := checkName("run id", idOrPath); err != nil {
			return nil, fmt.Errorf("spool: loading %q: %w", idOrPath, err)
		}
		path, wantID = s.Path(idOrPath), idOrPath
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if wantID != "" && errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("spool: no run %q in %s: %w", wantID, s.dir, err)
		}
		return nil, fmt.Errorf("spool: reading %s: %w", path, err)
	}
	return decodeRun(path, wantID, data)
}

// LoadFile reads the run file at path; see Spool.Load.
func LoadFile(path string) (*results.Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spool: reading %s: %w", path, err)
	}
	return decodeRun(path, "", data)
}

func decodeRun(path, wantID string, data []byte) (*results.Run, error) {
	if _, err := decodeHeader(path, data); err != nil {
		return nil, err
	}
	var run results.Run
	if err := json.Unmarshal(data, &run); err != nil {
		return nil, notARun(path, err)
	}
	if wantID != "" && run.ID != wantID {
		return nil, fmt.Errorf("spool: %s holds run %q, not %q", path, run.ID, wantID)
	}
	if err := run.Check(); err != nil {
		return nil, fmt.Errorf("spool: %s: %w", path, err)
	}
	return &run, nil
}

// Latest loads the run that started last. Files that cannot be read are passed over (List shows
// them); ErrEmpty is returned when no readable run is left.
func (s *Spool) Latest() (*results.Run, error) {
	list, err := s.List()
	if err != nil {
		return nil, err
	}
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Err == nil {
			return s.Load(list[i].ID)
		}
	}
	return nil, fmt.Errorf("spool %s: %w", s.dir, ErrEmpty)
}

// markerPath is the marker of run id published to sink.
func (s *Spool) markerPath(id, sink string) string {
	return filepath.Join(s.dir, id+markerPrefix+sink)
}

// MarkPublished records that the spooled run id is in sink (a name as made by SinkName).
// Marking twice is not an error.
func (s *Spool) MarkPublished(id, sink string) error {
	if err := checkName("run id", id); err != nil {
		return fmt.Errorf("spool: marking %q: %w", id, err)
	}
	if err := checkName("sink name", sink); err != nil {
		return fmt.Errorf("spool: marking %q published: %w", id, err)
	}
	if _, err := os.Stat(s.Path(id)); err != nil {
		return fmt.Errorf("spool: marking %q published to %s: the run is not in the spool: %w", id, sink, err)
	}
	content := fmt.Sprintf("published %s to %s\n", time.Now().UTC().Format(time.RFC3339Nano), sink)
	tmp, err := s.writeTemp(id+markerPrefix+sink, []byte(content))
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, s.markerPath(id, sink)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool: marking %q published to %s: %w", id, sink, err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("spool: marking %q published to %s: %w", id, sink, err)
	}
	return nil
}

// Published reports whether the run id is marked as published to sink.
func (s *Spool) Published(id, sink string) (bool, error) {
	if err := checkName("run id", id); err != nil {
		return false, fmt.Errorf("spool: %w", err)
	}
	if err := checkName("sink name", sink); err != nil {
		return false, fmt.Errorf("spool: %w", err)
	}
	_, err := os.Stat(s.markerPath(id, sink))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("spool: checking whether %q is published to %s: %w", id, sink, err)
	}
}

// checkName accepts what can be a file name (or part of one) in the spool: letters, digits, '.',
// '_' and '-', not starting with '.', not holding the marker separator.
func checkName(what, name string) error {
	if name == "" {
		return fmt.Errorf("empty %s", what)
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("%s %.20q… is longer than %d bytes", what, name, maxNameLen)
	}
	if name[0] == '.' {
		return fmt.Errorf("%s %q starts with '.'", what, name)
	}
	for _, c := range name {
		if !nameChar(c) {
			return fmt.Errorf("%s %q holds %q (allowed: letters, digits, '.', '_', '-')", what, name, c)
		}
	}
	if strings.Contains(name, markerPrefix) {
		return fmt.Errorf("%s %q holds %q", what, name, markerPrefix)
	}
	return nil
}

func nameChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// SinkName turns a description of a destination (such as "clickhouse 127.0.0.1:9000/stacklab")
// into a name MarkPublished accepts: every other character becomes '_'.
func SinkName(desc string) string {
	b := []rune(desc)
	for i, c := range b {
		if !nameChar(c) {
			b[i] = '_'
		}
	}
	name := strings.TrimLeft(string(b), ".")
	name = strings.ReplaceAll(name, markerPrefix, "_published-")
	if name == "" {
		name = "sink"
	}
	if len(name) > maxNameLen {
		name = name[:maxNameLen]
	}
	return name
}
