package clickhouse

import (
	"fmt"
	"strings"

	"github.com/vahid-sohrabloo/chconn/v2/column"
)

// Table names, inside the sink's database.
const (
	TableRuns    = "runs"
	TableStacks  = "stacks"
	TableResults = "results"
)

// The schema is kept to what ClickHouse 18.16 and current releases both accept: MergeTree with
// explicit PARTITION BY and ORDER BY, plain types, Arrays; DateTime plus a UInt32 of nanoseconds
// where a time needs more than seconds; String for JSON and for the encoded HDR histograms.
//
// Each table's columns are declared once, in the column sets below: the CREATE TABLE, the INSERT
// and the SELECT of a table are all made from the same list, so they cannot drift apart.

const dateTimeType = "DateTime('UTC')"

// colDef is one column of a table: its name, its ClickHouse type and the chconn column holding
// its values.
type colDef struct {
	name, typ string
	col       column.ColumnBasic
}

// colSet collects a table's columns in order.
type colSet struct{ defs []colDef }

func (t *colSet) add(name, typ string, c column.ColumnBasic) {
	t.defs = append(t.defs, colDef{name: name, typ: typ, col: c})
}

func (t *colSet) str(name string) *column.String {
	c := column.NewString()
	t.add(name, "String", c)
	return c
}

func (t *colSet) strs(name string) *column.Array[string] {
	c := column.NewString().Array()
	t.add(name, "Array(String)", c)
	return c
}

func (t *colSet) i64(name string) *column.Base[int64] {
	c := column.New[int64]()
	t.add(name, "Int64", c)
	return c
}

func (t *colSet) i64s(name string) *column.Array[int64] {
	c := column.New[int64]().Array()
	t.add(name, "Array(Int64)", c)
	return c
}

func (t *colSet) f64(name string) *column.Base[float64] {
	c := column.New[float64]()
	t.add(name, "Float64", c)
	return c
}

func (t *colSet) u32(name string) *column.Base[uint32] {
	c := column.New[uint32]()
	t.add(name, "UInt32", c)
	return c
}

// flag is a boolean (UInt8 0 or 1: 18.16 has no Bool).
func (t *colSet) flag(name string) *column.Base[uint8] {
	c := column.New[uint8]()
	t.add(name, "UInt8", c)
	return c
}

// dateTime is a time in whole seconds (unix time in a UInt32 on the wire).
func (t *colSet) dateTime(name string) *column.Base[uint32] {
	c := column.New[uint32]()
	t.add(name, dateTimeType, c)
	return c
}

func (t *colSet) columns() []column.ColumnBasic {
	cs := make([]column.ColumnBasic, len(t.defs))
	for i, d := range t.defs {
		cs[i] = d.col
	}
	return cs
}

func (t *colSet) names() string {
	ns := make([]string, len(t.defs))
	for i, d := range t.defs {
		ns[i] = d.name
	}
	return strings.Join(ns, ", ")
}

