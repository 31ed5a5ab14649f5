"""The documentation stands alone: README.md and docs/*.md point only at what the repository holds.

A reader of the repository has no `../shared/` folder (the product's spec and the bureau's report
it was built from), so the docs say what is needed in their own words; and every relative link,
with its `#anchor`, names a file (and a heading) that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

OUTSIDE = re.compile(r"\.\./shared|shared/(spec|seed)")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MENTIONED_MD = re.compile(r"(?<![\w./-])((?:[\w-]+/)*[\w-]+\.md)\b")


def _id(path: Path, root: Path = ROOT) -> str:
    return str(path.relative_to(root))


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    lines: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's rule) gives a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        heading = HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[tuple[int, str]]:
    """Every link target of the file's prose (inline code and code blocks are examples)."""
    found: list[tuple[int, str]] = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        for match in LINK.finditer(INLINE_CODE.sub("", line)):
            found.append((number, match.group(1)))
    return found


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line: target (why)` for each relative link that does not resolve within `root`."""
    broken: list[str] = []
    for number, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # http:, https:, mailto: ... are not the repository's
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        where = f"{_id(path, root)}:{number}: {target}"
        if not linked.exists():
            broken.append(f"{where} (no such file)")
        elif root not in linked.parents:
            broken.append(f"{where} (outside the repository)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{where} (no heading with that anchor)")
    return broken


@pytest.mark.parametrize("doc", DOCS, ids=_id)
def test_no_doc_points_at_the_shared_folder(doc: Path) -> None:
    hits = [
        f"{_id(doc)}:{number}: {line.strip()}"
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert hits == [], "the docs must stand alone; write it here instead:\n" + "\n".join(hits)


@pytest.mark.parametrize("doc", DOCS, ids=_id)
def test_every_relative_link_resolves(doc: Path) -> None:
    broken = broken_links(doc)
    assert broken == [], "broken links:\n" + "\n".join(broken)


@pytest.mark.parametrize("doc", DOCS, ids=_id)
def test_every_document_named_exists(doc: Path) -> None:
    """A `.md` named in the prose (`domain.md`, `docs/api.md`) is one of the repository's:
    beside the naming file, at the root or in docs/. Code blocks are left alone: they quote what
    programs printed on the day."""
    missing = []
    for number, line in prose_lines(doc.read_text(encoding="utf-8")):
        for match in MENTIONED_MD.finditer(line):
            name = match.group(1)
            places = (doc.parent / name, ROOT / name, ROOT / "docs" / name)
            if not any(place.is_file() for place in places):
                missing.append(f"{_id(doc)}:{number}: {name}")
    assert missing == [], "documents named that the repository does not hold:\n" + "\n".join(
        missing
    )


def test_the_checks_see_a_broken_link(tmp_path: Path) -> None:
    """The link check itself: a missing file, a missing heading, and a good link."""
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## The bars (二)\n", encoding="utf-8")
    page.write_text(
        "# Page\n\n[gone](gone.md) [bad](other.md#nowhere) [good](other.md#the-bars-二)\n"
        "`[in code](gone.md)`\n```\n[in a block](gone.md)\n```\n[here](#page)\n",
        encoding="utf-8",
    )
    assert broken_links(page, tmp_path) == [
        "page.md:3: gone.md (no such file)",
        "page.md:3: other.md#nowhere (no heading with that anchor)",
    ]
