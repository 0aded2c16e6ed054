# The lab's commands. `make run` and `make test` do all the set-up they need on a fresh machine:
# services come from DATABASE_URL / REDIS_URL / KAFKA_BROKERS / CLICKHOUSE_URL when set, else from
# the standard loopback ports, else are started from the installed binaries (kfake for Kafka).

GO       ?= go
MODULES  := ledgerspec stacks loadgen results harness
PKGS     := $(foreach m,$(MODULES),./$(m)/...)
# The io_uring transport (giouring) links against runtime internals, which Go 1.23+ refuses unless
# the linker is told -checklinkname=0 (see ENVIRONMENT.md): every go command make runs, and every
# go build the tests and the harness start, links with it. By hand:
#   GOFLAGS=-ldflags=-checklinkname=0 go test ./stacks/...
LDFLAGS  := -ldflags=-checklinkname=0
export GOFLAGS := $(LDFLAGS)
HARNESS  := $(GO) run ./harness/cmd/harness

.PHONY: run serve publish aa gate test test-deps test-go vet fmt bench bench-loadgen bench-transports fuzz report compare site screenshots up down generate conform mutants

run: ## the lab's main job on embedded defaults: every stack judged, measured, reported (ARGS="-quick" for a smoke run)
	$(HARNESS) run $(ARGS)

serve: ## one stack on embedded defaults, judged by the conformance suite, then serving the UI on :8080
	$(HARNESS) serve $(ARGS)

test: test-deps ## every module's tests, on real PostgreSQL, Redis and kfake (started when not running)
	$(HARNESS) exec -- $(MAKE) --no-print-directory test-go

test-deps: ## install the Debian packages the tests drive (Chromium, ClickHouse) when missing
	bash scripts/test-deps.sh

# The conformance and wire tests of the stacks run on their own, verbosely, so the log shows every
# check, each stack's "N passed, M failed" and the wire suite's transport × section table.
test-go: vet
	$(GO) test $(LDFLAGS) -count=1 -timeout 30m -skip '^(TestConformance|TestWire)$$' $(PKGS)
	GOEXPERIMENT=jsonv2 $(GO) test $(LDFLAGS) -count=1 -timeout 10m ./stacks/codec/... ./stacks/transport/
	$(GO) test $(LDFLAGS) -count=1 -timeout 20m -run '^(TestConformance|TestWire)$$' -v ./stacks/

vet:
	@unformatted=$$(gofmt -l $(MODULES)); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $(MODULES)

bench: ## the parts' microbenchmarks per dimension, interleaved rounds, benchstat tables with the parts as columns (COUNT, BENCHTIME, DIMS)
	$(HARNESS) exec -- bash scripts/bench.sh

# The transports side by side under wrk (apt-get install -y wrk): each stack on CPU 0 with
# GOMAXPROCS=1, wrk on CPU 1, 64 connections, interleaved rounds over plaintext, json and a ledger
# page; medians of req/s, p99 and the stack's CPU per request, ratios to fasthttp.
bench-transports: ## the HTTP transports side by side under wrk (ARGS="-rounds 5 -duration 10s -profile uring")
	$(GO) run $(LDFLAGS) ./stacks/transport/bench $(ARGS)

fuzz: ## every fuzz target of the lab (codecs, HTTP parser and router, query, form and amount parsers, the generator's response parser), FUZZTIME (default 30s) each
	bash scripts/fuzz.sh

bench-loadgen: ## the load generator against wrk and vegeta on the same server
	bash loadgen/bench/vs-wrk.sh
	bash loadgen/bench/vs-vegeta.sh

publish: ## upload spooled runs to CLICKHOUSE_URL, exactly once
	$(HARNESS) publish $(ARGS)

aa: ## an A/A run (every stack twice) and its noise floor
	$(HARNESS) run -aa $(ARGS)
	$(HARNESS) compare -aa latest

gate: ## the regression gate: the parent commit and the working tree side by side (ARGS="-base REF")
	$(HARNESS) gate $(ARGS)

report: ## rebuild the report from the spool
	$(HARNESS) report $(ARGS)

compare: ## compare two runs: make compare ARGS="BASE NEW"
	$(HARNESS) compare $(ARGS)

site: ## the results site of the spool (and of CLICKHOUSE_URL when set): lab-results/site/index.html
	$(HARNESS) site $(ARGS)

# The screenshots are taken by the site's browser test, in headless Chromium, of a site built from
# synthetic runs (results/resultstest.SiteRuns) until real runs replace them.
screenshots: ## PNGs of the results site (its index, one dimension's history) into docs/
	$(GO) test -count=1 -run '^TestBrowser$$' ./results/site -args -screenshots $(CURDIR)/docs

mutants: ## break the stack on purpose, one way at a time, and show which conformance checks catch it
	$(HARNESS) exec -- python3 scripts/mutants.py

conform: ## the conformance suite against any URL: make conform ARGS="-url http://127.0.0.1:8080"
	$(GO) run ./ledgerspec/cmd/conform $(ARGS)

# sqlc reads schema.sql and queries.sql; it is pinned in scripts/sqlc, a module of its own outside
# go.work (hence GOWORK=off; the first run compiles it, cgo, a few minutes). SQLBoiler reads a live
# database: store/sqlboiler/gen applies the schema to a throwaway database on the PostgreSQL the
# harness finds or starts, runs the sqlboiler tools tracked in stacks/go.mod, and drops it.
generate: ## regenerate the sqlc queries and the SQLBoiler models from stacks/store/schema
	GOWORK=off $(GO) -C scripts/sqlc tool sqlc -f $(CURDIR)/stacks/store/schema/sqlc.yaml generate
	$(HARNESS) exec -- $(GO) -C stacks run ./store/sqlboiler/gen

up: ## services for users with Docker (not used by CI)
	docker compose up -d

down:
	docker compose down
