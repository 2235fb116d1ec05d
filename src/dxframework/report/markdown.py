"""The Markdown subset of section templates: parsing into the document model, and escaping.

Supported, one construct per block (blocks are separated by blank lines):

- headings ``#`` to ``######``;
- paragraphs, with ``**bold**`` and ``*italic*``;
- bullet lists (``- item``);
- pipe tables with a separator row (``|---|---:|`` sets right alignment);
- a figure on a line of its own: ``![caption](chart:ID)``;
- a page break: a line ``\\pagebreak``.

Values from data are escaped automatically when templates render them (see
:func:`escape`), so a unit called ``<script>`` or ``A | B`` stays plain text.
"""

from __future__ import annotations

import re

from dxframework.report.model import (
    Block,
    BulletList,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Run,
    Table,
)

__all__ = ["MarkdownText", "escape", "parse", "parse_inline"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|&])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_FIGURE = re.compile(
    r"^!\[(?P<caption>(?:\\.|[^\]])*)\]\(chart:(?P<id>(?:\\.|[A-Za-z0-9_.\-])+)\)$"
)
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


class MarkdownText(str):
    """Text that is already Markdown: the template's auto-escaping leaves it alone."""

    __slots__ = ()


def escape(value: object) -> str:
    """Backslash-escape Markdown's special characters in a value from data."""
    if isinstance(value, MarkdownText):
        return str(value)
    text = "" if value is None else str(value)
    return _SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_inline(text: str) -> tuple[Run, ...]:
    """Split ``**bold**`` and ``*italic*`` spans into runs; backslash escapes become literal."""
    runs: list[Run] = []
    buf: list[str] = []
    bold = italic = False
    i = 0

    def flush() -> None:
        if buf:
            runs.append(Run("".join(buf), bold, italic))
            buf.clear()

    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i + 1])
            i += 2
            continue
        if text.startswith("**", i):
            flush()
            bold = not bold
            i += 2
            continue
        if ch == "*":
            flush()
            italic = not italic
            i += 1
            continue
        buf.append(ch)
        i += 1
    flush()
    return tuple(runs)


def _cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells, cur, i = [], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            cur.append(body[i : i + 2])
            i += 2
            continue
        if body[i] == "|":
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(body[i])
        i += 1
    cells.append("".join(cur))
    return [c.strip() for c in cells]


def _plain(cell: str) -> str:
    return "".join(r.text for r in parse_inline(cell))


def parse(text: str) -> list[Block]:
    """Parse the Markdown subset into blocks."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.rstrip() for ln in chunk.strip("\n").splitlines() if ln.strip()]
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            if line == "\\pagebreak":
                blocks.append(PageBreak())
                i += 1
                continue
            m = _HEADING.match(line)
            if m:
                blocks.append(Heading(len(m.group(1)), _plain(m.group(2))))
                i += 1
                continue
            m = _FIGURE.match(line)
            if m:
                blocks.append(Figure(_unescape(m.group("id")), _unescape(m.group("caption"))))
                i += 1
                continue
            if line.startswith("|") and i + 1 < len(lines) and _SEPARATOR.match(lines[i + 1]):
                header = [_plain(c) for c in _cells(line)]
                seps = _cells(lines[i + 1])
                align = tuple(
                    "right"
                    if s.endswith(":") and not s.startswith(":")
                    else "center"
                    if s.startswith(":") and s.endswith(":")
                    else "left"
                    for s in seps
                )
                rows = []
                i += 2
                while i < len(lines) and lines[i].strip().startswith("|"):
                    cells = [_plain(c) for c in _cells(lines[i])]
                    cells += [""] * (len(header) - len(cells))
                    rows.append(tuple(cells[: len(header)]))
                    i += 1
                blocks.append(Table(tuple(header), tuple(rows), align))
                continue
            if line.startswith(("- ", "* ")):
                items = []
                while i < len(lines) and lines[i].strip().startswith(("- ", "* ")):
                    items.append(parse_inline(lines[i].strip()[2:]))
                    i += 1
                blocks.append(BulletList(tuple(items)))
                continue
            para: list[str] = []
            while i < len(lines):
                nxt = lines[i].strip()
                if (
                    nxt == "\\pagebreak"
                    or _HEADING.match(nxt)
                    or _FIGURE.match(nxt)
                    or nxt.startswith(("- ", "* ", "|"))
                ) and para:
                    break
                para.append(nxt)
                i += 1
            blocks.append(Paragraph(parse_inline(" ".join(para))))
    return blocks
