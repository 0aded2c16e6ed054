package lab

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"stacklab/harness/fingerprint"
	"stacklab/harness/plan"
	"stacklab/harness/proc"
	"stacklab/harness/services"
	"stacklab/ledgerspec/conformance"
	"stacklab/ledgerspec/conformance/kafkalog"
	"stacklab/loadgen"
	"stacklab/results"
	"stacklab/stacks"
)

// Config is what a lab run needs.
type Config struct {
	Plan *plan.Plan
	// RepoDir is the repository the stacks are built from (and whose commit is recorded).
	RepoDir string
	// WorkDir holds the built binaries and the stack processes' logs.
	WorkDir  string
	Services *services.Services
	// Kafka is the broker the stacks publish to; its PIDs are charged as Kafka's CPU.
	Kafka Kafka
	// Report shows progress; nil shows nothing.
	Report Reporter
	// Builds are prebuilt stack binaries, one per label, each run as its own units (a regression
	// gate runs a base and a new build side by side). Empty: the lab builds RepoDir's stack once,
	// under the label "" (or "a" and "b" in an A/A run).
	Builds []Build
}

// Build is one build of the stack binary — a binary per Go experiment its stacks need — and the
// label its units carry.
type Build struct {
	Label string
	// Bins maps a GOEXPERIMENT value ("" for none) to the binary built with it.
	Bins map[string]string
}

// Kafka describes the broker of a run.
type Kafka struct {
	Brokers []string
	PIDs    []int
	Version string
	// Restart, when set, stops the broker, waits the given time and starts it again on the same
	// address with its data (the fault plan's broker outage); PIDsNow then names its processes.
	Restart func(down time.Duration) error
	PIDsNow func() []int
}

// unit is one stack under measurement: a spec run from one build. A/A runs have two units per
// stack, labelled a and b, from the same binary; a gate two, base and new, from two binaries.
type unit struct {
	spec  stacks.Spec
	label string
	bin   string
}

func (u unit) key() string { return results.StackKey(u.spec.Name(), u.label) }

func (u unit) dims() results.Dims {
	return results.MustParseDims(u.spec.Name())
}

type lab struct {
	pin      *pinning
	topic    *topicWatcher // nil without a broker
	cfg      Config
	run      *results.Run
	report   Reporter
	builds   []Build
	trial    int // trials so far, the next record's Trial
	sessions int // stack processes started so far, to name their logs
}

