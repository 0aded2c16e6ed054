package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"stacklab/results/stats"
)

// Chart is one chart of the HTML report: a div with a fixed id and its ECharts option, built
// with go-echarts. The option is JSON from encoding/json, which escapes <, > and &, so it is safe
// inside a <script> element.
type Chart struct {
	ID     string
	Title  string
	Height int // pixels
	Option template.JS
}

// chartIDs hands out chart ids in build order: the same report gets the same ids.
type chartIDs struct {
	prefix string
	n      int
}

func (c *chartIDs) next() string {
	c.n++
	return fmt.Sprintf("%s_chart%d", c.prefix, c.n)
}

// optionOf renders a chart's option the way go-echarts' own renderer would (after Validate), as
// JSON.
func optionOf(validate func(), cfg *charts.BaseConfiguration) (template.JS, error) {
	validate()
	b, err := json.Marshal(cfg.JSON())
	if err != nil {
		return "", fmt.Errorf("encoding chart option: %w", err)
	}
	return template.JS(b), nil
}

// legendRows estimates how many rows a bottom legend of n long stack names takes.
func legendRows(n int) int { return (n + 2) / 3 }

func common(id, title, subtitle string, series int) []charts.GlobalOpts {
	bottom := 60 + 24*legendRows(series)
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: "420px"}),
		charts.WithTitleOpts(opts.Title{Title: title, Subtitle: subtitle}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "plain", Top: "bottom"}),
		charts.WithGridOpts(opts.Grid{Left: "80", Right: "70", Top: "70", Bottom: fmt.Sprint(bottom)}),
	}
}

// rankChart is a bar chart of a case's ranking metric over its ranked stacks, best first.
func rankChart(id string, t *CaseTable) (*Chart, error) {
	var names []string
	var data []opts.BarData
	unit := t.RankedBy.Unit
	for _, r := range t.Rows {
		if r.Rank == 0 {
			continue
		}
		v := r.Throughput.Center
		if t.RankedBy.Name != stats.Throughput.Name {
			v, unit = r.P99.Center/1e6, "ms"
		}
		names = append(names, fmt.Sprintf("#%d %s", r.Rank, r.Stack))
		data = append(data, opts.BarData{Value: round4(v)})
	}
	if len(data) == 0 {
		return nil, nil
	}
	title := fmt.Sprintf("%s: median %s (%s)", t.Case, t.RankedBy.Name, unit)
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(common(id, title, "conforming stacks with valid rounds, best first", 1),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: unit}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Show: opts.Bool(false)}}),
	)...)
	bar.SetXAxis(names)
	bar.AddSeries(t.RankedBy.Name, data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "insideLeft", Formatter: "{b}"}))
	bar.XYReversal()
	js, err := optionOf(bar.Validate, &bar.BaseConfiguration)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", id, err)
	}
	return &Chart{ID: id, Title: title, Height: 70 + 28*len(data) + 90, Option: js}, nil
}

// sweepChart is a latency-versus-throughput curve: the latency's median against the achieved
// rate's median at each step, one line per stack.
func sweepChart(id string, sw *Sweep, m stats.Metric) (*Chart, error) {
	title := fmt.Sprintf("sweep workload=%s op=%s: corrected %s vs achieved rate", sw.Workload, sw.Op, m.Name)
	line := charts.NewLine()
	line.SetGlobalOptions(append(common(id, title, "medians across rounds; dashed: stack does not conform", len(sw.Lines)),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "req/s", Scale: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "log", Name: m.Name + " (ms)"}),
	)...)
	for _, l := range sw.Lines {
		var data []opts.LineData
		for _, p := range l.Points {
			lat := p.P99
			if m.Name == stats.P50.Name {
				lat = p.P50
			}
			if p.Valid == 0 || math.IsNaN(p.Rate.Center) || math.IsNaN(lat.Center) {
				continue
			}
			data = append(data, opts.LineData{Value: []float64{round4(p.Rate.Center), round4(lat.Center / 1e6)}, Name: fmt.Sprintf("step %d", p.Step)})
		}
		if len(data) == 0 {
			continue
		}
		style := "solid"
		if !l.Conformant {
			style = "dashed"
		}
		line.AddSeries(l.Stack, data, charts.WithLineStyleOpts(opts.LineStyle{Type: style}))
	}
	js, err := optionOf(line.Validate, &line.BaseConfiguration)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", id, err)
	}
	return &Chart{ID: id, Title: title, Height: 400 + 24*legendRows(len(sw.Lines)), Option: js}, nil
}

// round4 keeps four significant digits, enough for a chart and stable in the output.
func round4(v float64) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	return f
}
