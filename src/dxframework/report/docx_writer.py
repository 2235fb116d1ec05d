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

import datetime as dt
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from dxframework.errors import DxfError, Problem
from dxframework.report.model import (
    BulletList,
    Document,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Run,
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


def write_docx(doc: Document, path: str | Path) -> None:
    """Write ``doc`` to ``path`` as a DOCX file (see :func:`docx_bytes`)."""
    Path(path).write_bytes(docx_bytes(doc))


def docx_bytes(doc: Document) -> bytes:
    """Return ``doc`` rendered as the bytes of a DOCX file.

    Raises
    ------
    DxfError
        If a figure refers to a chart that ``doc.charts`` does not hold.
    """
    word = _build(doc)
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

    organisation = str(doc.meta.get("organisation") or "")
    if organisation:  # the issuing body, above the title as on official documents
        para = word.add_paragraph(_clean(organisation.upper()))
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.first_line_indent = Cm(0)
        for run in para.runs:
            run.bold = True
    if doc.title:
        word.add_paragraph(_clean(doc.title), style="Title")
    if doc.subtitle:
        word.add_paragraph(_clean(doc.subtitle), style="Subtitle")
    date_text = str(doc.meta.get("date_text") or "")
    if date_text:
        para = word.add_paragraph(_clean(date_text))
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.first_line_indent = Cm(0)
        for run in para.runs:
            run.italic = True
    for block in doc.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 6)
            word.add_paragraph(_clean(block.text), style=f"Heading {level}")
        elif isinstance(block, Paragraph):
            _add_runs(word.add_paragraph(), block.runs)
        elif isinstance(block, BulletList):
            for item in block.items:
                _add_runs(word.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            _add_table(word, block)
        elif isinstance(block, Figure):
            _add_figure(word, doc, block)
        elif isinstance(block, PageBreak):
            paragraph = word.add_paragraph()
            paragraph.add_run().add_break(WD_BREAK.PAGE)
    return word


def _add_runs(paragraph: Any, runs: Iterable[Run]) -> None:
    for run in runs:
        if not run.text:
            continue
        r = paragraph.add_run(_clean(run.text))
        if run.bold:
            r.bold = True
        if run.italic:
            r.italic = True


def _add_table(word: WordDocument, table: Table) -> None:
    ncols = max([len(table.header), *(len(row) for row in table.rows)])
    if ncols == 0:
        return
    grid = word.add_table(rows=1 + len(table.rows), cols=ncols)
    grid.style = word.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = True
    tbl_pr = grid._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "pct")  # 100 % of the text width
    width.set(qn("w:w"), "5000")

    aligns = [_ALIGN.get(table.align[i] if i < len(table.align) else "left") for i in range(ncols)]
    lines = [tuple(table.header), *table.rows]
    for index, (row, values) in enumerate(zip(grid.rows, lines, strict=True)):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeat on every page
        for col, cell in enumerate(row.cells):
            paragraph = cell.paragraphs[0]
            paragraph.style = word.styles["Table Text"]
            paragraph.alignment = aligns[col] or WD_ALIGN_PARAGRAPH.LEFT
            text = values[col] if col < len(values) else ""
            if text:
                run = paragraph.add_run(_clean(text))
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