// Run executes a plan: it builds the stack binary once, judges every stack with the conformance
// suite, then runs the plan's rounds (stacks in a shuffled order per round, each (round, stack) on
// a fresh database and a fresh stack process) and sweeps. A stack that fails to start or to conform
// is reported and the run goes on; only a failure of the lab itself (no build, no services) is an
// error. The returned run holds everything measured.
func Run(ctx context.Context, cfg Config) (*results.Run, error) {
	p := cfg.Plan
	specs, err := ResolveStacks(p.Stacks)
	if err != nil {
		return nil, err
	}
	if err := checkDimensions(p); err != nil {
		return nil, err
	}
	now := time.Now()
	l := &lab{cfg: cfg, run: results.NewRun(newRunID(now), now), report: cfg.Report}
	if l.report == nil {
		l.report = Discard{}
	}
	l.run.PlanName, l.run.Plan = p.Name, p.JSON()
	l.run.Env = l.environment(ctx)
	builds := len(cfg.Builds)
	if builds == 0 {
		builds = 1
		if p.AA {
			builds = 2
		}
	}
	trials := 0
	for _, s := range specs {
		trials += builds * trialsFor(p, s)
	}
	l.report.Start(l.run.ID, trials, builds*len(specs))
	est := Estimate(p, specs)
	if len(cfg.Builds) > 1 { // a gate: each stack runs once per build
		est *= time.Duration(len(cfg.Builds))
	}
	l.report.Step(fmt.Sprintf("plan %s: %d stacks, %d trials, estimated %s plus the builds", p.Name, builds*len(specs), trials, est.Round(time.Minute)))

	if err := l.build(ctx, Experiments(specs)); err != nil {
		return nil, err
	}
	var units []unit
	for _, s := range specs {
		for _, b := range l.builds {
			bin, ok := b.Bins[s.Experiment()]
			if !ok {
				return nil, fmt.Errorf("build %q has no binary with GOEXPERIMENT=%q for %s", b.Label, s.Experiment(), s)
			}
			units = append(units, unit{spec: s, label: b.Label, bin: bin})
		}
	}
	// Each spec is judged once per binary (the twins of an A/A run share their verdict).
	conformant := map[string]results.Conformance{}
	for _, u := range units {
		k := u.spec.Name() + "\x00" + u.bin
		if _, done := conformant[k]; done {
			continue
		}
		l.report.Step("conformance of " + u.key())
		c := l.conform(ctx, u)
		conformant[k] = c
		l.report.Step(fmt.Sprintf("conformance of %s: %d passed, %d failed, %d skipped", u.key(), c.Passed, c.Failed, c.Skipped))
	}
	var measured []unit
	for _, u := range units {
		info := results.StackInfo{Name: u.spec.Name(), Dims: u.dims(), Label: u.label, Conformance: conformant[u.spec.Name()+"\x00"+u.bin]}
		l.describe(&info, u.bin)
		l.run.Stacks = append(l.run.Stacks, info)
		if info.Conformance.OK() {
			measured = append(measured, u)
		} else {
			l.note("%s does not conform: it is reported without measurements and gets no ranking", u.key())
			l.report.Skip(trialsFor(p, u.spec))
		}
	}

	if len(cfg.Kafka.Brokers) > 0 {
		if l.topic, err = watchTopic(cfg.Kafka.Brokers); err != nil {
			return l.finish(), err
		}
		defer l.topic.close()
	}
	// Conformance ran on every CPU; measurements run pinned.
	if l.pin, err = l.pinCPUs(); err != nil {
		return l.finish(), err
	}
	defer func() {
		if err := l.pin.unpin(); err != nil {
			l.note("putting the services back on their CPUs: %v", err)
		}
	}()
	l.run.Env.Pinning = l.pin.describe()
	rng := mrand.New(mrand.NewPCG(p.Seed, 0x51ac4b))
	for round := range p.Rounds {
		for _, u := range shuffled(rng, measured) {
			if err := ctx.Err(); err != nil {
				return l.finish(), err
			}
			mine := workloadsFor(p.Workloads, u.spec)
			if len(mine) == 0 {
				continue
			}
			l.session(ctx, u, round, mine, func(sp *stackProcess, db string) {
				for wi, w := range p.Workloads {
					if !w.For(differing(u.spec)) {
						continue
					}
					t := trialInfo{runID: l.run.ID, unit: u, workload: w.Name, kind: w.Workload, round: round, trial: l.trial}
					l.trial++
					l.add(l.measure(ctx, sp, db, t, w, runTag(round, wi), seedOf(p.Seed, round)))
				}
			})
		}
	}
	for si, s := range p.Sweeps {
		for round := range s.Rounds {
			for _, u := range shuffled(rng, measured) {
				if err := ctx.Err(); err != nil {
					return l.finish(), err
				}
				if !s.For(differing(u.spec)) {
					continue
				}
				l.session(ctx, u, round, []plan.Workload{s.Workload}, func(sp *stackProcess, db string) {
					t := trialInfo{runID: l.run.ID, unit: u, workload: s.Name, kind: s.Workload.Workload, round: round, trial: l.trial}
					l.trial++
					l.add(l.sweep(ctx, sp, db, t, s, runTag(round, 90+si), seedOf(p.Seed, round)))
				})
			}
		}
	}
	return l.finish(), nil
}

// kafkaPIDs are the broker's processes now (a restarted broker has new ones).
func (l *lab) kafkaPIDs() []int {
	if l.cfg.Kafka.PIDsNow != nil {
		return l.cfg.Kafka.PIDsNow()
	}
	return l.cfg.Kafka.PIDs
}

