package wire

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// Level says how binding a case's rule is.
type Level string

// The levels.
const (
	MUST     Level = "MUST"
	SHOULD   Level = "SHOULD"
	Contract Level = "contract"
)

// The sections of the suite, in report order.
const (
	SectionSmuggling   = "smuggling"
	SectionTE          = "transfer-encoding"
	SectionChunked     = "chunked"
	SectionHeaders     = "header-syntax"
	SectionRequestLine = "request-line"
	SectionHost        = "host"
	SectionLimits      = "limits"
	SectionConnection  = "connection"
	SectionEnvelope    = "envelope"
)

// Sections lists the sections in report order.
var Sections = []string{SectionSmuggling, SectionTE, SectionChunked, SectionHeaders, SectionRequestLine,
	SectionHost, SectionLimits, SectionConnection, SectionEnvelope}

// Case is one check of the suite.
type Case struct {
	// ID is short kebab-case and stable; Section one of Sections.
	ID, Section string
	// Title says what the server must do; Rule where that is written.
	Title, Rule string
	Level       Level
	run         func(e *env) error
}

// Cases returns every case, in report order.
func Cases() []Case { return slices.Clone(cases) }

// Target is the server under test.
type Target struct {
	// Addr is host:port of a server of the ledger contract.
	Addr string
	// Timeout bounds each read and write (0: 3 s). A server that neither answers nor closes within
	// it deviates.
	Timeout time.Duration
	// Parallel is how many cases run at once (0: 8).
	Parallel int
	// Only restricts the run to these case ids (empty: every case).
	Only []string
}

// Result is the verdict on one case.
type Result struct {
	Case
	// Pass is true when the server did what the case asks; else Detail says what it did.
	Pass     bool
	Detail   string
	Duration time.Duration
}

// Report is a run's results in the order of Cases.
type Report struct {
	Addr    string
	Results []Result
}

// Passed counts the cases met.
func (r *Report) Passed() int {
	n := 0
	for _, res := range r.Results {
		if res.Pass {
			n++
		}
	}
	return n
}

// Deviations are the cases not met.
func (r *Report) Deviations() []Result {
	var out []Result
	for _, res := range r.Results {
		if !res.Pass {
			out = append(out, res)
		}
	}
	return out
}

// Summary is "N passed, M deviations".
func (r *Report) Summary() string {
	return fmt.Sprintf("%d passed, %d deviations", r.Passed(), len(r.Results)-r.Passed())
}

// WriteText writes one line per case and the summary.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, res := range r.Results {
		verdict := "PASS"
		if !res.Pass {
			verdict = "DEVIATES"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", verdict, res.Section, res.ID, res.Level, res.Title)
		if !res.Pass {
			fmt.Fprintf(tw, "\t\t\t\t  → %s (%s)\n", res.Detail, res.Rule)
		}
	}
	fmt.Fprintf(tw, "%s\n", r.Summary())
	return tw.Flush()
}

// SectionCounts returns, per section, the passed and total cases.
func (r *Report) SectionCounts() map[string][2]int {
	m := map[string][2]int{}
	for _, res := range r.Results {
		c := m[res.Section]
		c[1]++
		if res.Pass {
			c[0]++
		}
		m[res.Section] = c
	}
	return m
}

