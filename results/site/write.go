package site

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"stacklab/results"
	"stacklab/results/report"
	"stacklab/results/stats"
)

// marker marks a folder as a site this package wrote, so that Write may replace it.
const marker = ".stacklab-site"

// Write writes the site into dir: index.html; assets/ (ECharts and its licences, the pages'
// script and style); per run runs/<run>/ with index.html (its report), report.md, bench.txt,
// run.json (the run as spooled, HDR histograms included) and hdr/<stack>.json (each stack's
// histograms); per dimension dims/<dimension>.html. A dir that exists must be empty or a site
// written before, which is replaced whole.
func (s *Site) Write(dir string) error {
	if err := prepare(dir); err != nil {
		return err
	}
	w := &writer{dir: dir}
	files, err := report.EchartsFiles()
	if err != nil {
		return fmt.Errorf("writing the site: %w", err)
	}
	for name, b := range files {
		w.file(filepath.Join("assets", name), b)
	}
	w.file(filepath.Join("assets", "site.css"), []byte(siteCSS))
	w.file(filepath.Join("assets", "site.js"), []byte(siteJS))
	w.file(marker, []byte("written by stacklab/results/site; `harness site` replaces this folder whole\n"))
	w.page("index.html", indexTemplate, s.indexPage())
	for _, d := range s.Dimensions {
		page, err := s.dimensionPage(d)
		if err != nil {
			return fmt.Errorf("writing the site: dimension %s: %w", d.Key, err)
		}
		w.page(filepath.Join("dims", d.Slug+".html"), dimensionTemplate, page)
	}
	for _, r := range s.Runs {
		s.writeRun(w, r)
	}
	return w.err
}

// prepare makes dir ready: created when missing, emptied when it is a site written before.
func prepare(dir string) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("writing the site: %w", err)
	case len(ents) > 0:
		if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
			return fmt.Errorf("writing the site: %s is neither empty nor a site written before (no %s): not replacing it", dir, marker)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("writing the site: replacing %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing the site: %w", err)
	}
	return nil
}

// writer writes files under dir, keeping the first error.
type writer struct {
	dir string
	err error
}

func (w *writer) file(rel string, b []byte) {
	if w.err != nil {
		return
	}
	path := filepath.Join(w.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.err = fmt.Errorf("writing the site: %w", err)
		return
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		w.err = fmt.Errorf("writing the site: %w", err)
	}
}

func (w *writer) page(rel string, t *template.Template, data any) {
	if w.err != nil {
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		w.err = fmt.Errorf("writing the site: %s: %w", rel, err)
		return
	}
	w.file(rel, buf.Bytes())
}

func (w *writer) with(rel string, write func(io.Writer) error) {
	if w.err != nil {
		return
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		w.err = fmt.Errorf("writing the site: %s: %w", rel, err)
		return
	}
	w.file(rel, buf.Bytes())
}

// writeRun writes a run's folder.
func (s *Site) writeRun(w *writer, r *Run) {
	dir := filepath.Join("runs", r.Slug)
	w.with(filepath.Join(dir, "index.html"), func(out io.Writer) error {
		return r.Report.WriteHTMLWith(out, report.HTMLOptions{EchartsSrc: "../../assets/echarts.min.js", Home: "../../index.html"})
	})
	w.with(filepath.Join(dir, "report.md"), r.Report.WriteMarkdown)
	w.with(filepath.Join(dir, "bench.txt"), r.Report.WriteBench)
	w.with(filepath.Join(dir, "run.json"), func(out io.Writer) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", " ")
		return enc.Encode(r.Run)
	})
	for _, st := range r.Run.Stacks {
		w.with(filepath.Join(dir, "hdr", Slug(st.Key())+".json"), func(out io.Writer) error {
			return writeHistograms(out, r.Run, st.Key())
		})
	}
}