// differing lists the dimensions in which spec's parts differ from the baseline's.
func differing(spec stacks.Spec) []string {
	var out []string
	for _, d := range stacks.Dimensions {
		if spec.Get(d.Key) != d.Baseline {
			out = append(out, d.Key)
		}
	}
	return out
}

// workloadsFor lists the plan's workloads a stack runs (plan.Workload.For).
func workloadsFor(ws []plan.Workload, spec stacks.Spec) []plan.Workload {
	var out []plan.Workload
	for _, w := range ws {
		if w.For(differing(spec)) {
			out = append(out, w)
		}
	}
	return out
}

// Per-trial and per-stack costs beyond the measured windows, for Estimate: a session (fresh
// database, stack process, health check), a trial's set-up (accounts created and funded) and
// hand-over, a conformance run, and a sweep step.
const (
	sessionCost     = 3 * time.Second
	trialCost       = 1500 * time.Millisecond
	conformanceCost = 10 * time.Second
	sweepSteps      = 6
)

// Estimate is how long a run of the plan over specs should take on a machine like the lab's, from
// the measured windows and the costs above (builds excluded).
func Estimate(p *plan.Plan, specs []stacks.Spec) time.Duration {
	copies := time.Duration(1)
	if p.AA {
		copies = 2
	}
	var d time.Duration
	for _, s := range specs {
		d += conformanceCost
		for _, w := range workloadsFor(p.Workloads, s) {
			d += time.Duration(p.Rounds) * (w.Warmup.D() + w.Duration.D() + trialCost)
		}
		if n := len(workloadsFor(p.Workloads, s)); n > 0 {
			d += time.Duration(p.Rounds) * sessionCost
		}
		for _, sw := range p.Sweeps {
			if sw.For(differing(s)) {
				d += time.Duration(sw.Rounds) * (sessionCost + sweepSteps*(sw.Warmup.D()+sw.Duration.D()+trialCost))
			}
		}
	}
	return copies * d
}

// InDepth turns a plan into a study of one dimension: the baseline and the variants of that
// dimension only, the workloads that exercise it (and those that name no dimension), its sweeps,
// and at least 10 rounds.
func InDepth(p *plan.Plan, key string) (*plan.Plan, error) {
	if _, ok := stacks.DimensionOf(key); !ok {
		return nil, fmt.Errorf("no dimension %q (known: %s)", key, strings.Join(dimensionKeys(), ", "))
	}
	q := *p
	q.Name = p.Name + "@" + key
	q.Stacks = []string{stacks.Baseline().Name()}
	for _, v := range stacks.Variants() {
		if d := differing(v); len(d) == 1 && d[0] == key {
			q.Stacks = append(q.Stacks, v.Name())
		}
	}
	q.Workloads = nil
	for _, w := range p.Workloads {
		if len(w.Dimensions) == 0 || slices.Contains(w.Dimensions, key) {
			q.Workloads = append(q.Workloads, w)
		}
	}
	q.Sweeps = nil
	for _, s := range p.Sweeps {
		if len(s.Dimensions) == 0 || slices.Contains(s.Dimensions, key) {
			q.Sweeps = append(q.Sweeps, s)
		}
	}
	q.Rounds = max(q.Rounds, 10)
	if len(q.Workloads) == 0 && len(q.Sweeps) == 0 {
		return nil, fmt.Errorf("plan %s has no workload for dimension %s", p.Name, key)
	}
	return &q, nil
}

func dimensionKeys() []string {
	var keys []string
	for _, d := range stacks.Dimensions {
		keys = append(keys, d.Key)
	}
	return keys
}

// checkDimensions refuses a plan whose workloads name a dimension the registry does not have.
func checkDimensions(p *plan.Plan) error {
	ws := slices.Clone(p.Workloads)
	for _, s := range p.Sweeps {
		ws = append(ws, s.Workload)
	}
	for _, w := range ws {
		for _, d := range w.Dimensions {
			if _, ok := stacks.DimensionOf(d); !ok {
				return fmt.Errorf("plan %s: workload %s names dimension %q (known: %s)", p.Name, w.Name, d, strings.Join(dimensionKeys(), ", "))
			}
		}
	}
	return nil
}

