package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"stacklab/results"
	"stacklab/results/compare"
	"stacklab/results/stats"
)

// htmlRun is a run with its charts, as the template sees it.
type htmlRun struct {
	*RunReport
	Index      int
	CaseCharts map[string]*Chart // by case string
	SweepP99   map[string]*Chart // by sweep workload/op
	SweepP50   map[string]*Chart
	EnvRows    [][2]string
	Forests    []*forestGroup
}

// forestGroup is a workload's forest plots, one per judged metric.
type forestGroup struct {
	Title  string
	Charts []*Chart
}

type htmlPage struct {
	HTMLOptions
	Title          string
	Options        Options
	Runs           []*htmlRun
	Echarts        template.JS
	EchartsVersion string
	Charts         []*Chart
}

// HTMLOptions tune the HTML of a report that is a page of a site rather than a file of its own.
// The zero value is the self-contained file.
type HTMLOptions struct {
	// EchartsSrc, when set, is the relative URL of the site's copy of echarts.min.js (Echarts):
	// the page loads it instead of inlining the library.
	EchartsSrc string
	// Home, when set, is the relative URL of the site's index, linked at the top.
	Home string
}

// EchartsVersion is the version of the vendored ECharts.
const EchartsVersion = echartsVersion

// WriteHTML writes the report as one self-contained HTML file.
func (r *Report) WriteHTML(w io.Writer) error { return r.WriteHTMLWith(w, HTMLOptions{}) }

