package compare

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"stacklab/results/stats"
)

// Format is an output format of Write.
type Format int

// Formats.
const (
	// Text is a benchstat-style table per metric, every row.
	Text Format = iota
	// Markdown is a short summary for a pull-request comment: the verdicts that matter, the
	// warnings and what was left out; rows without a significant change are counted, not shown.
	Markdown
)

// ParseFormat reads "text" or "markdown" ("md").
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "text", "txt", "":
		return Text, nil
	case "markdown", "md":
		return Markdown, nil
	}
	return 0, fmt.Errorf("format %q: want text or markdown", s)
}

// Write writes the comparison in the format.
func (r *Result) Write(w io.Writer, f Format) error {
	bw := bufio.NewWriter(w)
	switch f {
	case Text:
		r.writeText(bw)
	case Markdown:
		r.writeMarkdown(bw)
	default:
		return fmt.Errorf("writing comparison: unknown format %d", f)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing comparison: %w", err)
	}
	return nil
}

// cell renders a side as "median ± CI%".
func cell(m stats.Metric, s stats.Summary) string {
	if s.N == 0 {
		return "—"
	}
	return m.Format(s.Center) + " " + s.Spread(m)
}

// delta renders the change: percent, or percentage points for a ratio metric.
func delta(row *Row) string {
	if row.Base.N == 0 || row.New.N == 0 {
		return "—"
	}
	if row.Metric.Unit == stats.ErrorRate.Unit {
		return fmt.Sprintf("%+.2fpp", row.Delta*100)
	}
	if math.IsNaN(row.DeltaPct) {
		return "?"
	}
	return fmt.Sprintf("%+.2f%%", row.DeltaPct)
}

func pvalue(row *Row) string {
	if row.Verdict == Insufficient {
		return "—"
	}
	return fmt.Sprintf("%.3f", row.Test.P)
}

func verdict(row *Row) string {
	switch row.Verdict {
	case Regression:
		return "REGRESSION"
	case Improvement:
		return "improvement"
	}
	return string(row.Verdict)
}

func (r *Result) summaryLine() string {
	noise := ""
	if r.Options.NoiseFloor != nil {
		noise = fmt.Sprintf(", %d within the A/A noise floor", r.Count(WithinNoise))
	}
	return fmt.Sprintf("%s, %s, %d below the minimum effect%s, %d unchanged, %d with insufficient samples (%s)",
		plural(r.Count(Regression), "regression"), plural(r.Count(Improvement), "improvement"), r.Count(BelowEffect), noise,
		r.Count(NoChange), r.Count(Insufficient), plural(len(r.Rows), "comparison"))
}

func (r *Result) writeText(w io.Writer) {
	fmt.Fprintf(w, "base: %s\nnew:  %s\n", r.Base, r.New)
	fmt.Fprintf(w, "statistics: %s\n", r.Options.describe())
	if len(r.EnvDiffs) > 0 {
		fmt.Fprintf(w, "\nWARNING: the environments differ; the comparison holds only if these do not matter:\n")
		for _, d := range r.EnvDiffs {
			fmt.Fprintf(w, "  %s\n", d)
		}
	}
	for _, m := range r.Options.Metrics {
		rows := r.rowsOf(m.Name)
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s, %s; min effect %s)\n", m.Name, m.Unit, m.Better, r.Options.MinEffect[m.Name].Format(m))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "benchmark\tbase\tnew\tdelta\tp\tn\tverdict")
		for _, row := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d+%d\t%s\n", row.Name(), cell(m, row.Base), cell(m, row.New),
				delta(row), pvalue(row), row.Base.N, row.New.N, verdict(row))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nverdict: %s\n", r.summaryLine())
	for _, row := range r.rowsWith(Regression) {
		fmt.Fprintf(w, "  REGRESSION %s %s: %s → %s (%s, p=%.3f)\n", row.Name(), row.Metric.Name,
			row.Metric.Format(row.Base.Center), row.Metric.Format(row.New.Center), delta(row), row.Test.P)
	}
	if notes := r.notes(); len(notes) > 0 {
		fmt.Fprintf(w, "\nnotes:\n")
		for _, n := range notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	if len(r.Excluded) > 0 {
		fmt.Fprintf(w, "\nexcluded:\n")
		for _, e := range r.Excluded {
			fmt.Fprintf(w, "  %s: %s: %s\n", e.Side, e.What, e.Reason)
		}
	}
	if len(r.Unmatched) > 0 {
		fmt.Fprintf(w, "\nunmatched:\n")
		for _, u := range r.Unmatched {
			fmt.Fprintf(w, "  %s\n", u)
		}
	}
}