// trialsFor counts the trials a stack gets in the plan.
func trialsFor(p *plan.Plan, spec stacks.Spec) int {
	n := p.Rounds * len(workloadsFor(p.Workloads, spec))
	for _, s := range p.Sweeps {
		if s.For(differing(spec)) {
			n += s.Rounds
		}
	}
	return n
}

func (l *lab) finish() *results.Run {
	l.run.Finished = time.Now().UTC()
	l.report.Finish()
	return l.run
}

func (l *lab) add(recs []results.Record) {
	for i := range recs {
		recs[i].CPUs = l.pin.label()
	}
	l.run.Records = append(l.run.Records, recs...)
}

func (l *lab) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.run.Notes = append(l.run.Notes, msg)
	l.report.Step("note: " + msg)
}

// ResolveStacks turns a plan's stack names into specs; the names of stacks.Sets ("all",
// "covering", "variants", "baseline") stand for their stacks.
func ResolveStacks(names []string) ([]stacks.Spec, error) {
	var specs []stacks.Spec
	seen := map[string]bool{}
	for _, n := range names {
		var add []stacks.Spec
		if set, ok := stacks.Sets[n]; ok {
			add = set()
		} else {
			s, err := stacks.ParseSpec(n)
			if err != nil {
				return nil, fmt.Errorf("plan: %w", err)
			}
			add = []stacks.Spec{s}
		}
		for _, s := range add {
			if !seen[s.Name()] {
				seen[s.Name()] = true
				specs = append(specs, s)
			}
		}
	}
	if len(specs) == 0 {
		return nil, errors.New("plan: no stacks")
	}
	return specs, nil
}

// newRunID is sortable by start time and unique: 20261124T101500Z-3f9a2c.
func newRunID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// runTag names a trial's accounts and transactions (the load generator's run id): the same in every
// stack of a round, so every stack gets the same requests; distinct per workload within a database.
func runTag(round, workload int) string { return fmt.Sprintf("r%dw%d", round, workload) }

// seedOf varies the requests between rounds and keeps them equal between stacks of a round.
func seedOf(seed uint64, round int) uint64 { return seed*1000 + uint64(round) }

