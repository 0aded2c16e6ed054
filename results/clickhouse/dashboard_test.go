package clickhouse

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vahid-sohrabloo/chconn/v2"

	"stacklab/results/resultstest"
)

// dashboardPath is the Grafana dashboard provisioned over this package's tables.
const dashboardPath = "../../deploy/grafana/provisioning/dashboards/stacklab.json"

// TestDashboardQueries runs every query of the Grafana dashboard (its panels and its variables)
// on a published run, with Grafana's macros and variables filled in as the ClickHouse plugin
// would: each must be valid SQL for this server and this schema, and each panel must find rows.
// Grafana itself is not run here.
func TestDashboardQueries(t *testing.T) {
	data, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID        string `json:"uid"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Query      string `json:"query"`
				Datasource struct {
					UID string `json:"uid"`
				} `json:"datasource"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Title      string `json:"title"`
			Type       string `json:"type"`
			Datasource struct {
				Type string `json:"type"`
				UID  string `json:"uid"`
			} `json:"datasource"`
			Targets []struct {
				RawSQL string `json:"rawSql"`
				Format int    `json:"format"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardPath, err)
	}
	if dash.UID == "" {
		t.Error("the dashboard has no uid")
	}

	s := openSink(t, server(t))
	run := resultstest.Run(t, "r-dashboard", runStart, 21)
	publish(t, s, run)
	ctx := context.Background()

	timeFilter := regexp.MustCompile(`\$__timeFilter\(([a-z_]+)\)`)
	dimColumn := regexp.MustCompile(`\bdim_[a-z_]+`)
	fill := func(q string) string {
		// Dimensions are data: a query names them through the arrays, never one by one.
		for _, c := range dimColumn.FindAllString(q, -1) {
			if c != "dim_keys" && c != "dim_values" {
				t.Errorf("a query reads the column %s, not the dimension arrays:\n%s", c, q)
			}
		}
		q = timeFilter.ReplaceAllString(q, "$1 >= toDateTime(0) AND $1 <= toDateTime(4000000000)")
		r := strings.NewReplacer(
			"stacklab.", s.cfg.Database+".",
			"${workload}", "transfer@1000",
			"${op}", "all",
			"${dim}", "json",
			"${run}", run.ID,
			"${stack:singlequote}", quote(run.Stacks[0].Key())+","+quote(run.Stacks[1].Key())+","+quote(run.Stacks[2].Key()),
		)
		q = r.Replace(q)
		if strings.Contains(q, "$") {
			t.Errorf("a macro or variable is left unfilled in:\n%s", q)
		}
		return q
	}
	countRows := func(q string) (int, error) {
		n := 0
		err := s.with(ctx, func(ctx context.Context, conn chconn.Conn) error {
			stmt, err := conn.Select(ctx, q)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for stmt.Next() {
				n += stmt.RowsInBlock()
			}
			return stmt.Err()
		})
		return n, err
	}

	for _, v := range dash.Templating.List {
		if v.Datasource.UID != "stacklab-clickhouse" {
			t.Errorf("variable %s uses datasource %q", v.Name, v.Datasource.UID)
		}
		if n, err := countRows(fill(v.Query)); err != nil || n == 0 {
			t.Errorf("variable %s: %d rows, %v\n%s", v.Name, n, err, v.Query)
		}
	}
	queries := 0
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if p.Datasource.Type != "grafana-clickhouse-datasource" || p.Datasource.UID != "stacklab-clickhouse" {
			t.Errorf("panel %q uses datasource %+v", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			queries++
			n, err := countRows(fill(tg.RawSQL))
			if err != nil {
				t.Errorf("panel %q: %v\n%s", p.Title, err, tg.RawSQL)
				continue
			}
			if n == 0 {
				t.Errorf("panel %q found no rows in a published run:\n%s", p.Title, tg.RawSQL)
			}
			if (p.Type == "timeseries") != (tg.Format == 0) {
				t.Errorf("panel %q (%s) has format %d (0: time series, 1: table)", p.Title, p.Type, tg.Format)
			}
		}
	}
	if queries < 8 {
		t.Errorf("the dashboard has %d queries", queries)
	}
}
