#!/usr/bin/env bash
# <herald-bell>'s TypeScript declarations (public/embed/herald-bell.d.ts),
# checked as a strict TypeScript page would use them: end2end/types holds
# typed usage with the mistakes the types must refuse (`@ts-expect-error`).
# tsc comes from end2end's pinned devDependencies (scripts/ensure-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
tsc=end2end/node_modules/.bin/tsc
if [ ! -x "$tsc" ]; then
  echo "check-types: $tsc is missing; run scripts/ensure-tools.sh test" >&2
  exit 1
fi
"$tsc" -p end2end/types/tsconfig.json
echo "check-types: herald-bell.d.ts OK"
