package stacks

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"net"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/goredis"
	"stacklab/stacks/cache/redigo"
	"stacklab/stacks/cache/rueidis"
	"stacklab/stacks/codec/gojson"
	"stacklab/stacks/codec/jsonv2"
	"stacklab/stacks/codec/sonic"
	"stacklab/stacks/codec/std"
	"stacklab/stacks/events"
	sqlboilerstore "stacklab/stacks/store/sqlboiler"
	sqlcstore "stacklab/stacks/store/sqlc"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/fasthttp"
	"stacklab/stacks/transport/fiber"
	"stacklab/stacks/transport/fiberv3"
	"stacklab/stacks/transport/gnet"
	"stacklab/stacks/transport/nethttp"
	"stacklab/stacks/transport/uring"
)

// Store is what a store part provides: the app's Store port and the outbox the relay reads.
type Store interface {
	app.Store
	events.Outbox
}

// StoreConfig opens a store part.
type StoreConfig struct {
	DSN      string
	MaxConns int32
	// Dial, when set, connects every database connection of the store (tests and benchmarks
	// count round trips with it); nil dials as the store's driver does.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// CacheConfig opens a cache part.
type CacheConfig struct {
	URL        string
	Prefix     string
	PoolSize   int
	AccountTTL time.Duration
}

// The parts, by name. A stack is one name from each map; adding a part is one line here. Nothing
// else in the lab lists parts or dimensions: tests, plans, records and reports range over these
// maps and over Dimensions.
var (
	Transports = map[string]transport.New{
		"nethttp":      nethttp.New,
		"fasthttp":     fasthttp.New,
		"fiber":        fiber.New,
		"fiberv3":      fiberv3.New,
		"gnet":         gnet.New,
		"gnet-inline":  gnet.NewInline,
		"uring":        uring.New,
		"uring-inline": uring.NewInline,
	}
	Stores = map[string]func(context.Context, StoreConfig) (Store, error){
		"sqlc": func(ctx context.Context, c StoreConfig) (Store, error) {
			return noTypedNil[Store](sqlcstore.Open(ctx, sqlcstore.Config{DSN: c.DSN, MaxConns: c.MaxConns, Dial: c.Dial}))
		},
		"sqlc-pipelined": func(ctx context.Context, c StoreConfig) (Store, error) {
			return noTypedNil[Store](sqlcstore.Open(ctx, sqlcstore.Config{DSN: c.DSN, MaxConns: c.MaxConns, Dial: c.Dial, Pipeline: true}))
		},
		"sqlboiler": func(ctx context.Context, c StoreConfig) (Store, error) {
			return noTypedNil[Store](sqlboilerstore.Open(ctx, sqlboilerstore.Config{DSN: c.DSN, MaxConns: c.MaxConns, Dial: c.Dial}))
		},
	}
	Codecs = map[string]func() app.Codec{
		"std":    std.New,
		"sonic":  sonic.New,
		"gojson": gojson.New,
		"jsonv2": jsonv2.New, // works only in a binary built with jsonv2.Needs; see jsonv2.Available
	}
	Caches = map[string]func(context.Context, CacheConfig) (app.Cache, error){
		"goredis": func(ctx context.Context, c CacheConfig) (app.Cache, error) {
			return noTypedNil[app.Cache](goredis.Open(ctx, goredis.Config{URL: c.URL, Prefix: c.Prefix, PoolSize: c.PoolSize, AccountTTL: c.AccountTTL}))
		},
		"rueidis": func(ctx context.Context, c CacheConfig) (app.Cache, error) {
			return noTypedNil[app.Cache](rueidis.Open(ctx, rueidis.Config{URL: c.URL, Prefix: c.Prefix, PoolSize: c.PoolSize, AccountTTL: c.AccountTTL}))
		},
		"redigo": func(ctx context.Context, c CacheConfig) (app.Cache, error) {
			return noTypedNil[app.Cache](redigo.Open(ctx, redigo.Config{URL: c.URL, Prefix: c.Prefix, PoolSize: c.PoolSize, AccountTTL: c.AccountTTL}))
		},
	}
)

// Dimensions are the axes of the matrix, in the order they appear in stack names. Each names its
// key (in stack names, cmd/stack's flags and results), what it varies, the part of the baseline
// stack, and the registry map that holds its parts.
var Dimensions = []Dimension{
	{Key: "http", Title: "HTTP transport", Baseline: "nethttp", Dir: "transport",
		parts: func() []string { return keys(Transports) }, field: func(s *Spec) *string { return &s.HTTP }},
	{Key: "store", Title: "data access on PostgreSQL", Baseline: "sqlc", Dir: "store",
		parts: func() []string { return keys(Stores) }, field: func(s *Spec) *string { return &s.Store }},
	{Key: "json", Title: "JSON codec", Baseline: "std", Dir: "codec",
		parts: func() []string { return keys(Codecs) }, field: func(s *Spec) *string { return &s.JSON }},
	{Key: "redis", Title: "Redis client", Baseline: "goredis", Dir: "cache",
		parts: func() []string { return keys(Caches) }, field: func(s *Spec) *string { return &s.Redis }},
}

// Dimension is one axis of the matrix.
type Dimension struct {
	// Key names the dimension in stack names ("http=nethttp"), flags and results.
	Key string
	// Title says what the dimension varies.
	Title string
	// Baseline is the dimension's part in the baseline stack, against which variants are measured.
	Baseline string
	// Dir is the folder under stacks/ that holds the dimension's part packages, one per part
	// (a variant such as sqlc-pipelined lives in its part's folder, sqlc).
	Dir   string
	parts func() []string
	field func(*Spec) *string
}

// DimensionOf returns the dimension with the given key.
func DimensionOf(key string) (Dimension, bool) {
	i := slices.IndexFunc(Dimensions, func(d Dimension) bool { return d.Key == key })
	if i < 0 {
		return Dimension{}, false
	}
	return Dimensions[i], true
}

// Parts lists the dimension's parts, sorted.
func (d Dimension) Parts() []string { return d.parts() }

// noTypedNil returns a part as its port, and a nil port (not a typed nil pointer) on error.
func noTypedNil[I any, P any](p P, err error) (I, error) {
	var zero I
	if err != nil {
		return zero, err
	}
	return any(p).(I), nil
}

// Spec names one stack: a part for each dimension.
type Spec struct {
	HTTP, Store, JSON, Redis string
}

// Baseline is the stack every variant is measured against: each dimension's Baseline part.
func Baseline() Spec {
	var s Spec
	for _, d := range Dimensions {
		*d.field(&s) = d.Baseline
	}
	return s
}

// Get returns the part of the dimension key ("" for an unknown key).
func (s Spec) Get(key string) string {
	for _, d := range Dimensions {
		if d.Key == key {
			return *d.field(&s)
		}
	}
	return ""
}

// With returns s with the part of dimension key replaced by part.
func (s Spec) With(key, part string) Spec {
	for _, d := range Dimensions {
		if d.Key == key {
			*d.field(&s) = part
		}
	}
	return s
}

// Parts maps each dimension's key to the stack's part.
func (s Spec) Parts() map[string]string {
	m := make(map[string]string, len(Dimensions))
	for _, d := range Dimensions {
		m[d.Key] = *d.field(&s)
	}
	return m
}

// Name is the stack's name in results, in Go benchmark key=value form, e.g.
// "http=nethttp/store=sqlc/json=std/redis=goredis".
func (s Spec) Name() string {
	kv := make([]string, len(Dimensions))
	for i, d := range Dimensions {
		kv[i] = d.Key + "=" + *d.field(&s)
	}
	return strings.Join(kv, "/")
}

func (s Spec) String() string { return s.Name() }

// Validate reports an unknown part, listing the known ones.
func (s Spec) Validate() error {
	for _, d := range Dimensions {
		part, known := *d.field(&s), d.Parts()
		if !slices.Contains(known, part) {
			return fmt.Errorf("unknown %s part %q (known: %s)", d.Key, part, strings.Join(known, ", "))
		}
	}
	return nil
}

// namePattern is how a stack name is written, for messages.
func namePattern() string {
	kv := make([]string, len(Dimensions))
	for i, d := range Dimensions {
		kv[i] = d.Key + "=…"
	}
	return strings.Join(kv, "/")
}

// ParseSpec reads a Name (dimensions in any order, each once) and validates its parts.
func ParseSpec(name string) (Spec, error) {
	var s Spec
	seen := map[string]bool{}
	for _, kv := range strings.Split(name, "/") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return Spec{}, fmt.Errorf("stack name %q: want %s", name, namePattern())
		}
		d, ok := DimensionOf(k)
		if !ok {
			return Spec{}, fmt.Errorf("stack name %q: unknown dimension %q", name, k)
		}
		seen[k] = true
		*d.field(&s) = v
	}
	if len(seen) != len(Dimensions) {
		return Spec{}, fmt.Errorf("stack name %q: want every dimension: %s", name, namePattern())
	}
	return s, s.Validate()
}

