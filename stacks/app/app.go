package app

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"time"

	"go.uber.org/zap"

	"stacklab/ledgerspec"
)

// Config wires the app to its parts.
type Config struct {
	Store  Store
	Cache  Cache
	Codec  Codec
	Events Notifier // nil: nobody is told about commits
	Log    *zap.Logger
	// VelocityLimit and LargeAmount are the fraud thresholds (0: the contract defaults).
	VelocityLimit int
	LargeAmount   int64
	// LogRequests logs one line per request; off by default to keep logging off the hot path.
	LogRequests bool
	// CacheTimeout bounds every Cache call (0: DefaultCacheTimeout).
	CacheTimeout time.Duration
	// StoreTimeout is the deadline of a request that reads or writes the ledger, so it bounds
	// every Store call (0: DefaultStoreTimeout). A store that does not answer in time is answered
	// 503 service_unavailable.
	StoreTimeout time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// DefaultStoreTimeout is the deadline of a request that reads or writes the ledger when
// Config.StoreTimeout is 0. A healthy request takes milliseconds; one waiting behind a busy
// ledger's row lock (commits of one ledger are serialized, about 1.5 ms each here) stays well
// under a second even with hundreds queued. 5 s is far above that and under the usual HTTP client
// timeouts (10–30 s), so a PostgreSQL that stopped answering gives a 503, never a hang; a
// PostgreSQL that refuses connections or dropped them gives one at once.
const DefaultStoreTimeout = 5 * time.Second

// App is the ledger, written once. Transports call Serve.
type App struct {
	store         Store
	cache         *cacheGuard
	storeTimeout  time.Duration
	codec         Codec
	events        Notifier
	log           *zap.Logger
	velocityLimit int
	largeAmount   int64
	logRequests   bool
	now           func() time.Time
	pages         *template.Template
}

// New checks the configuration and returns the app.
func New(cfg Config) (*App, error) {
	if cfg.Store == nil || cfg.Cache == nil || cfg.Codec == nil {
		return nil, errors.New("app: Store, Cache and Codec are required")
	}
	a := &App{store: cfg.Store, codec: cfg.Codec, events: cfg.Events, log: cfg.Log, storeTimeout: cfg.StoreTimeout,
		velocityLimit: cfg.VelocityLimit, largeAmount: cfg.LargeAmount, logRequests: cfg.LogRequests, now: cfg.Now}
	if a.log == nil {
		a.log = zap.NewNop()
	}
	if cfg.CacheTimeout < 0 || cfg.StoreTimeout < 0 {
		return nil, errors.New("app: negative CacheTimeout or StoreTimeout")
	}
	cacheTimeout := cfg.CacheTimeout
	if cacheTimeout == 0 {
		cacheTimeout = DefaultCacheTimeout
	}
	a.cache = newCacheGuard(cfg.Cache, cacheTimeout, a.log)
	if a.storeTimeout == 0 {
		a.storeTimeout = DefaultStoreTimeout
	}
	if a.velocityLimit <= 0 {
		a.velocityLimit = ledgerspec.DefaultVelocityLimit
	}
	if a.largeAmount <= 0 {
		a.largeAmount = ledgerspec.DefaultLargeAmount
	}
	if a.now == nil {
		a.now = time.Now
	}
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("app: parsing page templates: %w", err)
	}
	a.pages = pages
	return a, nil
}

