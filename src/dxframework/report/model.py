"""The document model shared by the Markdown, HTML and DOCX writers.

Section templates render a small Markdown subset; :func:`dxframework.report.markdown.parse`
turns it into these blocks, and each writer renders the blocks in its format. Text in the
model is plain (never markup): writers escape it for their format.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = [
    "Block",
    "BulletList",
    "Chart",
    "Document",
    "Figure",
    "Heading",
    "PageBreak",
    "Paragraph",
    "Run",
    "Table",
]


@attrs.frozen
class Run:
    """A piece of text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@attrs.frozen
class Heading:
    """A heading, level 1 (document section) to 6."""

    level: int
    text: str


@attrs.frozen
class Paragraph:
    """A paragraph of runs."""

    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        """The paragraph's plain text."""
        return "".join(r.text for r in self.runs)


@attrs.frozen
class BulletList:
    """A bulleted list; each item is a tuple of runs."""

    items: tuple[tuple[Run, ...], ...]


@attrs.frozen
class Table:
    """A table with a header row; ``align`` per column: ``"left"``, ``"right"``, ``"center"``."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...] = ()


@attrs.frozen
class Figure:
    """A chart (by id in :attr:`Document.charts`) with its caption."""

    chart: str
    caption: str = ""


@attrs.frozen
class PageBreak:
    """Start a new page (in DOCX and when printing HTML)."""


Block = Heading | Paragraph | BulletList | Table | Figure | PageBreak


@attrs.frozen
class Chart:
    """A chart in two renderings of the same figure: SVG (HTML) and PNG (DOCX, Markdown)."""

    id: str
    title: str
    svg: str
    png: bytes = attrs.field(repr=False)


def _charts(value: Mapping[str, Chart] | None) -> Mapping[str, Chart]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class Document:
    """A whole document: title, language, blocks and the charts its figures refer to."""

    title: str
    lang: str
    blocks: tuple[Block, ...]
    charts: Mapping[str, Chart] = attrs.field(factory=dict, converter=_charts)
    subtitle: str = ""
    meta: Mapping[str, Any] = attrs.field(factory=dict)

    def headings(self, level: int | None = None) -> list[str]:
        """Heading texts (of one level)."""
        return [
            b.text
            for b in self.blocks
            if isinstance(b, Heading) and (level is None or b.level == level)
        ]
