// Package codectest is the contract of app.Codec. Corpus is one shared set of request bodies
// (POST /api/accounts and /api/transactions) with the contract's decision for each, written from
// LEDGER-CONTRACT.md v1.1 rather than from what a library does: key case, duplicate keys, null in
// optional and required fields, byte order marks, invalid UTF-8, lone surrogate escapes, nesting,
// numbers, whitespace, trailing data, escapes, syntax, types and unknown fields. Run checks a codec
// against the corpus and against the encoding of the lab's response types; every codec's package
// test calls it, so codecs that pass it accept and refuse the same bodies and decode them to the
// same values. Decide is an independent, slow reference decision (on encoding/json's tokenizer)
// that the corpus, the shared pre-check and the std codec are checked against, and FuzzDecode is
// the body of every codec's fuzz targets. The behaviour pinned is documented in package
// stacklab/stacks/codec.
package codectest
