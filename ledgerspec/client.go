package ledgerspec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Client is a typed client of the contract. The zero value is not usable; use NewClient.
// Every method is safe for concurrent use.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client for the stack at baseURL (e.g. "http://127.0.0.1:8080").
// A nil hc uses a client with keep-alive and enough idle connections for concurrent checks.
func NewClient(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256}}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), http: hc}
}

// BaseURL is the URL the client talks to.
func (c *Client) BaseURL() string { return c.base }

// Reply is a whole HTTP response: status, headers and the body read to the end.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
	// ContentLength is the response's Content-Length, −1 when it was absent (e.g. chunked).
	ContentLength    int64
	TransferEncoding []string
}

// Problem decodes the body as a problem, or returns an error saying why it is not one.
func (r *Reply) Problem() (*Problem, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, ContentTypeProblem) {
		return nil, fmt.Errorf("status %d: content type %q is not %s; body %.200q", r.Status, ct, ContentTypeProblem, r.Body)
	}
	var p Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return nil, fmt.Errorf("status %d: decoding problem body %.200q: %w", r.Status, r.Body, err)
	}
	return &p, nil
}

// Replayed reports whether the reply carries Idempotent-Replayed: true.
func (r *Reply) Replayed() bool { return r.Header.Get(HeaderReplayed) == "true" }

// StatusError is returned by the typed methods for a reply outside 2xx.
type StatusError struct {
	Reply   *Reply
	Problem *Problem // nil when the body is not a problem
}

func (e *StatusError) Error() string {
	if e.Problem != nil {
		return fmt.Sprintf("status %d: %s", e.Reply.Status, e.Problem.Code)
	}
	return fmt.Sprintf("status %d: %.200q", e.Reply.Status, e.Reply.Body)
}

// CodeOf returns the problem code carried by err, or "" if err is not a StatusError with a problem.
func CodeOf(err error) Code {
	var se *StatusError
	if errors.As(err, &se) && se.Problem != nil {
		return se.Problem.Code
	}
	return ""
}

// Do sends one request and reads the whole reply. header may be nil.
func (c *Client) Do(ctx context.Context, method, path string, header http.Header, body []byte) (*Reply, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("building %s %s: %w", method, path, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	return &Reply{Status: resp.StatusCode, Header: resp.Header, Body: b,
		ContentLength: resp.ContentLength, TransferEncoding: resp.TransferEncoding}, nil
}

// PostJSON sends v encoded with encoding/json as an application/json body.
func (c *Client) PostJSON(ctx context.Context, path string, v any) (*Reply, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding body for %s: %w", path, err)
	}
	return c.Do(ctx, http.MethodPost, path, http.Header{"Content-Type": {ContentTypeJSON}}, b)
}

// Get sends a GET.
func (c *Client) Get(ctx context.Context, path string) (*Reply, error) {
	return c.Do(ctx, http.MethodGet, path, nil, nil)
}

// decodeReply decodes a 2xx JSON reply into out, or returns a *StatusError.
func decodeReply(r *Reply, out any) error {
	if r.Status < 200 || r.Status > 299 {
		se := &StatusError{Reply: r}
		if p, err := r.Problem(); err == nil {
			se.Problem = p
		}
		return se
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("status %d: decoding %.200q: %w", r.Status, r.Body, err)
	}
	return nil
}

func typed[T any](r *Reply, err error) (T, *Reply, error) {
	var v T
	if err != nil {
		return v, r, err
	}
	return v, r, decodeReply(r, &v)
}

// CreateAccount posts a new account; 201 (created) and 200 (identical replay) both succeed.
func (c *Client) CreateAccount(ctx context.Context, a NewAccount) (Account, *Reply, error) {
	return typed[Account](c.PostJSON(ctx, PathAccounts, a))
}

// Account gets one account.
func (c *Client) Account(ctx context.Context, id string) (Account, *Reply, error) {
	return typed[Account](c.Get(ctx, AccountPath(id)))
}

// CreateTransaction posts a transaction; 201 (committed) and 200 (replay) both succeed.
func (c *Client) CreateTransaction(ctx context.Context, t NewTransaction) (Transaction, *Reply, error) {
	return typed[Transaction](c.PostJSON(ctx, PathTransactions, t))
}

// Transfer posts a one-posting transaction.
func (c *Client) Transfer(ctx context.Context, id, debit, credit string, amount int64) (Transaction, *Reply, error) {
	return c.CreateTransaction(ctx, NewTransaction{ID: id, Postings: []Posting{{debit, credit, amount}}})
}

// Transaction gets one committed transaction.
func (c *Client) Transaction(ctx context.Context, id string) (Transaction, *Reply, error) {
	return typed[Transaction](c.Get(ctx, TransactionPath(id)))
}

// AccountTransactions gets one page of an account's transactions (limit ≤ 0: default; after < 0: from the start).
func (c *Client) AccountTransactions(ctx context.Context, id string, limit int, after int64) (TransactionPage, *Reply, error) {
	return typed[TransactionPage](c.Get(ctx, AccountTransactionsPath(id, limit, after)))
}

// Balances gets a snapshot of a ledger.
func (c *Client) Balances(ctx context.Context, ledger string) (Balances, *Reply, error) {
	return typed[Balances](c.Get(ctx, BalancesPath(ledger)))
}
