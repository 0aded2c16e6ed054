package report_test

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/perf/benchfmt"

	"stacklab/results"
	"stacklab/results/report"
	"stacklab/results/stats"
)

// synthBaseline is the baseline stack of synthRun.
const synthBaseline = "http=nethttp/store=sqlc/json=std/redis=goredis"

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// echartsMarker stands in for the inlined library in the golden HTML, which would otherwise
// hold a megabyte of minified JavaScript; TestHTMLSelfContained checks the real thing.
const echartsMarker = "/* echarts.min.js 5.4.3 inlined here */"

func vendoredEcharts(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("assets/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func build(t *testing.T, run *results.Run) *report.Report {
	t.Helper()
	rep, err := report.Build([]*results.Run{run}, report.Options{Title: "stacklab report", Baseline: synthBaseline})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func render(t *testing.T, rep *report.Report) (htmlOut, mdOut string) {
	t.Helper()
	var h, m bytes.Buffer
	if err := rep.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteMarkdown(&m); err != nil {
		t.Fatal(err)
	}
	return h.String(), m.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./results/report -update to create it)", err)
	}
	if got != string(want) {
		gotPath := filepath.Join(t.TempDir(), name)
		_ = os.WriteFile(gotPath, []byte(got), 0o644)
		t.Errorf("%s differs from the golden file; got written to %s (run with -update if the change is intended)", path, gotPath)
	}
}

func TestGolden(t *testing.T) {
	h, m := render(t, build(t, synthRun()))
	lib := vendoredEcharts(t)
	if strings.Count(h, lib) != 1 {
		t.Fatal("the HTML does not inline echarts.min.js exactly once")
	}
	golden(t, "report.html.golden", strings.Replace(h, lib, echartsMarker, 1))
	golden(t, "report.md.golden", m)
}

// TestDeterministic builds the same run twice, the second time with its stacks and records
// shuffled: the output must not change.
func TestDeterministic(t *testing.T) {
	h1, m1 := render(t, build(t, synthRun()))
	run := synthRun()
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(run.Records), func(i, j int) { run.Records[i], run.Records[j] = run.Records[j], run.Records[i] })
	rng.Shuffle(len(run.Stacks), func(i, j int) { run.Stacks[i], run.Stacks[j] = run.Stacks[j], run.Stacks[i] })
	h2, m2 := render(t, build(t, run))
	if h1 != h2 {
		t.Error("the HTML depends on the order of stacks and records")
	}
	if m1 != m2 {
		t.Errorf("the Markdown depends on the order of stacks and records:\n%s\n----\n%s", m1, m2)
	}
}

func TestHTMLSelfContained(t *testing.T) {
	lib := vendoredEcharts(t)
	for _, bad := range []string{"</script", "</SCRIPT", "<!--"} {
		if strings.Contains(lib, bad) {
			t.Fatalf("the vendored echarts.min.js holds %q: it cannot be inlined as it is", bad)
		}
	}
	h, _ := render(t, build(t, synthRun()))
	doc, err := html.Parse(strings.NewReader(h))
	if err != nil {
		t.Fatalf("the HTML does not parse: %v", err)
	}
	var (
		scripts  []string
		chartIDs []string
		walk     func(n *html.Node)
	)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch a.Key {
				case "src", "href", "action", "formaction", "data", "poster", "srcset", "background", "xlink:href":
					t.Errorf("<%s %s=%q>: the report must not load anything", n.Data, a.Key, a.Val)
				}
				if strings.Contains(v, "http://") || strings.Contains(v, "https://") || strings.HasPrefix(v, "//") {
					t.Errorf("<%s %s=%q>: an external URL", n.Data, a.Key, a.Val)
				}
				if a.Key == "class" && a.Val == "chart" {
					for _, b := range n.Attr {
						if b.Key == "id" {
							chartIDs = append(chartIDs, b.Val)
						}
					}
				}
			}
			switch n.Data {
			case "link", "iframe", "object", "embed", "img", "base":
				t.Errorf("a <%s> element in a self-contained report", n.Data)
			case "script":
				var body strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					body.WriteString(c.Data)
				}
				scripts = append(scripts, body.String())
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	// The parser normalises line ends (the library has CRLF ones).
	if norm := strings.ReplaceAll(lib, "\r\n", "\n"); len(scripts) == 0 || scripts[0] != norm {
		t.Fatalf("the first script is not the inlined echarts.min.js (%d scripts)", len(scripts))
	}
	if len(chartIDs) == 0 || len(scripts)-1 != len(chartIDs) {
		t.Fatalf("%d chart divs, %d chart scripts", len(chartIDs), len(scripts)-1)
	}
	for i, id := range chartIDs {
		if !strings.Contains(scripts[i+1], `document.getElementById("`+id+`")`) {
			t.Errorf("chart div %s has no script of its own:\n%s", id, scripts[i+1])
		}
		if !strings.Contains(scripts[i+1], `"series":[{`) {
			t.Errorf("chart %s has no series", id)
		}
	}
	// Apart from the library's own text (licence header and SVG namespaces), no URL at all.
	rest := strings.Replace(h, lib, "", 1)
	if strings.Contains(rest, "http://") || strings.Contains(rest, "https://") {
		t.Error("the report's own markup or scripts hold a URL")
	}
}