func shuffled(rng *mrand.Rand, us []unit) []unit {
	out := append([]unit(nil), us...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func (l *lab) environment(ctx context.Context) results.Env {
	env := fingerprint.Machine(ctx, l.cfg.RepoDir)
	env.GOMAXPROCS = l.cfg.Plan.GOMAXPROCS
	s := l.cfg.Services
	for _, e := range []services.Endpoint{s.Postgres, s.Redis} {
		env.Services[e.Service] = fmt.Sprintf("%s (%s)", e.Version, e.Source)
	}
	env.Services["kafka"] = l.cfg.Kafka.Version
	env.Tools["loadgen"] = fmt.Sprintf("schema %d", loadgen.SchemaVersion)
	env.Tools["conformance checks"] = fmt.Sprint(len(conformance.Checks()))
	return env
}

// build makes the binaries of the run: the given builds, or the one stack binary of RepoDir that
// every stack uses (all parts are linked in; a stack is chosen by flags). The first binary's build
// info goes into the fingerprint.
func (l *lab) build(ctx context.Context, experiments []string) error {
	l.builds = l.cfg.Builds
	if len(l.builds) == 0 {
		l.report.Step("building the stack binary")
		bins, err := BuildStacks(ctx, l.cfg.RepoDir, filepath.Join(l.cfg.WorkDir, "stack"), experiments)
		if err != nil {
			return err
		}
		l.builds = []Build{{Bins: bins}}
		if l.cfg.Plan.AA {
			l.builds = []Build{{Label: "a", Bins: bins}, {Label: "b", Bins: bins}}
		}
	}
	var first string
	for _, exp := range experiments {
		if bin, ok := l.builds[0].Bins[exp]; ok {
			first = bin
			break
		}
	}
	bi, err := fingerprint.ReadBinary(first)
	if err != nil {
		return err
	}
	l.run.Env.GoVersion, l.run.Env.GOAMD64 = bi.GoVersion, bi.GOAMD64
	return nil
}

// Experiments lists the Go experiments the stacks need, "" (none) first when any stack needs none.
func Experiments(specs []stacks.Spec) []string {
	var exps []string
	for _, s := range specs {
		if e := s.Experiment(); !slices.Contains(exps, e) {
			exps = append(exps, e)
		}
	}
	slices.Sort(exps)
	return exps
}

// BuildStacks compiles cmd/stack of the repository at dir once per experiment, into prefix (no
// experiment) or prefix-<experiment>, and returns the binaries by experiment.
func BuildStacks(ctx context.Context, dir, prefix string, experiments []string) (map[string]string, error) {
	bins := map[string]string{}
	for _, exp := range experiments {
		bin := prefix
		if exp != "" {
			bin += "-" + exp
		}
		if err := BuildStack(ctx, dir, bin, exp); err != nil {
			return nil, err
		}
		bins[exp] = bin
	}
	return bins, nil
}

// BuildStack compiles cmd/stack of the repository at dir into bin, with GOEXPERIMENT=experiment
// (set even when empty, so the lab's own environment never leaks into a build). The io_uring
// transport links against runtime internals, hence -checklinkname=0 (see ENVIRONMENT.md).
func BuildStack(ctx context.Context, dir, bin, experiment string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags=-checklinkname=0", "-o", bin, "./stacks/cmd/stack")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOEXPERIMENT="+experiment)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the stack binary (GOEXPERIMENT=%q) in %s: %w\n%s", experiment, dir, err, out)
	}
	return nil
}

// describe adds what a stack's binary says to its info.
func (l *lab) describe(info *results.StackInfo, bin string) {
	bi, err := fingerprint.ReadBinary(bin)
	if err == nil {
		info.Modules = bi.Modules
	}
	if f, err := os.Open(bin); err == nil {
		h := sha256.New()
		if _, err := io.Copy(h, f); err == nil {
			info.BinarySHA256 = hex.EncodeToString(h.Sum(nil))
		}
		f.Close()
	}
}

// session runs fn against a fresh stack process on a fresh database, and cleans up after it. A
// stack that does not start gets a failed record for each of the trials it would have run.
func (l *lab) session(ctx context.Context, u unit, round int, trials []plan.Workload, fn func(sp *stackProcess, db string)) {
	svc := l.cfg.Services
	dsn, drop, err := svc.NewDatabase(ctx, "lab_"+strings.ReplaceAll(l.run.ID[len(l.run.ID)-6:], "-", ""))
	if err != nil {
		l.sessionFailed(u, round, trials, fmt.Errorf("creating its database: %w", err))
		return
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := drop(dctx); err != nil {
			l.note("dropping a database of %s: %v", u.key(), err)
		}
	}()
	db := databaseName(dsn)
	l.sessions++
	logPath := filepath.Join(l.cfg.WorkDir, fmt.Sprintf("stack-%03d-%s-r%d.log", l.sessions, safeName(u.key()), round))
	sp, err := startStack(ctx, u.bin, u.spec, stackEnv{databaseURL: dsn, redisURL: svc.Redis.URL, redisPrefix: "lab:" + db + ":",
		brokers: l.cfg.Kafka.Brokers, cpus: l.pin.sutCPUs(), gomaxprocs: l.cfg.Plan.GOMAXPROCS, dbConns: l.cfg.Plan.DBConns, redisConns: l.cfg.Plan.RedisConns}, logPath)
	if err != nil {
		l.sessionFailed(u, round, trials, err)
		return
	}
	fn(sp, db)
	if err := sp.stop(); err != nil {
		l.note("%s round %d did not stop cleanly: %v", u.key(), round, err)
	}
}

