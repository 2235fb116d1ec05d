"""Render a :class:`~dxframework.report.model.Document` as a Word (DOCX) file.

The layout follows Decree 30/2020/NĐ-CP on official documents: A4 paper, margins top and
bottom 20 mm, left 30 mm, right 15 mm; Times New Roman throughout (also for East Asian and
complex-script text, so Vietnamese never falls back to another font); body text 13 pt,
justified, first-line indent 1 cm, line spacing 1.15 and 6 pt between paragraphs; page numbers
centred in the top margin from the second page on.

Headings use Word's built-in *Heading 1*–*Heading 6* styles (restyled: Times New Roman, black,
bold), so the navigation pane and tables of contents work; tables use *Table Grid* with a
repeating header row; bullet lists use *List Bullet*; figures embed the chart's PNG 16 cm wide
with an italic caption below.

Output is deterministic: the same document gives the same bytes (fixed core-property dates,
fixed ZIP timestamps). Text is written in Unicode NFC, and characters that XML cannot hold
(control characters) are dropped.

Requires the ``report`` extra (``python-docx``).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from dxframework.errors import DxfError, Problem
from dxframework.report.model import (
    Admin,
    BulletList,
    Document,
    Figure,
    Heading,
    Orientation,
    PageBreak,
    Paragraph,
    Run,
    Signature,
    Table,
)

__all__ = ["FONT", "docx_bytes", "write_docx"]

FONT = "Times New Roman"
"""The one font of the document (Decree 30/2020/NĐ-CP)."""

BODY_PT = 13
TABLE_PT = 12
TITLE_PT = 14
HEADING_PT = {1: 14, 2: 13, 3: 13, 4: 13, 5: 13, 6: 13}
FIGURE_WIDTH = Cm(16)
#: The text area of A4 with 20 mm margins is 25.7 cm high; leave room for the caption.
FIGURE_MAX_HEIGHT = Cm(23)
FIRST_LINE_INDENT = Cm(1)
LINE_SPACING = 1.15

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)

FALLBACK_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""Creation/modification date when ``doc.meta["date"]`` gives none."""

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_BLACK = RGBColor(0, 0, 0)
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "centre": WD_ALIGN_PARAGRAPH.CENTER,
}
_DEFAULT_REGION = {"vi": "vi-VN", "en": "en-US"}
# Characters XML 1.0 cannot hold (tab, newline and carriage return are allowed).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def write_docx(doc: Document, path: str | Path, reference: str | Path | None = None) -> None:
    """Write ``doc`` to ``path`` as a DOCX file (see :func:`docx_bytes`)."""
    Path(path).write_bytes(docx_bytes(doc, reference))


def docx_bytes(doc: Document, reference: str | Path | None = None) -> bytes:
    """Return ``doc`` rendered as the bytes of a DOCX file.

    ``reference`` is a house-style ``reference.docx``: each style it defines (Normal,
    Heading 1, Title, …, and the document defaults) replaces the built-in one of the same
    id; the page, the administrative parts and the tables are laid out as without it.

    Raises
    ------
    DxfError
        If a figure refers to a chart that ``doc.charts`` does not hold, or the reference
        cannot be read.
    """
    word = _build(doc)
    if reference is not None:
        _apply_reference(word, reference)
    buf = io.BytesIO()
    word.save(buf)
    return _normalise_zip(buf.getvalue())


# --------------------------------------------------------------------------------------------
# building


