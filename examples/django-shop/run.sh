#!/usr/bin/env bash
# Runs the example shop on http://127.0.0.1:8000 against the Herald that
# `make dev` runs on http://127.0.0.1:3000 (README.md says how to start it).
# Installs Django and the client (editable, with its [django] extra) into
# the repository's .tools/venv the first time; makes the demo users; takes
# HERALD_API_KEY from the environment, or mints one as Herald's admin
# (HERALD_SEED_PASSWORD) and keeps it in var/herald-key for the next run.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
venv=$root/.tools/venv
export HERALD_URL=${HERALD_URL:-http://127.0.0.1:3000}
port=${SHOP_PORT:-8000}
export SHOP_URL=http://127.0.0.1:$port
die() { echo "run.sh: $*" >&2; exit 1; }

if ! "$venv/bin/python" -c 'import django, herald.django' 2>/dev/null; then
  echo "==> installing Django and herald-client[django] into .tools/venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -e "$root/clients/python[django]"
fi
python=$venv/bin/python

curl -fs "$HERALD_URL/healthz" >/dev/null ||
  die "no Herald at $HERALD_URL: start it with HERALD_ALLOWED_ORIGINS=$SHOP_URL HERALD_SEED_PASSWORD=… make dev"

# A key Herald refuses (its database was reset, the key revoked) is replaced.
accepted() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" \
    "$HERALD_URL/api/v1/unread?external_id=django-shop")" != 401 ]
}
mkdir -p var
if [ -z "${HERALD_API_KEY:-}" ] && [ -s var/herald-key ] && accepted "$(cat var/herald-key)"; then
  HERALD_API_KEY=$(cat var/herald-key)
fi
if [ -z "${HERALD_API_KEY:-}" ]; then
  [ -n "${HERALD_SEED_PASSWORD:-}" ] || die "set HERALD_API_KEY (make one on Herald's Admin page) or HERALD_SEED_PASSWORD (Herald's admin password)"
  echo "==> minting an API key as Herald's admin"
  jar=$(mktemp)
  trap 'rm -f "$jar"' EXIT
  curl -fs -c "$jar" -H 'accept: application/json' --data-urlencode username=admin \
    --data-urlencode "password=$HERALD_SEED_PASSWORD" "$HERALD_URL/api/login" >/dev/null ||
    die "Herald refused admin's password: is HERALD_SEED_PASSWORD the one Herald was started with, on a new database?"
  HERALD_API_KEY=$(curl -fs -b "$jar" -H 'accept: application/json' --data 'name=Django shop' \
    "$HERALD_URL/api/admin/api-keys/create" | "$python" -c 'import json, sys; print(json.load(sys.stdin))')
  (umask 077; echo "$HERALD_API_KEY" >var/herald-key)
fi
export HERALD_API_KEY

"$python" manage.py migrate --verbosity 0
"$python" manage.py shop_demo
"$python" manage.py herald_check --origin "$SHOP_URL"
echo "==> the shop: $SHOP_URL (log in as carol); its admin: $SHOP_URL/admin/ (as sam)"
exec "$python" manage.py runserver "127.0.0.1:$port"
