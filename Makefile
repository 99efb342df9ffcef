# Herald's two front doors: `make dev` runs it, `make test` tests all of it.
# Each first installs whatever is missing (scripts/ensure-tools.sh).

SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)
RUST_PACKAGES := -p herald -p app -p server -p load

.PHONY: dev test test-rust test-e2e test-load test-bundle lint release tools bench

## Run Herald on SQLite with live reload (http://127.0.0.1:3000).
dev:
	scripts/ensure-tools.sh dev
	cargo leptos watch

## Every test: formatting, lints, Rust unit and integration tests, then the
## browser tests against a fresh build.
test:
	scripts/ensure-tools.sh test
	$(MAKE) lint test-rust test-e2e test-load test-bundle

# Module circles, 600-line files, dead documentation links, undocumented
# settings and <herald-bell>'s TypeScript declarations fail in seconds,
# before anything compiles (scripts/check-*).
lint:
	scripts/check-cycles.py
	scripts/check-file-sizes.py
	scripts/check-docs.py
	scripts/check-types.sh
	cargo fmt --all -- --check
	cargo clippy $(RUST_PACKAGES) --all-targets -- -D warnings
	cargo clippy -p app --features hydrate,split --target wasm32-unknown-unknown -- -D warnings

# A hung test fails the run in 20 minutes instead of holding CI for 90.
# The integration suite runs twice: on SQLite, then on the local PostgreSQL
# (HERALD_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432), each
# test in a database of its own; an unreachable server fails the second run.
# The second also runs the unit tests that open a database of their own
# (`store::batch::tests`). Both runs name the same packages, so the second reuses the first's build
# (naming only `server` would unify features differently and rebuild it).
test-rust:
	timeout 1200 cargo test $(RUST_PACKAGES)
	scripts/drop-test-databases.sh
	HERALD_TEST_DATABASE=postgres timeout 1200 cargo test $(RUST_PACKAGES) --lib --test integration

# Built as `make release` builds it, the admin console a chunk of its own.
# The Python client's and the Django app's suites run against this build.
test-e2e:
	cargo leptos build --split --lib-features split
	scripts/api-fuzz.sh
	scripts/test-python.sh
	scripts/test-django.sh
	cd end2end && npx playwright test

# The load tool's smoke run (500 connections, 2,000 notifications) on
# both engines — on SQLite with the sockets held by two child processes,
# as runs past 19,900 sockets need — and a reconnect storm of 500 (every
# socket resumes and gets what it missed): exactly-once delivery, never
# timing; and the Node baseline's smoke run, so `make bench` can trust it.
# Needs the debug build that test-e2e makes.
test-load:
	cargo build -p load
	target/debug/load --scenario smoke --processes 2 --binary target/debug/herald --out target/load-smoke
	target/debug/load --scenario reconnect-storm --connections 500 --binary target/debug/herald --out target/load-smoke
	target/debug/load --scenario smoke --binary load/baseline/server.js --out target/load-smoke
	target/debug/load --scenario smoke --binary target/debug/herald --out target/load-smoke \
	  --postgres $${HERALD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}

# What an end user's page downloads before it is interactive, as `make
# release` builds it (the frontend only, so a few minutes): fails if the
# heaviest end-user page (settings, with its lazy chunk) or what every page
# fetches grows past its budget. Last, because it replaces the debug
# build's target/site the browser tests use. The goal is 150 KB
# (docs/performance.md says what is left).
BUNDLE_BUDGET_KB := 233
EVERY_PAGE_BUDGET_KB := 192
test-bundle:
	scripts/ensure-tools.sh release
	cargo leptos build --release --precompress --split --lib-features split --frontend-only
	scripts/bundle-size.sh --budget $(BUNDLE_BUDGET_KB) --every-page $(EVERY_PAGE_BUDGET_KB)

## Herald's figures on this machine: a release build under the load tool's
## scenarios (JSON in target/load, a Markdown table on the console).
bench:
	cargo build --release -p server -p load
	target/release/load --scenario idle --connections 19000
	scripts/ensure-tools.sh bench
	target/release/load --scenario steady --binary load/baseline/server.js
	target/release/load --scenario steady
	target/release/load --scenario burst --binary load/baseline/server.js
	target/release/load --scenario burst
	target/release/load --scenario broadcast --connections 10000 --binary load/baseline/server.js
	target/release/load --scenario broadcast --connections 10000
	target/release/load --scenario reconnect-storm --connections 10000
	target/release/load --scenario burst --postgres postgres://postgres@127.0.0.1:5432 --instances 2
	target/release/load --scenario steady --postgres $${HERALD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}
	$(MAKE) release
	scripts/bundle-size.sh

## An optimised build in target/release and target/site (needs wasm-opt).
release:
	scripts/ensure-tools.sh release
	cargo leptos build --release --precompress --split --lib-features split
