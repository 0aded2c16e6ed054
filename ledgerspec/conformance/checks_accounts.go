package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"stacklab/ledgerspec"
)

// js encodes a string as a JSON string literal.
func js(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		return `""` // unreachable: a Go string always encodes
	}
	return string(b)
}

// padID pads an id with 'x' to exactly n characters.
func padID(id string, n int) string { return id + strings.Repeat("x", n-len(id)) }

func checkAccountCreate(e *env) error {
	L := e.ledger()
	// The minimal body: name and flags take their defaults.
	a := e.id("")
	x, err := e.send(jsonReq(ledgerspec.PathAccounts, fmt.Sprintf(`{"id":%s,"ledger":%s}`, js(a), js(L))))
	if err != nil {
		return err
	}
	accA, err := checkNewAccount(x, ledgerspec.NewAccount{ID: a, Ledger: L})
	if err != nil {
		return err
	}
	b := e.id("")
	accB, err := e.createAccount(ledgerspec.NewAccount{ID: b, Ledger: L, Name: "Alice <3", Flags: debitsCapped})
	if err != nil {
		return err
	}
	c := e.id("")
	if _, err := e.createAccount(ledgerspec.NewAccount{ID: c, Ledger: L, Name: "c", Flags: creditsCapped}); err != nil {
		return err
	}
	for _, want := range []ledgerspec.Account{accA, accB} {
		got, err := e.account(want.ID)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("GET %s: want the account as created %+v; got %+v", ledgerspec.AccountPath(want.ID), want, got)
		}
	}
	if _, err := e.transfer(a, b, 300); err != nil {
		return err
	}
	for _, w := range []struct {
		id                       string
		debits, credits, balance int64
	}{{a, 300, 0, -300}, {b, 0, 300, 300}} {
		got, err := e.account(w.id)
		if err != nil {
			return err
		}
		if got.DebitsPosted != w.debits || got.CreditsPosted != w.credits || got.Balance != w.balance {
			return fmt.Errorf("GET %s after a transfer of 300 from %s to %s: want debits %d, credits %d, balance %d; got %+v",
				ledgerspec.AccountPath(w.id), a, b, w.debits, w.credits, w.balance, got)
		}
	}
	return nil
}

func checkAccountReplay(e *env) error {
	L := e.ledger()
	na := ledgerspec.NewAccount{ID: e.id(""), Ledger: L, Name: "replayed", Flags: debitsCapped}
	created, err := e.createAccount(na)
	if err != nil {
		return err
	}
	src := e.id("")
	if err := e.accounts(L, noFlags, src); err != nil {
		return err
	}
	if _, err := e.transfer(src, na.ID, 250); err != nil {
		return err
	}
	x, err := e.postJSON(ledgerspec.PathAccounts, na)
	if err != nil {
		return err
	}
	var got ledgerspec.Account
	if err := x.wantJSON(http.StatusOK, &got); err != nil {
		return err
	}
	want := created
	want.CreditsPosted, want.Balance = 250, 250
	if got != want {
		return x.fail("200 with the account as it is now (after a credit of 250): %+v", want)
	}
	// A minimal body and the same account with its defaults spelled out are the same payload.
	c := e.id("")
	minimal := jsonReq(ledgerspec.PathAccounts, fmt.Sprintf(`{"id":%s,"ledger":%s}`, js(c), js(L)))
	if x, err = e.send(minimal); err != nil {
		return err
	}
	if _, err := checkNewAccount(x, ledgerspec.NewAccount{ID: c, Ledger: L}); err != nil {
		return err
	}
	for _, r := range []request{
		jsonReq(ledgerspec.PathAccounts, fmt.Sprintf(`{"ledger":%s, "flags":{"debits_must_not_exceed_credits":false,"credits_must_not_exceed_debits":false}, "name":"", "id":%s}`, js(L), js(c))),
		minimal,
		jsonReq(ledgerspec.PathAccounts, fmt.Sprintf(`{"id":%s,"ledger":%s,"name":null,"flags":null}`, js(c), js(L))),
	} {
		x, err := e.send(r)
		if err != nil {
			return err
		}
		var got ledgerspec.Account
		if err := x.wantJSON(http.StatusOK, &got); err != nil {
			return err
		}
		if got.ID != c || got.Ledger != L || got.Name != "" || got.Flags != noFlags {
			return x.fail("200 with account %s as created", c)
		}
	}
	return nil
}

