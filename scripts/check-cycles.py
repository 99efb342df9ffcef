#!/usr/bin/env python3
"""Fails when modules of one crate import each other in a circle.

A circle means neither module can be read, tested or moved without the
other; the layers stop being layers. Each source file is a module; an edge
is any path it names into another module of its crate (`crate::a::b`,
`super::x`, or a child named from its parent). Not edges: `mod` lines,
`pub use` re-exports in a parent (a facade, not a dependency), and
`#[cfg(test)]` modules. Prints each circle, exits 1 if there is one.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATES = ["src", "app/src", "server/src", "load/src", "frontend/src"]


def modules(src):
    """Module path (tuple) -> file, for every .rs file below `src`."""
    found = {}
    for path in src.rglob("*.rs"):
        parts = path.relative_to(src).with_suffix("").parts
        if parts[-1] in ("mod", "lib", "main"):
            parts = parts[:-1]
        if path.name == "main.rs" and (src / "lib.rs").exists():
            parts = ("<main>",)
        found[parts] = path
    return found


def without_tests(text):
    """The file's text without its `#[cfg(test)]` items (to their closing brace)."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        if lines[i].strip() == "#[cfg(test)]":
            depth, started = 0, False
            i += 1
            while i < len(lines):
                depth += lines[i].count("{") - lines[i].count("}")
                started = started or "{" in lines[i]
                i += 1
                if started and depth <= 0 or (not started and lines[i - 1].rstrip().endswith(";")):
                    break
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def resolve(path, mods):
    """The longest module prefix of `path`, or None."""
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in mods:
            return tuple(path[:n])
    return None


def edges(me, text, mods):
    found = set()
    children = {m[-1] for m in mods if len(m) == len(me) + 1 and m[: len(me)] == me}
    for line in text.split("\n"):
        code = line.split("//")[0]
        if re.match(r"\s*(pub(\([^)]*\))?\s+)?mod\s", code):
            continue
        reexport = re.match(r"\s*pub(\([^)]*\))?\s+use\s", code)
        for match in re.finditer(r"(?<![\w:])(crate|super|self)((?:::\w+)+)", code):
            head, rest = match.group(1), match.group(2).split("::")[1:]
            base = () if head == "crate" else me if head == "self" else me[:-1]
            target = resolve(base + tuple(rest), mods)
            # A parent re-exporting its own child is a facade.
            if reexport and target and target[: len(me)] == me:
                continue
            if target is not None and target != me:
                found.add(target)
        if reexport:
            continue
        for match in re.finditer(r"(?<![\w:])(\w+)::", code):
            if match.group(1) in children:
                found.add(me + (match.group(1),))
    return found


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main(roots):
    failed = False
    for crate in roots:
        src = ROOT / crate
        if not src.is_dir():
            continue
        mods = modules(src)
        graph = {
            me: edges(me, without_tests(path.read_text()), mods) for me, path in mods.items()
        }
        for component in cycles(graph):
            failed = True
            names = ["::".join(m) or "(crate root)" for m in component]
            inside = [
                f"{'::'.join(a) or 'crate'} -> {'::'.join(b) or 'crate'}"
                for a in component
                for b in sorted(graph[a])
                if b in component
            ]
            print(f"{crate}: import circle among {', '.join(names)}: {'; '.join(inside)}")
    if not failed:
        print(f"no import circles in {', '.join(roots)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or CRATES))
