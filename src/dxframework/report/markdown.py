"""The Markdown of section templates and texts: parsing into the document model, and escaping.

Parsed with markdown-it-py (CommonMark, with GitHub's pipe tables; raw HTML is text):

- headings ``#`` to ``######``; paragraphs with ``**bold**``, ``*italic*`` and links
  ``[text](https://…)`` (``http``, ``https`` and ``mailto`` addresses only; others stay text);
- bullet lists (``-``) and numbered lists (``1.``), nested by indentation;
- pipe tables with a separator row (``|---|---:|`` sets right alignment);
- a figure: an image on its own line, ``![caption](chart:ID)``;
- on lines of their own: ``\\pagebreak`` (a page break), ``\\landscape`` and ``\\portrait``
  (the orientation of the pages from there), ``\\signature`` (where the recipients and the
  signature block go).

Values from data are escaped automatically when templates render them (see
:func:`escape`), so a unit called ``<script>`` or ``A | B`` stays plain text.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt

from dxframework.report.model import (
    Block,
    BulletList,
    Figure,
    Heading,
    Orientation,
    PageBreak,
    Paragraph,
    Run,
    Signature,
    Table,
)

__all__ = ["MarkdownText", "escape", "parse", "parse_inline"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|&])")
_DIRECTIVE = re.compile(r"^[ \t]*\\(pagebreak|landscape|portrait|signature)[ \t]*$", re.MULTILINE)
_FIGURE = re.compile(r"^chart:([A-Za-z0-9_.\-]+)$")
_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
# an ordered list item starting a line: escaped so that "2024. Năm" in data stays text
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


class MarkdownText(str):
    """Text that is already Markdown: the template's auto-escaping leaves it alone."""

    __slots__ = ()


def escape(value: object) -> str:
    """Backslash-escape Markdown's special characters in a value from data.

    A value that would start a list or a heading (``- x``, ``+ x``, ``1. x``) has its
    marker escaped too, so data is always plain text.
    """
    if isinstance(value, MarkdownText):
        return str(value)
    text = "" if value is None else str(value)
    text = _SPECIAL.sub(r"\\\1", text).replace("\n", " ")
    text = re.sub(r"^([-+])(?=\s)", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])(?=\s)", r"\1\\\2", text)


def _runs(tokens: list[Any] | None) -> tuple[Run, ...]:
    """Runs of an inline token's children: bold, italic, links; breaks become spaces."""
    runs: list[Run] = []
    bold = italic = 0
    link = ""
    for tok in tokens or []:
        kind = tok.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = str(tok.attrs.get("href", ""))
            link = href if _SAFE_LINK.match(href) else ""
        elif kind == "link_close":
            link = ""
        elif kind in ("text", "code_inline", "html_inline"):
            if tok.content:
                runs.append(Run(tok.content, bold > 0, italic > 0, link))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold > 0, italic > 0, link))
        elif kind == "image":
            runs.append(Run(tok.content, bold > 0, italic > 0, link))
    merged: list[Run] = []
    for r in runs:  # join neighbours with the same emphasis
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].link) == (
            r.bold,
            r.italic,
            r.link,
        ):
            merged[-1] = Run(merged[-1].text + r.text, r.bold, r.italic, r.link)
        else:
            merged.append(r)
    return tuple(merged)


def parse_inline(text: str) -> tuple[Run, ...]:
    """The runs of one line of inline Markdown (``**bold**``, ``*italic*``, links)."""
    tokens = _MD.parseInline(text)
    return _runs(tokens[0].children if tokens else [])


def _plain(tokens: list[Any] | None) -> str:
    return "".join(r.text for r in _runs(tokens))


def _figure(inline: Any) -> Figure | None:
    children = [c for c in (inline.children or []) if not (c.type == "text" and not c.content)]
    if len(children) == 1 and children[0].type == "image":
        m = _FIGURE.match(str(children[0].attrs.get("src", "")))
        if m:
            return Figure(m.group(1), children[0].content)
    return None


def _align(tok: Any) -> str:
    style = str(tok.attrs.get("style", ""))
    return {"text-align:right": "right", "text-align:center": "center"}.get(style, "left")


def _blocks(tokens: list[Any]) -> list[Block]:
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            blocks.append(Heading(int(tok.tag[1]), _plain(tokens[i + 1].children)))
            i += 3
        elif tok.type == "paragraph_open":
            inline = tokens[i + 1]
            figure = _figure(inline)
            blocks.append(figure if figure is not None else Paragraph(_runs(inline.children)))
            i += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            i = _list(tokens, i, blocks)
        elif tok.type == "table_open":
            i = _table(tokens, i, blocks)
        elif tok.type in ("fence", "code_block"):
            blocks.append(Paragraph((Run(tok.content.rstrip("\n")),)))
            i += 1
        else:  # hr, blockquote markers and the like: their content comes through
            i += 1
    return blocks


def _list(tokens: list[Any], i: int, out: list[Block]) -> int:
    """Flatten a (nested) list starting at ``tokens[i]`` into one :class:`BulletList`."""
    items: list[tuple[Run, ...]] = []
    levels: list[int] = []
    numbered: list[bool] = []
    numbers: list[int] = []
    stack: list[list[Any]] = []  # [ordered, next number]
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrs.get("start", 1) or 1)
            stack.append([tok.type == "ordered_list_open", start])
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            stack.pop()
            if not stack:
                i += 1
                break
        elif tok.type == "list_item_open":
            items.append(())
            levels.append(len(stack) - 1)
            numbered.append(bool(stack[-1][0]))
            numbers.append(int(stack[-1][1]))
            if stack[-1][0]:
                stack[-1][1] += 1
        elif tok.type == "inline" and items:
            runs = _runs(tok.children)
            items[-1] = items[-1] + ((Run(" "),) if items[-1] else ()) + runs
        i += 1
    out.append(BulletList(tuple(items), tuple(levels), tuple(numbered), tuple(numbers)))
    return i


def _table(tokens: list[Any], i: int, out: list[Block]) -> int:
    header: list[str] = []
    align: list[str] = []
    rows: list[tuple[str, ...]] = []
    row: list[str] = []
    in_head = False
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "table_close":
            i += 1
            break
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            if in_head:
                header = row
            else:
                rows.append(tuple(row + [""] * (len(header) - len(row)))[: len(header)])
        elif tok.type in ("th_open", "td_open"):
            if in_head:
                align.append(_align(tok))
            row.append(_plain(tokens[i + 1].children))
        i += 1
    out.append(Table(tuple(header), tuple(rows), tuple(align)))
    return i


def parse(text: str) -> list[Block]:
    """Parse the Markdown of a section into blocks."""
    blocks: list[Block] = []
    pos = 0
    for m in _DIRECTIVE.finditer(text):
        blocks.extend(_blocks(_MD.parse(text[pos : m.start()])))
        name = m.group(1)
        if name == "pagebreak":
            blocks.append(PageBreak())
        elif name == "signature":
            blocks.append(Signature())
        else:
            blocks.append(Orientation(name == "landscape"))
        pos = m.end()
    blocks.extend(_blocks(_MD.parse(text[pos:])))
    return blocks