// Run runs the suite against t. It returns an error only when the suite cannot run (a bad Target,
// a server that does not accept connections, ctx ending); deviations are in the report.
func Run(ctx context.Context, t Target) (*Report, error) {
	if t.Addr == "" {
		return nil, errors.New("wire: Target.Addr is empty")
	}
	if _, _, err := net.SplitHostPort(t.Addr); err != nil {
		return nil, fmt.Errorf("wire: Target.Addr %q: %w", t.Addr, err)
	}
	if t.Timeout <= 0 {
		t.Timeout = 3 * time.Second
	}
	if t.Parallel <= 0 {
		t.Parallel = 8
	}
	selected := cases
	if len(t.Only) > 0 {
		selected = nil
		for _, id := range t.Only {
			i := slices.IndexFunc(cases, func(c Case) bool { return c.ID == id })
			if i < 0 {
				return nil, fmt.Errorf("wire: unknown case %q", id)
			}
			selected = append(selected, cases[i])
		}
	}
	probe, err := dial(t.Addr, t.Timeout)
	if err != nil {
		return nil, fmt.Errorf("wire: the server does not accept connections: %w", err)
	}
	probe.close()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("wire: random run id: %w", err)
	}
	shared := &runState{addr: t.Addr, timeout: t.Timeout, runID: hex.EncodeToString(b[:])}
	results := make([]Result, len(selected))
	sem := make(chan struct{}, t.Parallel)
	var wg sync.WaitGroup
	for i, c := range selected {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := time.Now()
			e := &env{runState: shared}
			err := c.run(e)
			results[i] = Result{Case: c, Pass: err == nil, Duration: time.Since(start)}
			if err != nil {
				results[i].Detail = err.Error()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("wire: interrupted: %w", err)
	}
	return &Report{Addr: t.Addr, Results: results}, nil
}

// runState is shared by the cases of one run.
type runState struct {
	addr    string
	timeout time.Duration
	runID   string
	n       atomic.Int64
}

// env is one case's view of the run.
type env struct {
	*runState
}

// id returns a fresh account id.
func (e *env) id() string { return "wire-" + e.runID + "-" + strconv.FormatInt(e.n.Add(1), 10) }

func (e *env) dial() (*session, error) { return dial(e.addr, e.timeout) }