func findCase(t *testing.T, rr *report.RunReport, workload, op string) *report.CaseTable {
	t.Helper()
	for _, c := range rr.Cases {
		if c.Case.Workload == workload && c.Case.Op == op {
			return c
		}
	}
	t.Fatalf("no case %s/%s", workload, op)
	return nil
}

func TestBuildContent(t *testing.T) {
	rep := build(t, synthRun())
	rr := rep.Runs[0]
	if rr.Rounds != 8 || len(rr.Stacks) != 6 {
		t.Fatalf("rounds %d, stacks %d", rr.Rounds, len(rr.Stacks))
	}
	statuses := map[string]string{}
	for _, s := range rr.Stacks {
		statuses[s.Info.Dims.Get("http")+"/"+s.Info.Dims.Get("json")] = s.Status
	}
	if statuses["uring/std"] != "does not conform" || statuses["uring/sonic"] != "not measured" || statuses["fiber/std"] != "conforms" {
		t.Errorf("statuses %v", statuses)
	}

	// Closed loop: ranked by throughput, fastest first. nethttp with sonic is 4% faster than with
	// std, below the 5% minimum effect: the two share rank 2 (one stack, fiber/sonic, is better
	// than each). fiber/std has too few valid rounds for a rank, and the non-conforming (faster)
	// stack gets none: both follow, by name.
	closed := findCase(t, rr, "transfer", "all")
	if closed.RankedBy.Name != "throughput" || closed.Mode != "closed" {
		t.Errorf("closed loop ranked by %s", closed.RankedBy.Name)
	}
	wantOrder := []string{"fiber/sonic", "nethttp/sonic", "nethttp/std", "fiber/std", "uring/std"}
	wantRank := []int{1, 2, 2, 0, 0}
	wantTied := []bool{false, true, true, false, false}
	for i, row := range closed.Rows {
		if !strings.Contains(row.Stack, "http="+strings.Split(wantOrder[i], "/")[0]+"/") || !strings.Contains(row.Stack, "json="+strings.Split(wantOrder[i], "/")[1]) {
			t.Errorf("row %d is %s, want %s", i, row.Stack, wantOrder[i])
		}
		if row.Rank != wantRank[i] || row.Tied != wantTied[i] {
			t.Errorf("%s: rank %d tied %v, want %d %v", row.Stack, row.Rank, row.Tied, wantRank[i], wantTied[i])
		}
	}
	if r := closed.Rows[1]; len(r.TiedWith) != 1 || !strings.Contains(r.TiedWith[0], "json=std") {
		t.Errorf("nethttp/sonic tied with %q, want nethttp/std", r.TiedWith)
	}
	last := closed.Rows[len(closed.Rows)-1]
	if last.Rank != 0 || last.Conformant || last.Throughput.N != 8 || last.NoRank != "does not conform" {
		t.Errorf("the non-conforming stack: rank %d (%s), conformant %v, n %d", last.Rank, last.NoRank, last.Conformant, last.Throughput.N)
	}
	// fiber/std lost four closed-loop rounds: weak, no interval, no rank.
	weak := closed.Rows[3]
	if weak.Valid != 4 || weak.Total != 8 || !weak.Weak || weak.Throughput.HasCI() || weak.NoRank != "4 valid rounds, a rank needs 6" {
		t.Errorf("fiber/std closed loop: valid %d/%d, weak %v, CI %v, no rank %q", weak.Valid, weak.Total, weak.Weak, weak.Throughput.HasCI(), weak.NoRank)
	}
	if s := closed.Rows[0]; s.Weak || !s.Throughput.HasCI() || s.Throughput.Lo > s.Throughput.Center || s.Errors != 4 {
		t.Errorf("fiber/sonic closed loop: %+v, errors %d", s.Throughput, s.Errors)
	}

	// Open loop: ranked by p99, lowest first.
	open := findCase(t, rr, "ledger-mix@1000", "all")
	if open.RankedBy.Name != "p99" || open.Rows[0].Rank != 1 || !strings.Contains(open.Rows[0].Stack, "http=fiber/store=sqlc/json=sonic") {
		t.Errorf("open loop: ranked by %s, first %s", open.RankedBy.Name, open.Rows[0].Stack)
	}
	if len(rr.Cases) != 4 { // transfer/all and the mix's all, read, transfer; sweeps are apart
		t.Errorf("%d cases", len(rr.Cases))
	}

	// One invalid mix round (3 records: all, read, transfer) and four closed-loop rounds.
	if len(rr.Invalid) != 7 {
		t.Errorf("%d invalid trials, want 7", len(rr.Invalid))
	}

	// The sweep: one line per measured stack, fiber/sonic with 3 points; every step met the SLO.
	if len(rr.Sweeps) != 1 || len(rr.Sweeps[0].Lines) != 5 {
		t.Fatalf("sweeps %d", len(rr.Sweeps))
	}
	for _, l := range rr.Sweeps[0].Lines {
		want := 4
		if strings.Contains(l.Stack, "http=fiber/store=sqlc/json=sonic") {
			want = 3
		}
		if len(l.Points) != want || l.Points[0].Step != 1 || l.Points[0].RequestedRate != 500 {
			t.Errorf("%s: %d points, first %+v", l.Stack, len(l.Points), l.Points[0])
		}
		last := l.Points[len(l.Points)-1].RequestedRate
		if e := l.End(); e.Kind != report.AllMet || e.Rate != last || l.MaxRate() != last {
			t.Errorf("%s: end %+v, MaxRate %v, want every step met up to %v", l.Stack, e, l.MaxRate(), last)
		}
	}

	// Effects: http and json vary among conforming stacks; store and redis do not.
	byDim := map[string][]*report.Effect{}
	for _, e := range rr.Effects {
		byDim[e.Dim] = append(byDim[e.Dim], e)
	}
	if len(byDim["store"]) != 0 || len(byDim["redis"]) != 0 || len(byDim["http"]) != 3 || len(byDim["json"]) != 3 {
		t.Fatalf("effects per dimension: http %d json %d store %d redis %d", len(byDim["http"]), len(byDim["json"]), len(byDim["store"]), len(byDim["redis"]))
	}
	httpTput := byDim["http"][0]
	if httpTput.Metric.Name != "throughput" || len(httpTput.Pairs) != 2 { // fiber vs nethttp with json=std and with json=sonic
		t.Fatalf("http throughput effect: %s, %d pairs", httpTput.Metric.Name, len(httpTput.Pairs))
	}
	for _, p := range httpTput.Pairs {
		if p.A != "fiber" || p.B != "nethttp" || p.Ratio.Center >= 1 {
			t.Errorf("pair %+v: nethttp should be slower than fiber", p)
		}
	}
	// With json=std, fiber has only 4 valid closed-loop rounds: no interval for that pair.
	if p := httpTput.Pairs[1]; p.Context != "store=sqlc json=std redis=goredis" || p.Solid {
		t.Errorf("pair %+v: want the weak json=std pair", p)
	}
	if p := httpTput.Pairs[0]; !p.Solid || p.Ratio.Direction() != -1 || p.Ratio.Iterations != 2000 {
		t.Errorf("pair %+v: want a solid interval below 1", p)
	}
	choices := map[string]report.ChoiceSummary{}
	for _, c := range httpTput.Choices {
		choices[c.Choice] = c
	}
	if f, n := choices["fiber"], choices["nethttp"]; f.GeoMean <= 1.1 || n.GeoMean >= 0.9 || f.Better != 1 || n.Worse != 1 || f.Pairs != 2 {
		t.Errorf("choices fiber %+v, nethttp %+v", f, n)
	}
	// Lower is better for p99: fiber's lower latency counts as better.
	httpP99 := byDim["http"][1]
	for _, c := range httpP99.Choices {
		if c.Choice == "fiber" && (c.GeoMean >= 1 || c.Better == 0) {
			t.Errorf("fiber p99 summary %+v", c)
		}
	}

	// Modules: pgx differs between binaries, sonic is one version.
	for _, m := range rr.Modules {
		switch m.Path {
		case "github.com/jackc/pgx/v5":
			if len(m.Versions) != 2 || len(m.Versions[0].Stacks) != 2 || m.Versions[0].Version != "v5.11.0" {
				t.Errorf("pgx versions %+v", m.Versions)
			}
		case "github.com/bytedance/sonic":
			if len(m.Versions) != 1 || len(m.Versions[0].Stacks) != 2 {
				t.Errorf("sonic versions %+v", m.Versions)
			}
		}
	}
}

