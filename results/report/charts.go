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

// rankPalette colours bars by rank: bars of one rank (stacks the rule does not tell apart) share
// a colour.
var rankPalette = []string{"#2da44e", "#0969da", "#8250df", "#bf8700", "#cf222e", "#1b7c83", "#953800", "#6e7781"}

func rankColor(rank int) string { return rankPalette[(rank-1)%len(rankPalette)] }

// rankLabel is a ranked row's label: "#1 stack", "#1≈ stack" when the rank is shared.
func rankLabel(r *CaseRow) string {
	if r.Tied {
		return fmt.Sprintf("#%d≈ %s", r.Rank, r.Stack)
	}
	return fmt.Sprintf("#%d %s", r.Rank, r.Stack)
}

// rankChart is a bar chart of a case's ranking metric over its ranked stacks, best first; bars of
// one rank share a colour and their labels say "≈".
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
		names = append(names, rankLabel(r))
		data = append(data, opts.BarData{Value: round4(v), ItemStyle: &opts.ItemStyle{Color: rankColor(r.Rank)}})
	}
	if len(data) == 0 {
		return nil, nil
	}
	title := fmt.Sprintf("%s: median %s (%s)", t.Case, t.RankedBy.Name, unit)
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(common(id, title, "ranked stacks, best first; one colour per rank, ≈: not told apart", 1),
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

// ForestRow is one row of a forest plot: a label, a ratio with its interval, and the verdict.
type ForestRow struct {
	Label   string
	Ratio   stats.Ratio
	HasCI   bool
	Outcome Outcome
	// Tip is the row's tooltip text.
	Tip string
}

// outcomeColor colours an outcome: green better, red worse, grey otherwise.
func outcomeColor(o Outcome) string {
	switch o {
	case Better:
		return "#1a7f37"
	case Worse:
		return "#cf222e"
	}
	return "#8c959f"
}

// ForestChart is a forest plot: per row, the ratio (a dot) with its interval (a line), and a
// dashed vertical line at ×1 (no change). go-echarts has no interval series, so the option is
// written directly: a "lines" series on the cartesian grid draws the intervals, a scatter the
// ratios. Rows without a finite ratio are left out; nil when none is left.
func ForestChart(id, title, subtitle string, rows []ForestRow) (*Chart, error) {
	type point struct {
		Value     [2]float64     `json:"value"`
		Name      string         `json:"name"`
		ItemStyle map[string]any `json:"itemStyle"`
		Tooltip   map[string]any `json:"tooltip,omitempty"`
	}
	type segment struct {
		Coords    [2][2]float64  `json:"coords"`
		LineStyle map[string]any `json:"lineStyle"`
	}
	var labels []string
	var points []point
	var segments []segment
	lo, hi := 1.0, 1.0
	for _, r := range rows {
		if math.IsNaN(r.Ratio.Center) || math.IsInf(r.Ratio.Center, 0) {
			continue
		}
		y := float64(len(labels))
		labels = append(labels, r.Label)
		color := outcomeColor(r.Outcome)
		points = append(points, point{Value: [2]float64{round4(r.Ratio.Center), y}, Name: r.Label,
			ItemStyle: map[string]any{"color": color}, Tooltip: map[string]any{"formatter": r.Tip}})
		lo, hi = math.Min(lo, r.Ratio.Center), math.Max(hi, r.Ratio.Center)
		if r.HasCI {
			segments = append(segments, segment{Coords: [2][2]float64{{round4(r.Ratio.Lo), y}, {round4(r.Ratio.Hi), y}},
				LineStyle: map[string]any{"color": color, "width": 3}})
			lo, hi = math.Min(lo, r.Ratio.Lo), math.Max(hi, r.Ratio.Hi)
		}
	}
	if len(points) == 0 {
		return nil, nil
	}
	pad := math.Max(0.02, (hi-lo)*0.08)
	option := map[string]any{
		"animation": false,
		"title":     map[string]any{"text": title, "subtext": subtitle},
		"tooltip":   map[string]any{"trigger": "item"},
		"grid":      map[string]any{"left": 170, "right": 40, "top": 80, "bottom": 50},
		"xAxis": map[string]any{"type": "value", "name": "part / baseline", "nameLocation": "middle", "nameGap": 26,
			"min": round4(math.Floor((lo-pad)*20) / 20), "max": round4(math.Ceil((hi+pad)*20) / 20), "splitLine": map[string]any{"show": true}},
		"yAxis": map[string]any{"type": "category", "data": labels, "inverse": true, "axisTick": map[string]any{"show": false}},
		"series": []any{
			map[string]any{"type": "lines", "coordinateSystem": "cartesian2d", "polyline": false, "silent": true, "data": segments},
			map[string]any{"type": "scatter", "symbolSize": 11, "data": points,
				"markLine": map[string]any{"silent": true, "symbol": "none", "label": map[string]any{"formatter": "×1", "position": "start"},
					"lineStyle": map[string]any{"type": "dashed", "color": "#57606a"}, "data": []any{map[string]any{"xAxis": 1}}}},
		},
	}
	b, err := json.Marshal(option)
	if err != nil {
		return nil, fmt.Errorf("chart %s: encoding the option: %w", id, err)
	}
	return &Chart{ID: id, Title: title, Height: 130 + 34*len(points), Option: template.JS(b)}, nil
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
