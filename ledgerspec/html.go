package ledgerspec

// The markup contract of the HTML pages. The contract page fixes the behaviour; these names fix
// where a machine finds things, so a conformance check can read any stack's pages with an HTML
// parser. Text content is compared after the parser decodes entities.
//
// Ledger page (GET /ledgers/{ledger}) and account page (GET /accounts/{id}), full page:
//
//	<!doctype html><html>…<head>…<script src="/static/htmx.min.js"></script>…</head>
//	<body>…<main>
//	  <table id="accounts">                       one row per account (the ledger page: first 100 by id;
//	    <tr data-account-id="ID">                  the account page: the account itself)
//	      <td data-field="name">…</td> <td data-field="ledger">…</td>
//	      <td data-field="debits_posted">1.00</td> <td data-field="credits_posted">…</td>
//	      <td data-field="balance">…</td>
//	    (ledger page only) <td data-field="total_debits">…</td> <td data-field="total_credits">…</td>
//	  </table>
//	  <table><tbody id="transactions">             newest first, 20 rows
//	    <tr data-tx-id="ID" data-seq="SEQ">
//	      <td data-field="description">…</td>
//	      <li data-posting="0"> <a data-field="debit_account_id">…</a> <a data-field="credit_account_id">…</a>
//	          <span data-field="amount">12.34</span> </li> …
//	    </tr> …
//	    (account page, when older rows exist)
//	    <tr data-next-after="SEQ" hx-get="/accounts/ID/rows?after=SEQ" …>load more</tr>
//	  </tbody></table>
//	  (ledger page) <form id="transfer-form" hx-post="/ui/transactions" …> <div id="form-errors"></div>
//	</main></body></html>
//
// With HX-Request: true, the answer is the inner HTML of the element whose id is in HX-Target
// ("accounts" or "transactions"), else the inner HTML of <main>. GET /accounts/{id}/rows?after=SEQ
// answers the rows older than SEQ (seq < SEQ, newest first, 20 at most) followed by the next
// load-more row when older rows remain: HTML lists run newest first, and "after" continues the
// list past SEQ. Errors carry data-code="CODE" on the element that shows them.
const (
	HTMLIDAccounts      = "accounts"
	HTMLIDTransactions  = "transactions"
	HTMLIDTransferForm  = "transfer-form"
	HTMLIDFormErrors    = "form-errors"
	HTMLAttrAccountID   = "data-account-id"
	HTMLAttrTxID        = "data-tx-id"
	HTMLAttrSeq         = "data-seq"
	HTMLAttrField       = "data-field"
	HTMLAttrPosting     = "data-posting"
	HTMLAttrNextAfter   = "data-next-after"
	HTMLAttrCode        = "data-code"
	FieldName           = "name"
	FieldLedger         = "ledger"
	FieldBalance        = "balance"
	FieldDebitsPosted   = "debits_posted"
	FieldCreditsPosted  = "credits_posted"
	FieldTotalDebits    = "total_debits"
	FieldTotalCredits   = "total_credits"
	FieldDescription    = "description"
	FieldAmount         = "amount"
	FieldDebitAccount   = "debit_account_id"
	FieldCreditAccount  = "credit_account_id"
	HTMLVaryValue       = "HX-Request"
	HTMLDoctypePrefix   = "<!doctype html>"
	HTMLHXRequestTrue   = "true"
	HTMLRetargetHeader  = "HX-Retarget"
	HTMLReswapHeader    = "HX-Reswap"
	HTMLLocationHeader  = "Location"
	HTMLRedirectStatus  = 303
	HTMLFormErrorStatus = 422
)
