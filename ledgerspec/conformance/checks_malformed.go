package conformance

import (
	"fmt"
	"net/http"
	"strings"

	"stacklab/ledgerspec"
)

// txFixture is a ledger with two unflagged accounts, for checks of transaction requests.
type txFixture struct {
	L, A, B string
}

func (e *env) txFixture() (txFixture, error) {
	f := txFixture{L: e.ledger(), A: e.id(""), B: e.id("")}
	return f, e.accounts(f.L, noFlags, f.A, f.B)
}

// valid is a valid transaction body for id, moving 5 from A to B.
func (f txFixture) valid(id string) string {
	return fmt.Sprintf(`{"id":%s,"postings":[{"debit_account_id":%s,"credit_account_id":%s,"amount":5}]}`, js(id), js(f.A), js(f.B))
}

// malformed sends each body (a template: %[1]s is a fresh id as a JSON string, %[2]s and %[3]s
// the accounts A and B) and expects 400 malformed_request, no state change, and the id unused:
// a valid request with the same id then succeeds.
func (e *env) malformedTx(f txFixture, templates ...string) error {
	for _, t := range templates {
		id := e.id("t")
		body := fmt.Sprintf(t, js(id), js(f.A), js(f.B))
		retry := jsonReq(ledgerspec.PathTransactions, f.valid(id))
		if _, err := e.refuse(refusal{req: jsonReq(ledgerspec.PathTransactions, body), status: http.StatusBadRequest,
			code: ledgerspec.CodeMalformedRequest, index: noIndex, accounts: []string{f.A, f.B}, txID: id, retry: &retry}); err != nil {
			return err
		}
	}
	return nil
}

// P is a valid postings array in templates.
const tmplP = `[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5}]`

func checkMalformedSyntax(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	valid := `{"id":%[1]s,"postings":` + tmplP + `}`
	return e.malformedTx(f,
		`{"id":%[1]s,"postings":[`,
		`{"id":%[1]s,"postings":`+tmplP+`,}`,
		`{"id":%[1]s "postings":`+tmplP+`}`,
		`{'id':%[1]s}`,
		`not json %[1]s`,
		`%.0[1]s`, // empty body
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5}}`,
		// trailing data after a valid value
		valid+`{}`,
		valid+` x`,
		valid+`,`,
		valid+`]`,
		valid+valid,
	)
}

func checkMalformedUnknownField(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	return e.malformedTx(f,
		`{"id":%[1]s,"postings":`+tmplP+`,"memo":"x"}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5,"currency":"USD"}]}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"seq":1}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"risk_flags":[]}`,
	)
}

func checkMalformedTypes(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	return e.malformedTx(f,
		`{"id":1,"postings":`+tmplP+`,"description":%[1]s}`,
		`{"id":true,"postings":`+tmplP+`,"description":%[1]s}`,
		`{"id":[%[1]s],"postings":`+tmplP+`}`,
		`{"id":%[1]s,"postings":{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5}}`,
		`{"id":%[1]s,"postings":"x"}`,
		`{"id":%[1]s,"postings":["x"]}`,
		`{"id":%[1]s,"postings":[null]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":7,"credit_account_id":%[3]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":{},"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":true}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":[5]}]}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"description":5}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"description":false}`,
		`[{"id":%[1]s,"postings":`+tmplP+`}]`,
		`%.0[1]s"x"`,
		`%.0[1]s5`,
		`%.0[1]snull`,
	)
}

func checkMalformedMissing(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	if err := e.malformedTx(f,
		`{"postings":`+tmplP+`,"description":%[1]s}`,
		`{"id":null,"postings":`+tmplP+`,"description":%[1]s}`,
		`{"id":%[1]s}`,
		`{"id":%[1]s,"postings":null}`,
		`{"id":%[1]s,"postings":[{"credit_account_id":%[3]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":null,"credit_account_id":%[3]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":null}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5},{}]}`,
		`{}%.0[1]s`,
	); err != nil {
		return err
	}
	// description is optional: missing or null means "".
	for _, t := range []string{`{"id":%[1]s,"postings":` + tmplP + `}`, `{"id":%[1]s,"postings":` + tmplP + `,"description":null}`} {
		id := e.id("t")
		x, err := e.send(jsonReq(ledgerspec.PathTransactions, fmt.Sprintf(t, js(id), js(f.A), js(f.B))))
		if err != nil {
			return err
		}
		if _, err := checkCommitted(x, newTx(id, posting(f.A, f.B, 5)), http.StatusCreated); err != nil {
			return err
		}
	}
	return nil
}

func checkMalformedAmounts(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	var ts []string
	for _, amount := range []string{`1.5`, `"10"`, `1e3`, `1E3`, `10.0`, `5.00`, `1e0`, `-1.0`, `9223372036854775808`, `-9223372036854775809`,
		`99999999999999999999999`, `0x10`, `+5`, `05`, `Infinity`, `NaN`} {
		ts = append(ts, `{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":`+amount+`}]}`)
	}
	return e.malformedTx(f, ts...)
}

