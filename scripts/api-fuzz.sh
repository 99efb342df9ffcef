#!/usr/bin/env bash
# Property-based test of the integration API against its own OpenAPI
# document: schemathesis generates requests (valid and invalid) and fails on
# any 5xx or any response the document does not describe: the key's
# operations with an API key, `/api/v1/me` with a connection token. Runs the debug
# build (`cargo leptos build` first) on a fresh database.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${HERALD_FUZZ_PORT:-3400}
base="http://127.0.0.1:$port"
dir=$(mktemp -d)
HERALD_DATABASE_URL="sqlite://$dir/herald.db" HERALD_SEED_PASSWORD=fuzz-password \
  HERALD_API_RATE=100000 HERALD_API_BURST=100000 RUST_LOG=warn \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
  target/debug/herald >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT

for _ in $(seq 300); do
  curl -fs "$base/healthz" >/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 0.1
done

# An API key, made the way an admin makes one: through the admin page's
# server function.
jar="$dir/cookies"
curl -fs -c "$jar" -H 'accept: application/json' \
  --data 'username=admin&password=fuzz-password' "$base/api/login" >/dev/null
key=$(curl -fs -b "$jar" -H 'accept: application/json' --data 'name=fuzz' \
  "$base/api/admin/api-keys/create" | python3 -c 'import json, sys; print(json.load(sys.stdin))')

# A connection token for one user, minted with that key, for `/api/v1/me`.
token=$(curl -fs -H "Authorization: Bearer $key" -H 'content-type: application/json' \
  --data '{"external_id": "fuzz-user", "ttl_seconds": 3600}' \
  "$base/api/v1/connection-tokens" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

# The key's operations, then the token's.
fuzz() {
  .tools/venv/bin/schemathesis run "$base/api/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --max-examples "${HERALD_FUZZ_EXAMPLES:-200}" \
    --seed 1 \
    --no-color "$@"
}
status=0
fuzz --header "Authorization: Bearer $key" --exclude-path-regex '^/api/v1/me' || status=$?
[ $status -ne 0 ] || fuzz --header "Authorization: Bearer $token" --include-path-regex '^/api/v1/me' || status=$?
if [ $status -ne 0 ]; then
  echo "server log:"; tail -n 30 "$dir/server.log"; exit $status
fi
if grep -q "panicked" "$dir/server.log"; then
  echo "the server panicked:"; grep -A5 panicked "$dir/server.log"; exit 1
fi
