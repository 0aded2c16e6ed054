// Package site builds the lab's results site: a static folder of pages, self-contained (no
// request leaves it: Apache ECharts is served from the site's own assets/, the pages' script is a
// few lines of plain JavaScript over data embedded in each page).
//
// Collect gathers the runs (the spool, and the published runs of a Source such as ClickHouse
// that the spool lacks); Build judges each run with the report package (ranks, verdicts per
// dimension against the baseline) under the A/A noise floor of the latest A/A run on the run's
// machine, and gathers per dimension the history of each part against the baseline; Write writes:
//
//	index.html               the runs (date, commit, plan, machine, stacks, baseline, noise floor,
//	                         verdict counts), a chart of the verdicts per run, the dimensions, the
//	                         latest verdicts; filters by dimension and workload
//	dims/<dimension>.html    per workload and metric a chart of each part / the baseline across
//	                         runs (ratio, bootstrap band, verdict colour), and every point with its
//	                         run, machine, Go, module differences and links to its raw data;
//	                         filters by workload and part
//	runs/<run>/index.html    the run's report (report.WriteHTMLWith), with report.md and bench.txt
//	runs/<run>/run.json      the run as spooled: environment, stacks, modules, every record with
//	                         its HDR histograms
//	runs/<run>/hdr/<stack>.json  that stack's HDR histograms, record by record
//	assets/                  echarts.min.js with its licence, site.css, site.js
//
// Output is deterministic for the same runs and options, so golden files hold.
package site