// request builds a request: the request line, the header lines (Host first unless the case writes
// its own: pass host "" to leave it out), a blank line and the body, all with CRLF.
func (e *env) request(line string, headers []string, body string) string {
	var b strings.Builder
	b.WriteString(line + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.String()
}

// host is the Host header line of the target.
func (e *env) host() string { return "Host: " + e.addr }

// get is a plain GET of path with a Host header.
func (e *env) get(path string) string {
	return e.request("GET "+path+" HTTP/1.1", []string{e.host()}, "")
}

// accountBody is a valid account creation body with a fresh id.
func (e *env) accountBody() string { return `{"id":"` + e.id() + `","ledger":"WIRE"}` }

// post is a POST of an account body with the given framing header lines (Content-Length or
// Transfer-Encoding) and raw body bytes.
func (e *env) post(framing []string, body string) string {
	h := append([]string{e.host(), "Content-Type: application/json"}, framing...)
	return e.request("POST /api/accounts HTTP/1.1", h, body)
}

// postCL is a valid POST of a fresh account with a Content-Length.
func (e *env) postCL() string {
	body := e.accountBody()
	return e.post([]string{"Content-Length: " + strconv.Itoa(len(body))}, body)
}

// chunked frames body as chunks of at most size bytes plus the last chunk.
func chunked(body string, size int) string {
	var b strings.Builder
	for len(body) > 0 {
		n := min(size, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

// exchange sends raw on a new connection and reads the final answer.
func (e *env) exchange(raw string, forHead bool) (*response, *session, error) {
	s, err := e.dial()
	if err != nil {
		return nil, nil, err
	}
	_ = s.send([]byte(raw)) // a server may answer and close before reading it all
	r, err := s.readFinal(forHead)
	if err != nil {
		s.close()
		return nil, nil, err
	}
	return r, s, nil
}

// statusIn formats an expectation.
func statusIn(statuses []int) string {
	parts := make([]string, len(statuses))
	for i, s := range statuses {
		parts[i] = strconv.Itoa(s)
	}
	return strings.Join(parts, " or ")
}

// reject expects one of statuses (any 4xx or 5xx when none is given). With mustClose the server
// must then close the connection, having answered nothing else: a second answer means it read
// part of the message as another request (smuggling).
func (e *env) reject(raw string, mustClose bool, statuses ...int) error {
	r, s, err := e.exchange(raw, false)
	if err != nil {
		return fmt.Errorf("want %s: %w", orAny(statuses), err)
	}
	defer s.close()
	if !wantStatus(r.Status, statuses) {
		return fmt.Errorf("answered %d, want %s", r.Status, orAny(statuses))
	}
	if !mustClose {
		return nil
	}
	switch st, more := s.after(e.timeout); st {
	case stateMore:
		return fmt.Errorf("answered %d, then answered again on the same connection (%.60q): part of the message was read as another request", r.Status, more)
	case stateOpen:
		return fmt.Errorf("answered %d but kept the connection open after a message it could not frame", r.Status)
	}
	return nil
}

func orAny(statuses []int) string {
	if len(statuses) == 0 {
		return "a 4xx or 5xx refusal"
	}
	return statusIn(statuses)
}

func wantStatus(got int, statuses []int) bool {
	if len(statuses) == 0 {
		return got >= 400
	}
	return slices.Contains(statuses, got)
}

// accept expects status.
func (e *env) accept(raw string, status int) error {
	r, s, err := e.exchange(raw, false)
	if err != nil {
		return fmt.Errorf("want %d: %w", status, err)
	}
	s.close()
	if r.Status != status {
		return fmt.Errorf("answered %d, want %d", r.Status, status)
	}
	return nil
}

// sequence sends raw (several requests at once) and expects one answer per want, in order; then,
// with thenClosed, the connection closed.
func (e *env) sequence(raw string, wants []want, thenClosed bool) error {
	s, err := e.dial()
	if err != nil {
		return err
	}
	defer s.close()
	_ = s.send([]byte(raw))
	for i, w := range wants {
		r, err := s.readFinal(w.head)
		if err != nil {
			return fmt.Errorf("answer %d of %d: %w", i+1, len(wants), err)
		}
		if err := w.check(r); err != nil {
			return fmt.Errorf("answer %d of %d: %w", i+1, len(wants), err)
		}
	}
	st, more := s.after(min(e.timeout, time.Second))
	switch {
	case st == stateMore:
		return fmt.Errorf("after %d answers, more arrived: %.60q", len(wants), more)
	case thenClosed && st == stateOpen:
		return fmt.Errorf("the connection stayed open after %d answers, want it closed", len(wants))
	case !thenClosed && st == stateClosed:
		return fmt.Errorf("the connection was closed after %d answers, want it kept open", len(wants))
	}
	return nil
}

// want describes one expected answer of a sequence.
type want struct {
	status int
	// contentType, when set, must prefix the Content-Type (tells apart /bench/json and /plaintext).
	contentType string
	head        bool
}

func (w want) check(r *response) error {
	if r.Status != w.status {
		return fmt.Errorf("status %d, want %d", r.Status, w.status)
	}
	if w.contentType != "" && !strings.HasPrefix(r.get("Content-Type"), w.contentType) {
		return fmt.Errorf("Content-Type %q, want %s (answers out of order?)", r.get("Content-Type"), w.contentType)
	}
	return nil
}

// TableRow is one transport's counts per section, for a transport × section table.
type TableRow struct {
	Name   string
	Report *Report
}

// WriteTable writes a Markdown table: one row per report, one column per section ("passed/total"),
// then the deviating case ids.
func WriteTable(w io.Writer, rows []TableRow) error {
	var b strings.Builder
	b.WriteString("| transport |")
	for _, s := range Sections {
		b.WriteString(" " + s + " |")
	}
	b.WriteString(" total | deviations |\n|---|")
	for range Sections {
		b.WriteString("--:|")
	}
	b.WriteString("--:|---|\n")
	for _, row := range rows {
		counts := row.Report.SectionCounts()
		b.WriteString("| " + row.Name + " |")
		for _, s := range Sections {
			c := counts[s]
			fmt.Fprintf(&b, " %d/%d |", c[0], c[1])
		}
		var devs []string
		for _, d := range row.Report.Deviations() {
			devs = append(devs, d.ID)
		}
		sort.Strings(devs)
		fmt.Fprintf(&b, " %d/%d | %s |\n", row.Report.Passed(), len(row.Report.Results), strings.Join(devs, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
