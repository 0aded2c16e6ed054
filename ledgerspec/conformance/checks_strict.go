package conformance

import (
	"fmt"
	"net/http"
	"strings"

	"stacklab/ledgerspec"
)

// The checks of contract v1.1's strict JSON: "JSON is read strictly and the same way by every
// codec". Each refused body would be accepted by a lenient decoder (encoding/json matches keys
// case-insensitively, keeps the last of duplicate keys, replaces invalid UTF-8 and lone surrogate
// escapes by U+FFFD), so a stack that reads JSON leniently answers 201 and fails the check.

// malformedAccount sends each account body (a template: %[1]s is a fresh id as a JSON string,
// %[2]s the ledger L) and expects 400 malformed_request, no account created, and the id unused:
// a valid creation with the same id then succeeds.
func (e *env) malformedAccount(L string, templates ...string) error {
	for _, t := range templates {
		id := e.id("")
		retry := accReq(ledgerspec.NewAccount{ID: id, Ledger: L})
		if _, err := e.refuse(refusal{req: jsonReq(ledgerspec.PathAccounts, fmt.Sprintf(t, js(id), js(L))), status: http.StatusBadRequest,
			code: ledgerspec.CodeMalformedRequest, index: noIndex, newAccount: id, retry: &retry}); err != nil {
			return err
		}
	}
	return nil
}

// tmplPosting is tmplP's posting; tmplAcc starts an account body with its id and ledger.
const (
	tmplPosting = `{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5}`
	tmplAcc     = `{"id":%[1]s,"ledger":%[2]s`
)

func checkStrictKeyCase(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	if err := e.malformedTx(f,
		`{"ID":%[1]s,"postings":`+tmplP+`}`,
		`{"Id":%[1]s,"postings":`+tmplP+`}`,
		`{"id":%[1]s,"POSTINGS":`+tmplP+`}`,
		`{"id":%[1]s,"Postings":`+tmplP+`}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"Description":"x"}`,
		`{"id":%[1]s,"postings":[{"Debit_Account_Id":%[2]s,"credit_account_id":%[3]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"CREDIT_ACCOUNT_ID":%[3]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"Amount":5}]}`,
		// U+017F (ſ) folds to s in encoding/json's case-insensitive matching.
		`{"id":%[1]s,"po`+"\u017f"+`tings":`+tmplP+`}`,
		`{"\u0049D":%[1]s,"postings":`+tmplP+`}`,
		`{"id":%[1]s,"ID":%[1]s,"postings":`+tmplP+`}`,
	); err != nil {
		return err
	}
	if err := e.malformedAccount(f.L,
		`{"ID":%[1]s,"ledger":%[2]s}`,
		`{"id":%[1]s,"Ledger":%[2]s}`,
		tmplAcc+`,"NAME":"x"}`,
		tmplAcc+`,"Flags":{}}`,
		tmplAcc+`,"flags":{"DEBITS_MUST_NOT_EXCEED_CREDITS":true}}`,
		tmplAcc+`,"flags":{"credits_must_not_exceed_Debits":true}}`,
		tmplAcc+`,"flag`+"\u017f"+`":{}}`,
	); err != nil {
		return err
	}
	// An escaped key is the key it spells (RFC 8259 compares names after unescaping).
	id := e.id("t")
	x, err := e.send(jsonReq(ledgerspec.PathTransactions, fmt.Sprintf(`{"\u0069d":%[1]s,"p\u006fstings":[{"debit\u005faccount_id":%[2]s,`+
		`"credit_account_id":%[3]s,"\u0061mount":5}],"descr\u0069ption":"esc"}`, js(id), js(f.A), js(f.B))))
	if err != nil {
		return err
	}
	nt := newTx(id, posting(f.A, f.B, 5))
	nt.Description = "esc"
	if _, err := checkCommitted(x, nt, http.StatusCreated); err != nil {
		return err
	}
	acc := e.id("")
	if x, err = e.send(jsonReq(ledgerspec.PathAccounts, fmt.Sprintf(`{"\u0069d":%s,"l\u0065dger":%s,"fl\u0061gs":{"debits\u005fmust_not_exceed_credits":true}}`,
		js(acc), js(f.L)))); err != nil {
		return err
	}
	_, err = checkNewAccount(x, ledgerspec.NewAccount{ID: acc, Ledger: f.L, Flags: debitsCapped})
	return err
}

func checkStrictDuplicateKeys(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	if err := e.malformedTx(f,
		`{"id":%[1]s,"id":%[1]s,"postings":`+tmplP+`}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"postings":`+tmplP+`}`,
		`{"id":%[1]s,"postings":[],"postings":`+tmplP+`}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"a","description":"a"}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"description":null,"description":"a"}`,
		`{"id":%[1]s,"\u0069d":%[1]s,"postings":`+tmplP+`}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":null,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[3]s,"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[`+tmplPosting+`,{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"credit_account_id":%[3]s,"amount":5}]}`,
	); err != nil {
		return err
	}
	return e.malformedAccount(f.L,
		tmplAcc+`,"id":%[1]s}`,
		tmplAcc+`,"ledger":%[2]s}`,
		tmplAcc+`,"name":"a","name":"a"}`,
		tmplAcc+`,"flags":{},"flags":{}}`,
		tmplAcc+`,"flags":{"debits_must_not_exceed_credits":true,"debits_must_not_exceed_credits":true}}`,
		tmplAcc+`,"flags":{"credits_must_not_exceed_debits":null,"credits\u005fmust_not_exceed_debits":false}}`,
	)
}

