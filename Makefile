# cchub — common tasks. `make help` lists them.
GO        ?= go
BIN       ?= bin/cchub
PG_DSN    ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
REDIS_URL ?= redis://127.0.0.1:6379/0
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: help build run test test-integration generate lint bench ui

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/cchub (static, stripped)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w -X github.com/cchub/cchub/pkg/app.Version=$(VERSION)" -o $(BIN) ./cmd/cchub

run: ## start the hub in dev mode on SQLite
	$(GO) run ./cmd/cchub --dev

test: ## vet + unit and integration tests with the race detector (Postgres/Redis tests run when CCHUB_TEST_* are set)
	$(GO) vet ./...
	$(GO) test -race ./...

test-integration: ## the test suite against the local Postgres and Redis
	CCHUB_TEST_PG_DSN='$(PG_DSN)' CCHUB_TEST_REDIS_URL='$(REDIS_URL)' $(GO) test -race ./...

generate: ## regenerate ent code and write a migration named NAME for schema changes (make generate NAME=add_x)
	$(GO) generate ./ent
	$(GO) run ./migrations/gen -name $(or $(NAME),change)

lint: ## gofmt + vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '^ent/'))" || (gofmt -l $$(git ls-files '*.go' | grep -v '^ent/'); exit 1)
	$(GO) vet ./...

bench: ## gateway benchmark: direct vs hub (see bench/README.md)
	$(GO) run ./bench/cmd/bench

ui: ## rebuild the embedded web UI into ui/dist
	cd ui && npm ci && npm run build
