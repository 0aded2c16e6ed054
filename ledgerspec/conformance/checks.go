package conformance

// checks is the suite, in report order. Checks marked Last run after all the others.
var checks = []Check{
	// Headers and baselines.
	{ID: "headers", Title: "every response carries Date, Server and a Content-Length or chunked encoding", run: checkHeaders},
	{ID: "bench-plaintext", Title: "GET /bench/plaintext is 200 text/plain \"Hello, World!\"", run: checkBenchPlaintext},
	{ID: "bench-json", Title: "GET /bench/json is 200 application/json {\"message\":\"Hello, World!\"}", run: checkBenchJSON},

	// Accounts.
	{ID: "account-create", Title: "account creation: 201 with the full body and defaults; counters and balance follow postings", run: checkAccountCreate},
	{ID: "account-replay", Title: "an identical account creation is 200 with the account as it is now", run: checkAccountReplay},
	{ID: "account-conflicts", Title: "exists_with_different_ledger, _name, _flags, in that order, before flags_are_mutually_exclusive", run: checkAccountConflicts},
	{ID: "account-flags-exclusive", Title: "both flags: 422 flags_are_mutually_exclusive, nothing created, the id stays usable", run: checkAccountFlagsExclusive},
	{ID: "account-not-found", Title: "GET of an unknown account is 404 not_found", run: checkAccountNotFound},
	{ID: "account-bad-create", Title: "bad ids, ledgers and names on account creation: 400, nothing created, the id stays usable", run: checkAccountBadCreate},
	{ID: "account-bad-get", Title: "bad ids in GET paths: 400 malformed_request", run: checkAccountBadGet},
	{ID: "account-boundaries", Title: "a 64-character id, a 16-character ledger and a 200-character multi-byte name are accepted", run: checkAccountBoundaries},

	// Malformed input.
	{ID: "malformed-syntax", Title: "JSON syntax errors and trailing data: 400, no state change, the id stays usable", run: checkMalformedSyntax},
	{ID: "malformed-unknown-field", Title: "unknown fields: 400, no state change, the id stays usable", run: checkMalformedUnknownField},
	{ID: "malformed-types", Title: "wrong JSON types: 400, no state change, the id stays usable", run: checkMalformedTypes},
	{ID: "malformed-missing", Title: "missing or null required fields: 400; a missing or null description is \"\"", run: checkMalformedMissing},
	{ID: "malformed-amounts", Title: "amounts that are not int64 JSON integer literals (1.5, \"10\", 1e3, 10.0, …): 400", run: checkMalformedAmounts},
	{ID: "malformed-postings-count", Title: "0 or 17 postings: 400; 16 postings commit", run: checkMalformedPostingsCount},
	{ID: "malformed-description", Title: "a 501-character, NUL or invalid UTF-8 description: 400; 500 characters commit", run: checkMalformedDescription},
	{ID: "malformed-tx-id", Title: "bad transaction ids and bad account ids in postings: 400; a 64-character id commits", run: checkMalformedTxID},
	{ID: "malformed-account", Title: "malformed account bodies: 400, nothing created, the id stays usable", run: checkMalformedAccount},
	{ID: "media-type", Title: "bodies that are not application/json: 415, the id stays usable; a charset parameter is accepted", run: checkMediaType},
	{ID: "body-too-large", Title: "a 65,537-byte body (also chunked): 413, the id stays usable; 65,536 bytes are accepted", run: checkBodyTooLarge},
	{ID: "problem-bodies", Title: "problem bodies: application/problem+json, status, code, title, type, posting_index exactly for posting-level codes", run: checkProblemBodies},

	// Strict JSON (v1.1).
	{ID: "strict-key-case", Title: "keys in another case (ID, Amount, poſtings): 400, the id stays usable; an escaped key is the key", run: checkStrictKeyCase},
	{ID: "strict-duplicate-keys", Title: "a key twice in one object (top level, posting, flags; also escaped): 400, the id stays usable", run: checkStrictDuplicateKeys},
	{ID: "strict-null-optional", Title: "null name, description, flags or flag means absent: 201 with the default", run: checkStrictNullOptional},
	{ID: "strict-null-required", Title: "null id, ledger, postings, posting, account id or amount: 400, the id stays usable", run: checkStrictNullRequired},
	{ID: "strict-bom-utf8", Title: "a byte order mark, invalid UTF-8 anywhere, an escaped lone surrogate: 400, the id stays usable", run: checkStrictBOMUTF8},
	{ID: "strict-nesting", Title: "arrays or objects nested deeper than the contract's types: 400, the id stays usable", run: checkStrictNesting},

	// Transactions.
	{ID: "tx-create", Title: "transaction creation: 201 body (seq, postings, risk_flags [], created_at) and both accounts' counters", run: checkTxCreate},
	{ID: "tx-get", Title: "GET of a transaction: 200 as committed; 404 for an unknown id", run: checkTxGet},
	{ID: "tx-replay", Title: "a replay is 200, byte-identical, with Idempotent-Replayed: true (absent on the 201), applied once", run: checkTxReplay},
	{ID: "tx-conflicts", Title: "exists_with_different_postings (amount, order) and _description, postings first, before rule 2", run: checkTxConflicts},
	{ID: "tx-failed-stays-failed", Title: "a failed id replays its 422 byte for byte even when it would now succeed; GET stays 404", run: checkTxFailedStaysFailed},

	// One check per 422 code.
	{ID: "rule-accounts-must-be-different", Title: "a posting from an account to itself: 422 accounts_must_be_different at its index", run: checkRuleAccountsDifferent},
	{ID: "rule-amount-out-of-range", Title: "amounts 0, −1, 2^53 and beyond: 422 amount_out_of_range; 1 and 2^53−1 commit", run: checkRuleAmountOutOfRange},
	{ID: "rule-debit-account-not-found", Title: "an unknown debit account: 422 debit_account_not_found at its index", run: checkRuleDebitNotFound},
	{ID: "rule-credit-account-not-found", Title: "an unknown credit account: 422 credit_account_not_found at its index", run: checkRuleCreditNotFound},
	{ID: "rule-same-ledger", Title: "accounts of another ledger than the first posting's: 422 accounts_must_have_the_same_ledger", run: checkRuleSameLedger},
	{ID: "rule-exceeds-credits", Title: "debits beyond credits on a capped account: 422 exceeds_credits; exactly the balance commits", run: checkRuleExceedsCredits},
	{ID: "rule-exceeds-debits", Title: "credits beyond debits on a credits-capped account: 422 exceeds_debits", run: checkRuleExceedsDebits},
	{ID: "rule-overflows-debits", Title: "debits_posted near 2^63−1: 1024 more is 422 overflows_debits, 1023 commits", run: checkRuleOverflowsDebits},
	{ID: "rule-overflows-credits", Title: "credits_posted near 2^63−1: 1024 more is 422 overflows_credits, 1023 commits", run: checkRuleOverflowsCredits},

	// Precedence and atomicity.
	{ID: "precedence-posting-order", Title: "rule 2 in posting order: posting 0's error beats posting 1's", run: checkPrecedencePostingOrder},
	{ID: "precedence-rule-order", Title: "rule 2 in rule order within one posting", run: checkPrecedenceRuleOrder},
	{ID: "precedence-rule2-before-rule3", Title: "rule 2 over every posting before rule 3 over any", run: checkPrecedenceRule2BeforeRule3},
	{ID: "rule3-sequential", Title: "rule 3 applies postings in order: fund then spend commits, spend then fund is refused", run: checkRule3Sequential},
	{ID: "atomicity", Title: "a failing posting leaves the earlier postings unapplied", run: checkAtomicity},

	// Risk flags.
	{ID: "risk-large-amount", Title: "large_amount at exactly the threshold, not one below", run: checkRiskLargeAmount},
	{ID: "risk-velocity", Title: "velocity only above the limit; 422s, credits and replays do not count", run: checkRiskVelocity},
	{ID: "risk-never-blocks", Title: "a flagged transaction commits like any other", run: checkRiskNeverBlocks},

	// Lists and balances.
	{ID: "list-paging", Title: "account transactions: ascending seq, default limit 20, limit and after, next_after, has_more", run: checkListPaging},
	{ID: "list-bad-params", Title: "limit 0, 101, x and bad cursors: 400", run: checkListBadParams},
	{ID: "list-not-found", Title: "the transactions of an unknown account: 404", run: checkListNotFound},
	{ID: "list-same-account-twice", Title: "a transaction with two postings on one account is listed once", run: checkListSameAccountTwice},
	{ID: "balances-sorted", Title: "balances: accounts in byte order, exact totals, as_of_seq the ledger's last seq", run: checkBalancesSorted},
	{ID: "balances-empty", Title: "balances of an empty ledger: [] and as_of_seq 0", run: checkBalancesEmpty},
	{ID: "balances-bad-ledger", Title: "balances without or with an invalid ledger: 400", run: checkBalancesBadLedger},
	{ID: "balances-exact-totals", Title: "totals beyond int64 are exact, in JSON and on the ledger page", run: checkBalancesExactTotals},

	// Concurrency.
	{ID: "bank", Title: "concurrent transfers among capped accounts: every snapshot is the replay of the committed prefix", run: checkBank},
	{ID: "hot-account", Title: "64 concurrent debits of one account: exactly ⌊F/X⌋ commit", run: checkHotAccount},
	{ID: "concurrent-duplicates", Title: "32 concurrent posts of one id: one 201, identical replays (or 409), applied once", run: checkConcurrentDuplicates},
	{ID: "opposite-directions", Title: "concurrent transfers in opposite directions: all answered, no deadlock, consistent", run: checkOppositeDirections},
	{ID: "read-your-writes", Title: "a read after a 201 shows it, while other readers hammer the cache", run: checkReadYourWrites},
	{ID: "pagination-concurrent", Title: "paging with next_after while writers commit skips nothing and repeats nothing", run: checkPaginationConcurrent},

	// HTML.
	{ID: "html-ledger-page", Title: "the ledger page: doctype, htmx, account rows, totals, 20 newest transactions, the transfer form", run: checkHTMLLedgerPage},
	{ID: "html-ledger-many-accounts", Title: "the ledger page lists the first 100 accounts by id; its totals cover every account", run: checkHTMLLedgerManyAccounts},
	{ID: "html-static-htmx", Title: "GET /static/htmx.min.js is served by the stack", run: checkHTMLStatic},
	{ID: "html-fragments", Title: "HX-Request fragments: #accounts, #transactions or <main>, without <html>/<body>", run: checkHTMLFragments},
	{ID: "html-account-page", Title: "the account page, full and as fragments: 20 newest rows and a load-more row when older rows exist", run: checkHTMLAccountPage},
	{ID: "html-account-rows", Title: "following load-more rows walks every transaction once, newest to oldest", run: checkHTMLAccountRows},
	{ID: "html-account-not-found", Title: "the page of an unknown account: 404 HTML with data-code=\"not_found\"", run: checkHTMLAccountNotFound},
	{ID: "html-amounts", Title: "amounts render with two decimals: 123.45, 0.05, -0.05, 1.00", run: checkHTMLAmounts},
	{ID: "html-form-htmx", Title: "an htmx form post: 200 row fragment, HX-Trigger, the transaction committed", run: checkHTMLFormHTMX},
	{ID: "html-form-plain", Title: "a plain form post: 303 to the ledger page", run: checkHTMLFormPlain},
	{ID: "html-form-invalid", Title: "invalid forms: 422 fragment with data-code, no state change", run: checkHTMLFormInvalid},
	{ID: "html-escaping", Title: "untrusted names and descriptions show exactly as stored and inject nothing", run: checkHTMLEscaping},

	// After all the others.
	{ID: "seq-unique", Title: "every transaction committed during the run has its own seq", Last: true, run: checkSeqUnique},
	{ID: "committed-readable", Title: "every committed transaction reads back as committed; every 422'd id stays unknown", Last: true, run: checkCommittedReadable},
	{ID: "events-transactions", Title: "every committed transaction is on ledger.transactions, keyed by id, with its JSON", Last: true, NeedsEvents: true, run: checkEventsTransactions},
	{ID: "events-alerts", Title: "every flagged transaction, and only those, is on ledger.alerts", Last: true, NeedsEvents: true, run: checkEventsAlerts},
	{ID: "events-no-failed", Title: "no id that failed with a 422 is on either topic", Last: true, NeedsEvents: true, run: checkEventsNoFailed},
}
