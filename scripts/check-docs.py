#!/usr/bin/env python3
"""Checks that Herald's documentation still matches the repository.

Why: the README links into docs/ and docs/ link into each other and back,
so moving a section or renaming a heading silently breaks links; and a
setting added to server/src/config.rs is easily forgotten in .env.example
and docs/operations.md, where operators look for it. This script fails
(exit 1) on either, naming each problem on one line:

  (a) every relative Markdown link ([text](path), [text](path#anchor),
      [text](#anchor), images too) in README.md and docs/**/*.md resolves:
      the file exists relative to the linking file, and an anchor into a
      Markdown file names one of its headings (GitHub's slugs). Links in
      fenced code blocks and inline code are ignored, as are http(s): and
      mailto: links.
  (b) every HERALD_* setting the server reads (a string literal
      "HERALD_..." in server/src/**/*.rs; HERALD_TEST_* are the tests' own)
      is documented in .env.example (as a NAME= line, commented out or not)
      and in docs/operations.md.

Run it from anywhere: it works on the repository it lives in.
Standard library only.
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
INLINE_CODE = re.compile(r"(`+)((?:(?!\n[ \t]*\n).)+?)\1", re.DOTALL)
# [text](target) or ![alt](target), the target optionally <...> and
# optionally followed by a "title". Text may hold one level of brackets.
LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
SETTING = re.compile(r'"(HERALD_[A-Z0-9_]+)"')


def markdown_files():
    files = [ROOT / "README.md"]
    files += sorted((ROOT / "docs").rglob("*.md"))
    return [f for f in files if f.is_file()]


def prose_lines(text):
    """(line number, line) outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                continue
            yield number, line
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
            fence = None


def prose(text):
    """The text with fenced code blocks and inline code blanked out, line
    numbers kept. A code span may wrap onto the next line, never across a
    blank line."""
    lines = [""] * len(text.splitlines())
    for number, line in prose_lines(text):
        lines[number - 1] = line
    joined = "\n".join(lines)
    return INLINE_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), joined)


def slug(heading):
    """GitHub's anchor for a heading's text."""
    text = INLINE_CODE.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML tags
    text = text.strip().lower()
    # Keep letters, digits, _, - and spaces; drop other punctuation.
    text = "".join(c for c in text if c.isalnum() or c in "_- ")
    return text.replace(" ", "-")


_anchors = {}


def anchors(path):
    """Every heading anchor of a Markdown file, duplicates numbered as GitHub does."""
    if path not in _anchors:
        seen = {}
        found = set()
        for _, line in prose_lines(path.read_text(encoding="utf-8")):
            match = HEADING.match(line)
            if not match:
                continue
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        _anchors[path] = found
    return _anchors[path]


def link_targets(path):
    text = prose(path.read_text(encoding="utf-8"))
    for match in LINK.finditer(text):
        yield text.count("\n", 0, match.start()) + 1, match.group(1)
    for number, line in enumerate(text.split("\n"), 1):
        match = REFERENCE.match(line)
        if match:
            yield number, match.group(1)


def check_links(problems):
    checked = 0
    for path in markdown_files():
        where = path.relative_to(ROOT)
        for number, target in link_targets(path):
            target = target.strip("<>")
            if not target or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue  # http:, https:, mailto: and other schemes
            checked += 1
            file_part, _, anchor = target.partition("#")
            file_part = file_part.split("?", 1)[0]
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                problems.append(f"{where}:{number}: broken link {target} (no {file_part})")
                continue
            if anchor and linked.suffix == ".md" and linked.is_file():
                if anchor.lower() not in anchors(linked):
                    name = linked.relative_to(ROOT) if ROOT in linked.parents else linked
                    problems.append(
                        f"{where}:{number}: broken anchor {target} (no heading #{anchor} in {name})"
                    )
    return checked


def settings_read():
    names = set()
    for source in sorted((ROOT / "server" / "src").rglob("*.rs")):
        names.update(SETTING.findall(source.read_text(encoding="utf-8")))
    return sorted(n for n in names if not n.startswith("HERALD_TEST"))


def check_settings(problems):
    names = settings_read()
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    operations_path = ROOT / "docs" / "operations.md"
    operations = operations_path.read_text(encoding="utf-8") if operations_path.is_file() else ""
    if not operations:
        problems.append("docs/operations.md: missing")
    for name in names:
        if not re.search(rf"^[ \t]*#?[ \t]*{name}=", env_example, re.MULTILINE):
            problems.append(f".env.example: {name} is read by server/src but not documented")
        if operations and not re.search(rf"(?<![A-Z0-9_]){name}(?![A-Z0-9_])", operations):
            problems.append(f"docs/operations.md: {name} is read by server/src but not documented")
    return len(names)


def main():
    os.chdir(ROOT)
    problems = []
    links = check_links(problems)
    settings = check_settings(problems)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check-docs: {len(problems)} problem(s)")
        return 1
    print(
        f"check-docs: OK: {links} relative links in {len(markdown_files())} Markdown files resolve; "
        f"{settings} HERALD_* settings documented in .env.example and docs/operations.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