// SpecFlags registers a flag per dimension on fs (-http, -store, …, defaulting to the baseline) and
// -stack, a whole stack name that overrides them. Call the returned func after fs.Parse.
func SpecFlags(fs *flag.FlagSet) func() (Spec, error) {
	s := Baseline()
	for _, d := range Dimensions {
		fs.StringVar(d.field(&s), d.Key, d.Baseline, fmt.Sprintf("%s (%s)", d.Title, strings.Join(d.Parts(), ", ")))
	}
	name := fs.String("stack", "", "a whole stack name ("+namePattern()+"); overrides the per-dimension flags")
	return func() (Spec, error) {
		if *name != "" {
			return ParseSpec(*name)
		}
		return s, s.Validate()
	}
}

// Experimental is an optional capability of a part that works only in a binary built with a Go
// experiment (e.g. the jsonv2 codec: GOEXPERIMENT=jsonv2). Its constructor exists in every build;
// in a build without the experiment the part refuses to work and says so.
type Experimental interface {
	// Experiment is the GOEXPERIMENT value the part needs, e.g. "jsonv2".
	Experiment() string
}

// Experiment is the GOEXPERIMENT a binary running this stack must be built with ("" for none).
// Only codecs are constructed to ask: the other dimensions' constructors connect to services.
func (s Spec) Experiment() string {
	if newCodec, ok := Codecs[s.JSON]; ok && newCodec != nil {
		if e, ok := newCodec().(Experimental); ok {
			return e.Experiment()
		}
	}
	return ""
}

