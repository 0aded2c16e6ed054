package clickhouse

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"stacklab/results"
	"stacklab/results/spool"
)

// TestPublishDownThenUp is the lab's promise: runs spooled while ClickHouse is down are published
// once it is up, all of them, once.
func TestPublishDownThenUp(t *testing.T) {
	ctx := context.Background()
	sp, err := spool.Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}

	// ClickHouse is down: nothing listens at the address.
	ports, err := freePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	down := Config{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])), Database: "stacklab_down"}
	var runs []*results.Run
	for i := range 3 {
		run := richRun(t, "20261124T1"+strconv.Itoa(i)+"0000Z-down", runStart.Add(time.Duration(i)*time.Hour), uint64(100+i))
		if _, err := sp.Write(run); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
		start := time.Now()
		s, err := Open(ctx, down)
		if err == nil {
			s.Close()
			t.Fatalf("Open succeeded with nothing at %s", down.Addr)
		}
		if took := time.Since(start); took > ConnectTimeout+time.Second {
			t.Errorf("Open with ClickHouse down took %v", took)
		}
		if !strings.Contains(err.Error(), "connecting to "+down.Addr) {
			t.Errorf("Open's error does not say where it tried: %v", err)
		}
	}
	// A file that is not a run must not stop the others.
	if err := os.WriteFile(sp.Path("corrupt"), []byte(`{"schema": "stacklab.results.run", "id": `), 0o644); err != nil {
		t.Fatal(err)
	}
	list, err := sp.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if len(e.Published) != 0 {
			t.Errorf("run %s is marked published while ClickHouse was down: %v", e.ID, e.Published)
		}
	}

	// ClickHouse comes up: a new embedded server, or the one CLICKHOUSE_URL names.
	cfg := server(t)
	if shared.srv != nil {
		srv, err := StartEmbedded(ctx, t.TempDir())
		if err != nil {
			t.Fatalf("starting ClickHouse: %v", err)
		}
		t.Cleanup(func() {
			if err := srv.Close(); err != nil {
				t.Error(err)
			}
		})
		cfg = Config{Addr: srv.Addr()}
	}
	s := openSink(t, cfg)

	var progress []string
	n, err := PublishPending(ctx, sp, s, func(id string, published bool) {
		progress = append(progress, id+":"+map[bool]string{true: "published", false: "present"}[published])
	})
	if n != 3 {
		t.Errorf("PublishPending published %d runs, want 3", n)
	}
	if err == nil || !strings.Contains(err.Error(), sp.Path("corrupt")) {
		t.Errorf("PublishPending's error = %v, want one naming the corrupt file", err)
	}
	want := []string{runs[0].ID + ":published", runs[1].ID + ":published", runs[2].ID + ":published"}
	if strings.Join(progress, " ") != strings.Join(want, " ") {
		t.Errorf("progress = %v, want %v", progress, want)
	}
	checkCounts := func(when string) {
		t.Helper()
		var records, stacks uint64
		for _, run := range runs {
			wantRows(t, s, run, 1)
			records += uint64(len(run.Records))
			stacks += uint64(len(run.Stacks))
		}
		for table, want := range map[string]uint64{TableRuns: 3, TableStacks: stacks, TableResults: records} {
			if got := tableRows(t, s, table); got != want {
				t.Errorf("%s: %s holds %d rows, want %d", when, table, got, want)
			}
		}
	}
	checkCounts("after the first PublishPending")
	for _, run := range runs {
		if ok, err := sp.Published(run.ID, s.Name()); !ok || err != nil {
			t.Errorf("run %s is not marked published to %s: %v", run.ID, s.Name(), err)
		}
		if d := diffRuns(run, loadRun(t, s, run.ID)); len(d) > 0 {
			t.Errorf("run %s read back differs:\n%s", run.ID, strings.Join(d, "\n"))
		}
	}

	// Again: every run is marked, so nothing is even tried.
	progress = nil
	n, err = PublishPending(ctx, sp, s, func(id string, published bool) { progress = append(progress, id) })
	if n != 0 || len(progress) != 0 {
		t.Errorf("PublishPending again: n = %d, progress %v; want nothing", n, progress)
	}
	if err == nil { // the corrupt file is still there, and still reported
		t.Error("PublishPending again forgot the corrupt file")
	}
	checkCounts("after the second PublishPending")

	// Markers lost (another machine's spool, a copied folder): the runs are found in ClickHouse,
	// not inserted again, and marked.
	if err := os.Remove(sp.Path("corrupt")); err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		if err := os.Remove(filepath.Join(sp.Dir(), run.ID+".published-"+s.Name())); err != nil {
			t.Fatal(err)
		}
	}
	progress = nil
	n, err = PublishPending(ctx, sp, s, func(id string, published bool) {
		progress = append(progress, id+":"+map[bool]string{true: "published", false: "present"}[published])
	})
	want = []string{runs[0].ID + ":present", runs[1].ID + ":present", runs[2].ID + ":present"}
	if n != 0 || err != nil || strings.Join(progress, " ") != strings.Join(want, " ") {
		t.Errorf("PublishPending without markers = %d, %v, progress %v; want 0, nil, %v", n, err, progress, want)
	}
	checkCounts("after PublishPending without markers")
	for _, run := range runs {
		if ok, _ := sp.Published(run.ID, s.Name()); !ok {
			t.Errorf("run %s was not marked again", run.ID)
		}
	}
}
