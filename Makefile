# settle — developer and CI entry points. `make` (or `make help`) lists targets.

GO ?= go
GOFMT ?= gofmt

# staticcheck, pinned. Module version v0.8.2 == staticcheck release 2026.2.2,
# the newest release; it is built with and supports Go 1.26 (module go 1.26.0).
STATICCHECK_VERSION ?= v0.8.2
GOBIN_DIR := $(firstword $(subst :, ,$(shell $(GO) env GOPATH)))/bin
STATICCHECK := $(GOBIN_DIR)/staticcheck

.DEFAULT_GOAL := help
.PHONY: help build test test-short test-race test-race-short lint tools generate verify bench bench-ingest bench-negotiate bench-run simulate e2e clean

help: ## List the targets
	@echo "Usage: make <target>"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build the binary into bin/settle
	$(GO) build -o bin/settle ./cmd/settle

test: ## Run all tests (throwaway PostgreSQL when available): ./scripts/test.sh
	./scripts/test.sh

test-short: ## Run the quick tests only (go test -short)
	$(GO) test -short ./...

tools: $(STATICCHECK) ## Install the pinned lint tools (staticcheck) into GOPATH/bin

# Installs when missing or when the installed one is not the pinned version.
$(STATICCHECK): FORCE
	@if "$(STATICCHECK)" -version 2>/dev/null | grep -qF "($(patsubst v%,%,$(STATICCHECK_VERSION)))"; then \
		echo "staticcheck $(STATICCHECK_VERSION) already installed: $(STATICCHECK)"; \
	else \
		echo "installing staticcheck $(STATICCHECK_VERSION) into $(GOBIN_DIR)"; \
		GOBIN="$(GOBIN_DIR)" $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); \
	fi

.PHONY: FORCE
FORCE:

lint: tools ## gofmt (must list nothing), go vet, staticcheck
	@files=$$(find . -name '*.go' -not -path './.git/*' -not -path './vendor/*' \
		-not -path '*/node_modules/*' -not -path '*/testdata/*' -print0 | xargs -0 -r $(GOFMT) -l); \
	if [ -n "$$files" ]; then \
		echo "gofmt: these files need formatting (run: $(GOFMT) -w <file>):"; \
		echo "$$files" | sed 's/^/  /'; \
		exit 1; \
	fi
	$(GO) vet ./...
	"$(STATICCHECK)" ./...

generate: ## Run go generate ./...
	$(GO) generate ./...

verify: ## go mod tidy + go generate must leave the tree unchanged
	./scripts/verify.sh

bench: ## Run the Go benchmarks (no tests)
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-ingest: build ## Ingest benchmark: 1,000,000 invoices, SQLite and a throwaway PostgreSQL vs the raw engines
	SETTLE_TEST_CMD='bin/settle bench ingest --invoices $(or $(INVOICES),1000000) --postgres "$$SETTLE_TEST_POSTGRES"' ./scripts/test.sh

bench-negotiate: build ## Counter-offers over HTTP under load, on SQLite and on a throwaway PostgreSQL
	bin/settle bench negotiate --duration $(or $(DURATION),10s)
	if command -v wrk >/dev/null; then bin/settle bench negotiate --client wrk --duration $(or $(DURATION),10s); fi
	SETTLE_TEST_CMD='bin/settle bench negotiate --db "$$SETTLE_TEST_POSTGRES" --duration $(or $(DURATION),10s)' ./scripts/test.sh

bench-run: build ## The daily collections run over 1,000,000 open invoices, SQLite and a throwaway PostgreSQL
	bin/settle bench run --invoices $(or $(INVOICES),1000000)
	SETTLE_TEST_CMD='bin/settle bench run --invoices $(or $(INVOICES),1000000) --db "$$SETTLE_TEST_POSTGRES"' ./scripts/test.sh

simulate: build ## The negotiation simulator on its default population (10,000 debtors)
	bin/settle simulate --debtors $(or $(DEBTORS),10000)

e2e: ## Browser tests: settle demo + Chromium via playwright-core (tests/e2e/run.sh)
	./tests/e2e/run.sh

clean: ## Remove build and coverage output
	rm -rf bin/ coverage.out coverage.html cover.out *.coverprofile

test-race: ## The whole suite under the race detector (slow): ./scripts/test.sh -race
	./scripts/test.sh -race

test-race-short: ## The concurrency tests under the race detector (CI runs this)
	./scripts/test.sh -race -run 'Concurrent|TwoInstances' ./internal/service ./internal/httpapi ./internal/money

.PHONY: soak
soak: build ## Scale-out soak: 3 instances on a throwaway PostgreSQL, 10 min, one SIGKILLed every minute (docs/deployment.md)
	SETTLE_TEST_CMD='bin/settle bench soak --db "$$SETTLE_TEST_POSTGRES" --instances $(or $(INSTANCES),3) --duration $(or $(DURATION),10m) --kill-every $(or $(KILL_EVERY),1m) --workers $(or $(WORKERS),8)' ./scripts/test.sh

.PHONY: fuzz fuzz-short
fuzz: ## Every fuzz target for FUZZTIME each (default 5m): scripts/fuzz.sh
	FUZZTIME=$(or $(FUZZTIME),5m) ./scripts/fuzz.sh

fuzz-short: ## Every fuzz target for 10s each (CI)
	FUZZTIME=10s ./scripts/fuzz.sh
