#!/usr/bin/env bash
# Installs what Herald's build and tests need, skipping whatever is already
# there, so repeat runs take seconds. Usage: ensure-tools.sh dev|test|release|bench
set -euo pipefail
cd "$(dirname "$0")/.."

want=${1:-dev}
CARGO_LEPTOS_VERSION=0.3.7
BINARYEN_VERSION=132
SCHEMATHESIS_VERSION=4.32.5
PYTEST_VERSION=9.2.0
ANYIO_VERSION=4.16.0
HTTPX_VERSION=0.28.1
# 5.2 LTS: the newest Django for the Python 3.11 here (6.x needs 3.12).
DJANGO_VERSION=5.2.20
PYTEST_DJANGO_VERSION=4.14.0
step() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# The wasm target and cargo-leptos (0.3.7 is the newest that builds on Rust 1.95).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  # A debug build: it installs in half the time (6 instead of 13 minutes
  # on two cores), which is most of a fresh CI run's set-up, and costs a
  # few seconds per build (a no-op `cargo leptos build`: 8.5 s vs 3.9 s).
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 6 minutes, once)"
  cargo install cargo-leptos --locked --debug --version "$CARGO_LEPTOS_VERSION"
fi

# cargo-leptos cannot download its helpers here, so wasm-bindgen must already
# be on PATH, at exactly the version Cargo.lock pins for the wasm-bindgen crate.
wbg=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
  step "installing wasm-bindgen-cli $wbg"
  # Not --locked: the registry here lacks one of its locked dependencies.
  cargo install wasm-bindgen-cli --version "$wbg"
fi

if [ "$want" = release ]; then
  # wasm-opt (release builds) comes from npm's binaryen package.
  if ! command -v wasm-opt >/dev/null && [ ! -x .tools/node_modules/.bin/wasm-opt ]; then
    step "installing wasm-opt (binaryen $BINARYEN_VERSION) into .tools/"
    command -v npm >/dev/null || apt_install nodejs npm
    npm install --silent --no-audit --no-fund --prefix .tools "binaryen@$BINARYEN_VERSION"
  fi
fi

# The load tool's baseline, the Node `ws` recipe (`make bench`; its smoke
# run is part of `make test`).
if [ "$want" = test ] || [ "$want" = bench ]; then
  command -v npm >/dev/null || { step "installing Node.js"; apt_install nodejs npm; }
  if [ ! -d load/baseline/node_modules/ws ] || [ load/baseline/package-lock.json -nt load/baseline/node_modules/.package-lock.json ]; then
    step "installing the load tool's Node baseline (ws)"
    (cd load/baseline && npm ci --silent --no-audit --no-fund)
  fi
fi

if [ "$want" = test ]; then
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    step "installing nginx (the browser test of several instances runs behind it)"
    apt_install nginx-light || apt_install nginx
  fi
  if ! command -v psql >/dev/null; then
    step "installing the PostgreSQL client (the tests' PostgreSQL half)"
    apt_install postgresql-client
  fi
  if [ ! -x /usr/bin/chromium ]; then
    step "installing Debian's chromium for the browser tests"
    apt_install chromium
  fi
  if [ ! -x .tools/venv/bin/schemathesis ]; then
    step "installing schemathesis $SCHEMATHESIS_VERSION (property-based API tests) into .tools/venv"
    python3 -m venv .tools/venv
    .tools/venv/bin/pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # The Python client's tests (scripts/test-python.sh): pytest with anyio's
  # plugin for the async half, and the client itself, editable, from this tree.
  if ! .tools/venv/bin/python -c "
from importlib.metadata import version
import herald
assert [version(p) for p in ('pytest', 'anyio', 'httpx')] == ['$PYTEST_VERSION', '$ANYIO_VERSION', '$HTTPX_VERSION']
assert herald.__file__.startswith('$PWD/clients/python/')" 2>/dev/null; then
    step "installing the Python client (editable) and its test tools into .tools/venv"
    .tools/venv/bin/pip install --quiet "pytest==$PYTEST_VERSION" "anyio==$ANYIO_VERSION" \
      "httpx==$HTTPX_VERSION" -e clients/python
  fi
  # herald.django's tests on the example shop (scripts/test-django.sh).
  if ! .tools/venv/bin/python -c "
from importlib.metadata import version
assert [version(p) for p in ('django', 'pytest-django')] == ['$DJANGO_VERSION', '$PYTEST_DJANGO_VERSION']" 2>/dev/null; then
    step "installing Django $DJANGO_VERSION and pytest-django into .tools/venv"
    .tools/venv/bin/pip install --quiet "Django==$DJANGO_VERSION" "pytest-django==$PYTEST_DJANGO_VERSION"
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    step "installing the Playwright test runner (it brings no browser of its own)"
    (cd end2end && npm ci --silent --no-audit --no-fund)
  fi
fi
