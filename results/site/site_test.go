package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"stacklab/results"
	"stacklab/results/report"
	"stacklab/results/resultstest"
	"stacklab/results/site"
	"stacklab/results/spool"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./results/site -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gotPath := filepath.Join(t.TempDir(), name)
		_ = os.WriteFile(gotPath, got, 0o644)
		t.Errorf("%s differs from the golden file; got written to %s (run with -update if the change is intended)", path, gotPath)
	}
}

// siteRuns are resultstest.SiteRuns, built once for all the tests (Build and Write leave runs as
// they are).
func siteRuns(t *testing.T) []*results.Run {
	t.Helper()
	fixtureOnce.Do(func() { fixture = resultstest.SiteRuns(t) })
	if fixture == nil {
		t.Fatal("the fixture failed in an earlier test")
	}
	return fixture
}

var (
	fixtureOnce sync.Once
	fixture     []*results.Run
)

// options are the site options of the tests: the registry's baseline and titles, as the harness
// gives them.
func options() site.Options {
	return site.Options{Report: report.Options{Baseline: resultstest.Baseline},
		DimensionTitles: map[string]string{"http": "HTTP transport", "store": "data access on PostgreSQL", "json": "JSON codec", "redis": "Redis client"},
		Sources:         []string{"spool lab-results/spool"}}
}