// histogram is one record's histograms as hdr/<stack>.json lists them.
type histogram struct {
	Workload  string   `json:"workload"`
	Op        string   `json:"op"`
	Round     int      `json:"round"`
	Step      int      `json:"step,omitempty"`
	Valid     bool     `json:"valid"`
	Reasons   []string `json:"invalid_reasons,omitempty"`
	Requests  int64    `json:"requests"`
	Corrected string   `json:"corrected_hdr"`
	Service   string   `json:"service_hdr"`
}

// writeHistograms writes the HDR histograms of one stack's records: each encoded as
// hdrhistogram-go's Encode does (base64 of the compressed V2 format), corrected and service.
func writeHistograms(out io.Writer, run *results.Run, stack string) error {
	doc := struct {
		Run      string      `json:"run_id"`
		Stack    string      `json:"stack"`
		Encoding string      `json:"encoding"`
		Records  []histogram `json:"records"`
	}{Run: run.ID, Stack: stack, Encoding: "HdrHistogram V2 compressed, base64 (hdrhistogram-go Encode/Decode); values in ns"}
	for i := range run.Records {
		rec := &run.Records[i]
		if results.StackKey(rec.Stack, rec.Label) != stack {
			continue
		}
		doc.Records = append(doc.Records, histogram{Workload: rec.Workload, Op: rec.Op, Round: rec.Round, Step: rec.Step,
			Valid: rec.Valid, Reasons: rec.InvalidReasons, Requests: rec.Requests, Corrected: rec.Corrected.HDR, Service: rec.Service.HDR})
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", " ")
	return enc.Encode(doc)
}

// jsonJS encodes v for a <script type="application/json"> element (encoding/json escapes <, >
// and &, so no "</script" can appear).
func jsonJS(v any) (template.JS, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil
}

type indexPage struct {
	Title                string
	Site                 *Site
	Data                 template.JS
	Latest               []*Point
	EchartsVersion, Note string
}

type indexData struct {
	Runs     []indexRun     `json:"runs"`
	Verdicts []indexVerdict `json:"verdicts"`
}

type indexRun struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

type indexVerdict struct {
	Run      int    `json:"run"`
	Dim      string `json:"dim"`
	Workload string `json:"workload"`
	Outcome  string `json:"outcome"`
}

func (s *Site) indexPage() *indexPage {
	var data indexData
	for i := len(s.Runs) - 1; i >= 0; i-- { // oldest first on the chart
		r := s.Runs[i]
		n := len(data.Runs)
		data.Runs = append(data.Runs, indexRun{ID: r.Run.ID, Label: r.Short()})
		for _, dv := range r.RunReport().Verdicts {
			for _, pv := range dv.Parts {
				for _, wv := range pv.Workloads {
					for _, mv := range wv.Metrics {
						data.Verdicts = append(data.Verdicts, indexVerdict{Run: n, Dim: dv.Dim, Workload: wv.Workload, Outcome: string(mv.Outcome())})
					}
				}
			}
		}
	}
	js, err := jsonJS(data)
	if err != nil { // plain strings and ints: cannot fail
		js = "{}"
	}
	page := &indexPage{Title: s.Options.Title, Site: s, Data: js, EchartsVersion: report.EchartsVersion}
	for _, d := range s.Dimensions {
		page.Latest = append(page.Latest, d.latest()...)
	}
	return page
}

type dimensionPage struct {
	Title          string
	Site           *Site
	Dim            *Dimension
	Charts         []*historyChart
	Data           template.JS
	Metrics        []string
	EchartsVersion string
}

type historyChart struct {
	ID       string          `json:"id"`
	Workload string          `json:"workload"`
	Metric   string          `json:"metric"`
	Title    string          `json:"-"`
	Option   json.RawMessage `json:"option"`
}

// palette colours the parts of a history chart.
var palette = []string{"#0969da", "#8250df", "#bf3989", "#1b7c83", "#953800", "#4d2d00", "#6639ba", "#116329"}

// outcomeColors colour a point by its verdict.
var outcomeColors = map[report.Outcome]string{report.Better: "#1a7f37", report.Worse: "#cf222e",
	report.NoDifference: "#8c959f", report.NotJudged: "#d4a72c"}

func (s *Site) dimensionPage(d *Dimension) (*dimensionPage, error) {
	page := &dimensionPage{Title: s.Options.Title, Site: s, Dim: d, EchartsVersion: report.EchartsVersion}
	n := 0
	for _, wl := range d.Workloads {
		for _, m := range d.metrics(wl) {
			n++ // ids stay put when a chart is left out
			c, err := historyOption(d, wl, m)
			if err != nil {
				return nil, err
			}
			if c == nil {
				continue
			}
			c.ID = fmt.Sprintf("history%d", n)
			page.Charts = append(page.Charts, c)
		}
	}
	data, err := jsonJS(page.Charts)
	if err != nil {
		return nil, fmt.Errorf("encoding the charts: %w", err)
	}
	page.Data = data
	return page, nil
}

// round4 keeps four significant digits.
func round4(v float64) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	if err != nil {
		return v
	}
	return f
}

