// Package e2e holds the load generator's end-to-end test: it builds the lab's stack binary
// (stacklab/stacks/cmd/stack), starts it on a fresh PostgreSQL database and Redis, and runs
// every workload against it with every body validated, so the workloads are checked against
// a real implementation of the contract, setup phase and id scheme included.
//
// It needs PostgreSQL (DATABASE_URL, an admin DSN; default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) and Redis (REDIS_URL; default
// redis://127.0.0.1:6379/0), and fails with a clear message when either is unreachable.
package e2e
