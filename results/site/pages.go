package site

// The pages' templates, style and script. The script is plain JavaScript over the data each page
// embeds (a <script type="application/json"> element): it draws the charts with the site's copy
// of ECharts and filters by dimension, workload and part. It requests nothing.

const indexHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/site.css">
<script src="assets/echarts.min.js"></script>
</head>
<body data-page="index">
<h1>{{.Title}}</h1>
<p class="lede">{{plural (len .Site.Runs) "run" "runs"}}{{range .Site.Options.Sources}} · {{.}}{{end}}. In every run each part is judged against the baseline, in a stack
that differs from it in that dimension only. A difference counts only when it is significant (Mann-Whitney U), beyond the metric's minimum effect and beyond
the A/A noise floor of the run's machine when one is known; otherwise it is "no difference". Each run's page says its rule and floor.</p>
{{with .Site.Options.Notes}}<details class="notes"><summary>{{len .}} left out</summary><ul>{{range .}}<li>{{.}}</li>{{end}}</ul></details>{{end}}
<nav class="filters">
<label>dimension <select id="filter-dim"><option value="">all</option>{{range .Site.Dimensions}}<option value="{{.Key}}">{{.Key}}</option>{{end}}</select></label>
<label>workload <select id="filter-workload"><option value="">all</option>{{range .Site.Workloads}}<option value="{{.}}">{{.}}</option>{{end}}</select></label>
<span id="filter-status" class="status"></span>
</nav>

<section>
<h2>Verdicts per run</h2>
<div class="chart" id="verdicts-chart" style="height:340px"></div>
</section>

<section>
<h2>Dimensions</h2>
{{if .Site.Dimensions}}<ul class="dims">
{{range .Site.Dimensions}}<li data-dims="{{.Key}}" data-workloads="{{join .Workloads " "}}"><a href="dims/{{.Slug}}.html">{{dimTitle .}}</a>: {{plural (len .Parts) "part" "parts"}} against the baseline ({{join .Parts ", "}}), {{plural (len .Runs) "run" "runs"}}</li>
{{end}}</ul>{{else}}<p class="na">No run has a verdict: no run has a baseline and a variant.</p>{{end}}
</section>

<section>
<h2>Latest verdicts</h2>
<p>Per dimension, the verdicts of the latest run that judged it.</p>
<table class="latest"><tr><th>dimension</th><th>part vs baseline</th><th>workload</th><th>verdict</th><th>run</th></tr>
{{range .Latest}}<tr data-dims="{{.Dim}}" data-workloads="{{.Workload}}"><td>{{.Dim}}</td><td><b>{{.Part}}</b> vs {{.BasePart}}{{if .Label}} ({{.Label}}){{end}}</td><td>{{.WorkTitle}}</td>
<td class="{{outcomeClass .Verdict}}">{{.Verdict.Text}}</td><td><a href="runs/{{.Run.Slug}}/index.html#run1-verdicts"><code>{{.Run.Run.ID}}</code></a></td></tr>
{{end}}</table>
</section>

<section>
<h2>Runs</h2>
<table class="runs"><tr><th>started</th><th>run</th><th>commit</th><th>plan</th><th>machine</th><th>stacks</th><th>baseline</th><th>A/A noise floor</th><th>better</th><th>worse</th><th>no difference</th><th>not judged</th><th>files</th></tr>
{{range .Site.Runs}}<tr data-dims="{{join .Dims " "}}" data-workloads="{{join .Workloads " "}}"><td>{{time .}}</td><td><a href="runs/{{.Slug}}/index.html"><code>{{.Run.ID}}</code></a></td>
<td><code>{{short .Run.Env.GitCommit}}</code>{{if .Run.Env.GitDirty}} (dirty){{end}}</td><td>{{.Run.PlanName}}</td><td>{{.Machine}}</td><td class="num">{{len .Run.Stacks}}</td>
<td>{{with .RunReport.Baseline}}<code>{{.}}</code>{{else}}<span class="na">none</span>{{end}}</td><td>{{.Floor.Source}}</td>
<td class="num good">{{count . "better"}}</td><td class="num bad">{{count . "worse"}}</td><td class="num">{{count . "no difference"}}</td><td class="num">{{count . "not judged"}}</td>
<td><a href="runs/{{.Slug}}/report.md">report.md</a> · <a href="runs/{{.Slug}}/bench.txt">bench.txt</a> · <a href="runs/{{.Slug}}/run.json">run.json</a></td></tr>
{{end}}</table>
</section>