func checkStrictNullOptional(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	id := e.id("t")
	x, err := e.send(jsonReq(ledgerspec.PathTransactions, fmt.Sprintf(`{"id":%s,"postings":[{"debit_account_id":%s,"credit_account_id":%s,"amount":5}],`+
		`"description":null}`, js(id), js(f.A), js(f.B))))
	if err != nil {
		return err
	}
	if _, err := checkCommitted(x, newTx(id, posting(f.A, f.B, 5)), http.StatusCreated); err != nil {
		return err
	}
	for _, c := range []struct {
		members string
		flags   ledgerspec.AccountFlags
	}{
		{`,"name":null`, noFlags},
		{`,"flags":null`, noFlags},
		{`,"name":null,"flags":null`, noFlags},
		{`,"flags":{"debits_must_not_exceed_credits":null}`, noFlags},
		{`,"flags":{"debits_must_not_exceed_credits":null,"credits_must_not_exceed_debits":true}`, creditsCapped},
		{`,"flags":{"debits_must_not_exceed_credits":true,"credits_must_not_exceed_debits":null}`, debitsCapped},
	} {
		acc := e.id("")
		x, err := e.send(jsonReq(ledgerspec.PathAccounts, fmt.Sprintf(tmplAcc+c.members+`}`, js(acc), js(f.L))))
		if err != nil {
			return err
		}
		if _, err := checkNewAccount(x, ledgerspec.NewAccount{ID: acc, Ledger: f.L, Flags: c.flags}); err != nil {
			return err
		}
	}
	return nil
}

func checkStrictNullRequired(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	if err := e.malformedTx(f,
		`{"id":null,"postings":`+tmplP+`,"description":%[1]s}`,
		`{"id":%[1]s,"postings":null}`,
		`{"id":%[1]s,"postings":[null]}`,
		`{"id":%[1]s,"postings":[`+tmplPosting+`,null]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":null,"credit_account_id":%[3]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":null,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":null}]}`,
	); err != nil {
		return err
	}
	return e.malformedAccount(f.L,
		`{"id":null,"ledger":%[2]s,"name":%[1]s}`,
		`{"id":%[1]s,"ledger":null}`,
		`{"id":%[1]s,"ledger":null,"name":null,"flags":null}`,
	)
}

func checkStrictBOMUTF8(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	valid := `{"id":%[1]s,"postings":` + tmplP + `}`
	if err := e.malformedTx(f,
		"\ufeff"+valid,
		valid+"\ufeff",
		`{"id":%[1]s,`+"\ufeff"+`"postings":`+tmplP+`}`,
		"\xff\xfe"+valid,
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"caf`+"\xe9"+`"}`,      // Latin-1
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"`+"\xc0\xaf"+`"}`,     // overlong
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"`+"\xed\xa0\x80"+`"}`, // an encoded surrogate
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"a`+"\xe2\x82"+`"}`,    // truncated
		`{"id":%[1]s,"postings":`+tmplP+`,"descr`+"\xff"+`iption":"x"}`,        // in a key
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"a\ud800b"}`,           // an escaped lone surrogate
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"\udc00"}`,             // an escaped lone low surrogate
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"\ud83d\u0041"}`,       // a high surrogate, then no low one
		`{"id":%[1]s,"postings":`+tmplP+`,"description":"ok"}`+"\xff",          // after the value
	); err != nil {
		return err
	}
	return e.malformedAccount(f.L,
		"\ufeff"+tmplAcc+`}`,
		tmplAcc+`,"name":"Z`+"\xfc"+`rich"}`,
		tmplAcc+`,"name":"\udbff"}`,
		tmplAcc+`,"n`+"\x80"+`ame":"x"}`,
	)
}

func checkStrictNesting(e *env) error {
	f, err := e.txFixture()
	if err != nil {
		return err
	}
	deep := func(n int, inner string) string { return strings.Repeat("[", n) + inner + strings.Repeat("]", n) }
	if err := e.malformedTx(f,
		`{"id":%[1]s,"postings":[`+tmplP+`]}`,
		`{"id":%[1]s,"postings":`+deep(5000, tmplPosting)+`}`,
		`{"id":[%[1]s],"postings":`+tmplP+`}`,
		`{"id":{"id":%[1]s},"postings":`+tmplP+`}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":[%[2]s],"credit_account_id":%[3]s,"amount":5}]}`,
		`{"id":%[1]s,"postings":[{"debit_account_id":%[2]s,"credit_account_id":%[3]s,"amount":`+deep(5000, "5")+`}]}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"description":{"text":"x"}}`,
		`{"id":%[1]s,"postings":`+tmplP+`,"description":`+deep(5000, `"x"`)+`}`,
	); err != nil {
		return err
	}
	return e.malformedAccount(f.L,
		tmplAcc+`,"flags":[{}]}`,
		tmplAcc+`,"flags":{"debits_must_not_exceed_credits":{"value":true}}}`,
		tmplAcc+`,"flags":{"debits_must_not_exceed_credits":[true]}}`,
		tmplAcc+`,"name":["x"]}`,
		tmplAcc+`,"name":`+strings.Repeat(`{"a":`, 5000)+`"x"`+strings.Repeat(`}`, 5000)+`}`,
	)
}
