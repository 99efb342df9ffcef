#!/usr/bin/env bash
# Drops the databases earlier runs of the PostgreSQL test half left behind
# (each test creates its own, named herald_test_<pid>_<n>).
set -euo pipefail
server=${HERALD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}
if ! psql "$server/postgres" -Atqc 'SELECT 1' >/dev/null; then
  echo "error: the PostgreSQL half of the tests needs a server at $server (set HERALD_TEST_POSTGRES)" >&2
  exit 1
fi
psql "$server/postgres" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'herald\_test\_%'" |
  while read -r name; do
    psql "$server/postgres" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
  done
