package stacks

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"stacklab/stacks/app"
	"stacklab/stacks/cache/goredis"
	"stacklab/stacks/codec/sonic"
	"stacklab/stacks/codec/std"
	"stacklab/stacks/events"
	sqlcstore "stacklab/stacks/store/sqlc"
	"stacklab/stacks/transport"
	"stacklab/stacks/transport/nethttp"
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
}

// CacheConfig opens a cache part.
type CacheConfig struct {
	URL        string
	Prefix     string
	PoolSize   int
	AccountTTL time.Duration
}

// The parts, by name. A stack is one name from each map; adding a part is one line here.
var (
	Transports = map[string]transport.New{
		"nethttp": nethttp.New,
	}
	Stores = map[string]func(context.Context, StoreConfig) (Store, error){
		"sqlc": func(ctx context.Context, c StoreConfig) (Store, error) {
			return noTypedNil[Store](sqlcstore.Open(ctx, sqlcstore.Config{DSN: c.DSN, MaxConns: c.MaxConns}))
		},
	}
	Codecs = map[string]func() app.Codec{
		"std":   std.New,
		"sonic": sonic.New,
	}
	Caches = map[string]func(context.Context, CacheConfig) (app.Cache, error){
		"goredis": func(ctx context.Context, c CacheConfig) (app.Cache, error) {
			return noTypedNil[app.Cache](goredis.Open(ctx, goredis.Config{URL: c.URL, Prefix: c.Prefix, PoolSize: c.PoolSize, AccountTTL: c.AccountTTL}))
		},
	}
)

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

// Name is the stack's name in results, in Go benchmark key=value form, e.g.
// "http=nethttp/store=sqlc/json=std/redis=goredis".
func (s Spec) Name() string {
	return "http=" + s.HTTP + "/store=" + s.Store + "/json=" + s.JSON + "/redis=" + s.Redis
}

func (s Spec) String() string { return s.Name() }

// Validate reports an unknown part, listing the known ones.
func (s Spec) Validate() error {
	for _, d := range []struct {
		dim, name string
		known     []string
	}{
		{"http", s.HTTP, keys(Transports)}, {"store", s.Store, keys(Stores)},
		{"json", s.JSON, keys(Codecs)}, {"redis", s.Redis, keys(Caches)},
	} {
		if !slices.Contains(d.known, d.name) {
			return fmt.Errorf("unknown %s part %q (known: %s)", d.dim, d.name, strings.Join(d.known, ", "))
		}
	}
	return nil
}

// ParseSpec reads a Name ("http=…/store=…/json=…/redis=…", any order, every dimension once).
func ParseSpec(name string) (Spec, error) {
	var s Spec
	seen := map[string]bool{}
	for _, kv := range strings.Split(name, "/") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return Spec{}, fmt.Errorf("stack name %q: want http=…/store=…/json=…/redis=…", name)
		}
		seen[k] = true
		switch k {
		case "http":
			s.HTTP = v
		case "store":
			s.Store = v
		case "json":
			s.JSON = v
		case "redis":
			s.Redis = v
		default:
			return Spec{}, fmt.Errorf("stack name %q: unknown dimension %q", name, k)
		}
	}
	if len(seen) != 4 {
		return Spec{}, fmt.Errorf("stack name %q: want all of http, store, json, redis", name)
	}
	return s, s.Validate()
}

// All lists every combination of parts, sorted by name.
func All() []Spec {
	var all []Spec
	for _, h := range keys(Transports) {
		for _, st := range keys(Stores) {
			for _, j := range keys(Codecs) {
				for _, r := range keys(Caches) {
					all = append(all, Spec{h, st, j, r})
				}
			}
		}
	}
	return all
}

func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
