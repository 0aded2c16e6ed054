package site_test

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// screenshots, when set, is the folder the browser test writes site-index.png and
// site-dimension.png into (make screenshots: docs/).
var screenshots = flag.String("screenshots", "", "write PNGs of the index and of the http dimension's history into this folder")

const chromium = "/usr/bin/chromium"

// browser starts a headless Chromium (flags as in stacks/uitest) and returns its tab's context.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s is needed for the browser test (make test installs it; by hand: apt-get install -y chromium): %v", chromium, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// serve serves dir on a loopback port and returns its base URL.
func serve(t *testing.T, dir string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; err != nil && err != http.ErrServerClosed {
			t.Errorf("the site's server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// watch records what the page does that the test judges: every request's URL, and every
// exception, console error and error entry of the browser log.
type watch struct {
	mu       sync.Mutex
	requests []string
	errors   []string
}

func (w *watch) listen(ctx context.Context, t *testing.T) {
	t.Helper()
	err := chromedp.Listen(ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			w.requests = append(w.requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			w.errors = append(w.errors, "exception: "+msg)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				w.errors = append(w.errors, "console.error: "+strings.Join(args, " "))
			}
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				w.errors = append(w.errors, fmt.Sprintf("log: %s (%s)", e.Entry.Text, e.Entry.URL))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *watch) check(t *testing.T, base string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.requests) == 0 {
		t.Error("no request seen: the listener saw nothing")
	}
	for _, u := range w.requests {
		if !strings.HasPrefix(u, base+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("a request left the site: %s", u)
		}
	}
	for _, e := range w.errors {
		t.Errorf("the page reported an error: %s", e)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

func waitFor(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// chartsDrawn is a predicate: every visible .chart holds a canvas with a non-zero size.
const chartsDrawn = `(function () {
  var cs = Array.from(document.querySelectorAll(".chart")).filter(function (d) { return d.offsetParent !== null; });
  return cs.length > 0 && cs.every(function (d) { var c = d.querySelector("canvas"); return c && c.width > 0 && c.height > 0 && c.getBoundingClientRect().height > 0; });
})()`

// choose selects value in a filter and fires its change event, as a reader's choice does.
func choose(t *testing.T, ctx context.Context, id, value string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#"+id), value),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("`+id+`").dispatchEvent(new Event("change"))`)); err != nil {
		t.Fatalf("choosing %s in #%s: %v", value, id, err)
	}
}

// TestBrowser opens the site in a real headless Chromium from a loopback server: the index and a
// dimension's page draw their charts, the filters change what is shown, a run's report draws its
// charts too, nothing is requested from outside the site and no page reports an error. With
// -screenshots DIR it also writes the PNGs of the README (make screenshots).
func TestBrowser(t *testing.T) {
	_, dir := buildSite(t)
	base := serve(t, dir)
	ctx := browser(t)
	w := &watch{}
	w.listen(ctx, t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1360, 1000)); err != nil {
		t.Fatal(err)
	}

	// The index: the verdicts chart, the runs, the filters.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/index.html")); err != nil {
		t.Fatalf("opening the index: %v", err)
	}
	waitFor(t, ctx, "the index's chart", chartsDrawn)
	verdicts := `(function () { var o = echarts.getInstanceByDom(document.getElementById("verdicts-chart")).getOption();
  return o.series.reduce(function (n, s) { return n + s.data.reduce(function (a, b) { return a + b; }, 0); }, 0); })()`
	visibleRows := `document.querySelectorAll("table.runs tr[data-dims]:not([hidden])").length + "/" + document.querySelectorAll("table.latest tr[data-dims]:not([hidden])").length`
	all := eval[int](t, ctx, verdicts)
	if all == 0 {
		t.Fatal("the verdicts chart shows no verdict")
	}
	before := eval[string](t, ctx, visibleRows)
	if *screenshots != "" {
		shoot(t, ctx, filepath.Join(*screenshots, "site-index.png"))
	}
	choose(t, ctx, "filter-dim", "redis")
	redis := eval[int](t, ctx, verdicts)
	after := eval[string](t, ctx, visibleRows)
	if redis == 0 || redis >= all || after == before {
		t.Errorf("filtering by redis: %d of %d verdicts, rows %s → %s", redis, all, before, after)
	}
	// The A/A run has no verdict on redis: its row is hidden; the three runs of variants stay.
	if got := eval[int](t, ctx, `document.querySelectorAll("table.runs tr[data-dims]:not([hidden])").length`); got != 3 {
		t.Errorf("%d runs shown for redis, want 3", got)
	}
	choose(t, ctx, "filter-workload", "json")
	if both := eval[int](t, ctx, verdicts); both == 0 || both >= redis {
		t.Errorf("filtering by redis and json: %d verdicts (redis alone %d)", both, redis)
	}

	// A dimension's history: a chart per workload and metric, filtered by workload and part.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/dims/http.html")); err != nil {
		t.Fatalf("opening the http page: %v", err)
	}
	waitFor(t, ctx, "the history charts", chartsDrawn)
	sections := `document.querySelectorAll("section.history:not([hidden])").length`
	if n := eval[int](t, ctx, sections); n != 4 { // json and mix@100, each throughput-or-p99 and cpu/req
		t.Errorf("%d history charts, want 4", n)
	}
	if *screenshots != "" {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1360, 1250)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the history charts after resizing", chartsDrawn)
		shoot(t, ctx, filepath.Join(*screenshots, "site-dimension.png"))
	}
	choose(t, ctx, "filter-workload", "json")
	if n := eval[int](t, ctx, sections); n != 2 {
		t.Errorf("%d history charts for json, want 2", n)
	}
	waitFor(t, ctx, "the json charts", chartsDrawn)
	points := `document.querySelectorAll("table.points tr[data-part]:not([hidden])").length`
	jsonPoints := eval[int](t, ctx, points)
	choose(t, ctx, "filter-part", "fiber")
	if n := eval[int](t, ctx, points); n == 0 || n >= jsonPoints {
		t.Errorf("%d points for fiber on json, %d for json", n, jsonPoints)
	}
	selected := `JSON.stringify(echarts.getInstanceByDom(document.getElementById("history1")).getOption().legend[0].selected)`
	if got := eval[string](t, ctx, selected); !strings.Contains(got, `"fasthttp":false`) || !strings.Contains(got, `"fiber":true`) {
		t.Errorf("the chart's legend after choosing fiber: %s", got)
	}

	// A run's report, loading the site's ECharts: every chart drawn, forest plots included.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/runs/20261203T093000Z-c4d2e6/index.html")); err != nil {
		t.Fatalf("opening a run's report: %v", err)
	}
	waitFor(t, ctx, "the report's charts", chartsDrawn)
	if n := eval[int](t, ctx, `document.querySelectorAll(".chart canvas").length`); n < 6 {
		t.Errorf("%d charts drawn in the report", n)
	}
	w.check(t, base)
}

// shoot writes a PNG of the viewport.
func shoot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(png))
}