func checkAccountConflicts(e *env) error {
	L1, L2 := e.ledger(), e.ledger()
	a := e.id("")
	if _, err := e.createAccount(ledgerspec.NewAccount{ID: a, Ledger: L1, Name: "n1", Flags: debitsCapped}); err != nil {
		return err
	}
	both := ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true, CreditsMustNotExceedDebits: true}
	for _, tc := range []struct {
		ledger, name string
		flags        ledgerspec.AccountFlags
		code         ledgerspec.Code
	}{
		{L2, "n1", debitsCapped, ledgerspec.CodeExistsWithDifferentLedger},
		{L2, "n2", debitsCapped, ledgerspec.CodeExistsWithDifferentLedger},
		{L2, "n2", creditsCapped, ledgerspec.CodeExistsWithDifferentLedger},
		{L2, "n1", both, ledgerspec.CodeExistsWithDifferentLedger},
		{L1, "n2", debitsCapped, ledgerspec.CodeExistsWithDifferentName},
		{L1, "n2", creditsCapped, ledgerspec.CodeExistsWithDifferentName},
		{L1, "N1", debitsCapped, ledgerspec.CodeExistsWithDifferentName},
		{L1, "n1", creditsCapped, ledgerspec.CodeExistsWithDifferentFlags},
		{L1, "n1", noFlags, ledgerspec.CodeExistsWithDifferentFlags},
		{L1, "n1", both, ledgerspec.CodeExistsWithDifferentFlags},
	} {
		if _, err := e.refuse(refusal{req: accReq(ledgerspec.NewAccount{ID: a, Ledger: tc.ledger, Name: tc.name, Flags: tc.flags}),
			status: http.StatusUnprocessableEntity, code: tc.code, index: noIndex, accounts: []string{a}}); err != nil {
			return err
		}
	}
	// The account is still there as created, and an identical request still replays.
	x, err := e.postJSON(ledgerspec.PathAccounts, ledgerspec.NewAccount{ID: a, Ledger: L1, Name: "n1", Flags: debitsCapped})
	if err != nil {
		return err
	}
	return x.wantStatus(http.StatusOK)
}

func checkAccountFlagsExclusive(e *env) error {
	L := e.ledger()
	id := e.id("")
	both := ledgerspec.AccountFlags{DebitsMustNotExceedCredits: true, CreditsMustNotExceedDebits: true}
	retry := accReq(ledgerspec.NewAccount{ID: id, Ledger: L, Flags: creditsCapped})
	_, err := e.refuse(refusal{req: accReq(ledgerspec.NewAccount{ID: id, Ledger: L, Name: "x", Flags: both}),
		status: http.StatusUnprocessableEntity, code: ledgerspec.CodeFlagsMutuallyExclusive, index: noIndex,
		newAccount: id, retry: &retry})
	return err
}

func checkAccountNotFound(e *env) error {
	for _, id := range []string{e.id("missing"), padID(e.id("missing"), ledgerspec.MaxIDLen)} {
		x, err := e.get(ledgerspec.AccountPath(id), nil)
		if err != nil {
			return err
		}
		if err := x.wantProblem(http.StatusNotFound, ledgerspec.CodeNotFound, noIndex); err != nil {
			return err
		}
	}
	return nil
}