func (l *lab) sessionFailed(u unit, round int, trials []plan.Workload, err error) {
	l.note("%s round %d: %v", u.key(), round, err)
	for _, w := range trials {
		t := trialInfo{runID: l.run.ID, unit: u, workload: w.Name, kind: w.Workload, round: round, trial: l.trial}
		l.add([]results.Record{failedRecord(t, w.Mode, w.Rate, err)})
		l.trial++
		l.report.Skip(1)
	}
}

func databaseName(dsn string) string {
	s := dsn
	if i := strings.Index(s, "?"); i >= 0 {
		s = s[:i]
	}
	return s[strings.LastIndex(s, "/")+1:]
}

func safeName(s string) string {
	return strings.NewReplacer("/", "_", "=", "-").Replace(s)
}

// conform starts a stack on a fresh database and runs the conformance suite against it.
func (l *lab) conform(ctx context.Context, u unit) results.Conformance {
	var c results.Conformance
	l.session(ctx, u, -1, nil, func(sp *stackProcess, _ string) {
		target := conformance.Target{URL: sp.url}
		if len(l.cfg.Kafka.Brokers) > 0 {
			log, err := kafkalog.Open(l.cfg.Kafka.Brokers)
			if err != nil {
				c.Failures = append(c.Failures, "events: "+err.Error())
			} else {
				defer log.Close()
				target.Events = log
			}
		}
		rep, err := conformance.Run(ctx, target)
		if err != nil {
			c.Failed, c.Failures = 1, append(c.Failures, "the suite could not run: "+err.Error())
			return
		}
		c.Ran, c.Passed, c.Failed, c.Skipped = true, rep.Passed, rep.Failed, rep.Skipped
		for _, r := range rep.Results {
			if r.Status == conformance.StatusFail {
				first, _, _ := strings.Cut(r.Err, "\n")
				c.Failures = append(c.Failures, r.ID+": "+first)
			}
		}
	})
	if !c.Ran && len(c.Failures) == 0 {
		c.Failures = []string{"the stack did not start (see the run's notes)"}
	}
	return c
}

// pids lists each group's processes for the meter of a trial.
func (l *lab) pids(sp *stackProcess, db string) func(group) []int {
	svc := l.cfg.Services
	return func(g group) []int {
		switch g {
		case groupStack:
			tree, _ := proc.Tree(sp.child.PID())
			return tree
		case groupPostgres:
			if len(svc.Postgres.PIDs) == 0 {
				return nil
			}
			return postgresPIDs(svc.Postgres.PIDs[0], db)
		case groupRedis:
			return svc.Redis.PIDs
		case groupKafka:
			return l.kafkaPIDs()
		}
		return nil
	}
}

// loadConfig is the load generator's configuration for one plan workload.
func (l *lab) loadConfig(sp *stackProcess, t trialInfo, w plan.Workload, tag string, seed uint64) loadgen.Config {
	lim := l.cfg.Plan.Limits
	return loadgen.Config{
		Target: sp.url, Workload: w.Workload, Mode: loadgen.Mode(w.Mode), Rate: w.Rate,
		Arrival: loadgen.Arrival(w.Arrival), Duration: w.Duration.D(), Warmup: w.Warmup.D(),
		Conns: w.Conns, MaxConns: w.MaxConns, Seed: seed, RunID: tag, Accounts: w.Accounts, Skew: w.Skew,
		Acknowledged: true,
		Name:         "BenchmarkLedger/" + t.unit.key() + "/workload=" + t.workload,
		Progress:     func(p loadgen.Progress) { l.report.Progress(p) },
		Limits: loadgen.Limits{MaxLag: lim.MaxLag.D(), MaxLateFraction: lim.MaxLateFraction,
			MaxSchedLatency: lim.MaxSchedLatency.D(), MaxGCPause: lim.MaxGCPause.D()},
	}
}

