#!/usr/bin/env bash
# What a browser downloads, from a `make release` build (target/site/pkg,
# precompressed by cargo-leptos): each file raw and as sent with brotli,
# then what every page needs first (the main module, the JS and the CSS)
# and what only the admin console adds (the WASM chunks split off it).
# With `--budget KB`, fails when every page's first load passes KB
# (`make test-bundle`: the figure may only go down).
set -euo pipefail
budget=
if [ "${1:-}" = --budget ]; then budget=$2; fi
cd "$(dirname "$0")/../target/site/pkg"
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
kib() { awk -v b="$1" 'BEGIN { printf "%.0f KB", b / 1000 }'; }
first=0 later=0
printf '| file | raw | brotli |\n|---|---|---|\n'
for f in *.wasm *.js *.css; do
  [ -e "$f" ] || continue
  br=$(size "$f.br")
  printf '| %s | %s | %s |\n' "$f" "$(kib "$(size "$f")")" "$(kib "$br")"
  case "$f" in
    split_*.wasm) later=$((later + br)) ;;
    *) first=$((first + br)) ;;
  esac
done
echo
echo "Every page first: $(kib $first) brotli; the admin console's chunks add $(kib $later)."
if [ -n "$budget" ]; then
  if [ "$first" -eq 0 ]; then
    echo "no precompressed files in target/site/pkg: build with --release --precompress" >&2
    exit 1
  fi
  if [ "$first" -gt $((budget * 1000)) ]; then
    echo "The first load is $(kib $first) brotli, over its budget of $budget KB." >&2
    exit 1
  fi
  echo "Within the budget of $budget KB."
fi
