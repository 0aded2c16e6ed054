package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"stacklab/results/stats"
)

// WriteMarkdown writes a short summary for a pull-request comment: per run, the environment in
// one line, the conformance verdicts, the top stacks of each fixed-rate workload (op all), the
// per-choice dimension effects and the count of invalid trials. The HTML report has the rest.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i, rr := range r.Runs {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		r.writeRunMarkdown(bw, rr)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the Markdown summary: %w", err)
	}
	return nil
}

func md(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// mdCell renders a median with its interval; a weak one (no interval) gets a dagger.
func mdCell(m stats.Metric, s stats.Summary) string {
	if s.N == 0 {
		return "—"
	}
	if !s.HasCI() {
		return m.Format(s.Center) + " †"
	}
	if m.Unit == stats.ErrorRate.Unit { // the bounds of a near-zero rate only clutter a summary
		return m.Format(s.Center)
	}
	return m.Format(s.Center) + " " + s.PctRange()
}

// mdRank renders a row's rank: "1", "2≈" when shared, "—" when unranked.
func mdRank(row *CaseRow) string {
	switch {
	case row.Rank == 0:
		return "—"
	case row.Tied:
		return fmt.Sprintf("%d≈", row.Rank)
	}
	return fmt.Sprint(row.Rank)
}

// writeVerdictsMarkdown writes the section "Verdicts": per dimension of the run, each part
// against the baseline's in one line.
func writeVerdictsMarkdown(w io.Writer, rr *RunReport, opt Options) {
	fmt.Fprintf(w, "\n### Verdicts\n\n")
	if rr.Baseline != "" {
		fmt.Fprintf(w, "Each part against the baseline `%s` (%s), in a stack that differs from it in that dimension only: "+
			"the change of the median with its %.0f%% bootstrap interval. ", md(rr.Baseline), rr.BaselineFrom, opt.Confidence*100)
	}
	fmt.Fprintf(w, "Rule: %s.\n\n", opt.Rule())
	noBase := map[string]bool{} // labels without a baseline, said once
	said := map[string]bool{}   // dimensions whose note holds for every label, said once
	for _, d := range rr.Verdicts {
		label := ""
		if d.Label != "" {
			label = fmt.Sprintf(" (label %s)", d.Label)
		}
		switch {
		case d.Baseline == "" && noBase[d.Label]:
			continue
		case d.Baseline == "":
			noBase[d.Label] = true
			fmt.Fprintf(w, "- no verdict%s on %s: %s.\n", label, strings.Join(rr.Dimensions, ", "), md(d.Note))
		case d.Note != "" && sameNote(rr.Verdicts, d):
			if !said[d.Dim] {
				said[d.Dim] = true
				fmt.Fprintf(w, "- **%s**: %s.\n", d.Dim, md(d.Note))
			}
		case d.Note != "":
			fmt.Fprintf(w, "- **%s**%s: %s.\n", d.Dim, label, md(d.Note))
		}
		for _, p := range d.Parts {
			fmt.Fprintf(w, "- **%s**%s: %s\n", d.Dim, label, md(p.Line(d.BasePart)))
		}
	}
}

// sameNote reports whether every label's verdict on d's dimension has d's note and no part.
func sameNote(all []*DimensionVerdict, d *DimensionVerdict) bool {
	for _, o := range all {
		if o.Dim == d.Dim && (o.Note != d.Note || len(o.Parts) > 0) {
			return false
		}
	}
	return true
}

func (r *Report) writeRunMarkdown(w io.Writer, rr *RunReport) {
	run, opt := rr.Run, r.Options
	plan := ""
	if run.PlanName != "" {
		plan = fmt.Sprintf(" · plan `%s`", run.PlanName)
	}
	fmt.Fprintf(w, "## %s: run `%s`%s\n\n", opt.Title, run.ID, plan)
	e := run.Env
	commit := shortSHA(e.GitCommit)
	if e.GitDirty {
		commit += "+dirty"
	}
	fmt.Fprintf(w, "%d rounds · %s, %d cores · %s · %s · GOMAXPROCS=%d · commit `%s`\n\n",
		rr.Rounds, e.CPUModel, e.Cores, e.Kernel, e.GoVersion, e.GOMAXPROCS, commit)

	conforming := 0
	var bad []string
	for _, st := range rr.Stacks {
		if st.Conformant {
			conforming++
			continue
		}
		reason := st.Status
		if st.Info.Error != "" {
			reason += ": " + st.Info.Error
		} else if st.Info.Conformance.Failed > 0 {
			reason += fmt.Sprintf(" (%d checks failed)", st.Info.Conformance.Failed)
		}
		bad = append(bad, fmt.Sprintf("`%s` %s", st.Info.Key(), md(reason)))
	}
	fmt.Fprintf(w, "**Conformance:** %d of %d stacks conform.", conforming, len(rr.Stacks))
	if len(bad) > 0 {
		fmt.Fprintf(w, " Not ranked: %s.", strings.Join(bad, "; "))
	}
	fmt.Fprintln(w)
	for _, n := range run.Notes {
		fmt.Fprintf(w, "\n> %s\n", md(n))
	}

	for _, t := range rr.Cases {
		if t.Case.Op != "all" {
			continue
		}
		rate := ""
		if t.RequestedRate > 0 {
			rate = " at " + stats.FormatRate(t.RequestedRate) + " req/s"
		}
		fmt.Fprintf(w, "\n### %s (%s loop%s, ranked by %s)\n\n", t.Case.Workload, t.Mode, rate, t.RankedBy.Name)
		fmt.Fprintf(w, "| # | stack | req/s | p50 | p99 | p99.9 | CPU/req | errors | valid |\n|--:|---|--:|--:|--:|--:|--:|--:|--:|\n")
		shown, ranked, listed := 0, 0, 0
		for _, row := range t.Rows {
			if !row.Conformant || row.Valid == 0 {
				continue
			}
			listed++
			if row.Rank > 0 {
				ranked++
			}
			if shown == opt.MarkdownTop {
				continue
			}
			shown++
			fmt.Fprintf(w, "| %s | `%s` | %s | %s | %s | %s | %s | %s | %d/%d |\n", mdRank(row), md(row.Stack),
				mdCell(stats.Throughput, row.Throughput), mdCell(stats.P50, row.P50), mdCell(stats.P99, row.P99),
				mdCell(stats.P999, row.P999), mdCell(stats.CPUPerRequest, row.CPU), mdCell(stats.ErrorRate, row.ErrorRate),
				row.Valid, row.Total)
		}
		if listed > shown {
			fmt.Fprintf(w, "\n…and %d more stacks in the HTML report.\n", listed-shown)
		}
		if listed == 0 {
			fmt.Fprintf(w, "| | no conforming stack has a valid round | | | | | | | |\n")
		}
	}
	for _, sw := range rr.Sweeps {
		if sw.Op != "all" { // the per-operation curves are in the HTML report
			continue
		}
		fmt.Fprintf(w, "\n**Sweep `%s`** (curves in the HTML report; an invalid step ends a line unresolved, never at a maximum):\n\n", sw.Workload)
		for i, l := range sw.Lines {
			if i == opt.MarkdownTop {
				fmt.Fprintf(w, "- …and %d more in the HTML report.\n", len(sw.Lines)-i)
				break
			}
			nc := ""
			if !l.Conformant {
				nc = " (does not conform)"
			}
			fmt.Fprintf(w, "- `%s`%s: %s\n", md(l.Stack), nc, md(l.End().String()))
		}
	}

	writeVerdictsMarkdown(w, rr, opt)

	if len(rr.Effects) > 0 {
		fmt.Fprintf(w, "\n### Effect of each choice (others held fixed)\n\nGeometric mean of median ratios against the alternatives; (better/worse/pairs) counts the pairs the rule tells apart.\n\n")
		fmt.Fprintf(w, "| dimension | choice |")
		for _, m := range EffectMetrics {
			fmt.Fprintf(w, " %s |", m.Name)
		}
		fmt.Fprintf(w, "\n|---|---|")
		for range EffectMetrics {
			fmt.Fprintf(w, "--:|")
		}
		fmt.Fprintln(w)
		type dc struct{ dim, choice string }
		cells := map[dc]map[string]string{}
		var order []dc
		for _, e := range rr.Effects {
			for _, c := range e.Choices {
				k := dc{e.Dim, c.Choice}
				if cells[k] == nil {
					cells[k] = map[string]string{}
					order = append(order, k)
				}
				cells[k][e.Metric.Name] = fmt.Sprintf("×%.3f (%d/%d/%d)", c.GeoMean, c.Better, c.Worse, c.Pairs)
			}
		}
		// Dimensions in the run's order, choices sorted within each.
		slices.SortStableFunc(order, func(a, b dc) int {
			if c := cmp.Compare(slices.Index(rr.Dimensions, a.dim), slices.Index(rr.Dimensions, b.dim)); c != 0 {
				return c
			}
			return cmp.Compare(a.choice, b.choice)
		})
		for _, k := range order {
			fmt.Fprintf(w, "| %s | `%s` |", k.dim, md(k.choice))
			for _, m := range EffectMetrics {
				v := cells[k][m.Name]
				if v == "" {
					v = "—"
				}
				fmt.Fprintf(w, " %s |", v)
			}
			fmt.Fprintln(w)
		}
	}

	fmt.Fprintln(w)
	if n := len(rr.Invalid); n > 0 {
		fmt.Fprintf(w, "⚠️ %d invalid trials left out of the medians (reasons in the HTML report). ", n)
	}
	fmt.Fprintf(w, "Medians across rounds ± %.0f%% CI; † fewer than %d valid rounds, no interval, no rank. "+
		"Rank = 1 + the number of stacks significantly better; ≈ a rank shared with another stack.\n", opt.Confidence*100, opt.MinSamples)
}

// WriteBench writes every run in Go benchmark format (results.Run.WriteBench), one after the
// other; benchstat reads the result as it is.
func (r *Report) WriteBench(w io.Writer) error {
	for _, rr := range r.Runs {
		if err := rr.Run.WriteBench(w); err != nil {
			return fmt.Errorf("writing run %s in benchmark format: %w", rr.Run.ID, err)
		}
	}
	return nil
}
