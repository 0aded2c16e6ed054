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
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// App is the ledger, written once. Transports call Serve.
type App struct {
	store         Store
	cache         Cache
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
	a := &App{store: cfg.Store, cache: cfg.Cache, codec: cfg.Codec, events: cfg.Events, log: cfg.Log,
		velocityLimit: cfg.VelocityLimit, largeAmount: cfg.LargeAmount, logRequests: cfg.LogRequests, now: cfg.Now}
	if a.log == nil {
		a.log = zap.NewNop()
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
	case ledgerspec.RouteBenchJSON:
		a.writeJSON(req, resp, 200, ledgerspec.Message{Message: ledgerspec.BenchJSONMessage})
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
	case ledgerspec.RouteStatic:
		a.static(req, resp)
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

// internal logs an unexpected error and answers 500.
func (a *App) internal(req *Request, resp *Response, what string, err error) {
	a.log.Error(what, zap.String("route", string(req.Route)), zap.String("param", req.Param), zap.Error(err))
	a.fail(req, resp, ledgerspec.CodeInternal, -1)
}

func (a *App) writeJSON(req *Request, resp *Response, status int, v any) {
	b, err := a.codec.Marshal(v)
	if err != nil {
		a.internal(req, resp, "encoding response", err)
		return
	}
	resp.Status, resp.ContentType, resp.Body = status, ledgerspec.ContentTypeJSON, b
}
