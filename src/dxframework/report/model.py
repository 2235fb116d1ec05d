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
    "Admin",
    "Block",
    "BulletList",
    "Chart",
    "Document",
    "Figure",
    "Heading",
    "Orientation",
    "PageBreak",
    "Paragraph",
    "Run",
    "Signature",
    "Table",
]


@attrs.frozen
class Run:
    """A piece of text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str = ""
    """The address the text links to (``http``, ``https`` or ``mailto`` only), or empty."""


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
    """A list; each item is a tuple of runs.

    Nested lists are flattened in order: ``levels`` gives each item's depth (0 at the top)
    and ``numbered`` whether its list is numbered; ``numbers`` the number shown before a
    numbered item. Empty tuples mean a flat bulleted list.
    """

    items: tuple[tuple[Run, ...], ...]
    levels: tuple[int, ...] = ()
    numbered: tuple[bool, ...] = ()
    numbers: tuple[int, ...] = ()

    def level(self, k: int) -> int:
        """The depth of item ``k``."""
        return self.levels[k] if k < len(self.levels) else 0

    def number(self, k: int) -> int | None:
        """The number of item ``k``, or None for a bullet."""
        if k < len(self.numbered) and self.numbered[k]:
            return self.numbers[k] if k < len(self.numbers) else k + 1
        return None


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


@attrs.frozen
class Orientation:
    """From here on, pages are landscape (``landscape=True``) or portrait (DOCX sections)."""

    landscape: bool


@attrs.frozen
class Signature:
    """Where the recipients and the signature block go: after the body, before appendices."""


Block = Heading | Paragraph | BulletList | Table | Figure | PageBreak | Orientation | Signature


@attrs.frozen
class Admin:
    """The administrative parts of a document (Decree 30/2020/NĐ-CP, Appendix I).

    ``superior`` (the superior body, may be empty) and ``body`` (the issuing body) are
    printed in capitals top left, lines separated by ``\\n``; ``number`` is the whole number
    and symbol line ("Số: 45/ĐA-UBND"); ``national`` and ``motto`` top right with the
    ``place_date`` line below; ``doc_type`` ("ĐỀ ÁN") and ``summary`` centred; ``notice`` an
    italic note under the summary (synthetic data); at the end ``recipients_title`` and
    ``recipients`` on the left, ``authority``, ``position`` and ``signer`` on the right.
    """

    body: str
    number: str
    national: str
    motto: str
    place_date: str
    doc_type: str
    summary: str
    superior: str = ""
    notice: str = ""
    recipients_title: str = ""
    recipients: tuple[str, ...] = ()
    authority: str = ""
    position: str = ""
    signer: str = ""


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
    admin: Admin | None = None

    def headings(self, level: int | None = None) -> list[str]:
        """Heading texts (of one level)."""
        return [
            b.text
            for b in self.blocks
            if isinstance(b, Heading) and (level is None or b.level == level)
        ]