// measure runs one trial and turns it into records.
func (l *lab) measure(ctx context.Context, sp *stackProcess, db string, t trialInfo, w plan.Workload, tag string, seed uint64) []results.Record {
	l.report.TrialStart(fmt.Sprintf("%s %s round %d", t.unit.key(), t.workload, t.round), (w.Warmup + w.Duration).D())
	cfg := l.loadConfig(sp, t, w, tag, seed)
	_ = proc.ResetPeak(sp.child.PID()) // best effort: the peak is then the trial's own
	m := newMeter(200*time.Millisecond, l.pids(sp, db))
	m.start()
	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		m.endAfter(time.Now())
		l.report.TrialDone("failed: " + err.Error())
		return []results.Record{failedRecord(t, w.Mode, w.Rate, err)}
	}
	_, end := window(res)
	m.endAfter(end)
	recs := recordsOf(t, res, m, l.peakRSS(sp))
	l.checkAlive(sp, t, recs)
	l.judge(ctx, sp, recs, res.Acknowledged)
	l.report.TrialDone(summary(res))
	return recs
}

// sweep steps a workload's rate up until its SLO breaks; each step becomes records with Step ≥ 1.
func (l *lab) sweep(ctx context.Context, sp *stackProcess, db string, t trialInfo, s plan.Sweep, tag string, seed uint64) []results.Record {
	l.report.TrialStart(fmt.Sprintf("%s %s (sweep) round %d", t.unit.key(), t.workload, t.round), 0)
	cfg := l.loadConfig(sp, t, s.Workload, tag, seed)
	m := newMeter(200*time.Millisecond, l.pids(sp, db))
	m.start()
	res, err := loadgen.Sweep(ctx, cfg, loadgen.SweepConfig{Start: s.Start, Factor: s.Factor, Max: s.Max,
		SLO: loadgen.SLO{P99: s.SLOP99.D()}})
	end := time.Now()
	if res != nil && len(res.Runs) > 0 {
		_, end = window(res.Runs[len(res.Runs)-1])
	}
	m.endAfter(end)
	var recs []results.Record
	if res != nil {
		recs = sweepRecords(t, res, m)
	}
	var acks []loadgen.Ack
	if res != nil {
		for _, step := range res.Runs {
			acks = append(acks, step.Acknowledged...)
		}
	}
	if err != nil {
		st := t
		st.step = 1
		if res != nil {
			st.step = len(res.Runs) + 1
		}
		recs = append(recs, failedRecord(st, "open", 0, err))
		l.report.TrialDone("failed: " + err.Error())
	} else {
		switch res.EndedBy {
		case loadgen.EndedBySLO:
			l.report.TrialDone(fmt.Sprintf("highest rate within the SLO: %g req/s (%s)", res.MaxRate, res.Stopped))
		default:
			l.report.TrialDone(res.Stopped)
		}
	}
	l.checkAlive(sp, t, recs)
	l.judge(ctx, sp, recs, acks)
	return recs
}

func (l *lab) peakRSS(sp *stackProcess) int64 {
	u, err := proc.Sample(sp.child.PID())
	if err != nil {
		return 0
	}
	return u.PeakRSS
}

// checkAlive invalidates a trial whose stack process died during it.
func (l *lab) checkAlive(sp *stackProcess, t trialInfo, recs []results.Record) {
	if sp.alive() {
		return
	}
	l.note("%s exited during %s round %d: %v", t.unit.key(), t.workload, t.round, sp.child.Failure(fmt.Errorf("exited (%v)", sp.child.WaitErr())))
	for i := range recs {
		recs[i].Valid = false
		recs[i].InvalidReasons = append(recs[i].InvalidReasons, "the stack process exited during the trial")
	}
}

func summary(r *loadgen.Result) string {
	v := "valid"
	if !r.Valid {
		v = "INVALID: " + strings.Join(r.InvalidReasons, "; ")
	}
	return fmt.Sprintf("%.0f req/s, p50 %v, p99 %v, %d errors, %s", r.CompletedRate,
		time.Duration(r.All.Corrected.P50).Round(time.Microsecond), time.Duration(r.All.Corrected.P99).Round(time.Microsecond),
		r.All.ErrorCount, v)
}