func TestMarkdownShort(t *testing.T) {
	_, m := render(t, build(t, synthRun()))
	for _, want := range []string{
		"run `20261124T100000Z-5eed01` · plan `default`",
		"**Conformance:** 4 of 6 stacks conform.",
		"`http=uring/store=sqlc/json=std/redis=goredis` does not conform (2 checks failed)",
		"### transfer (closed loop, ranked by throughput)",
		"### ledger-mix@1000 (open loop at 1.000k req/s, ranked by p99)",
		"| http | `fiber` |",
		"⚠️ 7 invalid trials",
		" †",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("markdown lacks %q:\n%s", want, m)
		}
	}
	if strings.Contains(m, "| 5 |") {
		t.Error("a non-conforming stack got a rank in the markdown")
	}
	if n := len(m); n > 8000 {
		t.Errorf("markdown is %d bytes: too long for a PR comment", n)
	}
	// MarkdownTop cuts the tables.
	rep, err := report.Build([]*results.Run{synthRun()}, report.Options{MarkdownTop: 2})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "…and 2 more stacks in the HTML report.") {
		t.Errorf("MarkdownTop 2:\n%s", buf.String())
	}
}

func TestWriteBench(t *testing.T) {
	rep := build(t, synthRun())
	var buf bytes.Buffer
	if err := rep.WriteBench(&buf); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "run.txt")
	n := 0
	for rd.Scan() {
		switch r := rd.Result().(type) {
		case *benchfmt.Result:
			n++
			if strings.Contains(string(r.Name), "http=uring") {
				t.Errorf("a non-conforming stack in the benchmark lines: %s", r.Name)
			}
		case *benchfmt.SyntaxError:
			t.Errorf("benchmark output does not parse: %v", r)
		}
	}
	if n == 0 {
		t.Fatal("no benchmark lines")
	}
}