// WriteHTMLWith writes the report as HTML, as a site's page when h says so.
func (r *Report) WriteHTMLWith(w io.Writer, h HTMLOptions) error {
	page := &htmlPage{HTMLOptions: h, Title: r.Options.Title, Options: r.Options, EchartsVersion: echartsVersion}
	if h.EchartsSrc == "" {
		page.Echarts = echartsScript()
	}
	for i, rr := range r.Runs {
		hr := &htmlRun{RunReport: rr, Index: i + 1, CaseCharts: map[string]*Chart{}, SweepP99: map[string]*Chart{}, SweepP50: map[string]*Chart{},
			EnvRows: envRows(rr.Run)}
		ids := &chartIDs{prefix: fmt.Sprintf("run%d", i+1)}
		for _, t := range rr.Cases {
			if t.Case.Op != "all" {
				continue
			}
			c, err := rankChart(ids.next(), t)
			if err != nil {
				return fmt.Errorf("writing the HTML report: %w", err)
			}
			if c != nil {
				hr.CaseCharts[t.Case.String()] = c
				page.Charts = append(page.Charts, c)
			}
		}
		for _, sw := range rr.Sweeps {
			key := sw.Workload + "/" + sw.Op
			for _, m := range []stats.Metric{stats.P99, stats.P50} {
				c, err := sweepChart(ids.next(), sw, m)
				if err != nil {
					return fmt.Errorf("writing the HTML report: %w", err)
				}
				if m.Name == stats.P99.Name {
					hr.SweepP99[key] = c
				} else {
					hr.SweepP50[key] = c
				}
				page.Charts = append(page.Charts, c)
			}
		}
		forests, err := forestCharts(rr, ids)
		if err != nil {
			return fmt.Errorf("writing the HTML report: %w", err)
		}
		for _, g := range forests {
			page.Charts = append(page.Charts, g.Charts...)
		}
		hr.Forests = forests
		page.Runs = append(page.Runs, hr)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}

// forestCharts are the run's forest plots: per fixed-rate workload and judged metric, one row per
// part measured against the baseline on it.
func forestCharts(rr *RunReport, ids *chartIDs) ([]*forestGroup, error) {
	var out []*forestGroup
	for _, t := range rr.Cases {
		if t.Case.Op != "all" {
			continue
		}
		g := &forestGroup{Title: t.Case.Workload}
		for _, m := range EffectMetrics {
			var rows []ForestRow
			for _, d := range rr.Verdicts {
				for _, p := range d.Parts {
					for _, w := range p.Workloads {
						if w.Workload != t.Case.Workload {
							continue
						}
						g.Title = w.Title()
						for _, mv := range w.Metrics {
							if mv.Metric.Name != m.Name {
								continue
							}
							label := d.Dim + "=" + p.Part
							if d.Label != "" {
								label += " (" + d.Label + ")"
							}
							rows = append(rows, ForestRow{Label: label, Ratio: mv.Ratio, HasCI: mv.HasCI, Outcome: mv.Outcome(),
								Tip: fmt.Sprintf("%s vs %s: %s", label, d.BasePart, mv.Text())})
						}
					}
				}
			}
			if len(rows) == 0 {
				continue
			}
			c, err := ForestChart(ids.next(), fmt.Sprintf("%s: %s, each part / the baseline", t.Case.Workload, m.Name),
				"median ratio, 95% bootstrap interval; green better, red worse, grey no difference by the rule", rows)
			if err != nil {
				return nil, err
			}
			if c != nil {
				g.Charts = append(g.Charts, c)
			}
		}
		if len(g.Charts) > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

// rankCell renders a row's rank: the number, "≈" when shared, "—" with the reason when unranked.
func rankCell(r *CaseRow) template.HTML {
	if r.Rank == 0 {
		return template.HTML(fmt.Sprintf(`<span class="na" title="no rank: %s">—</span>`, template.HTMLEscapeString(r.NoRank)))
	}
	title := "told apart from every other ranked stack"
	if len(r.TiedWith) > 0 {
		title = "not told apart from: " + strings.Join(r.TiedWith, ", ")
	}
	tie := ""
	if r.Tied {
		tie = ` <span class="tie">≈</span>`
	}
	return template.HTML(fmt.Sprintf(`<span title="%s">%d%s</span>`, template.HTMLEscapeString(title), r.Rank, tie))
}

// outcomeClass colours a metric verdict.
func outcomeClass(m *MetricVerdict) string {
	switch m.Outcome() {
	case Better:
		return "good"
	case Worse:
		return "bad"
	case NotJudged:
		return "weak"
	}
	return "same"
}

func envRows(run *results.Run) [][2]string {
	e := run.Env
	commit := e.GitCommit
	if e.GitDirty {
		commit += " (dirty work tree)"
	}
	rows := [][2]string{
		{"host", e.Hostname}, {"CPU", e.CPUModel}, {"cores", fmt.Sprint(e.Cores)}, {"memory", fmt.Sprintf("%d MiB", e.MemoryMiB)},
		{"OS", e.OS}, {"kernel", e.Kernel}, {"Go", e.GoVersion}, {"GOAMD64", e.GOAMD64},
		{"GOMAXPROCS (each stack)", fmt.Sprint(e.GOMAXPROCS)}, {"git commit", commit},
	}
	for _, m := range []struct {
		prefix string
		kv     map[string]string
	}{{"service ", e.Services}, {"tool ", e.Tools}} {
		keys := make([]string, 0, len(m.kv))
		for k := range m.kv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rows = append(rows, [2]string{m.prefix + k, m.kv[k]})
		}
	}
	return rows
}

// cell renders a median with its interval; weak cells (too few rounds) are marked.
func cell(m stats.Metric, s stats.Summary) template.HTML {
	if s.N == 0 || math.IsNaN(s.Center) {
		return `<span class="na">—</span>`
	}
	ci := s.Spread(m)
	class := "ci"
	if !s.HasCI() {
		class = "ci weak"
	}
	title := fmt.Sprintf("median of %d rounds", s.N)
	if s.HasCI() {
		title += fmt.Sprintf("; %.0f%% CI %s – %s", s.Confidence*100, m.Format(s.Lo), m.Format(s.Hi))
	} else {
		title += "; too few rounds for a confidence interval"
	}
	return template.HTML(fmt.Sprintf(`<span title="%s">%s <span class="%s">%s</span></span>`,
		template.HTMLEscapeString(title), template.HTMLEscapeString(m.Format(s.Center)), class, template.HTMLEscapeString(ci)))
}

func ratioText(p EffectPair) string {
	if p.Err != "" {
		return "— (" + p.Err + ")"
	}
	if !p.Solid {
		return fmt.Sprintf("×%.3f (no CI: %d+%d rounds)", p.Ratio.Center, p.NA, p.NB)
	}
	return fmt.Sprintf("×%.3f [%.3f, %.3f]", p.Ratio.Center, p.Ratio.Lo, p.Ratio.Hi)
}

// ratioClass colours a pair by whether the rule finds B better (good) or worse (bad) than A.
func ratioClass(p EffectPair) string {
	switch {
	case p.Err != "" || !p.Solid:
		return "weak"
	case p.Verdict == compare.Improvement:
		return "good"
	case p.Verdict == compare.Regression:
		return "bad"
	}
	return ""
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

var funcs = template.FuncMap{
	"cell":       cell,
	"ratio":      ratioText,
	"ratioClass": ratioClass,
	"rankCell":   rankCell,
	"outcome":    outcomeClass,
	"short":      shortSHA,
	"join":       strings.Join,
	"rate":       stats.FormatRate,
	"ratioPct":   stats.FormatRatio,
	"geo":        func(v float64) string { return fmt.Sprintf("×%.3f", v) },
	"pct":        func(v float64) string { return fmt.Sprintf("%.0f%%", v*100) },
	"metric": func(name string) stats.Metric {
		for _, m := range append(stats.Metrics(), stats.TotalCPUPerRequest) {
			if m.Name == name {
				return m
			}
		}
		return stats.Metric{Name: name, Format: func(v float64) string { return fmt.Sprint(v) }}
	},
	"time": func(t time.Time) string {
		if t.IsZero() {
			return "(not recorded)"
		}
		return t.UTC().Format("2006-01-02 15:04:05 MST")
	},
}

var pageTemplate = template.Must(template.New("page").Funcs(funcs).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;padding:0 24px 48px;color:#1b1f24}
h1{font-size:24px;margin:24px 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:16px;margin:24px 0 6px}h4{font-size:14px;margin:16px 0 4px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.num{text-align:right;white-space:nowrap}
tr.nc td{color:#8c959f;background:#f6f8fa}tr.nc td.stack::after{content:" (does not conform: not ranked)";font-style:italic}
.ci{color:#57606a;font-size:12px}.weak{color:#bc4c00;font-style:italic}.na{color:#8c959f}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px}
.ok{background:#dafbe1;color:#116329}.fail{background:#ffebe9;color:#a40e26}.warn{background:#fff8c5;color:#7d4e00}
td.good{background:#dafbe1}td.bad{background:#ffebe9}
span.good{color:#116329;font-weight:600}span.bad{color:#a40e26;font-weight:600}span.same{color:#57606a}.tie{color:#0969da;font-weight:700}
ul.verdicts li{margin:4px 0}
.legend{background:#f6f8fa;border:1px solid #d0d7de;padding:8px 16px;border-radius:6px}
.chart{width:100%;margin:8px 0 16px}code{font-size:12px}
details{margin:6px 0}summary{cursor:pointer}
</style>
{{if .EchartsSrc}}<link rel="icon" href="data:,">
<script src="{{.EchartsSrc}}"></script>{{else}}<script>{{.Echarts}}</script>{{end}}
</head>
<body>
{{if .Home}}<p><a href="{{.Home}}">← all runs</a></p>
{{end}}<h1>{{.Title}}</h1>
<div class="legend">
<p><b>How to read this report.</b> Every number is a <b>median across rounds</b> (one trial per stack and workload per round, stack order shuffled per round),
followed by its {{pct .Options.Confidence}} confidence interval as ± % of the median (golang.org/x/perf/benchmath: order statistics, no distributional assumption; hover a cell for the bounds).</p>
<ul>
<li>Only <b>valid trials</b> count; invalid ones are listed with their reasons at the end of each run. The <i>valid</i> column shows valid/total rounds.</li>
<li><span class="weak">Italic orange ± ∞</span>: fewer than {{.Options.MinSamples}} valid rounds, no confidence interval: read the number as a hint only.</li>
<li>Grey rows: the stack <b>does not conform</b> to the ledger contract. It is shown for reference and gets <b>no rank</b>; it is left out of charts of ranks and of dimension effects.</li>
<li>Latencies are <b>corrected</b> (measured from the intended send time). CPU/req is the stack process's CPU (user+system) per completed request; total adds PostgreSQL, Redis and Kafka.</li>
<li>Ranks: closed-loop workloads by throughput; open-loop workloads (the rate is fixed by the plan) by p99. <b>Rank = 1 + the number of stacks significantly better</b>
(taken transitively); stacks sharing a rank are marked <span class="tie">≈</span> and share a bar colour. Rule: {{.Options.Rule}}.
A stack with fewer than {{.Options.MinSamples}} valid rounds gets no rank.</li>
</ul>
</div>
{{range .Runs}}{{$run := .}}
<h2 id="run{{.Index}}">Run <code>{{.Run.ID}}</code>{{if .Run.PlanName}} · plan <code>{{.Run.PlanName}}</code>{{end}}</h2>
<p>{{time .Run.Started}} – {{time .Run.Finished}} · {{.Rounds}} rounds · {{len .Stacks}} stacks</p>
{{if .Run.Notes}}<p class="badge warn">run notes</p><ul>{{range .Run.Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}

<h3>Environment</h3>
<table>{{range .EnvRows}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>

<h3>Stacks and conformance</h3>
<table><tr><th>stack</th>{{range .Dimensions}}<th>{{.}}</th>{{end}}<th>conformance</th><th>checks passed / failed / skipped</th><th>binary sha256</th></tr>
{{range .Stacks}}{{$info := .Info}}<tr><td><code>{{.Info.Key}}</code></td>{{range $run.Dimensions}}<td>{{$info.Dims.Get .}}</td>{{end}}
<td><span class="badge {{if .Conformant}}ok{{else}}fail{{end}}">{{.Status}}</span>{{if .Info.Error}} {{.Info.Error}}{{end}}
{{if .Info.Conformance.Failures}}<details><summary>{{len .Info.Conformance.Failures}} failures</summary><ul>{{range .Info.Conformance.Failures}}<li><code>{{.}}</code></li>{{end}}</ul></details>{{end}}</td>
<td class="num">{{.Info.Conformance.Passed}} / {{.Info.Conformance.Failed}} / {{.Info.Conformance.Skipped}}</td><td><code>{{short .Info.BinarySHA256}}</code></td></tr>
{{end}}</table>

<h3>Results per workload</h3>
{{range .Cases}}{{$t := .}}
<h4 id="run{{$run.Index}}-{{.Case}}">{{.Case}} · {{.Mode}} loop{{if gt .RequestedRate 0.0}} at {{rate .RequestedRate}} req/s{{end}} · ranked by {{.RankedBy.Name}}</h4>
{{with index $run.CaseCharts .Case.String}}<div class="chart" id="{{.ID}}" style="height:{{.Height}}px"></div>{{end}}
<table><tr><th>rank</th><th>stack</th><th>throughput req/s</th><th>p50</th><th>p99</th><th>p99.9</th><th>CPU/req</th><th>total CPU/req</th><th>error rate</th><th>errors</th><th>valid</th></tr>
{{range .Rows}}<tr{{if not .Conformant}} class="nc"{{end}}><td class="num">{{rankCell .}}</td><td class="stack"><code>{{.Stack}}</code></td>
<td class="num">{{cell (metric "throughput") .Throughput}}</td><td class="num">{{cell (metric "p50") .P50}}</td><td class="num">{{cell (metric "p99") .P99}}</td>
<td class="num">{{cell (metric "p99.9") .P999}}</td><td class="num">{{cell (metric "cpu/req") .CPU}}</td><td class="num">{{cell (metric "total-cpu/req") .TotalCPU}}</td>
<td class="num">{{cell (metric "errors") .ErrorRate}}</td><td class="num">{{.Errors}}</td><td class="num{{if lt .Valid .Total}} weak{{end}}">{{.Valid}}/{{.Total}}</td></tr>
{{end}}</table>
{{end}}

{{if .Sweeps}}<h3>Latency versus throughput (sweeps)</h3>
{{range .Sweeps}}{{$key := printf "%s/%s" .Workload .Op}}
<h4>sweep workload={{.Workload}} op={{.Op}}</h4>
<table><tr><th>stack</th><th>how the sweep ended</th></tr>
{{range .Lines}}<tr{{if not .Conformant}} class="nc"{{end}}><td class="stack"><code>{{.Stack}}</code></td><td>{{.End}}</td></tr>
{{end}}</table>
{{with index $run.SweepP99 $key}}<div class="chart" id="{{.ID}}" style="height:{{.Height}}px"></div>{{end}}
{{with index $run.SweepP50 $key}}<div class="chart" id="{{.ID}}" style="height:{{.Height}}px"></div>{{end}}
<details><summary>points</summary>
<table><tr><th>stack</th><th>step</th><th>requested req/s</th><th>achieved req/s</th><th>p50</th><th>p99</th><th>valid</th></tr>
{{range .Lines}}{{$line := .}}{{range .Points}}<tr{{if not $line.Conformant}} class="nc"{{end}}><td class="stack"><code>{{$line.Stack}}</code></td><td class="num">{{.Step}}</td>
<td class="num">{{rate .RequestedRate}}</td><td class="num">{{cell (metric "throughput") .Rate}}</td><td class="num">{{cell (metric "p50") .P50}}</td><td class="num">{{cell (metric "p99") .P99}}</td>
<td class="num{{if lt .Valid .Total}} weak{{end}}">{{.Valid}}/{{.Total}}</td></tr>
{{end}}{{end}}</table></details>
{{end}}{{end}}

<h3 id="run{{.Index}}-verdicts">Verdicts</h3>
{{if .Baseline}}<p>Each part against the baseline <code>{{.Baseline}}</code> ({{.BaselineFrom}}), in a stack that differs from it in that dimension only:
the change of the median (part / baseline) with its {{pct $.Options.Confidence}} percentile-bootstrap interval ({{$.Options.BootstrapIterations}} resamples, seeded).
The verdict (coloured: better, worse; grey: no difference) follows the rule above, whose test is the Mann-Whitney U test; the interval shows how large the change is,
and where the test is only just significant it can reach ×1.</p>
{{else}}<p class="na">The run has no baseline: no stack is the one every other differs from in one dimension.</p>{{end}}
{{range .Verdicts}}{{$d := .}}<div class="verdict" data-dim="{{.Dim}}">
<h4>{{.Dim}}{{if .Label}} (label {{.Label}}){{end}}{{if .BasePart}} · baseline {{.BasePart}}{{end}}</h4>
{{if .Note}}<p class="na">{{.Note}}.</p>{{else}}<ul class="verdicts">
{{range .Parts}}<li data-part="{{.Part}}"><b>{{.Part}}</b> vs {{$d.BasePart}}: {{if .Note}}{{.Note}}{{else}}{{range $i, $w := .Workloads}}{{if $i}}; {{end}}<span data-workload="{{.Workload}}">{{.Title}}: {{range $j, $m := .Metrics}}{{if $j}}, {{end}}<span class="{{outcome $m}}">{{$m.Text}}</span>{{end}}</span>{{end}}{{range .Sweeps}}; {{.Text $d.BasePart}}{{end}}{{end}}</li>
{{end}}</ul>{{end}}</div>
{{end}}
{{range .Forests}}<h4>Forest plots: {{.Title}}</h4>
{{range .Charts}}<div class="chart" id="{{.ID}}" style="height:{{.Height}}px"></div>
{{end}}{{end}}

<h3>Effect of each choice, the other dimensions held fixed</h3>
<p>For every pair of conforming stacks that differ in one dimension only, the ratio of their medians (op=all, fixed-rate workloads; throughput in closed loop only)
with a {{pct $.Options.Confidence}} percentile-bootstrap interval ({{$.Options.BootstrapIterations}} resamples, seeded). Per choice: the geometric mean of its ratio against the alternatives,
and how many pairs the rule tells apart, better or worse (coloured; the others are equal).</p>
{{if not .Effects}}<p class="na">No pair of conforming stacks differs in exactly one dimension.</p>{{end}}
{{range .Effects}}{{$e := .}}
<h4>{{.Dim}}: {{.Metric.Name}} ({{.Metric.Better}})</h4>
<table><tr><th>{{.Dim}}</th><th>median ratio vs the alternatives</th><th>pairs</th><th>clearly better</th><th>clearly worse</th></tr>
{{range .Choices}}<tr><td><code>{{.Choice}}</code></td><td class="num">{{geo .GeoMean}}</td><td class="num">{{.Pairs}}</td><td class="num">{{.Better}}</td><td class="num">{{.Worse}}</td></tr>
{{end}}</table>
<details><summary>{{len .Pairs}} pairs</summary>
<table><tr><th>case</th><th>fixed</th><th>A</th><th>B</th><th>B / A</th><th>rounds</th></tr>
{{range .Pairs}}<tr><td>{{.Case}}</td><td><code>{{.Context}}</code></td><td><code>{{.A}}</code></td><td><code>{{.B}}</code></td><td class="num {{ratioClass .}}">{{ratio .}}</td><td class="num">{{.NA}}+{{.NB}}</td></tr>
{{end}}</table></details>
{{end}}

<h3>Invalid trials</h3>
{{if .Invalid}}<table><tr><th>measurement</th><th>round</th><th>reasons</th></tr>
{{range .Invalid}}<tr><td><code>{{.Key}}</code></td><td class="num">{{.Round}}</td><td>{{join .Reasons "; "}}</td></tr>
{{end}}</table>{{else}}<p>None: every trial was valid.</p>{{end}}

<h3>Module versions</h3>
{{if .Modules}}<table><tr><th>module</th><th>version</th><th>stacks</th></tr>
{{range .Modules}}{{$m := .}}{{range .Versions}}<tr><td><code>{{$m.Path}}</code></td><td><code>{{.Version}}</code></td><td>{{if eq (len $m.Versions) 1}}all that use it ({{len .Stacks}}){{else}}{{join .Stacks ", "}}{{end}}</td></tr>
{{end}}{{end}}</table>{{else}}<p class="na">The run records no build information.</p>{{end}}
{{end}}
<p class="ci">Charts: Apache ECharts {{.EchartsVersion}} (Apache License 2.0), {{if .EchartsSrc}}served with the site{{else}}inlined{{end}}; options built with go-echarts v2.6.7. This {{if .EchartsSrc}}page loads nothing from outside its site{{else}}file loads nothing from the network{{end}}.</p>
{{range .Charts}}<script>
(function () {
  var chart = echarts.init(document.getElementById({{.ID}}), null, {renderer: "canvas"});
  chart.setOption({{.Option}});
  window.addEventListener("resize", function () { chart.resize(); });
})();
</script>
{{end}}</body>
</html>
`
