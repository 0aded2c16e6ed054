package conformance

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"stacklab/ledgerspec"
)

// Target is the stack under test and how to test it. The zero value of every field but URL means
// the contract's default.
type Target struct {
	// URL is the stack's base URL, e.g. "http://127.0.0.1:8080".
	URL string
	// HTTPClient sends every request. Nil means a keep-alive client with DefaultRequestTimeout per
	// request. The suite never follows redirects: it uses a copy of the client whose CheckRedirect
	// returns the redirect itself.
	HTTPClient *http.Client
	// Events reads the stack's broker for the events checks; nil skips them (reported as SKIP).
	Events EventLog
	// VelocityLimit is the stack's LEDGER_VELOCITY_LIMIT (0: ledgerspec.DefaultVelocityLimit).
	VelocityLimit int
	// LargeAmount is the stack's LEDGER_LARGE_AMOUNT (0: ledgerspec.DefaultLargeAmount).
	LargeAmount int64
	// Parallel is how many checks run at once (0: 4).
	Parallel int
	// Only restricts the run to these check ids (empty: every check).
	Only []string
}

// DefaultRequestTimeout bounds every request when Target.HTTPClient is nil.
const DefaultRequestTimeout = 10 * time.Second

// Limits on the fraud settings the suite can exercise in bounded time.
const (
	maxVelocityLimit = 500
	defaultParallel  = 4
	// checkTimeout bounds one check; the events checks poll for at most eventsDeadline within it.
	checkTimeout   = 90 * time.Second
	eventsDeadline = 15 * time.Second
)

// settings is a Target with its defaults applied and validated.
type settings struct {
	base          string
	client        *http.Client
	events        EventLog
	velocityLimit int
	largeAmount   int64
	parallel      int
	only          map[string]bool
}

// DefaultHTTPClient returns the client the suite uses when Target.HTTPClient is nil: keep-alive with
// enough idle connections for the concurrency checks, and timeout per request.
func DefaultHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil, // the stack is reached directly, never through a proxy
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     30 * time.Second,
		},
	}
}

// Validate reports what Run would refuse in t before sending anything: a URL that is not
// http(s)://host, an unknown check id in Only, fraud settings the suite cannot exercise, a
// negative Parallel.
func (t Target) Validate() error {
	_, err := t.settings()
	return err
}

func (t Target) settings() (*settings, error) {
	u, err := url.Parse(t.URL)
	if err != nil {
		return nil, fmt.Errorf("target URL %q: %w", t.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("target URL %q: want http://host:port", t.URL)
	}
	s := &settings{
		base:          strings.TrimRight(t.URL, "/"),
		events:        t.Events,
		velocityLimit: t.VelocityLimit,
		largeAmount:   t.LargeAmount,
		parallel:      t.Parallel,
	}
	if s.velocityLimit == 0 {
		s.velocityLimit = ledgerspec.DefaultVelocityLimit
	}
	if s.velocityLimit < 1 || s.velocityLimit > maxVelocityLimit {
		return nil, fmt.Errorf("velocity limit %d: the suite can check 1 … %d", s.velocityLimit, maxVelocityLimit)
	}
	if s.largeAmount == 0 {
		s.largeAmount = ledgerspec.DefaultLargeAmount
	}
	if s.largeAmount < 2 || s.largeAmount > ledgerspec.MaxAmount {
		return nil, fmt.Errorf("large amount %d: the suite can check 2 … %d", s.largeAmount, ledgerspec.MaxAmount)
	}
	if s.parallel == 0 {
		s.parallel = defaultParallel
	}
	if s.parallel < 1 {
		return nil, fmt.Errorf("parallel %d: want at least 1", s.parallel)
	}
	hc := t.HTTPClient
	if hc == nil {
		hc = DefaultHTTPClient(DefaultRequestTimeout)
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &c
	if len(t.Only) > 0 {
		known := make(map[string]bool)
		for _, c := range checks {
			known[c.ID] = true
		}
		s.only = make(map[string]bool)
		var unknown []string
		for _, id := range t.Only {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if !known[id] {
				unknown = append(unknown, id)
			}
			s.only[id] = true
		}
		if len(unknown) > 0 {
			return nil, fmt.Errorf("unknown check ids: %s", strings.Join(unknown, ", "))
		}
		if len(s.only) == 0 {
			return nil, errors.New("only: no check id given")
		}
	}
	return s, nil
}