func TestBuildErrors(t *testing.T) {
	bad := synthRun()
	bad.Schema = "other"
	tests := []struct {
		name string
		runs []*results.Run
		want string
	}{
		{"no runs", nil, "no runs"},
		{"nil run", []*results.Run{nil}, "run 0 is nil"},
		{"twice", []*results.Run{synthRun(), synthRun()}, "given twice"},
		{"bad schema", []*results.Run{bad}, "schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := report.Build(tt.runs, report.Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSeveralRuns(t *testing.T) {
	second := synthRun()
	second.ID = "20261125T100000Z-5eed02"
	for i := range second.Records {
		second.Records[i].RunID = second.ID
	}
	rep, err := report.Build([]*results.Run{synthRun(), second}, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, m := render(t, rep)
	if strings.Count(m, "## stacklab report: run `") != 2 {
		t.Errorf("markdown does not cover both runs")
	}
	if !strings.Contains(h, `id="run2_chart1"`) || !strings.Contains(h, `id="run1_chart1"`) {
		t.Error("chart ids are not per run")
	}
	_ = stats.Throughput
}

// TestFullRunSummaryShort checks that the Markdown summary of a full-size run (36 stacks) stays
// short enough for a pull-request comment.
func TestFullRunSummaryShort(t *testing.T) {
	rep, err := report.Build([]*results.Run{fullRun()}, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	if n := buf.Len(); n > 12000 {
		t.Errorf("the summary of 36 stacks is %d bytes", n)
	}
	if !strings.Contains(buf.String(), "…and 26 more stacks in the HTML report.") || !strings.Contains(buf.String(), "- …and 26 more in the HTML report.") {
		t.Errorf("the tables are not cut at 10 stacks:\n%s", buf.String())
	}
	if got := strings.Count(buf.String(), "| redis | `"); got != 3 {
		t.Errorf("%d redis choices summarised, want 3", got)
	}
}

func TestSweepLineEnd(t *testing.T) {
	pt := func(rate float64, valid, total, met int) report.SweepPoint {
		return report.SweepPoint{RequestedRate: rate, Valid: valid, Total: total, SLOMet: met}
	}
	invalid := pt(200, 1, 2, 1)
	invalid.InvalidReasons = []string{"scheduler lag p99 22ms exceeds 5ms"}
	broke := pt(200, 2, 2, 1)
	broke.SLOBreaks = []string{"p99 140ms over 100ms"}
	failed := pt(0, 0, 1, 0) // a failed trial records no rate
	failed.InvalidReasons = []string{"trial failed: connection refused"}
	for _, tc := range []struct {
		points []report.SweepPoint
		kind   report.SweepEndKind
		max    float64
		end    string
	}{
		{[]report.SweepPoint{pt(100, 2, 2, 2), pt(200, 2, 2, 2)}, report.AllMet, 200,
			"within the SLO up to the sweep's last step, 200 req/s (the stack's limit is higher)"},
		// An invalid step ends the line unresolved, even when a later step looks fine: never a maximum.
		{[]report.SweepPoint{pt(100, 2, 2, 2), invalid, pt(400, 2, 2, 2)}, report.Unresolved, 0,
			"the lab could not resolve beyond 100 req/s (a trial at 200 req/s was invalid: scheduler lag p99 22ms exceeds 5ms)"},
		{[]report.SweepPoint{pt(100, 2, 2, 2), broke}, report.SLOBreak, 100,
			"highest rate within the SLO: 100 req/s (the SLO broke at 200 req/s: p99 140ms over 100ms)"},
		{[]report.SweepPoint{pt(100, 1, 1, 0)}, report.SLOBreak, 0, "highest rate within the SLO: 0 req/s (the SLO broke at 100 req/s)"},
		{[]report.SweepPoint{pt(100, 1, 1, 1), failed}, report.Unresolved, 0,
			"the lab could not resolve beyond 100 req/s (a trial at the next step was invalid: trial failed: connection refused)"},
	} {
		l := &report.SweepLine{Points: tc.points}
		if got := l.End().Kind; got != tc.kind {
			t.Errorf("End().Kind = %v, want %v", got, tc.kind)
		}
		if got := l.MaxRate(); got != tc.max {
			t.Errorf("MaxRate = %v, want %v", got, tc.max)
		}
		if got := l.End().String(); got != tc.end {
			t.Errorf("End = %q, want %q", got, tc.end)
		}
	}
}

// The report knows no dimension by name: a run whose stacks have other dimensions, in another
// order, is shown and analysed along those.
func TestOtherDimensions(t *testing.T) {
	run := results.NewRun("20261124T100000Z-dims", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	names := []string{"json=std/http=nethttp/log=zap", "json=sonic/http=nethttp/log=zap", "json=std/http=nethttp/log=slog"}
	for si, name := range names {
		st := results.StackInfo{Name: name, Dims: results.MustParseDims(name), Conformance: results.Conformance{Ran: true, Passed: 76}}
		run.Stacks = append(run.Stacks, st)
		for round := range 6 {
			rate := 1000 * (1 + 0.1*float64(si)) * wobble(round, si, 0.01)
			run.Records = append(run.Records, results.Record{RunID: run.ID, Stack: name, Dims: st.Dims, Workload: "transfer", Op: "all",
				Round: round, Mode: "closed", Seconds: 10, Requests: int64(rate * 10), Rate: rate, StackCPU: 1,
				Corrected: results.Latency{P50: 1e6, P99: 4e6, P999: 9e6}, Valid: true, Conformant: true})
		}
	}
	rep := build(t, run)
	rr := rep.Runs[0]
	if got := strings.Join(rr.Dimensions, ","); got != "json,http,log" {
		t.Errorf("dimensions %s, want json,http,log", got)
	}
	byDim := map[string][]string{}
	for _, e := range rr.Effects {
		for _, p := range e.Pairs {
			byDim[e.Dim] = append(byDim[e.Dim], p.A+"→"+p.B+" with "+p.Context)
		}
	}
	if got := byDim["json"]; len(got) == 0 || got[0] != "sonic→std with http=nethttp log=zap" {
		t.Errorf("json pairs %v", got)
	}
	if got := byDim["log"]; len(got) == 0 || got[0] != "slog→zap with json=std http=nethttp" {
		t.Errorf("log pairs %v", got)
	}
	if len(byDim["http"]) != 0 || len(byDim) != 2 {
		t.Errorf("pairs by dimension: %v", byDim)
	}
	h, m := render(t, rep)
	if !strings.Contains(h, "<tr><th>stack</th><th>json</th><th>http</th><th>log</th><th>conformance</th>") {
		t.Error("the HTML stacks table does not head the run's dimensions in order")
	}
	if !strings.Contains(h, "<td><code>json=std/http=nethttp/log=slog</code></td><td>std</td><td>nethttp</td><td>slog</td>") {
		t.Error("the HTML stacks table does not show a stack's parts under its dimensions")
	}
	if j, l := strings.Index(m, "| json | `sonic` |"), strings.Index(m, "| log | `slog` |"); j < 0 || l < 0 || j > l {
		t.Errorf("the Markdown effects do not list json, then log:\n%s", m)
	}
}

// A stack that broke a ledger invariant in one trial of a workload gets no rank on it, and the
// table says why, whatever its valid rounds measured.
func TestWrongAnswersLoseTheRank(t *testing.T) {
	run := synthRun()
	var stack string
	for i := range run.Records {
		r := &run.Records[i]
		if r.Workload == "transfer" && r.Op == "all" && strings.HasPrefix(r.Stack, "http=fiber/") && strings.Contains(r.Stack, "json=sonic") && r.Valid {
			r.Valid, r.Wrong, stack = false, []string{"acknowledged writes lost: 1 of 100 missing"}, r.Stack
			r.InvalidReasons = append(r.InvalidReasons, "wrong answers: "+r.Wrong[0])
			break
		}
	}
	if stack == "" {
		t.Fatal("no valid transfer trial of fiber/sonic in the synthetic run")
	}
	rr := build(t, run).Runs[0]
	row := findRow(t, findCase(t, rr, "transfer", "all"), stack)
	if row.Rank != 0 || !strings.HasPrefix(row.NoRank, "wrong answers: acknowledged writes lost") {
		t.Errorf("%s after a wrong trial: rank %d, no rank %q", stack, row.Rank, row.NoRank)
	}
}

func findRow(t *testing.T, c *report.CaseTable, stack string) *report.CaseRow {
	t.Helper()
	for _, r := range c.Rows {
		if r.Stack == stack {
			return r
		}
	}
	t.Fatalf("no row for %s", stack)
	return nil
}