def _build(doc: Document) -> WordDocument:
    word = docx.Document()
    lang = word_language(doc.lang)
    _setup_page(word)
    _setup_styles(word, lang)
    _setup_properties(word, doc, lang)
    _drop_thumbnail(word)

    state = _Layout(word)
    first = next((b for b in doc.blocks), None)
    if isinstance(first, Orientation) and first.landscape:  # a landscape document
        state.start_landscape()
    if doc.admin is not None:
        _add_admin_head(word, doc.admin, state.text_width())
    organisation = str(doc.meta.get("organisation") or "")
    if doc.admin is None and organisation:  # the issuing body, above the title
        para = word.add_paragraph(_clean(organisation.upper()))
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.first_line_indent = Cm(0)
        for run in para.runs:
            run.bold = True
    if doc.title and doc.admin is None:
        word.add_paragraph(_clean(doc.title), style="Title")
    if doc.subtitle and doc.admin is None:
        word.add_paragraph(_clean(doc.subtitle), style="Subtitle")
    date_text = str(doc.meta.get("date_text") or "")
    if date_text and doc.admin is None:
        para = word.add_paragraph(_clean(date_text))
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.first_line_indent = Cm(0)
        for run in para.runs:
            run.italic = True
    signed = False
    for block in doc.blocks:
        if isinstance(block, Orientation):
            state.want(block.landscape)
            continue
        if isinstance(block, Signature):
            if doc.admin is not None and not signed:  # on the page of the last part
                _add_admin_foot(word, doc.admin, state.text_width())
                signed = True
            continue
        fresh = state.apply()
        if isinstance(block, PageBreak) and fresh:
            continue  # a new section starts on a new page already
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 6)
            word.add_paragraph(_clean(block.text), style=f"Heading {level}")
        elif isinstance(block, Paragraph):
            _add_runs(word.add_paragraph(), block.runs)
        elif isinstance(block, BulletList):
            _add_list(word, block)
        elif isinstance(block, Table):
            _add_table(word, block, state.text_width())
        elif isinstance(block, Figure):
            _add_figure(word, doc, block)
        elif isinstance(block, PageBreak):
            paragraph = word.add_paragraph()
            paragraph.add_run().add_break(WD_BREAK.PAGE)
    if doc.admin is not None and not signed:
        _add_admin_foot(word, doc.admin, state.text_width())
    return word


class _Layout:
    """The orientation of the pages: a change takes effect (a new section) at the next block."""

    def __init__(self, word: WordDocument) -> None:
        self.word = word
        self.landscape = False
        self.wanted = False

    def start_landscape(self) -> None:
        section = self.word.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
        self.landscape = self.wanted = True

    def want(self, landscape: bool) -> None:
        self.wanted = landscape

    def apply(self) -> bool:
        """Start a section if the orientation changes; whether one was started."""
        if self.wanted == self.landscape:
            return False
        section = self.word.add_section(WD_SECTION.NEW_PAGE)
        # the empty paragraph that ends the previous section: as small as can be, so that
        # it never spills onto a page of its own after a table that fills the page
        breaks = self.word.element.body.findall(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}")
        if breaks:
            p_pr = breaks[-1].getparent()
            spacing = OxmlElement("w:spacing")
            for key, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20")):
                spacing.set(qn(key), value)
            spacing.set(qn("w:lineRule"), "exact")
            p_pr.insert(0, spacing)
            r_pr = OxmlElement("w:rPr")
            size = OxmlElement("w:sz")
            size.set(qn("w:val"), "2")
            r_pr.append(size)
            breaks[-1].addprevious(r_pr)  # rPr comes before sectPr in a pPr
        section.orientation = WD_ORIENT.LANDSCAPE if self.wanted else WD_ORIENT.PORTRAIT
        long, short = PAGE_HEIGHT, PAGE_WIDTH
        section.page_width, section.page_height = (long, short) if self.wanted else (short, long)
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.different_first_page_header_footer = False  # page numbers go on
        self.landscape = self.wanted
        return True

    def text_width(self) -> int:
        section = self.word.sections[-1]
        width = section.page_width or (PAGE_HEIGHT if self.landscape else PAGE_WIDTH)
        return int(
            width - (section.left_margin or MARGIN_LEFT) - (section.right_margin or MARGIN_RIGHT)
        )


# --------------------------------------------------------------------------------------------
# the administrative parts (Decree 30/2020/NĐ-CP, Appendix I)

