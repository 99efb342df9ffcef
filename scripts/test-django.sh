#!/usr/bin/env bash
# herald.django's tests, on the example shop (examples/django-shop), with
# pytest-django against a real Herald: the debug build (`cargo leptos
# build --split --lib-features split`) on a fresh SQLite database. Its
# tools are installed by `scripts/ensure-tools.sh test`. Extra arguments go
# to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x target/debug/herald ]; then
  echo "target/debug/herald is missing: run \`cargo leptos build --split --lib-features split\` first" >&2
  exit 1
fi
cd examples/django-shop
# A hung test fails the run in five minutes; the suite takes seconds.
exec timeout 300 ../../.tools/venv/bin/pytest -q "$@"
