#!/usr/bin/env bash
# What a browser downloads, from a `make release` build (target/site/pkg,
# precompressed by cargo-leptos): each file raw and as sent with brotli,
# then each page's first load. Every page fetches the main module, the JS
# and the CSS; a page with a lazy island (settings, account, login, the
# admin console) also fetches that island's chunks, as the split manifest
# lists them, before the island is interactive.
# With `--budget KB`, fails when an end user's page (any page but the admin
# console, which may stay a chunk of its own) passes KB on its first load;
# with `--every-page KB`, when what every page fetches passes KB
# (`make test-bundle`: the figures may only go down).
set -euo pipefail
budget= every=
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget=$2; shift 2 ;;
    --every-page) every=$2; shift 2 ;;
    *) echo "usage: $0 [--budget KB] [--every-page KB]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/../target/site/pkg"
exec python3 - "$budget" "$every" <<'PY'
import glob, json, os, sys

budget = int(sys.argv[1]) if sys.argv[1] else None
every = int(sys.argv[2]) if sys.argv[2] else None
size = lambda f: os.path.getsize(f) if os.path.exists(f) else 0
kb = lambda b: f"{b / 1000:.0f} KB"

print("| file | raw | brotli |\n|---|---|---|")
files = sorted(f for ext in ("wasm", "js", "css") for f in glob.glob(f"*.{ext}"))
for f in files:
    print(f"| {f} | {kb(size(f))} | {kb(size(f + '.br'))} |")

# Every page: what is not a chunk (split_*, chunk_*) nor the manifest.
common = sum(size(f + ".br") for f in files
             if not f.startswith(("split_", "chunk_")))
manifests = glob.glob("__wasm_split_manifest.*.json")
islands = {}
if manifests:
    manifest = json.load(open(manifests[0]))
    for loader, chunks in manifest.items():
        name = loader.rsplit("_loader_", 1)[0]
        islands[name] = size(manifests[0] + ".br") + sum(
            size(c + ".wasm.br") for c in chunks)

print()
print(f"Every page first: {kb(common)} brotli.")
for name, extra in sorted(islands.items()):
    print(f"With the lazy island {name}: {kb(common + extra)} (its chunks {kb(extra)}).")
end_user = [common] + [common + e for n, e in islands.items() if n != "admin_console"]
heaviest = max(end_user)
print(f"An end user's heaviest page first: {kb(heaviest)} brotli.")
if budget is not None or every is not None:
    if not any(os.path.exists(f + ".br") for f in files):
        sys.exit("no precompressed files in target/site/pkg: build with --release --precompress")
    if budget is not None and heaviest > budget * 1000:
        sys.exit(f"An end user's page first loads {kb(heaviest)} brotli, over its budget of {budget} KB.")
    if every is not None and common > every * 1000:
        sys.exit(f"Every page first loads {kb(common)} brotli, over its budget of {every} KB.")
    print(f"Within the budgets ({budget} KB for any end user's page, {every} KB for every page).")
PY
