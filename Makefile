# Tandem — everyday commands. The README names two: `make run` and `make test`.
# Both install what is missing (idempotently, and quickly when it is already there) and use only
# the package registries: crates.io, npm and Debian apt.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Pinned tool versions. cargo-leptos 0.3.11 needs a newer rustc than the toolchain here; the
# wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly; Debian's binaryen is
# too old (its wasm fails to hydrate), so wasm-opt comes from npm.
CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)
BINARYEN_VERSION := 132

# Build outputs and tools live outside the clone so that every clone on a machine reuses them.
CACHE_DIR ?= $(HOME)/.cache/tandem
TOOLS_DIR := $(CACHE_DIR)/tools
export CARGO_TARGET_DIR ?= $(CACHE_DIR)/target
export PATH := $(TOOLS_DIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never

BIN := $(CARGO_TARGET_DIR)/release/tandem
SITE_ROOT := $(CURDIR)/target/site
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run build bundle test lint unit e2e bench loadtest crashtest fuzz wrk tools wasm-target cargo-leptos wasm-bindgen wasm-opt chromium e2e-deps pg-status clean-data

help: ## Show the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-10s %s\n", $$1, $$2 }'

run: build ## Build the release app and serve it on http://127.0.0.1:3000 (SQLite in ./data)
	LEPTOS_SITE_ROOT="$(SITE_ROOT)" "$(BIN)" serve

build: tools ## Build the release server and the wasm, split into a main module and one set of modules per area of screens
	@# The site's files are named by their content's hash (hash-files in Cargo.toml), so the
	@# previous build's are removed first, and the list of hashes goes into the site root.
	rm -rf "$(SITE_ROOT)/pkg" "$(SITE_ROOT)/hash.txt"
	cargo leptos build --release --split
	cp "$(dir $(BIN))hash.txt" "$(SITE_ROOT)/hash.txt"
	@echo "built $(BIN) and $(SITE_ROOT)"

test: tools e2e-deps ## Everything: fmt, clippy (ssr and hydrate), Rust tests on SQLite and PostgreSQL, browser tests
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory e2e

lint: ## cargo fmt --check and clippy for both feature sets
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

unit: pg-status ## Rust unit tests and the store contract suite (SQLite, and PostgreSQL when it answers)
	cargo test --workspace

e2e: build e2e-deps ## Browser tests: Playwright drives Chromium against the release server
	cd end2end && TANDEM_BIN="$(BIN)" LEPTOS_SITE_ROOT="$(SITE_ROOT)" npx playwright test

bundle: build ## The wasm a browser downloads, gzipped: the main module and each area's first load
	node end2end/bundle-size.mjs "$(SITE_ROOT)/pkg"

bench: ## Criterion benchmarks: the domain rules, the screens in 10k- and 100k-patient registries, a 10k-patient clinic's reports (SQLite, then PostgreSQL when it answers)
	cargo bench -p app --bench domain
	cargo bench -p server --bench registry
	cargo bench -p server --bench reports
	@if timeout 3 bash -c '</dev/tcp/127.0.0.1/5432' 2>/dev/null; then \
	  DATABASE_URL="$${TANDEM_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}" cargo bench -p server --bench registry; \
	  DATABASE_URL="$${TANDEM_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}" cargo bench -p server --bench reports; \
	else \
	  echo "SKIPPED: postgres not reachable on 127.0.0.1:5432 — the PostgreSQL benchmarks did not run"; \
	fi

loadtest: wrk ## Load test: the release server on a seeded 100k-patient registry driven by wrk beside a bare handler (SQLite, then PostgreSQL when it answers)
	cargo bench -p server --bench loadtest
	@if timeout 3 bash -c '</dev/tcp/127.0.0.1/5432' 2>/dev/null; then \
	  DATABASE_URL="$${TANDEM_BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}" cargo bench -p server --bench loadtest; \
	else \
	  echo "SKIPPED: postgres not reachable on 127.0.0.1:5432 — the PostgreSQL load test did not run"; \
	fi

crashtest: build ## Crash and concurrency runs against the release server: 60 kill -9s under write load and 8 writers x 1000 writes, SQLite then PostgreSQL when it answers
	TANDEM_TEST_BIN="$(BIN)" TANDEM_CRASH_KILLS="$${TANDEM_CRASH_KILLS:-60}" \
	  TANDEM_CONCURRENT_WRITES="$${TANDEM_CONCURRENT_WRITES:-1000}" \
	  cargo test -p server --test crash -- --nocapture --test-threads=1

FUZZ_SECONDS ?= 600
FUZZ_TARGETS := csv_import fhir_questionnaire_response api_bodies measurement

fuzz: ## Fuzz each input parser for FUZZ_SECONDS (default 600) with cargo-fuzz on the nightly toolchain; new crashers land in fuzz/artifacts
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  cargo +nightly fuzz run --sanitizer none "$$t" -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -max_len=65536 || exit 1; \
	done

# --- installation (idempotent) ---------------------------------------------------------------

tools: wasm-target cargo-leptos wasm-bindgen wasm-opt

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown

cargo-leptos:
	@if [ "$$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $(CARGO_LEPTOS_VERSION)" ]; then \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 15 minutes on 2 cores, once per machine)"; \
	  cargo install --locked cargo-leptos --version $(CARGO_LEPTOS_VERSION); \
	fi

wasm-bindgen:
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 6 minutes, once per machine)"; \
	  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
	    cargo install --force wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

wasm-opt:
	@if [ "$$(wasm-opt --version 2>/dev/null | awk '{ print $$3 }')" != "$(BINARYEN_VERSION)" ]; then \
	  echo "installing wasm-opt (binaryen $(BINARYEN_VERSION) from npm)"; \
	  mkdir -p "$(TOOLS_DIR)"; \
	  npm install --prefix "$(TOOLS_DIR)" --no-audit --no-fund --loglevel=error binaryen@$(BINARYEN_VERSION); \
	fi

wrk:
	@if ! command -v wrk > /dev/null; then \
	  echo "installing Debian wrk for the load test"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends wrk; \
	fi

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; \
	fi

e2e-deps: chromium
	@cd end2end && if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error; \
	fi

pg-status:
	@if timeout 3 bash -c '</dev/tcp/127.0.0.1/5432' 2>/dev/null; then \
	  echo "PostgreSQL answers on 127.0.0.1:5432: the store contract suite runs on SQLite and PostgreSQL"; \
	else \
	  echo "SKIPPED: postgres not reachable on 127.0.0.1:5432 — only the SQLite half of the contract suite will run"; \
	fi

clean-data: ## Delete the local SQLite registry in ./data
	rm -rf data
