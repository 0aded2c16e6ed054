package uitest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"stacklab/ledgerspec"
	"stacklab/stacks"
	"stacklab/stacks/parttest/pgtest"
	"stacklab/stacks/parttest/redistest"
)

const chromium = "/usr/bin/chromium"

// serve runs a stack on a fresh database and returns its base URL.
func serve(t *testing.T, spec stacks.Spec) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := stacks.Open(ctx, spec, stacks.Config{DatabaseURL: pgtest.Database(t), RedisURL: redistest.URL(t), RedisPrefix: redistest.Prefix(t)})
	if err != nil {
		t.Fatalf("opening %s: %v", spec, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(runCtx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("stack stopped with: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

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
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func cell(account, field string) string {
	return `#accounts tr[data-account-id="` + account + `"] td[data-field="` + field + `"]`
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

func evalString(ctx context.Context, expr string) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](expr))
}

// waitFor polls a JavaScript predicate until it holds (htmx swaps asynchronously).
func waitFor(ctx context.Context, what, predicate string) error {
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		return fmt.Errorf("waiting for %s: %w", what, err)
	}
	return nil
}

func textIs(sel, want string) string {
	return `(document.querySelector(` + js(sel) + `) || {}).textContent === ` + js(want)
}

// fill types the transfer form's fields (the description is set, since it holds non-ASCII text) and submits it.
func fill(ctx context.Context, debit, credit, amount, description string) error {
	f := `#transfer-form input[name="%s"]`
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(fmt.Sprintf(f, "debit_account_id"), debit),
		chromedp.SendKeys(fmt.Sprintf(f, "credit_account_id"), credit),
		chromedp.SendKeys(fmt.Sprintf(f, "amount"), amount),
	}
	if description != "" {
		steps = append(steps, chromedp.SetValue(fmt.Sprintf(f, "description"), description))
	}
	return chromedp.Do(ctx, append(steps, chromedp.Click(`#transfer-form button[type="submit"]`))...)
}

// TestTransferThroughTheForm drives the ledger page in Chromium through every transport (the part
// that moves the page's bytes and headers), the other parts held at the baseline.
func TestTransferThroughTheForm(t *testing.T) {
	http, _ := stacks.DimensionOf("http")
	for _, part := range http.Parts() {
		spec := stacks.Baseline().With("http", part)
		t.Run(spec.Name(), func(t *testing.T) { transferThroughTheForm(t, spec) })
	}
}

func transferThroughTheForm(t *testing.T, spec stacks.Spec) {
	base := serve(t, spec)
	c := ledgerspec.NewClient(base, nil)
	ctx := context.Background()
	for _, a := range []ledgerspec.NewAccount{
		{ID: "ui-bank", Ledger: "UI"},
		{ID: "ui-alice", Ledger: "UI", Name: "Alice", Flags: ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true}},
		{ID: "ui-bob", Ledger: "UI", Name: "Bob <script>alert(1)</script>"},
	} {
		if _, _, err := c.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := c.Transfer(ctx, "ui-funding", "ui-bank", "ui-alice", 10000); err != nil {
		t.Fatal(err)
	}

	b := browser(t)
	if err := chromedp.Do(b, chromedp.Navigate(base+ledgerspec.LedgerPagePath("UI"))); err != nil {
		t.Fatalf("loading the ledger page: %v", err)
	}
	// htmx is loaded from the stack itself; the page gets a marker that a reload would lose.
	if err := waitFor(b, "htmx and the form", `typeof htmx === "object" && !!document.querySelector("#transfer-form")`); err != nil {
		t.Fatal(err)
	}
	if _, err := evalString(b, `window.__samePage = "yes"`); err != nil {
		t.Fatal(err)
	}
	bobName, err := evalString(b, `document.querySelector(`+js(cell("ui-bob", "name"))+`).textContent`)
	if err != nil || bobName != "Bob <script>alert(1)</script>" {
		t.Errorf("bob's name shows as %q (%v)", bobName, err)
	}
	firstID, err := evalString(b, `document.querySelector("#form-tx-id").value`)
	if err != nil || firstID == "" {
		t.Fatalf("reading the form's transaction id: %q, %v", firstID, err)
	}

	desc := `rent & <b>not bold</b> 🙂`
	if err := fill(b, "ui-alice", "ui-bob", "12.34", desc); err != nil {
		t.Fatalf("filling the form: %v", err)
	}
	// The new row is swapped into the list; the balances follow on the HX-Trigger event.
	for _, w := range []struct{ what, pred string }{
		{"the new row", textIs(`#transactions tr[data-tx-id="`+firstID+`"] td[data-field="description"]`, desc)},
		{"bob's balance", textIs(cell("ui-bob", "balance"), "12.34")},
		{"alice's balance", textIs(cell("ui-alice", "balance"), "87.66")},
	} {
		if err := waitFor(b, w.what, w.pred); err != nil {
			html, _ := evalString(b, `document.querySelector("main").innerHTML`)
			t.Fatalf("%v\npage: %.3000s", err, html)
		}
	}
	if same, err := evalString(b, `window.__samePage || "reloaded"`); err != nil || same != "yes" {
		t.Errorf("the page was reloaded (%q, %v): the form must post through htmx", same, err)
	}
	secondID, err := evalString(b, `document.querySelector("#form-tx-id").value`)
	if err != nil || secondID == "" || secondID == firstID {
		t.Errorf("the form's id was not renewed after the post (%q → %q, %v): a second post would replay", firstID, secondID, err)
	}
	tx, _, err := c.Transaction(ctx, firstID)
	if err != nil || tx.Postings[0].Amount != 1234 || tx.Description != desc {
		t.Errorf("the posted transaction via the API: %+v, %v", tx, err)
	}

	// An overdraft shows its error code in the form's error box and changes nothing.
	if err := fill(b, "ui-alice", "ui-bob", "1000.00", ""); err != nil {
		t.Fatalf("filling the form: %v", err)
	}
	if err := waitFor(b, "the error", `!!document.querySelector("#form-errors [data-code]")`); err != nil {
		t.Fatal(err)
	}
	code, err := evalString(b, `document.querySelector("#form-errors [data-code]").getAttribute("data-code")`)
	if err != nil || code != string(ledgerspec.CodeExceedsCredits) {
		t.Errorf("overdraft: error code %q (%v), want exceeds_credits", code, err)
	}
	if acc, _, err := c.Account(ctx, "ui-alice"); err != nil || acc.Balance != 8766 {
		t.Errorf("after the refused overdraft alice has %+v (%v), want balance 8766", acc, err)
	}
	if same, err := evalString(b, `window.__samePage || "reloaded"`); err != nil || same != "yes" {
		t.Errorf("the page was reloaded by the refused post (%q, %v)", same, err)
	}
}