#: Widths of the two columns of the heading and of the closing block, in the portrait text
#: width (165 mm): the issuing body on the left, the national header on the right.
HEAD_COLUMNS = (Mm(68), Mm(97))
CLOSE_COLUMNS = (Mm(82), Mm(83))


def _borderless(word: WordDocument, widths: tuple[int, ...], rows: int) -> Any:
    grid = word.add_table(rows=rows, cols=len(widths))
    grid.autofit = False
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = grid._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)
    _fixed_layout(grid, widths)
    return grid


def _fixed_layout(grid: Any, widths: Sequence[int]) -> None:
    tbl_pr = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(int(w) for w in widths) // 635))
    for col, w in zip(grid.columns, widths, strict=True):
        col.width = w
    for row in grid.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = w


def _cell_line(
    cell: Any,
    text: str,
    *,
    first: bool = False,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    rule: int | None = None,
) -> Any:
    """A line in a cell; ``rule`` draws a short line under it, that wide (EMU)."""
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Cm(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    if text:
        run = paragraph.add_run(_clean(text))
        run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None
    if rule is not None:
        _rule(cell.add_paragraph(), rule, int(cell.width))
    return paragraph


def _rule(paragraph: Any, width: int, available: int) -> None:
    """Make an empty ``paragraph`` a centred horizontal line ``width`` long (EMU)."""
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Cm(0)
    fmt.left_indent = fmt.right_indent = max(0, (available - width) // 2)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(4)
    p_pr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p_pr.append(border)


def _add_admin_head(word: WordDocument, admin: Admin, available: int) -> None:
    """The issuing body beside the national header, the number, the place and date, the type."""
    scale = available / sum(HEAD_COLUMNS)
    grid = _borderless(word, tuple(int(w * scale) for w in HEAD_COLUMNS), 2)
    left, right = grid.rows[0].cells
    first = True
    for line in [x for x in admin.superior.split("\n") if x]:
        _cell_line(left, line.upper(), first=first, size=12)
        first = False
    body = [x for x in admin.body.split("\n") if x]
    for k, line in enumerate(body):
        last = k == len(body) - 1
        _cell_line(
            left, line.upper(), first=first, size=12, bold=True, rule=Mm(20) if last else None
        )
        first = False
    _cell_line(right, admin.national.upper(), first=True, size=12, bold=True)
    _cell_line(right, admin.motto, size=13, bold=True, rule=Mm(60))
    number_cell, date_cell = grid.rows[1].cells
    _cell_line(number_cell, admin.number, first=True, size=13)
    _cell_line(date_cell, admin.place_date, first=True, size=13, italic=True)
    for cell in grid.rows[1].cells:
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)

    kind = word.add_paragraph(_clean(admin.doc_type.upper()), style="Title")
    kind.paragraph_format.space_before = Pt(18)
    kind.paragraph_format.space_after = Pt(0)
    summary = word.add_paragraph(_clean(admin.summary), style="Subtitle")
    summary.paragraph_format.space_after = Pt(0)
    rule = word.add_paragraph()
    _rule(rule, Mm(40), available)
    rule.paragraph_format.space_after = Pt(12)
    if admin.notice:  # a plain note, not a heading
        note = word.add_paragraph(_clean(admin.notice))
        note.paragraph_format.first_line_indent = Cm(0)
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in note.runs:
            run.italic = True


def _add_admin_foot(word: WordDocument, admin: Admin, available: int) -> None:
    """The recipients on the left, the signature block on the right."""
    if not (admin.recipients or admin.signer or admin.position or admin.authority):
        return
    scale = available / sum(CLOSE_COLUMNS)
    spacer = word.add_paragraph()
    spacer.paragraph_format.keep_with_next = True
    grid = _borderless(word, tuple(int(w * scale) for w in CLOSE_COLUMNS), 1)
    grid.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = grid.rows[0].cells
    if admin.recipients_title:
        _cell_line(
            left,
            admin.recipients_title,
            first=True,
            size=12,
            bold=True,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.LEFT,
        )
        for item in admin.recipients:
            _cell_line(left, f"- {item}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = True
    if admin.authority:
        _cell_line(right, admin.authority.upper(), first=True, size=13, bold=True)
        first = False
    if admin.position:
        _cell_line(right, admin.position.upper(), first=first, size=13, bold=True)
        first = False
    for _ in range(4):  # room to sign and seal
        _cell_line(right, "", first=first)
        first = False
    if admin.signer:
        _cell_line(right, admin.signer, size=13, bold=True)


def _add_runs(paragraph: Any, runs: Iterable[Run]) -> None:
    for run in runs:
        if not run.text:
            continue
        if run.link:
            _add_link(paragraph, run)
            continue
        r = paragraph.add_run(_clean(run.text))
        if run.bold:
            r.bold = True
        if run.italic:
            r.italic = True


def _add_link(paragraph: Any, run: Run) -> None:
    """A real hyperlink (underlined, blue) to ``run.link``."""
    r_id = paragraph.part.relate_to(run.link, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    r = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    for tag, on in (("w:b", run.bold), ("w:i", run.italic)):
        if on:
            r_pr.append(OxmlElement(tag))
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    r_pr.append(color)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    r_pr.append(underline)
    r.append(r_pr)
    text = OxmlElement("w:t")
    text.text = _clean(run.text)
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.append(text)
    link.append(r)
    paragraph._p.append(link)


#: Indent of a list item per depth (the marker hangs 0.5 cm to the left of the text).
LIST_INDENT = Cm(1.5)
LIST_STEP = Cm(0.75)


def _add_list(word: WordDocument, block: BulletList) -> None:
    """Bullets in "List Bullet" (nested: "List Bullet 2", "3"); numbered items in "List
    Number" paragraphs with their number written out (Word's own numbering would run on
    from one list to the next)."""
    for k, item in enumerate(block.items):
        depth = min(block.level(k), 2)
        number = block.number(k)
        style = "List Bullet" if number is None else "List Number"
        if depth:
            style += f" {depth + 1}"
        paragraph = word.add_paragraph(style=style)
        fmt = paragraph.paragraph_format
        fmt.left_indent = LIST_INDENT + LIST_STEP * depth
        fmt.first_line_indent = Cm(-0.5) if number is None else Cm(-0.75)
        if number is not None:
            _remove_children(paragraph._p.get_or_add_pPr(), "w:numPr")
            num_pr = OxmlElement("w:numPr")  # no automatic number: it is written out
            num_id = OxmlElement("w:numId")
            num_id.set(qn("w:val"), "0")
            num_pr.append(num_id)
            paragraph._p.get_or_add_pPr().append(num_pr)
            paragraph.add_run(f"{number}.\t")
        _add_runs(paragraph, item)


#: The average advance of a character of Times New Roman at 1 pt (in em), and of a bold one:
#: used to size table columns so that every word fits its column (never broken inside).
_CHAR_EM, _BOLD_EM = 0.50, 0.56
#: The padding of a table cell (left + right: 0.19 cm each in Word's Table Grid), and a
#: little more for safety, in EMU.
_CELL_PADDING = Cm(0.5)


def _text_extent(text: str, size: float, bold: bool = False) -> int:
    """A generous estimate of the width of ``text`` set in ``size`` pt, in EMU."""
    return int(len(text) * size * (_BOLD_EM if bold else _CHAR_EM) * 12700)


def column_widths(table: Table, available: int, size: float = TABLE_PT) -> list[int]:
    """Column widths (EMU) from the content, summing to ``available``.

    Each column is at least as wide as its longest word (Vietnamese syllables are never
    hyphenated, so a word must fit); the room left is shared in proportion to how much
    wider than that each column's longest cell would like to be.
    """
    ncols = max([len(table.header), *(len(row) for row in table.rows)])
    lines = [tuple(table.header), *table.rows]
    least: list[int] = []
    natural: list[int] = []
    for j in range(ncols):
        words, full = 1, 1
        for k, row in enumerate(lines):
            text = row[j] if j < len(row) else ""
            bold = k == 0
            for word in text.split():
                words = max(words, _text_extent(word, size, bold))
            full = max(full, _text_extent(text, size, bold))
        least.append(words + _CELL_PADDING)
        natural.append(max(words, min(full, _text_extent("x" * 70, size))) + _CELL_PADDING)
    total_least, total_natural = sum(least), sum(natural)
    if total_natural <= available:  # everything fits on one line: share the rest evenly
        spare = available - total_natural
        return [n + spare * n // total_natural for n in natural]
    if total_least >= available:  # not even the words fit: scale (the caller shrinks the text)
        return [w * available // total_least for w in least]
    spare = available - total_least
    want = [n - w for n, w in zip(natural, least, strict=True)]
    total_want = sum(want) or 1
    return [w + spare * x // total_want for w, x in zip(least, want, strict=True)]


def _least_width(table: Table, size: float) -> int:
    """The width the longest words of the columns need together (EMU)."""
    lines = [tuple(table.header), *table.rows]
    ncols = max(len(row) for row in lines)
    return sum(
        max(
            [
                _text_extent(w, size, k == 0)
                for k, row in enumerate(lines)
                if j < len(row)
                for w in row[j].split()
            ]
            or [0]
        )
        + _CELL_PADDING
        for j in range(ncols)
    )


def _add_table(word: WordDocument, table: Table, available: int | None = None) -> None:
    ncols = max([len(table.header), *(len(row) for row in table.rows)])
    if ncols == 0:
        return
    available = available or int(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
    size: float = TABLE_PT
    while size > 9 and _least_width(table, size) > available:
        size -= 0.5  # shrink the text until the longest word of every column fits
    widths = column_widths(table, available, size)
    grid = word.add_table(rows=1 + len(table.rows), cols=ncols)
    grid.style = word.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _fixed_layout(grid, widths)

    aligns = [_ALIGN.get(table.align[i] if i < len(table.align) else "left") for i in range(ncols)]
    lines = [tuple(table.header), *table.rows]
    style_id = word.styles["Table Text"].style_id  # set by id: the style setter is slow
    for index, (row, values) in enumerate(zip(grid.rows, lines, strict=True)):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeat on every page
        for col, cell in enumerate(row.cells):
            paragraph = cell.paragraphs[0]
            paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = style_id
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.CENTER if index == 0 else aligns[col] or WD_ALIGN_PARAGRAPH.LEFT
            )
            text = values[col] if col < len(values) else ""
            if text:
                run = paragraph.add_run(_clean(text))
                if size != TABLE_PT:
                    run.font.size = Pt(size)
                if index == 0:
                    run.bold = True


def _add_figure(word: WordDocument, doc: Document, figure: Figure) -> None:
    chart = doc.charts.get(figure.chart)
    if chart is None:
        known = ", ".join(sorted(doc.charts)) or "none"
        raise DxfError(
            Problem(
                f"figure refers to chart {figure.chart!r}, which the document does not have",
                hint=f"charts in the document: {known}",
            )
        )
    paragraph = word.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Cm(0)
    fmt.keep_with_next = bool(figure.caption)
    # 16 cm wide, unless that makes it taller than the page's text area: then fit the height
    width_px, height_px = struct.unpack(">II", chart.png[16:24])
    if width_px and FIGURE_WIDTH * height_px / width_px > FIGURE_MAX_HEIGHT:
        shape = paragraph.add_run().add_picture(io.BytesIO(chart.png), height=FIGURE_MAX_HEIGHT)
    else:
        shape = paragraph.add_run().add_picture(io.BytesIO(chart.png), width=FIGURE_WIDTH)
    doc_pr = shape._inline.docPr
    doc_pr.set("name", f"Chart {_clean(chart.id)}")
    doc_pr.set("descr", _clean(chart.title or figure.caption))  # alternative text
    if figure.caption:
        word.add_paragraph(_clean(figure.caption), style="Caption")


# --------------------------------------------------------------------------------------------
# page, styles, properties


def _setup_page(word: WordDocument) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = section.footer_distance = Mm(10)
    # Page numbers centred in the top margin, not on the first page.
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty header on page 1
    paragraph = section.header.paragraphs[0]
    paragraph.style = word.styles["Header"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _setup_styles(word: WordDocument, lang: str) -> None:
    styles = word.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_fonts(r_pr)
    lang_el = r_pr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        r_pr.append(lang_el)
    lang_el.set(qn("w:val"), lang)
    lang_el.set(qn("w:eastAsia"), lang)
    _set_size(r_pr, BODY_PT)
    theme_lang = word.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), lang)
        theme_lang.set(qn("w:eastAsia"), lang)

    normal = styles["Normal"]
    _style_font(normal, BODY_PT)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = FIRST_LINE_INDENT
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = LINE_SPACING
    fmt.widow_control = True

    for name, size in (("Title", TITLE_PT), ("Subtitle", TITLE_PT)):
        style = styles[name]
        _remove_children(style.element.pPr, "w:pBdr", "w:numPr", "w:contextualSpacing")
        _style_font(style, size, bold=True)
        fmt = style.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.first_line_indent = Cm(0)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(6 if name == "Title" else 18)
        fmt.line_spacing = LINE_SPACING
        fmt.keep_with_next = True

    for level, size in HEADING_PT.items():
        style = styles[f"Heading {level}"]
        _style_font(style, size, bold=True, italic=level >= 4)
        fmt = style.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.first_line_indent = Cm(0)
        fmt.space_before = Pt(12 if level == 1 else 6)
        fmt.space_after = Pt(6)
        fmt.line_spacing = LINE_SPACING
        fmt.keep_with_next = True

    caption = styles["Caption"]
    _style_font(caption, BODY_PT, italic=True)
    fmt = caption.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Cm(0)
    fmt.space_before = Pt(3)
    fmt.space_after = Pt(12)
    fmt.line_spacing = LINE_SPACING

    bullet = styles["List Bullet"]
    _style_font(bullet, BODY_PT)
    fmt = bullet.paragraph_format
    fmt.left_indent = Cm(1.5)
    fmt.first_line_indent = Cm(-0.5)  # hanging indent for the bullet
    for name in ("List Bullet 2", "List Bullet 3", "List Number", "List Number 2", "List Number 3"):
        _style_font(styles[name], BODY_PT)

    table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    _style_font(table_text, TABLE_PT)
    fmt = table_text.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    fmt.first_line_indent = Cm(0)
    fmt.space_before = Pt(2)
    fmt.space_after = Pt(2)
    fmt.line_spacing = 1.0


def _style_font(style: Any, size: int, *, bold: bool = False, italic: bool = False) -> None:
    """Give ``style`` Times New Roman (all scripts), black, ``size`` pt; set bold and italic."""
    r_pr = style.element.get_or_add_rPr()
    _remove_children(r_pr, "w:color", "w:spacing", "w:kern")
    _set_fonts(r_pr)
    _set_size(r_pr, size)
    font = style.font
    font.color.rgb = _BLACK
    font.bold = True if bold else None  # None: not bold, without a needless <w:b w:val="0"/>
    font.italic = True if italic else None
    # Complex-script bold/italic follow the Latin ones (only dropped here, never needed).
    for tag, on in (("w:bCs", bold), ("w:iCs", italic)):
        if not on:
            _remove_children(r_pr, tag)


def _set_fonts(r_pr: Any) -> None:
    """Set Times New Roman for all four font slots of ``r_pr``, replacing theme fonts."""
    fonts = r_pr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _set_size(r_pr: Any, size: int) -> None:
    """Set the size (also for complex scripts) of ``r_pr`` to ``size`` points."""
    r_pr.sz_val = Pt(size)
    _remove_children(r_pr, "w:szCs")
    sz_cs = OxmlElement("w:szCs")
    sz_cs.set(qn("w:val"), str(size * 2))
    r_pr.find(qn("w:sz")).addnext(sz_cs)


def _remove_children(element: Any, *tags: str) -> None:
    if element is None:
        return
    for tag in tags:
        for child in element.findall(qn(tag)):
            element.remove(child)


def _apply_reference(word: WordDocument, reference: str | Path) -> None:
    """Replace the styles (and the document defaults) by those the reference defines."""
    try:
        house = docx.Document(str(reference))
    except Exception as exc:
        raise DxfError(
            Problem(
                f"cannot read the reference document: {exc}",
                file=str(reference),
                hint="give a .docx file saved by Word or LibreOffice",
            )
        ) from None
    ours, theirs = word.styles.element, house.styles.element
    style_tag = qn("w:style")
    by_id = {el.get(qn("w:styleId")): el for el in ours.findall(style_tag)}
    for el in theirs.findall(style_tag):
        sid = el.get(qn("w:styleId"))
        if sid in by_id:
            by_id[sid].addprevious(copy.deepcopy(el))
            ours.remove(by_id[sid])
    defaults = theirs.find(qn("w:docDefaults"))
    if defaults is not None:
        mine = ours.find(qn("w:docDefaults"))
        if mine is not None:
            mine.addprevious(copy.deepcopy(defaults))
            ours.remove(mine)


def _setup_properties(word: WordDocument, doc: Document, lang: str) -> None:
    props = word.core_properties
    when = document_date(doc.meta.get("date"))
    props.title = _clean(doc.title)[:255]
    props.subject = _clean(doc.subtitle)[:255]
    props.language = lang
    props.author = _clean(str(doc.meta.get("author", "") or ""))[:255]
    props.last_modified_by = props.author
    props.comments = ""
    props.revision = 1
    props.created = when
    props.modified = when


def _drop_thumbnail(word: WordDocument) -> None:
    """Drop python-docx's template thumbnail, which would show a wrong preview."""
    rels = word.part.package.rels
    for r_id in [r_id for r_id, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[r_id]
        rels._target_parts_by_rId.pop(r_id, None)


# --------------------------------------------------------------------------------------------
# helpers


def word_language(lang: str) -> str:
    """Return the Word language tag for ``lang``: ``"vi"`` → ``"vi-VN"``, ``"en"`` → ``"en-US"``.

    Tags with a region are kept (``"en_gb"`` → ``"en-GB"``); an empty tag gives ``"en-US"``.
    """
    parts = lang.replace("_", "-").split("-")
    primary = parts[0].lower()
    if not primary:
        return "en-US"
    if len(parts) > 1 and parts[1]:
        return f"{primary}-{parts[1].upper()}"
    return _DEFAULT_REGION.get(primary, primary)


def document_date(value: object) -> dt.datetime:
    """Return the document's creation date (UTC) from ``meta["date"]``.

    Accepts a :class:`~datetime.datetime`, a :class:`~datetime.date`, or a string in ISO
    (``2025-03-01``) or Vietnamese (``01/03/2025``) form; anything else gives
    :data:`FALLBACK_DATE`.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                value = dt.datetime.strptime(text, "%d/%m/%Y")
            except ValueError:
                return FALLBACK_DATE
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC, microsecond=0)
        return value.astimezone(dt.UTC).replace(microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return FALLBACK_DATE


def _clean(text: str) -> str:
    """NFC-normalise ``text`` and drop characters XML cannot hold."""
    return _XML_ILLEGAL.sub("", unicodedata.normalize("NFC", text))


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the DOCX package with fixed timestamps so equal documents give equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()
