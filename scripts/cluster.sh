#!/usr/bin/env bash
# Two Herald instances on one PostgreSQL database behind nginx, as the
# docs/operations.md's "Running several instances" describes, on this machine:
# instances on 127.0.0.1:3501 and :3502, nginx on http://127.0.0.1:3500
# with deploy/nginx/herald.conf. Runs until interrupted.
#
#   HERALD_DATABASE_URL=postgres://postgres@127.0.0.1:5432/herald scripts/cluster.sh
#
# HERALD_BIN picks the binary (default target/debug/herald, as built by
# `cargo leptos build`; target/release/herald after `make release`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

: "${HERALD_DATABASE_URL:?set HERALD_DATABASE_URL to a postgres:// URL}"
bin=${HERALD_BIN:-target/debug/herald}
site=${LEPTOS_SITE_ROOT:-target/site}
work=$(mktemp -d)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT INT TERM

export HERALD_TOKEN_SECRET=${HERALD_TOKEN_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export HERALD_PUBLIC_URL=${HERALD_PUBLIC_URL:-http://127.0.0.1:3500}
export HERALD_TRUST_PROXY=true
export LEPTOS_SITE_ROOT=$site RUST_LOG=${RUST_LOG:-warn}

# The first instance migrates (and seeds a new development database);
# the second starts once it answers.
for port in 3501 3502; do
  HERALD_INSTANCE_ID="instance-$port" LEPTOS_SITE_ADDR="127.0.0.1:$port" "$bin" &
  pids+=($!)
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "instance on $port exited" >&2; exit 1; }
    sleep 0.1
  done
done

mkdir -p "$work/tmp"
# As root, workers would run as nobody, who cannot write the temp paths here.
user=$([ "$(id -u)" = 0 ] && echo "user root;" || true)
cat >"$work/nginx.conf" <<CONF
$user
worker_processes 1;
pid $work/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    include $root/deploy/nginx/herald.conf;
}
CONF
nginx=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx" -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
echo "Herald: two instances behind nginx at http://127.0.0.1:3500"
wait -n "${pids[@]}"