// notes gathers the distinct warnings of the rows, with how many rows carry each.
func (r *Result) notes() []string {
	count := map[string]int{}
	var order []string
	for i := range r.Rows {
		for _, n := range r.Rows[i].Notes {
			if count[n] == 0 {
				order = append(order, n)
			}
			count[n]++
		}
	}
	out := make([]string, len(order))
	for i, n := range order {
		out[i] = fmt.Sprintf("%s (%d comparisons)", n, count[n])
	}
	return out
}

func (r *Result) rowsOf(metric string) []*Row {
	var out []*Row
	for i := range r.Rows {
		if r.Rows[i].Metric.Name == metric {
			out = append(out, &r.Rows[i])
		}
	}
	return out
}

func (r *Result) rowsWith(v Verdict) []*Row {
	var out []*Row
	for i := range r.Rows {
		if r.Rows[i].Verdict == v {
			out = append(out, &r.Rows[i])
		}
	}
	return out
}

// mdEscape keeps a cell inside its Markdown table cell.
func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func (r *Result) writeMarkdown(w io.Writer) {
	status := "✅ no regression"
	if r.Regressed() {
		status = "❌ " + plural(r.Count(Regression), "regression")
	}
	fmt.Fprintf(w, "### Comparison: %s\n\n", status)
	fmt.Fprintf(w, "- base: `%s`\n- new: `%s`\n- %s\n", r.Base, r.New, r.Options.describe())
	if len(r.EnvDiffs) > 0 {
		fmt.Fprintf(w, "\n> [!WARNING]\n> The environments differ; the comparison holds only if these do not matter:\n")
		for _, d := range r.EnvDiffs {
			fmt.Fprintf(w, "> - %s\n", mdEscape(d))
		}
	}
	fmt.Fprintf(w, "\n%s.\n", r.summaryLine())
	var shown []*Row
	for i := range r.Rows {
		switch r.Rows[i].Verdict {
		case Regression, Improvement, Insufficient:
			shown = append(shown, &r.Rows[i])
		}
	}
	if len(shown) > 0 {
		fmt.Fprintf(w, "\n| benchmark | metric | base | new | delta | p | verdict |\n|---|---|--:|--:|--:|--:|---|\n")
		for _, row := range shown {
			fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s | %s |\n", mdEscape(row.Name()), row.Metric.Name,
				cell(row.Metric, row.Base), cell(row.Metric, row.New), delta(row), pvalue(row), verdict(row))
		}
	}
	if len(r.Excluded) > 0 || len(r.Unmatched) > 0 {
		fmt.Fprintf(w, "\n<details><summary>left out: %d excluded, %d unmatched</summary>\n\n", len(r.Excluded), len(r.Unmatched))
		for _, e := range r.Excluded {
			fmt.Fprintf(w, "- %s: `%s`: %s\n", e.Side, mdEscape(e.What), mdEscape(e.Reason))
		}
		for _, u := range r.Unmatched {
			fmt.Fprintf(w, "- %s\n", mdEscape(u))
		}
		fmt.Fprintf(w, "\n</details>\n")
	}
}

// plural renders "1 regression", "2 regressions".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