// postingsTemplate is a template with n postings of 5 from A to B.
func postingsTemplate(n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = `{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5}`
	}
	return `{"id":%[1]s,"postings":[` + strings.Join(ps, ",") + `]}`
}

func checkMalformedPostingsCount(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	// Each malformedTx case commits one valid transaction of 5 afterwards.
	if err := e.malformedTx(f, postingsTemplate(0), postingsTemplate(ledgerspec.MaxPostings+1), postingsTemplate(64)); err != nil {
		return err
	}
	ps := make([]ledgerspec.Posting, ledgerspec.MaxPostings)
	for i := range ps {
		ps[i] = posting(f.A, f.B, int64(i+1))
	}
	if _, _, err := e.commit(newTx(e.id("t"), ps...)); err != nil {
		return err
	}
	sum := int64(ledgerspec.MaxPostings * (ledgerspec.MaxPostings + 1) / 2)
	if err := e.wantCounters(f.A, 3*5+sum, 0); err != nil {
		return err
	}
	return e.wantCounters(f.B, 0, 3*5+sum)
}

func checkMalformedDescription(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	desc := func(d string) string {
		return `{"id":%[1]s,"postings":` + tmplP + `,"description":` + strings.ReplaceAll(js(d), "%", "%%") + `}`
	}
	if err := e.malformedTx(f,
		desc(strings.Repeat("é", ledgerspec.MaxDescriptionRunes+1)),
		desc(strings.Repeat("a", ledgerspec.MaxDescriptionRunes+1)),
		desc("a\x00b"),
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"a`+"\xff\xfe"+`b"}`,
	); err != nil {
		return err
	}
	for _, d := range []string{strings.Repeat("é", ledgerspec.MaxDescriptionRunes), strings.Repeat("a", ledgerspec.MaxDescriptionRunes-1) + "🙂"} {
		nt := newTx(e.id("t"), posting(f.A, f.B, 5))
		nt.Description = d
		tx, _, err := e.commit(nt)
		if err != nil {
			return err
		}
		got, _, err := e.tx(tx.ID)
		if err != nil {
			return err
		}
		if got.Description != d {
			return fmt.Errorf("GET %s: want the 500-character description back exactly; got %q", ledgerspec.TransactionPath(tx.ID), got.Description)
		}
	}
	return nil
}

func checkMalformedTxID(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	for _, id := range append(badIDs(e), "") {
		body := fmt.Sprintf(`{"id":%s,"postings":`+tmplP+`}`, js(id), js(f.A), js(f.B))
		if _, err := e.refuse(refusal{req: jsonReq(ledgerspec.PathTransactions, body), status: http.StatusBadRequest,
			code: ledgerspec.CodeMalformedRequest, index: noIndex, accounts: []string{f.A, f.B}}); err != nil {
			return err
		}
	}
	// Bad account ids in a posting are malformed, not "not found".
	var ts []string
	for _, id := range append(badIDs(e), "") {
		q := strings.ReplaceAll(js(id), "%", "%%")
		ts = append(ts,
			`{"id":%[1]s,"postings":[{"debit_account_id":`+q+`,"credit_account_id":%[3]s,"amount":5}]}`,
			`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":`+q+`,"amount":5}]}`)
	}
	if err := e.malformedTx(f, ts...); err != nil {
		return err
	}
	_, _, err = e.commit(newTx(padID(e.id("t"), ledgerspec.MaxIDLen), posting(f.A, f.B, 5)))
	return err
}

func checkMalformedAccount(e *env) error {
	L := e.ledger()
	for _, t := range []string{
		`{"id":%[1]s,"ledger":%[2]s`,
		`{"id":%[1]s,"ledger":%[2]s}{}`,
		`{"id":%[1]s,"ledger":%[2]s} x`,
		`{"id":%[1]s,"ledger":%[2]s,"currency":"USD"}`,
		`{"id":%[1]s,"ledger":%[2]s,"balance":0}`,
		`{"id":%[1]s,"ledger":%[2]s,"flags":{"frozen":true}}`,
		`{"id":%[1]s,"ledger":%[2]s,"flags":true}`,
		`{"id":%[1]s,"ledger":%[2]s,"flags":{"debits_must_not_exceed_credits":"true"}}`,
		`{"id":%[1]s,"ledger":%[2]s,"flags":{"debits_must_not_exceed_credits":1}}`,
		`{"id":%[1]s,"ledger":%[2]s,"name":5}`,
		`{"id":%[1]s,"ledger":5}`,
		`{"id":%[1]s}`,
		`{"id":%[1]s,"ledger":null}`,
		`{"ledger":%[2]s,"name":%[1]s}`,
		`{"id":null,"ledger":%[2]s,"name":%[1]s}`,
		`[{"id":%[1]s,"ledger":%[2]s}]`,
	} {
		id := e.id("")
		retry := accReq(ledgerspec.NewAccount{ID: id, Ledger: L})
		if _, err := e.refuse(refusal{req: jsonReq(ledgerspec.PathAccounts, fmt.Sprintf(t, js(id), js(L))), status: http.StatusBadRequest,
			code: ledgerspec.CodeMalformedRequest, index: noIndex, newAccount: id, retry: &retry}); err != nil {
			return err
		}
	}
	return nil
}