// BuiltExperiment is the GOEXPERIMENT this binary was built with ("" for none).
func BuiltExperiment() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" {
				return s.Value
			}
		}
	}
	return ""
}

// CheckBuild reports whether this binary may run the stack: it must be built with exactly the
// stack's experiment. Both ways matter: a jsonv2 stack cannot work without the experiment, and
// with GOEXPERIMENT=jsonv2 encoding/json itself is reimplemented on v2, so a std stack in such a
// binary would not measure std.
func (s Spec) CheckBuild() error {
	if want, got := s.Experiment(), BuiltExperiment(); want != got {
		return fmt.Errorf("stack %s needs a binary built with GOEXPERIMENT=%q; this one was built with GOEXPERIMENT=%q", s, want, got)
	}
	return nil
}

// Touched lists the variants (stacks.Variants) whose part's code the changed files touch: a file
// under stacks/<Dir>/<p>/ touches the parts named p or p-…; any other file under stacks/<Dir>/
// (shared code of the dimension) touches every part of the dimension. The baseline is not listed
// unless a baseline part is touched. Paths are relative to the repository root.
func Touched(changed []string) []Spec {
	touched := map[string]bool{}
	for _, path := range changed {
		for _, d := range Dimensions {
			rest, ok := strings.CutPrefix(path, "stacks/"+d.Dir+"/")
			if !ok {
				continue
			}
			dir, _, _ := strings.Cut(rest, "/")
			var hit []string
			for _, p := range d.Parts() {
				if p == dir || strings.HasPrefix(p, dir+"-") {
					hit = append(hit, p)
				}
			}
			if len(hit) == 0 {
				hit = d.Parts()
			}
			for _, p := range hit {
				touched[d.Key+"="+p] = true
			}
		}
	}
	var out []Spec
	for _, v := range Variants() {
		for _, d := range Dimensions {
			if v.Get(d.Key) != d.Baseline && touched[d.Key+"="+v.Get(d.Key)] ||
				v == Baseline() && touched[d.Key+"="+d.Baseline] {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// Sets are the named sets of stacks a plan or a test can ask for instead of naming stacks.
var Sets = map[string]func() []Spec{
	"all":      All,
	"covering": Covering,
	"variants": Variants,
	"baseline": func() []Spec { return []Spec{Baseline()} },
}

// All lists every combination of parts, sorted by name.
func All() []Spec {
	all := []Spec{{}}
	for _, d := range Dimensions {
		var next []Spec
		for _, s := range all {
			for _, p := range d.Parts() {
				next = append(next, s.With(d.Key, p))
			}
		}
		all = next
	}
	slices.SortFunc(all, func(a, b Spec) int { return strings.Compare(a.Name(), b.Name()) })
	return all
}

// Variants lists the baseline and, for every dimension, each of its other parts with the rest of
// the baseline held fixed: the one-factor-at-a-time design that answers "what does this part
// change against the baseline's". Baseline first, then by dimension and part.
func Variants() []Spec {
	base := Baseline()
	out := []Spec{base}
	for _, d := range Dimensions {
		for _, p := range d.Parts() {
			if p != d.Baseline {
				out = append(out, base.With(d.Key, p))
			}
		}
	}
	return out
}

// Covering lists stacks such that every pair of parts from two different dimensions appears
// together in at least one of them (a pairwise covering set, so also every part), starting with
// the baseline. It is
// built greedily and deterministically: each next stack is the one, among all combinations, that
// covers the most pairs not yet covered (ties go to the first by name).
func Covering() []Spec {
	type pair struct{ a, b string } // "key=part" of two dimensions, a's dimension first
	pairsOf := func(s Spec) []pair {
		var ps []pair
		for i, d := range Dimensions {
			ps = append(ps, pair{d.Key + "=" + s.Get(d.Key), ""}) // every part at least once
			for _, e := range Dimensions[i+1:] {
				ps = append(ps, pair{d.Key + "=" + s.Get(d.Key), e.Key + "=" + s.Get(e.Key)})
			}
		}
		return ps
	}
	uncovered := map[pair]bool{}
	all := All()
	for _, s := range all {
		for _, p := range pairsOf(s) {
			uncovered[p] = true
		}
	}
	var out []Spec
	take := func(s Spec) {
		out = append(out, s)
		for _, p := range pairsOf(s) {
			delete(uncovered, p)
		}
	}
	take(Baseline())
	for len(uncovered) > 0 {
		best, bestGain := -1, 0
		for i, s := range all {
			gain := 0
			for _, p := range pairsOf(s) {
				if uncovered[p] {
					gain++
				}
			}
			if gain > bestGain {
				best, bestGain = i, gain
			}
		}
		take(all[best])
	}
	return out
}

func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
