#!/usr/bin/env bash
# The Python client's tests (clients/python/tests), sync and async, against
# real Herald processes: the debug build (`cargo leptos build --split
# --lib-features split`), each on a fresh SQLite database. Its tools are
# installed by `scripts/ensure-tools.sh test`. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x target/debug/herald ]; then
  echo "target/debug/herald is missing: run \`cargo leptos build --split --lib-features split\` first" >&2
  exit 1
fi
# A hung test fails the run in five minutes; the suite takes seconds.
exec timeout 300 .tools/venv/bin/pytest clients/python/tests -q "$@"
