#!/usr/bin/env python3
"""Fails when a source file grows past 600 lines (its tests aside).

A file that long holds several concerns; split it by what it does before
it becomes the next 1,000-line module. Counts each .rs file of the crates'
sources up to its `#[cfg(test)]` module.
"""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATES = ["src", "app/src", "server/src", "load/src", "frontend/src"]
LIMIT = 600

too_long = []
for crate in CRATES:
    for path in sorted((ROOT / crate).rglob("*.rs")):
        lines = path.read_text().split("\n")
        end = next((i for i, l in enumerate(lines) if l.strip() == "#[cfg(test)]"), len(lines))
        if end > LIMIT:
            too_long.append(f"{path.relative_to(ROOT)}: {end} lines before its tests (at most {LIMIT})")
print("\n".join(too_long) or f"every source file is at most {LIMIT} lines, tests aside")
sys.exit(1 if too_long else 0)