// buildSite builds and writes the site of the fixture's runs, returning it and its folder.
func buildSite(t *testing.T) (*site.Site, string) {
	t.Helper()
	s, err := site.Build(siteRuns(t), options())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	if err := s.Write(dir); err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGolden(t *testing.T) {
	_, dir := buildSite(t)
	golden(t, "index.html.golden", read(t, filepath.Join(dir, "index.html")))
	golden(t, "dim-http.html.golden", read(t, filepath.Join(dir, "dims", "http.html")))
}

func TestBuild(t *testing.T) {
	s, dir := buildSite(t)
	if len(s.Runs) != 4 || s.Runs[0].Run.ID != "20261203T093000Z-c4d2e6" || s.Runs[3].Run.ID != "20261130T093000Z-aa0001" {
		t.Fatalf("runs not newest first: %d runs, first %s", len(s.Runs), s.Runs[0].Run.ID)
	}
	// Every run of variants gets the floor of the A/A run on its machine; the A/A run its own.
	for _, r := range s.Runs {
		if r.Floor == nil || r.Floor.RunID != "20261130T093000Z-aa0001" {
			t.Errorf("%s: noise floor %v", r.Run.ID, r.Floor.Source())
		}
	}
	var keys []string
	for _, d := range s.Dimensions {
		keys = append(keys, d.Key)
	}
	if got := strings.Join(keys, ","); got != "http,store,json,redis" {
		t.Errorf("dimensions %s", got)
	}
	http := s.Dimensions[0]
	if got := strings.Join(http.Parts, ","); got != "fasthttp,fiber" || len(http.Runs) != 3 || http.Title != "HTTP transport" {
		t.Errorf("http: parts %s, %d runs, title %q", got, len(http.Runs), http.Title)
	}
	if got := strings.Join(http.Workloads, ","); got != "json,mix@100" {
		t.Errorf("http workloads %s", got)
	}
	// 3 runs × 2 parts × 2 workloads × 2 metrics.
	if len(http.Points) != 24 {
		t.Errorf("%d http points, want 24", len(http.Points))
	}
	for _, p := range http.Points {
		if p.Part == "fiber" && (len(p.Modules) != 1 || p.Modules[0] != "github.com/gofiber/fiber/v2 v2.52.15") {
			t.Errorf("fiber's module difference %q", p.Modules)
		}
	}
	// fiber's CPU per request is better than the baseline's in every run.
	for _, p := range http.Points {
		if p.Part == "fiber" && p.Workload == "json" && p.Verdict.Metric.Name == "cpu/req" && p.Verdict.Outcome() != report.Better {
			t.Errorf("%s: fiber cpu/req %s", p.Run.Run.ID, p.Verdict.Text())
		}
	}
	// The files: a report, the raw run and the histograms per run; a page per dimension; the assets.
	for _, rel := range []string{"index.html", "dims/http.html", "dims/redis.html", "assets/echarts.min.js", "assets/LICENSE", "assets/site.js",
		"assets/site.css", "runs/20261201T093000Z-3f9a2c/index.html", "runs/20261201T093000Z-3f9a2c/report.md",
		"runs/20261201T093000Z-3f9a2c/bench.txt", "runs/20261201T093000Z-3f9a2c/run.json",
		"runs/20261201T093000Z-3f9a2c/hdr/http-fiber_store-sqlc_json-std_redis-goredis.json",
		"runs/20261130T093000Z-aa0001/hdr/http-nethttp_store-sqlc_json-std_redis-goredis_label-a.json"} {
		if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
			t.Errorf("missing %s: %v", rel, err)
		}
	}
	// run.json is the run as spooled: it reads back as the same run, histograms and all.
	back, err := spool.LoadFile(filepath.Join(dir, "runs/20261201T093000Z-3f9a2c/run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if d := resultstest.Diff(s.Runs[2].Run, back); len(d) > 0 {
		t.Errorf("run.json differs from the run: %v", d)
	}
	var hdr struct {
		Stack   string `json:"stack"`
		Records []struct {
			Corrected string `json:"corrected_hdr"`
		} `json:"records"`
	}
	if err := json.Unmarshal(read(t, filepath.Join(dir, "runs/20261201T093000Z-3f9a2c/hdr/http-fiber_store-sqlc_json-std_redis-goredis.json")), &hdr); err != nil {
		t.Fatal(err)
	}
	if hdr.Stack != "http=fiber/store=sqlc/json=std/redis=goredis" || len(hdr.Records) == 0 || hdr.Records[0].Corrected == "" {
		t.Errorf("histograms of fiber: stack %s, %d records", hdr.Stack, len(hdr.Records))
	}
	// The run page is the report, loading the site's ECharts, not inlining it.
	page := string(read(t, filepath.Join(dir, "runs/20261201T093000Z-3f9a2c/index.html")))
	if !strings.Contains(page, `<script src="../../assets/echarts.min.js"></script>`) || len(page) > 500_000 || !strings.Contains(page, "### Verdicts") && !strings.Contains(page, "Verdicts</h3>") {
		t.Errorf("the run page does not load the site's ECharts (or inlines it: %d bytes)", len(page))
	}
}

// TestSelfContained checks every page of the site: every link and script stays inside it.
func TestSelfContained(t *testing.T) {
	_, dir := buildSite(t)
	pages := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		pages++
		doc, err := html.Parse(bytes.NewReader(read(t, path)))
		if err != nil {
			return err
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				for _, a := range n.Attr {
					if a.Key != "src" && a.Key != "href" {
						continue
					}
					v := a.Val
					if strings.Contains(v, "://") || strings.HasPrefix(v, "//") || strings.HasPrefix(v, "/") {
						t.Errorf("%s: <%s %s=%q> leaves the site", path, n.Data, a.Key, v)
						continue
					}
					if strings.HasPrefix(v, "#") || v == "data:," { // a fragment; the empty icon (no favicon request)
						continue
					}
					target := filepath.Join(filepath.Dir(path), strings.SplitN(v, "#", 2)[0])
					if _, err := os.Stat(target); err != nil {
						t.Errorf("%s: <%s %s=%q>: %v", path, n.Data, a.Key, v, err)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 1+4+4 { // the index, a page per dimension, a report per run
		t.Errorf("%d pages", pages)
	}
}

func TestWriteRefusesAForeignFolder(t *testing.T) {
	s, err := site.Build(siteRuns(t)[:2], options())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(dir); err == nil || !strings.Contains(err.Error(), "not replacing it") {
		t.Errorf("writing over a foreign folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Error("the foreign folder was touched")
	}
	// A site written before is replaced whole: a run gone from the spool is gone from the site.
	site2 := filepath.Join(t.TempDir(), "site")
	if err := s.Write(site2); err != nil {
		t.Fatal(err)
	}
	one, err := site.Build(siteRuns(t)[1:2], options())
	if err != nil {
		t.Fatal(err)
	}
	if err := one.Write(site2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(site2, "runs", "20261130T093000Z-aa0001")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a run no longer given is still in the site: %v", err)
	}
}

func TestBuildErrors(t *testing.T) {
	runs := siteRuns(t)
	if _, err := site.Build(nil, options()); err == nil || !strings.Contains(err.Error(), "no runs") {
		t.Errorf("no runs: %v", err)
	}
	if _, err := site.Build([]*results.Run{runs[1], runs[1]}, options()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a run twice: %v", err)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"http=nethttp/store=sqlc": "http-nethttp_store-sqlc",
		"20261201T093000Z-3f9a2c": "20261201T093000Z-3f9a2c",
		"a b/../c":                "a_b_.._c",
		"..":                      "_",
		"":                        "_",
	} {
		if got := site.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// fakeSource is a store of published runs for Collect (a unit test of the merge; the ClickHouse
// Sink is tested against a real server in results/clickhouse).
type fakeSource struct {
	runs map[string]*results.Run
	err  error
}

func (f *fakeSource) ListRuns(context.Context) ([]string, error) {
	if f.err != nil {
		return nil, f.err
	}
	var ids []string
	for id := range f.runs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

func (f *fakeSource) LoadRun(_ context.Context, id string) (*results.Run, error) {
	return f.runs[id], nil
}

func TestCollect(t *testing.T) {
	runs := siteRuns(t)
	sp, err := spool.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs[1:3] {
		if _, err := sp.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(sp.Dir(), "broken.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed := *runs[1] // the published copy of a spooled run: the spool's wins
	changed.PlanName = "from the source"
	src := &fakeSource{runs: map[string]*results.Run{runs[0].ID: runs[0], runs[1].ID: &changed, runs[3].ID: runs[3]}}
	got, notes, err := site.Collect(context.Background(), sp, src)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
		if r.ID == runs[1].ID && r.PlanName != runs[1].PlanName {
			t.Error("the published copy replaced the spooled run")
		}
	}
	want := []string{runs[0].ID, runs[1].ID, runs[2].ID, runs[3].ID} // oldest first
	if !slices.Equal(ids, want) {
		t.Errorf("collected %v, want %v", ids, want)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "broken.json") {
		t.Errorf("notes %q", notes)
	}
	src.err = errors.New("connection refused")
	if _, _, err := site.Collect(context.Background(), sp, src); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("a failing source: %v", err)
	}
	if got, _, err := site.Collect(context.Background(), sp, nil); err != nil || len(got) != 2 {
		t.Errorf("the spool alone: %d runs, %v", len(got), err)
	}
}
