package spool_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stacklab/results"
	"stacklab/results/spool"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// testRun is a small consistent run: two stacks, one record each, started at t0 plus offset.
func testRun(id string, offset time.Duration) *results.Run {
	run := results.NewRun(id, t0.Add(offset))
	run.Finished = run.Started.Add(time.Minute)
	run.PlanName = "quick"
	run.Plan = json.RawMessage(`{"name":"quick","rounds":2,"workloads":["transfer@1000"]}`)
	run.Env = results.Env{Hostname: "lab", CPUModel: "Test CPU", Cores: 2, Kernel: "6.18", GoVersion: "go1.26.8",
		GOMAXPROCS: 1, GitCommit: "deadbeef", Services: map[string]string{"postgres": "PostgreSQL 15.20 (standard-port)"}}
	for _, name := range []string{"http=nethttp/store=sqlc/json=std/redis=goredis", "http=fiber/store=sqlc/json=sonic/redis=rueidis"} {
		d := results.MustParseDims(name)
		run.Stacks = append(run.Stacks, results.StackInfo{Name: name, Dims: d, Conformance: results.Conformance{Ran: true, Passed: 70}})
		run.Records = append(run.Records, results.Record{RunID: id, Stack: name, Dims: d, Workload: "transfer@1000",
			WorkloadKind: "transfer", Op: "all", Mode: "open", RequestedRate: 1000, Started: run.Started.Add(time.Second),
			Seconds: 10, Requests: 10000, Rate: 1000, Corrected: results.Latency{Count: 10000, P50: 1e6, P99: 4e6},
			ByClass: map[string]int64{"timeout": 2}, Valid: true, Conformant: true})
	}
	return run
}

