package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stacklab/harness/services"
	"stacklab/results/clickhouse"
	"stacklab/results/resultstest"
	"stacklab/results/spool"
)

// TestSiteFromSpoolAndClickHouse writes the site of two spooled runs and one run published to a
// real (embedded) ClickHouse that the spool lacks: all three are on it.
func TestSiteFromSpoolAndClickHouse(t *testing.T) {
	if !services.ClickHouseInstalled() {
		t.Fatal("clickhouse-server is not installed (apt-get install -y clickhouse-server clickhouse-client; make test does it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ch, err := services.StartClickHouse(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	runs := resultstest.SiteRuns(t)
	sink, err := clickhouse.Open(ctx, ch.Config("stacklab_site_test"))
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	if err := sink.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Publish(ctx, runs[3]); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sp, err := spool.Open(filepath.Join(dir, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs[1:3] {
		if _, err := sp.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(clickhouse.EnvURL, ch.URL()+"/stacklab_site_test")
	out := filepath.Join(dir, "site")
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"site", "-spool", sp.Dir(), "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("harness site: %v\n%s", err, stderr.String())
	}
	if want := "site: " + filepath.Join(out, "index.html") + " (3 runs, 4 dimensions)"; !strings.Contains(stdout.String(), want) {
		t.Errorf("output %q, want %q", stdout.String(), want)
	}
	index, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{runs[1].ID, runs[2].ID, runs[3].ID, "ClickHouse at ", "http · HTTP transport"} {
		if !bytes.Contains(index, []byte(want)) {
			t.Errorf("the index lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "runs", runs[3].ID, "run.json")); err != nil {
		t.Errorf("the published run has no folder: %v", err)
	}

	// Without CLICKHOUSE_URL and with an empty spool there is nothing to show: an error, no site.
	t.Setenv(clickhouse.EnvURL, "")
	empty := filepath.Join(dir, "empty")
	if err := run(ctx, []string{"site", "-spool", empty, "-out", filepath.Join(dir, "site2")}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "no runs") {
		t.Errorf("a site of an empty spool: %v", err)
	}
	if err := run(ctx, []string{"site", "extra"}, &stdout, &stderr); err != errUsage {
		t.Errorf("an argument: %v, want the usage error", err)
	}
}
