// Package workload defines what the load generator sends: named workloads made of weighted
// operations on the ledger contract, a setup phase that creates and funds the accounts they
// use, and per-worker generators that append each request into a reused buffer and validate a
// sampled response against the contract.
//
// Every path, header name, marker and type comes from stacklab/ledgerspec. Setup ids derive
// from the seed (a repeated setup replays idempotently: 200 instead of 201); ids created during
// a run (transactions, new accounts) also carry the run id and the worker number, so repeated
// runs against the same database never collide.
package workload
