package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"stacklab/ledgerspec"
)

// env is what one check works with: the run's settings, fresh names and the HTTP helpers.
type env struct {
	*suite
	ctx   context.Context
	check string
}

func (su *suite) env(ctx context.Context, check string) *env {
	return &env{suite: su, ctx: ctx, check: check}
}

// id returns a fresh account or transaction id: tag, the check id, the run and a counter.
// It is unique across runs (random run part) and within a run (counter).
func (e *env) id(tag string) string {
	return tag + e.check + "-" + e.runID + "-" + strconv.FormatInt(e.n.Add(1), 36)
}

// ledger returns a fresh ledger name (at most 16 of [A-Z0-9_]).
func (e *env) ledger() string {
	return "L" + e.runID + strings.ToUpper(strconv.FormatInt(e.n.Add(1), 36))
}

// request is one HTTP request a check sends.
type request struct {
	method, path string
	header       http.Header
	body         []byte
	// chunked sends the body without a Content-Length.
	chunked bool
	// allow5xx lets the caller see a 5xx instead of getting an error for it (only the probe).
	allow5xx bool
}

// exchange is a request and the whole reply to it.
type exchange struct {
	req request
	*ledgerspec.Reply
}

// noAnswerError is a request that got no HTTP reply (refused, reset, timed out).
type noAnswerError struct {
	req request
	err error
}

func (e *noAnswerError) Error() string {
	return fmt.Sprintf("%s: no answer: %v", describeRequest(e.req), e.err)
}
func (e *noAnswerError) Unwrap() error { return e.err }

// isNoAnswer reports whether err is a request that got no reply.
func isNoAnswer(err error) bool {
	var na *noAnswerError
	return errors.As(err, &na)
}

// send sends one request and reads the whole reply. A reply with a 5xx status is an error (a 5xx
// anywhere fails the check), as is a request that got no answer (a *noAnswerError).
func (e *env) send(r request) (*exchange, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
		if r.chunked {
			body = io.MultiReader(bytes.NewReader(r.body)) // hides the length: sent chunked
		}
	}
	req, err := http.NewRequestWithContext(e.ctx, r.method, e.s.base+r.path, body)
	if err != nil {
		return nil, fmt.Errorf("building %s: %w", describeRequest(r), err)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	if req.Header.Get("Accept-Encoding") == "" {
		// Asking for identity keeps net/http from decompressing transparently, which would hide
		// the reply's own Content-Length.
		req.Header.Set("Accept-Encoding", "identity")
	}
	if r.chunked {
		req.ContentLength = -1
	}
	resp, err := e.s.client.Do(req)
	if err != nil {
		return nil, &noAnswerError{req: r, err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &noAnswerError{req: r, err: fmt.Errorf("reading the body: %w", err)}
	}
	x := &exchange{req: r, Reply: &ledgerspec.Reply{Status: resp.StatusCode, Header: resp.Header, Body: b,
		ContentLength: resp.ContentLength, TransferEncoding: resp.TransferEncoding}}
	e.rec.observe(x)
	if x.Status >= 500 && !r.allow5xx {
		return x, x.fail("no server error (any 5xx fails the check)")
	}
	return x, nil
}

// get sends a GET; header may be nil.
func (e *env) get(path string, header http.Header) (*exchange, error) {
	return e.send(request{method: http.MethodGet, path: path, header: header})
}

// postJSON sends v encoded as an application/json body.
func (e *env) postJSON(path string, v any) (*exchange, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding a request body for %s: %w", path, err)
	}
	return e.postRaw(path, ledgerspec.ContentTypeJSON, b)
}

// postRaw sends body as is with the given Content-Type ("" sends none).
func (e *env) postRaw(path, contentType string, body []byte) (*exchange, error) {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return e.send(request{method: http.MethodPost, path: path, header: h, body: body})
}

// postForm sends a form-encoded body; htmx adds HX-Request: true.
func (e *env) postForm(path string, form url.Values, htmx bool) (*exchange, error) {
	h := http.Header{"Content-Type": {ledgerspec.ContentTypeForm}}
	if htmx {
		h.Set(ledgerspec.HeaderHXRequest, ledgerspec.HTMLHXRequestTrue)
	}
	return e.send(request{method: http.MethodPost, path: path, header: h, body: []byte(form.Encode())})
}

func describeRequest(r request) string {
	var b strings.Builder
	b.WriteString(r.method + " " + r.path)
	for _, k := range []string{"Content-Type", ledgerspec.HeaderHXRequest, ledgerspec.HeaderHXTarget} {
		if v, ok := r.header[k]; ok {
			fmt.Fprintf(&b, " [%s: %s]", k, strings.Join(v, ", "))
		}
	}
	if r.body != nil {
		if r.chunked {
			b.WriteString(" chunked")
		}
		fmt.Fprintf(&b, " body %s", excerpt(r.body, 240))
	}
	return b.String()
}

