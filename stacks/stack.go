package stacks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"stacklab/stacks/app"
	"stacklab/stacks/events"
	"stacklab/stacks/events/franz"
	"stacklab/stacks/transport"
)

// Config is where a stack finds its services and how it is tuned.
type Config struct {
	// DatabaseURL is the stack's own database; the stack applies its schema there.
	DatabaseURL string
	RedisURL    string
	// RedisPrefix namespaces the stack's keys ("" derives one from the database name).
	RedisPrefix string
	// KafkaBrokers: empty leaves committed transactions waiting in the outbox (a warning is logged).
	KafkaBrokers []string
	DBConns      int32 // 0: 4 × GOMAXPROCS, at least 8
	RedisConns   int   // 0: the client's default
	// VelocityLimit and LargeAmount: 0 means the contract defaults.
	VelocityLimit int
	LargeAmount   int64
	LogRequests   bool
	// CacheTimeout bounds each call to Redis (0: app.DefaultCacheTimeout, 250 ms); StoreTimeout is
	// the deadline of a request that reads or writes the ledger (0: app.DefaultStoreTimeout, 5 s).
	CacheTimeout, StoreTimeout time.Duration
	Log                        *zap.Logger // nil: no logging
	// ShutdownTimeout bounds each step of a graceful shutdown (0: 10 s).
	ShutdownTimeout time.Duration
}

// Stack is one assembled stack: its parts, the app, and the transport serving it.
type Stack struct {
	Spec   Spec
	App    *app.App
	server transport.Server
	store  Store
	cache  app.Cache
	pub    events.Publisher // nil without brokers
	relay  *events.Relay    // nil without brokers
	log    *zap.Logger
	grace  time.Duration
	closed sync.Once
}

// Open connects the stack's parts and builds the app and its transport. Close it, or Run it,
// which closes it when done.
//
// PostgreSQL is the ledger: Open fails, with a clear error and never a hang, when it cannot be
// reached. Redis and Kafka are not: their parts open without connecting and connect when they
// can, so a stack starts while either is down and recovers by itself when it is back (meanwhile
// transactions commit flagged velocity_unchecked and wait in the outbox). A malformed URL or
// broker address fails Open.
func Open(ctx context.Context, spec Spec, cfg Config) (_ *Stack, err error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := spec.CheckBuild(); err != nil {
		return nil, err
	}
	if cfg.DatabaseURL == "" || cfg.RedisURL == "" {
		return nil, errors.New("stack: a database URL and a Redis URL are required")
	}
	log := cfg.Log
	if log == nil {
		log = zap.NewNop()
	}
	s := &Stack{Spec: spec, log: log, grace: cfg.ShutdownTimeout}
	if s.grace <= 0 {
		s.grace = 10 * time.Second
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	conns := cfg.DBConns
	if conns <= 0 {
		conns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	if s.store, err = Stores[spec.Store](ctx, StoreConfig{DSN: cfg.DatabaseURL, MaxConns: conns}); err != nil {
		return nil, fmt.Errorf("store %s: %w", spec.Store, err)
	}
	prefix := cfg.RedisPrefix
	if prefix == "" {
		prefix = defaultPrefix(cfg.DatabaseURL)
	}
	if s.cache, err = Caches[spec.Redis](ctx, CacheConfig{URL: cfg.RedisURL, Prefix: prefix, PoolSize: cfg.RedisConns}); err != nil {
		return nil, fmt.Errorf("cache %s: %w", spec.Redis, err)
	}
	codec := Codecs[spec.JSON]()
	var notifier app.Notifier
	if len(cfg.KafkaBrokers) > 0 {
		pub, err := franz.Open(ctx, franz.Config{Brokers: cfg.KafkaBrokers, ClientID: "stacklab-" + spec.HTTP})
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		s.pub = pub
		s.relay = events.NewRelay(s.store, s.pub, codec, log, events.RelayOptions{})
		notifier = s.relay
	} else {
		log.Warn("no Kafka brokers configured: committed transactions wait in the outbox")
	}
	s.App, err = app.New(app.Config{Store: s.store, Cache: s.cache, Codec: codec, Events: notifier, Log: log,
		VelocityLimit: cfg.VelocityLimit, LargeAmount: cfg.LargeAmount, LogRequests: cfg.LogRequests,
		CacheTimeout: cfg.CacheTimeout, StoreTimeout: cfg.StoreTimeout})
	if err != nil {
		return nil, err
	}
	s.server = Transports[spec.HTTP](s.App, transport.Options{Name: spec.HTTP})
	return s, nil
}

// defaultPrefix namespaces Redis keys by the database's name, since every run has its own database.
func defaultPrefix(databaseURL string) string {
	name := "ledger"
	if u, err := url.Parse(databaseURL); err == nil && strings.Trim(u.Path, "/") != "" {
		name = strings.Trim(u.Path, "/")
	}
	return "lab:" + name + ":"
}

// Run serves on ln and relays the outbox until ctx ends, then shuts down gracefully: the listener
// closes, in-flight requests finish, the outbox drains, and every part is closed.
func (s *Stack) Run(ctx context.Context, ln net.Listener) error {
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if s.relay != nil {
		wg.Add(1)
		go func() { defer wg.Done(); s.relay.Run(relayCtx) }()
	}
	served := make(chan error, 1)
	go func() { served <- s.server.Serve(ln) }()

	var err error
	select {
	case err = <-served: // the transport failed on its own
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.grace)
		err = s.server.Shutdown(sctx)
		cancel()
		if serr := <-served; err == nil {
			err = serr
		}
	}
	if s.relay != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.grace)
		if derr := s.relay.Drain(dctx); derr != nil {
			s.log.Error("outbox not drained at shutdown; the next start publishes the rest", zap.Error(derr))
		}
		cancel()
	}
	stopRelay()
	wg.Wait()
	s.Close()
	return err
}

// Close releases the parts (Run does it itself). It is safe to call more than once.
func (s *Stack) Close() { s.closed.Do(s.close) }

func (s *Stack) close() {
	if s.pub != nil {
		s.pub.Close()
	}
	if s.cache != nil {
		if err := s.cache.Close(); err != nil {
			s.log.Warn("closing cache", zap.Error(err))
		}
	}
	if s.store != nil {
		s.store.Close()
	}
}