// badIDs are ids outside 1–64 of [A-Za-z0-9_-]; the empty id is tested where it can be sent.
func badIDs(e *env) []string {
	return []string{padID(e.id("long"), ledgerspec.MaxIDLen+1), "a b", "a/b", "ü-" + e.runID, "a.b", "a\tb", "a+b"}
}

func checkAccountBadCreate(e *env) error {
	L := e.ledger()
	valid := func(id string) *request {
		r := accReq(ledgerspec.NewAccount{ID: id, Ledger: L})
		return &r
	}
	type tc struct {
		body string
		id   string // a valid id that must stay unused, "" when the id itself is bad
	}
	var cases []tc
	for _, id := range append(badIDs(e), "") {
		cases = append(cases, tc{body: fmt.Sprintf(`{"id":%s,"ledger":%s}`, js(id), js(L))})
	}
	for _, ledger := range []string{"usd", "Usd", strings.Repeat("A", ledgerspec.MaxLedgerLen+1), "", "US-D", "US D", "ÜSD"} {
		id := e.id("")
		cases = append(cases, tc{body: fmt.Sprintf(`{"id":%s,"ledger":%s}`, js(id), js(ledger)), id: id})
	}
	for _, name := range []string{strings.Repeat("é", ledgerspec.MaxNameRunes+1), strings.Repeat("a", ledgerspec.MaxNameRunes+1), "a\x00b"} {
		id := e.id("")
		cases = append(cases, tc{body: fmt.Sprintf(`{"id":%s,"ledger":%s,"name":%s}`, js(id), js(L), js(name)), id: id})
	}
	id := e.id("") // invalid UTF-8 in the name: a raw 0xff byte inside the JSON string
	cases = append(cases, tc{body: fmt.Sprintf(`{"id":%s,"ledger":%s,"name":"a`+"\xff"+`b"}`, js(id), js(L)), id: id})
	for _, c := range cases {
		r := refusal{req: jsonReq(ledgerspec.PathAccounts, c.body), status: http.StatusBadRequest, code: ledgerspec.CodeMalformedRequest, index: noIndex}
		if c.id != "" {
			r.newAccount, r.retry = c.id, valid(c.id)
		}
		if _, err := e.refuse(r); err != nil {
			return err
		}
	}
	return nil
}

func checkAccountBadGet(e *env) error {
	for _, id := range badIDs(e) {
		for _, path := range []string{ledgerspec.AccountPath(id), ledgerspec.AccountTransactionsPath(id, 0, -1), ledgerspec.TransactionPath(id)} {
			x, err := e.get(path, nil)
			if err != nil {
				return err
			}
			if err := x.wantProblem(http.StatusBadRequest, ledgerspec.CodeMalformedRequest, noIndex); err != nil {
				return err
			}
		}
	}
	// An empty id is another path (/api/accounts/); it must not succeed.
	x, err := e.get(ledgerspec.PathAccounts+"/", nil)
	if err != nil {
		return err
	}
	if x.Status != http.StatusBadRequest && x.Status != http.StatusNotFound && x.Status != http.StatusMethodNotAllowed {
		return x.fail("400, 404 or 405 for an empty id")
	}
	return nil
}

func checkAccountBoundaries(e *env) error {
	L := padLedger(e.ledger())
	id := padID(e.id(""), ledgerspec.MaxIDLen)
	name := strings.Repeat("日", ledgerspec.MaxNameRunes-2) + "é🙂" // 200 runes, 1 to 4 bytes each
	want, err := e.createAccount(ledgerspec.NewAccount{ID: id, Ledger: L, Name: name})
	if err != nil {
		return err
	}
	got, err := e.account(id)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("GET %s: want %+v; got %+v", ledgerspec.AccountPath(id), want, got)
	}
	return nil
}

// padLedger pads a ledger name with '_' to the longest valid length.
func padLedger(l string) string { return l + strings.Repeat("_", ledgerspec.MaxLedgerLen-len(l)) }