// historyOption is the ECharts option of one workload and metric of a dimension's history: the
// runs (oldest first) along x, per part its ratio to the baseline (a line whose dots are coloured
// by verdict) with its bootstrap interval as a bar at each run and a band across runs, and a
// dashed line at ×1. The option is written directly: go-echarts has neither interval bars nor
// bands; the bars are a "lines" series on the grid, the band two stacked lines, the lower one
// invisible. A part's series share its name, so its legend entry toggles them all. Nil when no
// point has a ratio.
func historyOption(d *Dimension, workload string, m stats.Metric) (*historyChart, error) {
	var runs []*Run
	idx := map[*Run]int{}
	for _, p := range d.Points {
		if p.Workload == workload && p.Verdict.Metric.Name == m.Name {
			if _, ok := idx[p.Run]; !ok {
				idx[p.Run] = len(runs)
				runs = append(runs, p.Run)
			}
		}
	}
	labels := make([]string, len(runs))
	for i, r := range runs {
		labels[i] = r.Short()
	}
	var series []any
	lo, hi := 1.0, 1.0
	for pi, part := range d.Parts {
		center := make([]any, len(runs))
		low := make([]any, len(runs))
		width := make([]any, len(runs))
		var bars []any // the intervals as vertical bars: a band needs two runs to show
		for i := range runs {
			center[i], low[i], width[i] = "-", "-", "-"
		}
		drawn := false
		for _, p := range d.Points {
			if p.Series() != part || p.Workload != workload || p.Verdict.Metric.Name != m.Name {
				continue
			}
			mv := p.Verdict
			if math.IsNaN(mv.Ratio.Center) || math.IsInf(mv.Ratio.Center, 0) {
				continue
			}
			i := idx[p.Run]
			drawn = true
			tip := template.HTMLEscapeString(fmt.Sprintf("%s · run %s", p.Run.Short(), p.Run.Run.ID)) + "<br/>" +
				template.HTMLEscapeString(fmt.Sprintf("%s vs %s on %s: %s", p.Part, p.BasePart, p.WorkTitle, mv.Text()))
			center[i] = map[string]any{"value": round4(mv.Ratio.Center), "itemStyle": map[string]any{"color": outcomeColors[mv.Outcome()]},
				"tooltip": map[string]any{"formatter": tip}}
			lo, hi = math.Min(lo, mv.Ratio.Center), math.Max(hi, mv.Ratio.Center)
			if mv.HasCI {
				low[i], width[i] = round4(mv.Ratio.Lo), round4(mv.Ratio.Hi-mv.Ratio.Lo)
				bars = append(bars, map[string]any{"coords": [][2]float64{{float64(i), round4(mv.Ratio.Lo)}, {float64(i), round4(mv.Ratio.Hi)}}})
				lo, hi = math.Min(lo, mv.Ratio.Lo), math.Max(hi, mv.Ratio.Hi)
			}
		}
		if !drawn {
			continue
		}
		color := palette[pi%len(palette)]
		stack := "ci-" + part
		series = append(series,
			map[string]any{"name": part, "type": "line", "stack": stack, "data": low, "symbol": "none", "silent": true,
				"lineStyle": map[string]any{"opacity": 0}, "tooltip": map[string]any{"show": false}, "color": color},
			map[string]any{"name": part, "type": "line", "stack": stack, "data": width, "symbol": "none", "silent": true,
				"lineStyle": map[string]any{"opacity": 0}, "areaStyle": map[string]any{"opacity": 0.15, "color": color},
				"tooltip": map[string]any{"show": false}, "color": color},
			map[string]any{"name": part, "type": "lines", "coordinateSystem": "cartesian2d", "data": bars, "silent": true,
				"lineStyle": map[string]any{"color": color, "width": 2, "opacity": 0.6}, "tooltip": map[string]any{"show": false}},
			map[string]any{"name": part, "type": "line", "data": center, "symbol": "circle", "symbolSize": 9, "connectNulls": true,
				"lineStyle": map[string]any{"color": color, "width": 2}, "color": color,
				"markLine": map[string]any{"silent": true, "symbol": "none", "label": map[string]any{"formatter": "×1"},
					"lineStyle": map[string]any{"type": "dashed", "color": "#57606a"}, "data": []any{map[string]any{"yAxis": 1}}}})
	}
	if len(series) == 0 {
		return nil, nil
	}
	pad := math.Max(0.02, (hi-lo)*0.08)
	title := fmt.Sprintf("%s · %s: part / baseline, per run", workload, m.Name)
	option := map[string]any{
		"animation": false,
		"title": map[string]any{"text": title,
			"subtext": "median ratio; bar and band: 95% bootstrap interval; dot: green better, red worse, grey no difference"},
		"tooltip": map[string]any{"trigger": "item"},
		"legend":  map[string]any{"top": "bottom", "data": d.Parts},
		"grid":    map[string]any{"left": 50, "right": 50, "top": 80, "bottom": 70},
		"xAxis":   map[string]any{"type": "category", "data": labels, "boundaryGap": true},
		"yAxis": map[string]any{"type": "value", "name": "× baseline", "min": round4(math.Floor((lo-pad)*20) / 20),
			"max": round4(math.Ceil((hi+pad)*20) / 20)},
		"series": series,
	}
	b, err := json.Marshal(option)
	if err != nil {
		return nil, fmt.Errorf("encoding the history chart of %s %s: %w", workload, m.Name, err)
	}
	return &historyChart{Workload: workload, Metric: m.Name, Title: title, Option: b}, nil
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"slug": Slug,
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"count": func(r *Run, o string) int { return r.Counts[report.Outcome(o)] },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	"time": func(r *Run) string { return r.Run.Started.UTC().Format("2006-01-02 15:04 MST") },
	"outcomeClass": func(mv *report.MetricVerdict) string {
		switch mv.Outcome() {
		case report.Better:
			return "good"
		case report.Worse:
			return "bad"
		case report.NotJudged:
			return "weak"
		}
		return "same"
	},
	"change": func(mv *report.MetricVerdict) string {
		if math.IsNaN(mv.Ratio.Center) {
			return "—"
		}
		if mv.HasCI {
			return fmt.Sprintf("×%.3f [%.3f, %.3f]", mv.Ratio.Center, mv.Ratio.Lo, mv.Ratio.Hi)
		}
		return fmt.Sprintf("×%.3f (no interval)", mv.Ratio.Center)
	},
	"dimTitle": func(d *Dimension) string {
		if d.Title != "" {
			return d.Key + " · " + d.Title
		}
		return d.Key
	},
}

var (
	indexTemplate     = template.Must(template.New("index").Funcs(funcs).Parse(indexHTML))
	dimensionTemplate = template.Must(template.New("dimension").Funcs(funcs).Parse(dimensionHTML))
)
