// Command conform runs the ledger conformance suite against a running stack and prints the report:
// one line per check and a closing count.
//
//	conform -url http://127.0.0.1:8080 [-brokers host:port,…] [-only id,id] [-parallel N]
//	        [-velocity-limit N] [-large-amount N] [-timeout D] [-list]
//
// -brokers names the Kafka brokers the stack publishes to; without it the events checks are
// reported as skipped ("no broker given"). -velocity-limit and -large-amount must match the
// stack's LEDGER_VELOCITY_LIMIT and LEDGER_LARGE_AMOUNT (0: the contract's defaults). -timeout
// bounds every HTTP request (default 10s). -list prints the checks and exits.
//
// The exit status is 0 when every check passed or was skipped, 1 when a check failed or the suite
// could not run (the stack does not answer, the broker cannot be reached), 2 on a usage error.
package main