// sent describes the request.
func (x *exchange) sent() string { return describeRequest(x.req) }

// got describes the reply: status, content type, the headers that matter and a body excerpt.
func (x *exchange) got() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", x.Status)
	if ct := x.Header.Get("Content-Type"); ct != "" {
		fmt.Fprintf(&b, " [%s]", ct)
	}
	for _, k := range []string{ledgerspec.HeaderReplayed, ledgerspec.HTMLLocationHeader} {
		if v := x.Header.Get(k); v != "" {
			fmt.Fprintf(&b, " [%s: %s]", k, v)
		}
	}
	fmt.Fprintf(&b, " body %s", excerpt(x.Body, 300))
	return b.String()
}

// fail builds the error of a check: what was sent, what was expected, what came back.
func (x *exchange) fail(format string, args ...any) error {
	return fmt.Errorf("sent %s\n  want %s\n  got %s", x.sent(), fmt.Sprintf(format, args...), x.got())
}

// excerpt shows at most n bytes of b, readable when it is text.
func excerpt(b []byte, n int) string {
	suffix := ""
	if len(b) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		suffix = fmt.Sprintf("…(%d bytes)", len(b))
		b = b[:cut]
	}
	if len(b) == 0 {
		return "(empty)"
	}
	return strconv.Quote(string(b)) + suffix
}

// mediaType is the lowercased media type of a Content-Type header, without parameters.
func mediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// decodeStrict decodes one JSON value into out, refusing unknown fields and trailing data.
func decodeStrict(b []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decoding %T: %w", out, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("decoding %T: data after the JSON value", out)
	}
	return nil
}

// jsonKeys lists the keys of a JSON object.
func jsonKeys(b []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding a JSON object: %w", err)
	}
	return m, nil
}

// record is the suite-wide memory of transaction outcomes, read by the checks that run last.
type record struct {
	mu        sync.Mutex
	committed map[string]committedTx
	failed    map[string]bool
}

type committedTx struct {
	tx  ledgerspec.Transaction
	raw []byte
}

func newRecord() *record {
	return &record{committed: make(map[string]committedTx), failed: make(map[string]bool)}
}

// observe notes what an exchange says about a transaction id: a 201 (or 200 replay) of POST
// /api/transactions and a 200 of GET /api/transactions/{id} show a committed transaction; a 422
// of POST /api/transactions or /ui/transactions shows an id that is not committed.
func (r *record) observe(x *exchange) {
	switch {
	case x.req.method == http.MethodPost && x.req.path == ledgerspec.PathTransactions:
		switch x.Status {
		case http.StatusCreated, http.StatusOK:
			r.commit(x.Body)
		case http.StatusUnprocessableEntity:
			var body struct {
				ID json.RawMessage `json:"id"`
			}
			var id string
			if json.Unmarshal(x.req.body, &body) == nil && json.Unmarshal(body.ID, &id) == nil && id != "" {
				r.fail(id)
			}
		}
	case x.req.method == http.MethodGet && strings.HasPrefix(x.req.path, ledgerspec.PathTransactions+"/"):
		if x.Status == http.StatusOK {
			r.commit(x.Body)
		}
	case x.req.method == http.MethodPost && x.req.path == ledgerspec.PathUITransactions:
		if x.Status == ledgerspec.HTMLFormErrorStatus {
			if form, err := url.ParseQuery(string(x.req.body)); err == nil && form.Get(ledgerspec.FormID) != "" {
				r.fail(form.Get(ledgerspec.FormID))
			}
		}
	}
}

func (r *record) commit(body []byte) {
	var tx ledgerspec.Transaction
	if json.Unmarshal(body, &tx) != nil || tx.ID == "" || tx.Seq <= 0 {
		return // not a transaction body: the check that got it reports it
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.committed[tx.ID]; !ok {
		r.committed[tx.ID] = committedTx{tx: tx, raw: bytes.Clone(body)}
	}
}

func (r *record) fail(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed[id] = true
}

// snapshot returns the committed transactions and the ids that were refused with a 422 and never
// seen committed (a 422 on a committed id, such as exists_with_different_postings, is not a failure
// of that id).
func (r *record) snapshot() (map[string]committedTx, map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	committed := make(map[string]committedTx, len(r.committed))
	for id, c := range r.committed {
		committed[id] = c
	}
	failed := make(map[string]bool)
	for id := range r.failed {
		if _, ok := r.committed[id]; !ok {
			failed[id] = true
		}
	}
	return committed, failed
}