// createTable is the table's CREATE TABLE IF NOT EXISTS statement.
func (t *colSet) createTable(db, table, partitionBy, orderBy string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s.%s (\n", db, table)
	for i, d := range t.defs {
		sep := ","
		if i == len(t.defs)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    %s %s%s\n", d.name, d.typ, sep)
	}
	fmt.Fprintf(&b, ") ENGINE = MergeTree() PARTITION BY %s ORDER BY %s", partitionBy, orderBy)
	return b.String()
}

// runCols are the columns of the runs table: one row per run, written last by Publish (the
// commit marker).
type runCols struct {
	colSet
	runID, digest                                      *column.String
	started, finished, published                       *column.Base[uint32]
	startedNs, finishedNs, schemaVersion               *column.Base[uint32]
	nStacks, nRecords                                  *column.Base[uint32]
	planName, plan, env                                *column.String
	hostname, cpuModel, kernel, os, goVersion, goamd64 *column.String
	gitCommit                                          *column.String
	cores, memoryMiB, gomaxprocs                       *column.Base[int64]
	gitDirty                                           *column.Base[uint8]
	notes                                              *column.Array[string]
}

func newRunCols() *runCols {
	c := &runCols{}
	c.runID = c.str("run_id")
	c.digest = c.str("run_digest")
	c.started = c.dateTime("started")
	c.startedNs = c.u32("started_ns")
	c.finished = c.dateTime("finished")
	c.finishedNs = c.u32("finished_ns")
	c.schemaVersion = c.u32("schema_version")
	c.planName = c.str("plan_name")
	c.plan = c.str("plan")
	c.hostname = c.str("hostname")
	c.cpuModel = c.str("cpu_model")
	c.cores = c.i64("cores")
	c.memoryMiB = c.i64("memory_mib")
	c.kernel = c.str("kernel")
	c.os = c.str("os")
	c.goVersion = c.str("go_version")
	c.goamd64 = c.str("goamd64")
	c.gomaxprocs = c.i64("gomaxprocs")
	c.gitCommit = c.str("git_commit")
	c.gitDirty = c.flag("git_dirty")
	c.env = c.str("env")
	c.notes = c.strs("notes")
	c.nStacks = c.u32("n_stacks")
	c.nRecords = c.u32("n_records")
	c.published = c.dateTime("published")
	return c
}

// stackCols are the columns of the stacks table: one row per run × stack.
type stackCols struct {
	colSet
	runID, digest                       *column.String
	runStarted                          *column.Base[uint32]
	position                            *column.Base[uint32]
	stack, label, stackKey              *column.String
	dimKeys, dimValues                  *column.Array[string]
	confRan, conformant                 *column.Base[uint8]
	confPassed, confFailed, confSkipped *column.Base[int64]
	confFailures                        *column.Array[string]
	modules, binarySHA256, errorText    *column.String
}

func newStackCols() *stackCols {
	c := &stackCols{}
	c.runID = c.str("run_id")
	c.digest = c.str("run_digest")
	c.runStarted = c.dateTime("run_started")
	c.position = c.u32("position")
	c.stack = c.str("stack")
	c.label = c.str("label")
	c.stackKey = c.str("stack_key")
	c.dimKeys = c.strs("dim_keys")
	c.dimValues = c.strs("dim_values")
	c.confRan = c.flag("conformance_ran")
	c.confPassed = c.i64("conformance_passed")
	c.confFailed = c.i64("conformance_failed")
	c.confSkipped = c.i64("conformance_skipped")
	c.confFailures = c.strs("conformance_failures")
	c.conformant = c.flag("conformant")
	c.modules = c.str("modules")
	c.binarySHA256 = c.str("binary_sha256")
	c.errorText = c.str("error")
	return c
}

// latencyCols are the columns of one latency distribution, prefixed corrected_ or service_.
type latencyCols struct {
	count, min, p50, p90, p99, p999, p9999, max *column.Base[int64]
	mean                                        *column.Base[float64]
	hdr                                         *column.String
}

func (t *colSet) latency(prefix string) latencyCols {
	return latencyCols{
		count: t.i64(prefix + "_count"),
		min:   t.i64(prefix + "_min_ns"),
		mean:  t.f64(prefix + "_mean_ns"),
		p50:   t.i64(prefix + "_p50_ns"),
		p90:   t.i64(prefix + "_p90_ns"),
		p99:   t.i64(prefix + "_p99_ns"),
		p999:  t.i64(prefix + "_p999_ns"),
		p9999: t.i64(prefix + "_p9999_ns"),
		max:   t.i64(prefix + "_max_ns"),
		hdr:   t.str(prefix + "_hdr"),
	}
}

// resultCols are the columns of the results table: one row per results.Record.
type resultCols struct {
	colSet
	runID, digest                          *column.String
	runStarted, started                    *column.Base[uint32]
	position, startedNs                    *column.Base[uint32]
	stack, label, stackKey                 *column.String
	dimKeys, dimValues                     *column.Array[string]
	workload, workloadKind, op, mode, cpus *column.String
	round, trial, step, conns              *column.Base[int64]
	requestedRate, seconds, rate           *column.Base[float64]
	requests, errors                       *column.Base[int64]
	errorsClass                            *column.Array[string]
	errorsCount                            *column.Array[int64]
	corrected, service                     latencyCols
	stackCPU, postgresCPU, redisCPU        *column.Base[float64]
	kafkaCPU, loadgenCPU                   *column.Base[float64]
	stackRSSPeak, stackCtxVol, stackCtxInv *column.Base[int64]
	resourcesMeter                         *column.String
	valid, conformant, sloMet              *column.Base[uint8]
	invalidReasons, sloBreaks, wrong       *column.Array[string]
	genLagP99                              *column.Base[int64]
	genLateFraction                        *column.Base[float64]
}

func newResultCols() *resultCols {
	c := &resultCols{}
	c.runID = c.str("run_id")
	c.digest = c.str("run_digest")
	c.runStarted = c.dateTime("run_started")
	c.position = c.u32("position")
	c.stack = c.str("stack")
	c.label = c.str("label")
	c.stackKey = c.str("stack_key")
	c.dimKeys = c.strs("dim_keys")
	c.dimValues = c.strs("dim_values")
	c.workload = c.str("workload")
	c.workloadKind = c.str("workload_kind")
	c.op = c.str("op")
	c.round = c.i64("round")
	c.trial = c.i64("trial")
	c.step = c.i64("step")
	c.mode = c.str("mode")
	c.requestedRate = c.f64("requested_rate")
	c.started = c.dateTime("started")
	c.startedNs = c.u32("started_ns")
	c.seconds = c.f64("seconds")
	c.conns = c.i64("conns")
	c.cpus = c.str("cpus")
	c.requests = c.i64("requests")
	c.errors = c.i64("errors")
	c.errorsClass = c.strs("errors_class")
	c.errorsCount = c.i64s("errors_count")
	c.rate = c.f64("rate")
	c.corrected = c.latency("corrected")
	c.service = c.latency("service")
	c.stackCPU = c.f64("stack_cpu_s")
	c.stackRSSPeak = c.i64("stack_rss_peak_bytes")
	c.stackCtxVol = c.i64("stack_ctx_switches_voluntary")
	c.stackCtxInv = c.i64("stack_ctx_switches_involuntary")
	c.postgresCPU = c.f64("postgres_cpu_s")
	c.redisCPU = c.f64("redis_cpu_s")
	c.kafkaCPU = c.f64("kafka_cpu_s")
	c.loadgenCPU = c.f64("loadgen_cpu_s")
	c.resourcesMeter = c.str("resources_meter")
	c.valid = c.flag("valid")
	c.invalidReasons = c.strs("invalid_reasons")
	c.wrong = c.strs("wrong")
	c.conformant = c.flag("conformant")
	c.genLagP99 = c.i64("loadgen_lag_p99_ns")
	c.genLateFraction = c.f64("loadgen_late_fraction")
	c.sloMet = c.flag("slo_met")
	c.sloBreaks = c.strs("slo_breaks")
	return c
}

// table is one of the sink's tables: its columns and MergeTree keys.
type table struct {
	name                 string
	cols                 *colSet
	partitionBy, orderBy string
}

// tables are the sink's tables. Every row of a run carries the run's start time, and every table
// is partitioned by its month: all the rows a run has in one table are in one partition, so one
// insert block makes one part and lands whole or not at all.
func tables() []table {
	return []table{
		{TableRuns, &newRunCols().colSet, "toYYYYMM(started)", "(started, run_id)"},
		{TableStacks, &newStackCols().colSet, "toYYYYMM(run_started)", "(run_started, run_id, position)"},
		{TableResults, &newResultCols().colSet, "toYYYYMM(run_started)",
			"(run_started, run_id, stack_key, workload, op, step, round, position)"},
	}
}

// schemaDDL is every statement that creates the schema where nothing of it exists, in order.
func schemaDDL(db string) []string {
	ddl := []string{"CREATE DATABASE IF NOT EXISTS " + db}
	for _, t := range tables() {
		ddl = append(ddl, t.cols.createTable(db, t.name, t.partitionBy, t.orderBy))
	}
	return ddl
}

// The first schema had the four dimensions of the time as columns of stacks and results. Tables
// made by it get the arrays that replaced them with defaults computed from those columns, so the
// rows published before read back with their dimensions (ClickHouse computes a missing column's
// default from the other columns of old rows, on 18.16 as on current releases). The old columns
// stay; new rows leave them empty.
var legacyDimColumns = [][2]string{{"http", "dim_http"}, {"store", "dim_store"}, {"json", "dim_json"}, {"redis", "dim_redis"}}

// migrationDefault is the DEFAULT expression of a column added to an existing table whose
// columns (name → type) are have: "" for the type's own default.
func migrationDefault(column string, have map[string]string) string {
	for _, c := range legacyDimColumns {
		if _, ok := have[c[1]]; !ok {
			return ""
		}
	}
	keys, cols := make([]string, len(legacyDimColumns)), make([]string, len(legacyDimColumns))
	for i, c := range legacyDimColumns {
		keys[i], cols[i] = quote(c[0]), c[1]
	}
	switch column {
	case "dim_keys":
		return "[" + strings.Join(keys, ", ") + "]"
	case "dim_values":
		return "[" + strings.Join(cols, ", ") + "]"
	}
	return ""
}

// migrationDDL is what brings an existing table with the columns have (name → type) to the
// declared ones: an ALTER TABLE … ADD COLUMN for each missing column, placed after the column
// declared before it. A declared column of another type cannot be migrated: that is an error.
func migrationDDL(db string, t table, have map[string]string) ([]string, error) {
	var ddl []string
	for i, d := range t.cols.defs {
		typ, ok := have[d.name]
		if ok {
			if typ != d.typ {
				return nil, fmt.Errorf("column %s.%s is %s, this program writes %s", t.name, d.name, typ, d.typ)
			}
			continue
		}
		stmt := fmt.Sprintf("ALTER TABLE %s.%s ADD COLUMN %s %s", db, t.name, d.name, d.typ)
		if def := migrationDefault(d.name, have); def != "" {
			stmt += " DEFAULT " + def
		}
		if i > 0 {
			stmt += " AFTER " + t.cols.defs[i-1].name
		}
		ddl = append(ddl, stmt)
	}
	return ddl, nil
}