func checkMediaType(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "", ledgerspec.ContentTypeForm, "application/jsonx", "text/json", "multipart/form-data; boundary=x"} {
		id := e.id("t")
		r := request{method: http.MethodPost, path: ledgerspec.PathTransactions, header: http.Header{}, body: []byte(f.valid(id))}
		if ct != "" {
			r.header.Set("Content-Type", ct)
		}
		retry := request{method: http.MethodPost, path: ledgerspec.PathTransactions,
			header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: []byte(f.valid(id))}
		if _, err := e.refuse(refusal{req: r, status: http.StatusUnsupportedMediaType, code: ledgerspec.CodeUnsupportedMediaType,
			index: noIndex, accounts: []string{f.A, f.B}, txID: id, retry: &retry}); err != nil {
			return err
		}
	}
	id := e.id("")
	r := accReq(ledgerspec.NewAccount{ID: id, Ledger: f.L})
	retry := r
	r.header = http.Header{"Content-Type": {"text/plain"}}
	retry.header = http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	_, err = e.refuse(refusal{req: r, status: http.StatusUnsupportedMediaType, code: ledgerspec.CodeUnsupportedMediaType,
		index: noIndex, newAccount: id, retry: &retry})
	return err
}

// padTo pads a JSON object body with spaces after its opening brace to exactly n bytes.
func padTo(body string, n int) []byte {
	return []byte("{" + strings.Repeat(" ", n-len(body)) + body[1:])
}

func checkBodyTooLarge(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	for _, chunked := range []bool{false, true} {
		id := e.id("t")
		big := jsonReq(ledgerspec.PathTransactions, "")
		big.body, big.chunked = padTo(f.valid(id), ledgerspec.MaxBodyBytes+1), chunked
		fits := big
		fits.body = padTo(f.valid(id), ledgerspec.MaxBodyBytes)
		if _, err := e.refuse(refusal{req: big, status: http.StatusRequestEntityTooLarge, code: ledgerspec.CodePayloadTooLarge,
			index: noIndex, accounts: []string{f.A, f.B}, txID: id, retry: &fits}); err != nil {
			return err
		}
	}
	id := e.id("")
	big := accReq(ledgerspec.NewAccount{ID: id, Ledger: f.L})
	fits := big
	big.body = padTo(string(fits.body), ledgerspec.MaxBodyBytes+1)
	fits.body = padTo(string(fits.body), ledgerspec.MaxBodyBytes)
	_, err = e.refuse(refusal{req: big, status: http.StatusRequestEntityTooLarge, code: ledgerspec.CodePayloadTooLarge,
		index: noIndex, newAccount: id, retry: &fits})
	return err
}

func checkProblemBodies(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	id := e.id("t")
	both := ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true, CreditsMustNotExceedDebits: true}
	newAcc := e.id("")
	cases := []refusal{
		{req: jsonReq(ledgerspec.PathTransactions, `{`), status: 400, code: ledgerspec.CodeMalformedRequest},
		{req: request{method: "GET", path: ledgerspec.AccountPath(e.id("missing"))}, status: 404, code: ledgerspec.CodeNotFound},
		{req: request{method: "GET", path: ledgerspec.TransactionPath(e.id("missing"))}, status: 404, code: ledgerspec.CodeNotFound},
		{req: request{method: "GET", path: ledgerspec.AccountTransactionsPath(e.id("missing"), 0, -1)}, status: 404, code: ledgerspec.CodeNotFound},
		{req: request{method: "POST", path: ledgerspec.PathTransactions, header: http.Header{"Content-Type": {"text/plain"}}, body: []byte(f.valid(id))},
			status: 415, code: ledgerspec.CodeUnsupportedMediaType, txID: id},
		{req: jsonReq(ledgerspec.PathTransactions, string(padTo(f.valid(id), ledgerspec.MaxBodyBytes+1))), status: 413, code: ledgerspec.CodePayloadTooLarge, txID: id},
		{req: accReq(ledgerspec.NewAccount{ID: newAcc, Ledger: f.L, Flags: both}), status: 422, code: ledgerspec.CodeFlagsMutuallyExclusive, newAccount: newAcc},
		{req: txReq(newTx(e.id("t"), posting(f.A, f.B, 1), posting(f.B, f.A, 1), posting(f.A, f.A, 1))), status: 422, code: ledgerspec.CodeAccountsMustBeDifferent, index: 2},
		{req: txReq(newTx(e.id("t"), posting(f.A, f.B, 0))), status: 422, code: ledgerspec.CodeAmountOutOfRange, index: 0},
	}
	for _, c := range cases {
		if !c.code.PostingLevel() {
			c.index = noIndex
		}
		c.accounts = []string{f.A, f.B}
		if _, err := e.refuse(c); err != nil {
			return err
		}
	}
	return nil
}
