package results_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stacklab/results"
)

// factorialRun is a run as the lab records it over two parts in each of four dimensions: every
// combination, six rounds, one closed-loop workload. A part's speed is its dimension's factor, so
// every stack differs from its neighbours.
func factorialRun() *results.Run {
	run := results.NewRun("20261124T100000Z-benchstat", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	run.Env = results.Env{CPUModel: "Test CPU", GitCommit: "deadbeef", Kernel: "6.18", GoVersion: "go1.26.8", GOMAXPROCS: 1}
	dims := [][3]string{{"http", "nethttp", "fiber"}, {"store", "sqlc", "pgx"}, {"json", "std", "sonic"}, {"redis", "goredis", "rueidis"}}
	for combo := range 1 << len(dims) {
		var kv []string
		speed := 1.0
		for i, d := range dims {
			part := d[1+(combo>>i)&1]
			kv = append(kv, d[0]+"="+part)
			if part == d[2] {
				speed *= 1 + 0.1*float64(i+1)
			}
		}
		name := strings.Join(kv, "/")
		run.Stacks = append(run.Stacks, results.StackInfo{Name: name, Dims: results.MustParseDims(name), Conformance: results.Conformance{Ran: true, Passed: 76}})
		for round := range 6 {
			rate := 2000 * speed * (1 + 0.01*float64(round%3))
			run.Records = append(run.Records, results.Record{RunID: run.ID, Stack: name, Dims: results.MustParseDims(name),
				Workload: "json", WorkloadKind: "json", Op: "all", Round: round, Mode: "closed", Seconds: 5,
				Requests: int64(rate * 5), Rate: rate, StackCPU: 5 * 0.5, Valid: true, Conformant: true,
				Corrected: results.Latency{P50: int64(1e6 / speed), P99: int64(4e6 / speed), P999: int64(9e6 / speed), Max: int64(2e7 / speed)},
				Service:   results.Latency{P50: int64(9e5 / speed), P99: int64(3e6 / speed)}})
		}
	}
	return run
}

// The benchmark text is for benchstat: the real benchstat (the results module's tool, the x/perf
// version the package reads and writes with) puts each part of the dimension given to -col in a
// column of its own, the other dimensions in the rows.
func TestBenchstatColumns(t *testing.T) {
	run := factorialRun()
	path := filepath.Join(t.TempDir(), "bench.txt")
	var buf bytes.Buffer
	if err := run.WriteBench(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dim, base, other string
		change           string // the other part's throughput against the base part's
	}{{"http", "nethttp", "fiber", "+10.00%"}, {"store", "sqlc", "pgx", "+20.00%"}} {
		out, err := exec.Command("go", "tool", "benchstat", "-col", "/"+c.dim, path).CombinedOutput()
		if err != nil {
			t.Fatalf("go tool benchstat -col /%s: %v\n%s", c.dim, err, out)
		}
		table := unitTable(t, string(out), "req/s")
		// The header names both parts as columns, the base (first in the file) first.
		header := strings.Fields(strings.ReplaceAll(table[0], "│", " "))
		if len(header) != 2 || header[0] != c.base || header[1] != c.other {
			t.Errorf("-col /%s: columns %q, want [%s %s]\n%s", c.dim, header, c.base, c.other, out)
		}
		// A row per combination of the other three dimensions; none names dim, and in each the
		// other part is its dimension's factor faster.
		rows := 0
		for _, l := range table[2:] {
			if !strings.HasPrefix(l, "Ledger/") {
				continue
			}
			rows++
			name := strings.Fields(l)[0]
			if strings.Contains(name, c.dim+"=") || !strings.HasSuffix(name, "/workload=json/op=all") {
				t.Errorf("-col /%s: row %q", c.dim, name)
			}
			for _, d := range []string{"http", "store", "json", "redis"} {
				if d != c.dim && !strings.Contains(name, d+"=") {
					t.Errorf("-col /%s: row %q lacks %s", c.dim, name, d)
				}
			}
			if !strings.Contains(l, c.change+" (p=") {
				t.Errorf("-col /%s: row %q, want %s", c.dim, l, c.change)
			}
		}
		if rows != 8 {
			t.Errorf("-col /%s: %d rows of stacks, want 8 (2×2×2 for the other dimensions)\n%s", c.dim, rows, out)
		}
	}
}

// unitTable returns the lines of benchstat's table of one unit: it starts with the line of
// column names, followed by the one naming the unit.
func unitTable(t *testing.T, out, unit string) []string {
	t.Helper()
	for _, block := range strings.Split(out, "\n\n") {
		lines := strings.Split(strings.Trim(block, "\n"), "\n")
		for i := 1; i < len(lines); i++ {
			if strings.Contains(lines[i], "│") && strings.Fields(strings.ReplaceAll(lines[i], "│", " "))[0] == unit {
				return lines[i-1:]
			}
		}
	}
	t.Fatalf("no %s table in:\n%s", unit, out)
	return nil
}