<p class="foot">Charts: Apache ECharts {{.EchartsVersion}} (Apache License 2.0, <a href="assets/LICENSE">LICENSE</a>, <a href="assets/NOTICE">NOTICE</a>), served with the site.
The site loads nothing from outside itself. Raw data: each run's run.json is the run as spooled, with every record's HDR histograms; hdr/ holds them per stack.</p>
<script type="application/json" id="site-data">{{.Data}}</script>
<script src="assets/site.js"></script>
</body>
</html>
`

const dimensionHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Dim.Key}} · {{.Title}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="../assets/site.css">
<script src="../assets/echarts.min.js"></script>
</head>
<body data-page="dimension">
<p><a href="../index.html">← all runs</a></p>
<h1>{{dimTitle .Dim}}</h1>
<p class="lede">Each part of <b>{{.Dim.Key}}</b> against the baseline's, run after run: the ratio of the medians (part / baseline) with its 95% bootstrap
interval, coloured by the rule's verdict. {{plural (len .Dim.Runs) "run" "runs"}}, parts: {{join .Dim.Parts ", "}}. Every point below links to its run (environment,
module versions, conformance) and to its raw data.</p>
<nav class="filters">
<label>workload <select id="filter-workload"><option value="">all</option>{{range .Dim.Workloads}}<option value="{{.}}">{{.}}</option>{{end}}</select></label>
<label>part <select id="filter-part"><option value="">all</option>{{range .Dim.Parts}}<option value="{{.}}">{{.}}</option>{{end}}</select></label>
<span id="filter-status" class="status"></span>
</nav>
<div class="histories">
{{range .Charts}}<section class="history" data-workload="{{.Workload}}" data-metric="{{.Metric}}"><div class="chart" id="{{.ID}}" style="height:400px"></div></section>
{{end}}</div>
<section>
<h2>Every point, with its environment</h2>
<table class="points"><tr><th>run</th><th>started · commit</th><th>machine · Go</th><th>part vs baseline</th><th>workload</th><th>metric</th><th>part / baseline</th><th>verdict</th><th>modules of the part's binary that the baseline's lacks or holds at another version</th><th>raw data</th></tr>
{{range .Dim.Points}}<tr data-workload="{{.Workload}}" data-part="{{.Series}}"><td><a href="../runs/{{.Run.Slug}}/index.html"><code>{{.Run.Run.ID}}</code></a></td>
<td>{{.Run.Short}}</td><td>{{.Run.Machine}} · {{.Run.Run.Env.GoVersion}} · GOMAXPROCS={{.Run.Run.Env.GOMAXPROCS}}</td>
<td><b>{{.Part}}</b> vs {{.BasePart}}{{if .Label}} ({{.Label}}){{end}}</td><td>{{.WorkTitle}}</td><td>{{.Verdict.Metric.Name}}</td><td class="num">{{change .Verdict}}</td>
<td class="{{outcomeClass .Verdict}}">{{.Verdict.Text}}</td><td>{{range .Modules}}<code>{{.}}</code><br>{{else}}<span class="na">none</span>{{end}}</td>
<td><a href="../runs/{{.Run.Slug}}/run.json">run.json</a> · <a href="../runs/{{.Run.Slug}}/hdr/{{slug .Stack}}.json">HDR of {{.Part}}</a> · <a href="../runs/{{.Run.Slug}}/hdr/{{slug .BaseStack}}.json">HDR of the baseline</a></td></tr>
{{end}}</table>
</section>
<p class="foot">Charts: Apache ECharts {{.EchartsVersion}} (Apache License 2.0), served with the site. The site loads nothing from outside itself.</p>
<script type="application/json" id="site-data">{{.Data}}</script>
<script src="../assets/site.js"></script>
</body>
</html>
`

const siteCSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;padding:0 24px 48px;color:#1b1f24}
h1{font-size:24px;margin:24px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.lede{color:#424a53;max-width:1100px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.num{text-align:right;white-space:nowrap}
td.good,span.good{color:#116329;font-weight:600}td.bad,span.bad{color:#a40e26;font-weight:600}td.same{color:#57606a}td.weak{color:#7d4e00;font-style:italic}
.na{color:#8c959f}code{font-size:12px}
.filters{position:sticky;top:0;background:#fff;border-bottom:1px solid #d0d7de;padding:8px 0;margin:12px 0;z-index:2}
.filters label{margin-right:16px}.status{color:#57606a;font-size:12px}
.chart{width:100%;margin:8px 0 16px}
.histories{display:grid;grid-template-columns:repeat(auto-fill,minmax(620px,1fr));gap:0 24px}
.foot{color:#57606a;font-size:12px;margin-top:32px}
[hidden]{display:none!important}
`

const siteJS = `// stacklab results site: draws the charts from the data each page embeds, with the site's copy
// of ECharts, and filters what is shown. No framework; it requests nothing.
(function () {
  "use strict";
  var charts = [];
  function has(list, v) { return (" " + (list || "") + " ").indexOf(" " + v + " ") >= 0; }
  function pageData() { return JSON.parse(document.getElementById("site-data").textContent); }
  function resizeVisible() {
    charts.forEach(function (c) { if (c.getDom().offsetParent !== null) { c.resize(); } });
  }
  window.addEventListener("resize", resizeVisible);

  var outcomes = [["better", "#1a7f37"], ["worse", "#cf222e"], ["no difference", "#8c959f"], ["not judged", "#d4a72c"]];

  function index() {
    var d = pageData();
    var dim = document.getElementById("filter-dim"), wl = document.getElementById("filter-workload");
    var chart = echarts.init(document.getElementById("verdicts-chart"), null, {renderer: "canvas"});
    charts.push(chart);
    chart.setOption({
      animation: false,
      title: {text: "Metric verdicts per run", subtext: "every part against the baseline, on every workload it ran"},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {top: "bottom"},
      grid: {left: 50, right: 30, top: 70, bottom: 70},
      xAxis: {type: "category", data: d.runs.map(function (r) { return r.label; })},
      yAxis: {type: "value", name: "verdicts", minInterval: 1},
      series: outcomes.map(function (o) {
        return {name: o[0], type: "bar", stack: "all", itemStyle: {color: o[1]}, data: []};
      })
    });
    function update() {
      var dv = dim.value, wv = wl.value, rows = 0, total = 0;
      document.querySelectorAll("[data-dims]").forEach(function (el) {
        el.hidden = !((dv === "" || has(el.dataset.dims, dv)) && (wv === "" || has(el.dataset.workloads, wv)));
        if (!el.hidden && el.tagName === "TR") { rows++; }
      });
      var counts = outcomes.map(function () { return d.runs.map(function () { return 0; }); });
      d.verdicts.forEach(function (v) {
        if ((dv === "" || v.dim === dv) && (wv === "" || v.workload === wv)) {
          for (var i = 0; i < outcomes.length; i++) {
            if (outcomes[i][0] === v.outcome) { counts[i][v.run]++; total++; }
          }
        }
      });
      chart.setOption({series: counts.map(function (c) { return {data: c}; })});
      document.getElementById("filter-status").textContent = total + " verdicts, " + rows + " table rows shown";
    }
    dim.addEventListener("change", update);
    wl.addEventListener("change", update);
    update();
  }

  function dimension() {
    var wl = document.getElementById("filter-workload"), part = document.getElementById("filter-part");
    pageData().forEach(function (c) {
      var chart = echarts.init(document.getElementById(c.id), null, {renderer: "canvas"});
      chart.setOption(c.option);
      charts.push(chart);
    });
    function update() {
      var wv = wl.value, pv = part.value, shown = 0, rows = 0;
      document.querySelectorAll("section.history").forEach(function (el) {
        el.hidden = !(wv === "" || el.dataset.workload === wv);
        if (!el.hidden) { shown++; }
      });
      document.querySelectorAll("tr[data-part]").forEach(function (el) {
        el.hidden = !((wv === "" || el.dataset.workload === wv) && (pv === "" || el.dataset.part === pv));
        if (!el.hidden) { rows++; }
      });
      charts.forEach(function (chart) {
        (chart.getOption().legend[0].data || []).forEach(function (n) {
          var name = typeof n === "string" ? n : n.name;
          chart.dispatchAction({type: pv === "" || name === pv ? "legendSelect" : "legendUnSelect", name: name});
        });
      });
      resizeVisible();
      document.getElementById("filter-status").textContent = shown + " charts, " + rows + " points shown";
    }
    wl.addEventListener("change", update);
    part.addEventListener("change", update);
    update();
  }

  switch (document.body.dataset.page) {
  case "index": index(); break;
  case "dimension": dimension(); break;
  }
})();
`