// Serve answers one request. It never panics: a panic in a handler becomes a 500.
func (a *App) Serve(ctx context.Context, req *Request, resp *Response) {
	var start time.Time
	if a.logRequests {
		start = time.Now()
	}
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("panic serving request", zap.String("route", string(req.Route)), zap.Any("panic", p), zap.Stack("stack"))
			resp.Reset()
			a.fail(req, resp, ledgerspec.CodeInternal, -1)
		}
		if a.logRequests {
			a.log.Info("request", zap.String("route", string(req.Route)), zap.String("param", req.Param),
				zap.Int("status", resp.Status), zap.Duration("took", time.Since(start)))
		}
	}()
	switch req.Route {
	case ledgerspec.RouteBenchPlaintext:
		resp.Status, resp.ContentType, resp.Body = 200, ledgerspec.ContentTypePlain, benchPlaintext
		return
	case ledgerspec.RouteBenchJSON:
		a.writeJSON(req, resp, 200, ledgerspec.Message{Message: ledgerspec.BenchJSONMessage})
		return
	case ledgerspec.RouteStatic:
		a.static(req, resp)
		return
	}
	// Every other route may call the store: it gets the request deadline that bounds those calls.
	ctx, cancel := context.WithTimeout(ctx, a.storeTimeout)
	defer cancel()
	switch req.Route {
	case ledgerspec.RouteCreateAccount:
		a.createAccount(ctx, req, resp)
	case ledgerspec.RouteGetAccount:
		a.getAccount(ctx, req, resp)
	case ledgerspec.RouteCreateTransaction:
		a.createTransaction(ctx, req, resp)
	case ledgerspec.RouteGetTransaction:
		a.getTransaction(ctx, req, resp)
	case ledgerspec.RouteAccountTransactions:
		a.accountTransactions(ctx, req, resp)
	case ledgerspec.RouteBalances:
		a.balances(ctx, req, resp)
	case ledgerspec.RouteLedgerPage:
		a.ledgerPage(ctx, req, resp)
	case ledgerspec.RouteAccountPage:
		a.accountPage(ctx, req, resp)
	case ledgerspec.RouteAccountRows:
		a.accountRows(ctx, req, resp)
	case ledgerspec.RouteUITransaction:
		a.uiTransaction(ctx, req, resp)
	default:
		a.fail(req, resp, ledgerspec.CodeNotFound, -1)
	}
}

var benchPlaintext = []byte(ledgerspec.BenchPlaintextBody)

// isHTMLRoute reports whether errors on the route are answered as HTML.
func isHTMLRoute(r ledgerspec.RouteID) bool {
	switch r {
	case ledgerspec.RouteLedgerPage, ledgerspec.RouteAccountPage, ledgerspec.RouteAccountRows, ledgerspec.RouteUITransaction:
		return true
	}
	return false
}

// fail answers an error code: the one place where codes become statuses and bodies, as problem JSON
// on the API and as an HTML error (page or fragment) on the HTML routes.
func (a *App) fail(req *Request, resp *Response, code ledgerspec.Code, postingIndex int) {
	if isHTMLRoute(req.Route) {
		a.htmlError(req, resp, code, postingIndex, code.Status())
		return
	}
	a.problem(req, resp, code, postingIndex)
}

func (a *App) problem(req *Request, resp *Response, code ledgerspec.Code, postingIndex int) {
	b, err := a.codec.Marshal(ledgerspec.NewProblem(code, postingIndex))
	if err != nil { // cannot happen for a Problem; keep the answer well-formed anyway
		a.log.Error("encoding problem", zap.Error(err))
		b = []byte(`{"code":"internal_error","status":500}`)
		code = ledgerspec.CodeInternal
	}
	resp.Status, resp.ContentType, resp.Body = code.Status(), ledgerspec.ContentTypeProblem, b
}

// failErr answers an error of a part: 503 service_unavailable when the store says the database
// cannot be reached (ErrUnavailable, which includes a store call cut off by the request
// deadline), else 500 for what is unexpected. Either is logged.
func (a *App) failErr(req *Request, resp *Response, what string, err error) {
	if errors.Is(err, ErrUnavailable) {
		a.log.Warn(what+": database unavailable", zap.String("route", string(req.Route)), zap.String("param", req.Param), zap.Error(err))
		a.fail(req, resp, ledgerspec.CodeServiceUnavailable, -1)
		return
	}
	a.log.Error(what, zap.String("route", string(req.Route)), zap.String("param", req.Param), zap.Error(err))
	a.fail(req, resp, ledgerspec.CodeInternal, -1)
}

func (a *App) writeJSON(req *Request, resp *Response, status int, v any) {
	b, err := a.codec.Marshal(v)
	if err != nil {
		a.failErr(req, resp, "encoding response", err)
		return
	}
	resp.Status, resp.ContentType, resp.Body = status, ledgerspec.ContentTypeJSON, b
}
