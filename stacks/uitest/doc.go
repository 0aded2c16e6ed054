// Package uitest drives the ledger's htmx UI in a real headless Chromium (chromedp): a person posts
// a transfer through the form and sees the new row and the changed balances without a page reload.
// It holds tests only; `make test` installs Chromium when it is missing.
package uitest