func openSpool(t *testing.T) *spool.Spool {
	t.Helper()
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func mustWrite(t *testing.T, sp *spool.Spool, run *results.Run) string {
	t.Helper()
	path, err := sp.Write(run)
	if err != nil {
		t.Fatalf("Write(%s): %v", run.ID, err)
	}
	return path
}

// jsonOf is the run's JSON, the form compared across a round trip.
func jsonOf(t *testing.T, run *results.Run) string {
	t.Helper()
	b, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteLoadRoundTrip(t *testing.T) {
	sp := openSpool(t)
	run := testRun("20261124T100000Z-aaaaaa", 0)
	path := mustWrite(t, sp, run)
	if want := filepath.Join(sp.Dir(), run.ID+".json"); path != want {
		t.Errorf("path = %s, want %s", path, want)
	}
	for _, ref := range []string{run.ID, path} {
		got, err := sp.Load(ref)
		if err != nil {
			t.Fatalf("Load(%s): %v", ref, err)
		}
		if jsonOf(t, got) != jsonOf(t, run) {
			t.Errorf("Load(%s) differs from what was written:\n got %s\nwant %s", ref, jsonOf(t, got), jsonOf(t, run))
		}
		if !got.Started.Equal(run.Started) || got.Records[1].ByClass["timeout"] != 2 {
			t.Errorf("Load(%s): started %v, by class %v", ref, got.Started, got.Records[1].ByClass)
		}
	}
	got, err := spool.LoadFile(path)
	if err != nil || got.ID != run.ID {
		t.Fatalf("LoadFile = %v, %v", got, err)
	}
	// Nothing but the run file is left in the folder.
	ents, err := os.ReadDir(sp.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != run.ID+".json" {
		t.Errorf("folder holds %v, want only the run file", ents)
	}
}

func TestWriteSameRunTwice(t *testing.T) {
	sp := openSpool(t)
	run := testRun("r1", 0)
	first := mustWrite(t, sp, run)
	before, _ := os.ReadFile(first)
	second, err := sp.Write(testRun("r1", 0))
	if err != nil || second != first {
		t.Fatalf("writing the same run again = %q, %v; want %q, nil", second, err, first)
	}
	// A file with other formatting but the same run counts as the same run.
	var compact bytes.Buffer
	if err := json.Compact(&compact, before); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(first, compact.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Write(run); err != nil {
		t.Errorf("writing over a compact copy of the same run: %v", err)
	}
}

func TestWriteRefuses(t *testing.T) {
	other := testRun("r1", 0)
	other.Records[0].Requests++
	tests := []struct {
		name    string
		run     func() *results.Run
		wantErr string
		is      error
	}{
		{"different run, same id", func() *results.Run { return other }, "different run", spool.ErrConflict},
		{"record of another run", func() *results.Run { r := testRun("r2", 0); r.Records[0].RunID = "r9"; return r }, `belongs to run "r9"`, nil},
		{"record of an unlisted stack", func() *results.Run { r := testRun("r2", 0); r.Records[0].Stack = "x"; return r }, "does not list", nil},
		{"wrong schema", func() *results.Run { r := testRun("r2", 0); r.Schema = "other"; return r }, "schema", nil},
		{"newer version", func() *results.Run { r := testRun("r2", 0); r.SchemaVersion = results.SchemaVersion + 1; return r }, "schema version", nil},
		{"empty id", func() *results.Run { return reID(testRun("x", 0), "") }, "without an id", nil},
		{"id with a slash", func() *results.Run { return reID(testRun("x", 0), "a/escape") }, "holds '/'", nil},
		{"hidden id", func() *results.Run { return reID(testRun("x", 0), ".hidden") }, "starts with '.'", nil},
		{"id with a marker", func() *results.Run { return reID(testRun("x", 0), "a.published-b") }, ".published-", nil},
		{"nil run", func() *results.Run { return nil }, "nil run", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := openSpool(t)
			orig := mustWrite(t, sp, testRun("r1", 0))
			before, _ := os.ReadFile(orig)
			_, err := sp.Write(tt.run())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Write = %v, want an error containing %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			after, _ := os.ReadFile(orig)
			if !bytes.Equal(before, after) {
				t.Error("the spooled run changed")
			}
			ents, _ := os.ReadDir(sp.Dir())
			if len(ents) != 1 {
				t.Errorf("folder holds %d files after a refused write, want 1", len(ents))
			}
		})
	}
}

func reID(run *results.Run, id string) *results.Run {
	run.ID = id
	for i := range run.Records {
		run.Records[i].RunID = id
	}
	return run
}

// TestWriteRace has writers of different runs with one id race: exactly one wins, the others get
// ErrConflict, and the file holds the winner's run.
func TestWriteRace(t *testing.T) {
	sp := openSpool(t)
	const writers = 8
	runs := make([]*results.Run, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		runs[i] = testRun("race", time.Duration(i)*time.Second)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = sp.Write(runs[i])
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("writers %d and %d both succeeded", winner, i)
			}
			winner = i
		case !errors.Is(err, spool.ErrConflict):
			t.Errorf("writer %d: %v, want ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer succeeded")
	}
	got, err := sp.Load("race")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Started.Equal(runs[winner].Started) {
		t.Errorf("the file holds the run started at %v, the winner's started at %v", got.Started, runs[winner].Started)
	}
}

func TestLoadErrors(t *testing.T) {
	valid, err := json.Marshal(testRun("bad", 0))
	if err != nil {
		t.Fatal(err)
	}
	replace := func(old, new string) []byte {
		if !bytes.Contains(valid, []byte(old)) {
			t.Fatalf("fixture lacks %q", old)
		}
		return bytes.Replace(valid, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name    string
		content []byte
		want    []string
		header  bool // the header is fine: List, which reads only the header, sees no error
	}{
		{"truncated", valid[:len(valid)/2], []string{"not a valid run file", "corrupt JSON at byte"}, false},
		{"empty", nil, []string{"not a valid run file"}, false},
		{"not JSON", []byte("hello\n"), []string{"corrupt JSON at byte 1"}, false},
		{"other schema", replace(`"schema":"stacklab.results.run"`, `"schema":"someone.else"`), []string{`schema "someone.else"`}, false},
		{"no schema", []byte(`{"id":"bad"}`), []string{`schema ""`}, false},
		{"newer version", replace(`"schema_version":1`, `"schema_version":7`), []string{"newer version", "schema version 7", "reads up to 1"}, false},
		{"version zero", replace(`"schema_version":1`, `"schema_version":0`), []string{"invalid schema version 0"}, false},
		{"wrong type", replace(`"requests":10000`, `"requests":"many"`), []string{"not a valid run file", "records.requests"}, true},
		{"inconsistent", replace(`"run_id":"bad"`, `"run_id":"other"`), []string{`belongs to run "other"`}, true},
		{"another id", replace(`"id":"bad"`, `"id":"good"`), []string{`holds run "good", not "bad"`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := openSpool(t)
			path := filepath.Join(sp.Dir(), "bad.json")
			if err := os.WriteFile(path, tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := sp.Load("bad")
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			// List keeps going and reports the file.
			list, lerr := sp.List()
			if lerr != nil {
				t.Fatal(lerr)
			}
			if len(list) != 1 || list[0].ID != "bad" {
				t.Fatalf("List = %+v", list)
			}
			if (list[0].Err == nil) != tt.header {
				t.Errorf("List: entry error %v", list[0].Err)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	sp := openSpool(t)
	_, err := sp.Load("nope")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), `no run "nope"`) {
		t.Errorf("Load(nope) = %v", err)
	}
	_, err = sp.Load(filepath.Join(sp.Dir(), "elsewhere.json"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing path) = %v", err)
	}
}

func TestListLatestAndMarkers(t *testing.T) {
	sp := openSpool(t)
	if _, err := sp.Latest(); !errors.Is(err, spool.ErrEmpty) {
		t.Fatalf("Latest on an empty spool = %v, want ErrEmpty", err)
	}
	// Written out of order; ids do not sort like start times.
	mustWrite(t, sp, testRun("b-second", 2*time.Hour))
	mustWrite(t, sp, testRun("c-first", time.Hour))
	mustWrite(t, sp, testRun("a-third", 3*time.Hour))
	// Litter List must pass over: a temporary file, a marker of a run that is gone, a folder.
	for _, name := range []string{".a-third.json.tmp-123", "gone.published-x"} {
		if err := os.WriteFile(filepath.Join(sp.Dir(), name), []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(sp.Dir(), "sub.json"), 0o755); err != nil {
		t.Fatal(err)
	}

	for _, m := range []struct{ id, sink string }{{"c-first", "clickhouse-a"}, {"c-first", "clickhouse-b"}, {"a-third", "clickhouse-a"}, {"a-third", "clickhouse-a"}} {
		if err := sp.MarkPublished(m.id, m.sink); err != nil {
			t.Fatalf("MarkPublished(%s, %s): %v", m.id, m.sink, err)
		}
	}
	list, err := sp.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		if e.Err != nil {
			t.Errorf("%s: %v", e.ID, e.Err)
		}
		got = append(got, e.ID+":"+strings.Join(e.Published, ","))
	}
	want := []string{"c-first:clickhouse-a,clickhouse-b", "b-second:", "a-third:clickhouse-a"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("List = %v, want %v", got, want)
	}
	if !list[0].Started.Equal(t0.Add(time.Hour)) || list[0].PlanName != "quick" || list[0].Path != sp.Path("c-first") {
		t.Errorf("first entry = %+v", list[0])
	}
	if !list[0].IsPublished("clickhouse-b") || list[1].IsPublished("clickhouse-a") {
		t.Error("IsPublished disagrees with Published")
	}

	tests := []struct {
		id, sink string
		want     bool
	}{
		{"c-first", "clickhouse-a", true},
		{"c-first", "clickhouse-c", false},
		{"b-second", "clickhouse-a", false},
		{"a-third", "clickhouse-a", true},
	}
	for _, tt := range tests {
		got, err := sp.Published(tt.id, tt.sink)
		if err != nil || got != tt.want {
			t.Errorf("Published(%s, %s) = %v, %v; want %v", tt.id, tt.sink, got, err, tt.want)
		}
	}

	latest, err := sp.Latest()
	if err != nil || latest.ID != "a-third" {
		t.Fatalf("Latest = %v, %v; want a-third", latest, err)
	}
	// A corrupt file is passed over by Latest and listed with an error naming it.
	if err := os.WriteFile(sp.Path("z-corrupt"), []byte(`{"schema":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if latest, err := sp.Latest(); err != nil || latest.ID != "a-third" {
		t.Errorf("Latest with a corrupt file = %v, %v; want a-third", latest, err)
	}
	list, _ = sp.List()
	if e := list[0]; e.ID != "z-corrupt" || e.Err == nil || !strings.Contains(e.Err.Error(), sp.Path("z-corrupt")) {
		t.Errorf("corrupt entry = %+v (it sorts first, having no start time)", e)
	}
}

func TestMarkPublishedRefuses(t *testing.T) {
	sp := openSpool(t)
	mustWrite(t, sp, testRun("r1", 0))
	tests := []struct{ id, sink, want string }{
		{"missing", "ch", "not in the spool"},
		{"r1", "", "empty sink name"},
		{"r1", "a/b", "holds '/'"},
		{"r1", "x.published-y", ".published-"},
		{"../r1", "ch", "starts with '.'"},
		{"a/r1", "ch", "holds '/'"},
	}
	for _, tt := range tests {
		err := sp.MarkPublished(tt.id, tt.sink)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("MarkPublished(%q, %q) = %v, want an error containing %q", tt.id, tt.sink, err, tt.want)
		}
	}
	if _, err := sp.Published("r1", "a b"); err == nil {
		t.Error("Published accepted a sink name with a space")
	}
}

func TestSinkName(t *testing.T) {
	tests := []struct{ desc, want string }{
		{"clickhouse", "clickhouse"},
		{"clickhouse 127.0.0.1:9000/stacklab", "clickhouse_127.0.0.1_9000_stacklab"},
		{".hidden", "hidden"},
		{"", "sink"},
		{"a.published-b", "a_published-b"},
		{"é", "_"},
	}
	for _, tt := range tests {
		if got := spool.SinkName(tt.desc); got != tt.want {
			t.Errorf("SinkName(%q) = %q, want %q", tt.desc, got, tt.want)
		}
	}
}

func TestOpen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"", file} {
		if _, err := spool.Open(dir); err == nil {
			t.Errorf("Open(%q) succeeded", dir)
		}
	}
	nested := filepath.Join(t.TempDir(), "a", "b")
	if _, err := spool.Open(nested); err != nil {
		t.Fatalf("Open(%s): %v", nested, err)
	}
	if st, err := os.Stat(nested); err != nil || !st.IsDir() {
		t.Errorf("Open did not create %s", nested)
	}
}

// A spool file written before dimensions were data (schema version 1, the four dimensions as
// struct fields; testdata/20261124T100000Z-v1old.json) still loads, with its dimensions in their
// order, and is written again byte for byte.
func TestLoadV1File(t *testing.T) {
	const v1 = "testdata/20261124T100000Z-v1old.json"
	old, err := os.ReadFile(v1)
	if err != nil {
		t.Fatal(err)
	}
	sp := openSpool(t)
	run, err := sp.Load(v1)
	if err != nil {
		t.Fatalf("Load(%s): %v", v1, err)
	}
	if got := strings.Join(run.Dimensions(), ","); got != "http,store,json,redis" {
		t.Errorf("dimensions %s", got)
	}
	for _, st := range run.Stacks {
		if st.Dims.String() != st.Name {
			t.Errorf("stack %s has dims %v", st.Name, st.Dims)
		}
	}
	if run.Records[0].Dims.Get("json") != "std" {
		t.Errorf("record dims %v", run.Records[0].Dims)
	}
	path := mustWrite(t, sp, run)
	again, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(again), bytes.TrimSpace(old)) {
		t.Errorf("the v1 run written again differs from the file:\n%s", again)
	}
}
