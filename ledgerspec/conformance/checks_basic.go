package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"stacklab/ledgerspec"
)

// checkHeaders: every kind of response carries Date, Server and a Content-Length or chunked encoding.
func checkHeaders(e *env) error {
	L := e.ledger()
	ids, err := e.freshAccounts(L, 2)
	if err != nil {
		return err
	}
	a, b := ids[0], ids[1]
	txID := e.id("t")
	valid := fmt.Sprintf(`{"id":%q,"postings":[{"debit_account_id":%q,"credit_account_id":%q,"amount":5}]}`, txID, a, b)
	reqs := []request{
		{method: "GET", path: ledgerspec.PathBenchPlaintext},
		{method: "GET", path: ledgerspec.PathBenchJSON},
		accReq(ledgerspec.NewAccount{ID: a, Ledger: L}),                                                                               // 200 replay
		{method: "GET", path: ledgerspec.AccountPath(a)},                                                                              // 200
		{method: "GET", path: ledgerspec.AccountPath(e.id("missing"))},                                                                // 404
		jsonReq(ledgerspec.PathTransactions, `{"id":`),                                                                                // 400
		{method: "POST", path: ledgerspec.PathTransactions, header: http.Header{"Content-Type": {"text/plain"}}, body: []byte(valid)}, // 415
		jsonReq(ledgerspec.PathTransactions, valid+strings.Repeat(" ", ledgerspec.MaxBodyBytes)),                                      // 413
		jsonReq(ledgerspec.PathTransactions, valid),                                                                                   // 201
		jsonReq(ledgerspec.PathTransactions, valid),                                                                                   // 200 replay
		txReq(newTx(e.id("t"), posting(a, a, 1))),                                                                                     // 422
		{method: "GET", path: ledgerspec.TransactionPath(txID)},
		{method: "GET", path: ledgerspec.AccountTransactionsPath(a, 0, -1)},
		{method: "GET", path: ledgerspec.BalancesPath(L)},
		{method: "GET", path: ledgerspec.LedgerPagePath(L)},
		{method: "GET", path: ledgerspec.LedgerPagePath(L), header: http.Header{ledgerspec.HeaderHXRequest: {"true"}}},
		{method: "GET", path: ledgerspec.AccountPagePath(a)},
		{method: "GET", path: ledgerspec.AccountPagePath(e.id("missing"))},
		{method: "GET", path: ledgerspec.PathHTMX},
		{method: "POST", path: ledgerspec.PathUITransactions, header: http.Header{"Content-Type": {ledgerspec.ContentTypeForm}},
			body: []byte(url.Values{ledgerspec.FormID: {e.id("t")}, ledgerspec.FormDebitAccountID: {a}, ledgerspec.FormCreditAccountID: {b}, ledgerspec.FormAmount: {"0.01"}}.Encode())},
	}
	for _, r := range reqs {
		x, err := e.send(r)
		if err != nil {
			return err
		}
		if err := x.baseHeaders(); err != nil {
			return err
		}
	}
	return nil
}

// baseHeaders checks the headers every response carries.
func (x *exchange) baseHeaders() error {
	if _, err := http.ParseTime(x.Header.Get("Date")); err != nil {
		return x.fail("a Date header in HTTP date format (got %q)", x.Header.Get("Date"))
	}
	if strings.TrimSpace(x.Header.Get("Server")) == "" {
		return x.fail("a Server header")
	}
	if x.ContentLength < 0 && !slices.Contains(x.TransferEncoding, "chunked") {
		return x.fail("a Content-Length or chunked transfer encoding")
	}
	return nil
}

func checkBenchPlaintext(e *env) error {
	x, err := e.get(ledgerspec.PathBenchPlaintext, nil)
	if err != nil {
		return err
	}
	switch {
	case x.Status != http.StatusOK:
		return x.fail("200")
	case mediaType(x.Header) != "text/plain":
		return x.fail("Content-Type text/plain")
	case string(x.Body) != ledgerspec.BenchPlaintextBody:
		return x.fail("exactly the body %q", ledgerspec.BenchPlaintextBody)
	}
	return nil
}

func checkBenchJSON(e *env) error {
	x, err := e.get(ledgerspec.PathBenchJSON, nil)
	if err != nil {
		return err
	}
	var m ledgerspec.Message
	if err := x.wantJSON(http.StatusOK, &m); err != nil {
		return err
	}
	if m.Message != ledgerspec.BenchJSONMessage {
		return x.fail(`{"message":%q}`, ledgerspec.BenchJSONMessage)
	}
	return nil
}
