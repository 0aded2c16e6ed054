package testsrv

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"stacklab/ledgerspec"
	"stacklab/loadgen/internal/sched"
)

// Options shape the server's timing.
type Options struct {
	// Delay is added to every request.
	Delay time.Duration
	// StallEvery and StallFor make the server stall: a request arriving in
	// [k·StallEvery, k·StallEvery+StallFor) after the server started waits for the stall's end.
	StallEvery, StallFor time.Duration
	// Chunked answers with Transfer-Encoding: chunked instead of Content-Length.
	Chunked bool
}

// Server is an http.Handler for the bench routes.
type Server struct {
	opt      Options
	start    time.Time
	sleepers chan *sched.Sleeper
	// Requests counts requests served.
	Requests atomic.Int64
}

// New returns a server whose stall clock starts now.
func New(opt Options) *Server {
	return &Server{opt: opt, start: time.Now(), sleepers: make(chan *sched.Sleeper, 256)}
}

var (
	plainBody = []byte(ledgerspec.BenchPlaintextBody)
	jsonBody  = []byte(`{"message":"` + ledgerspec.BenchJSONMessage + `"}`)
)

// spinLast is how much of a delay is spun rather than slept: more than a timerfd's wake-up lag.
const spinLast = 150 * time.Microsecond

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	var body []byte
	var ct string
	switch r.URL.Path {
	case ledgerspec.PathBenchPlaintext:
		body, ct = plainBody, ledgerspec.ContentTypePlain
	case ledgerspec.PathBenchJSON:
		body, ct = jsonBody, ledgerspec.ContentTypeJSON
	default:
		http.NotFound(w, r)
		return
	}
	s.Requests.Add(1)
	until := arrived.Add(s.opt.Delay)
	if s.opt.StallEvery > 0 {
		phase := arrived.Sub(s.start) % s.opt.StallEvery
		if phase < s.opt.StallFor {
			until = until.Add(s.opt.StallFor - phase)
		}
	}
	s.waitUntil(until)
	h := w.Header()
	h["Content-Type"] = []string{ct}
	if !s.opt.Chunked {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		w.Write(body)
		return
	}
	half := len(body) / 2
	w.Write(body[:half])
	w.(http.Flusher).Flush() // forces chunked encoding
	w.Write(body[half:])
}

func (s *Server) waitUntil(t time.Time) {
	if time.Until(t) <= 0 {
		return
	}
	var sl *sched.Sleeper
	select {
	case sl = <-s.sleepers:
	default:
		sl, _ = sched.NewSleeper()
	}
	waitUntil(sl, t)
	if sl != nil {
		select {
		case s.sleepers <- sl:
		default:
			sl.Close()
		}
	}
}

// waitUntil sleeps on sl (nil: time.Sleep) until spinLast before t, then spins until t.
func waitUntil(sl *sched.Sleeper, t time.Time) {
	if d := time.Until(t) - spinLast; d > 0 {
		if sl == nil || sl.Sleep(d) != nil {
			time.Sleep(time.Until(t) - spinLast)
		}
	}
	for time.Now().Before(t) {
	}
}
