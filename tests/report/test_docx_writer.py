"""Tests of the DOCX writer: Decree 30 layout, Word structures, text fidelity, determinism."""

from __future__ import annotations

import datetime as dt
import io
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

docx = pytest.importorskip("docx")

from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm, Mm, Pt  # noqa: E402

from dxframework.errors import DxfError  # noqa: E402
from dxframework.report.docx_writer import (  # noqa: E402
    FALLBACK_DATE,
    document_date,
    docx_bytes,
    word_language,
    write_docx,
)
from dxframework.report.model import (  # noqa: E402
    BulletList,
    Chart,
    Document,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Run,
    Table,
)

TNR = "Times New Roman"
CHINH_QUYEN = unicodedata.normalize("NFC", "Chính quyền số")
DA_NANG = unicodedata.normalize("NFC", "Đà Nẵng")
SCRIPT = "<script>alert(1)</script>"


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """Return a valid RGB PNG of ``width`` × ``height`` red pixels, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def sample(lang: str = "vi", date: object = None) -> Document:
    """A proposal-like document with every kind of block (``date`` goes in the metadata)."""
    meta = {} if date is None else {"date": date}
    return Document(
        title="ĐỀ ÁN CHUYỂN ĐỔI SỐ TỈNH",
        subtitle=f"Thành phố {DA_NANG}",
        lang=lang,
        meta=meta,
        blocks=(
            Heading(1, f"I. {CHINH_QUYEN}"),
            Paragraph(
                (
                    Run(f"{DA_NANG} dẫn đầu về "),
                    Run("chỉ số DTI", bold=True),
                    Run(" năm 2024", italic=True),
                    Run(f" — {SCRIPT}"),
                )
            ),
            Heading(2, "1. Hiện trạng"),
            BulletList(((Run("Hạ tầng số"),), (Run("Dữ liệu số", bold=True),))),
            Table(
                header=("Đơn vị", "Điểm DTI"),
                rows=((DA_NANG, "0,8002"), ("Bắc Kạn", "1.234,5")),
                align=("left", "right"),
            ),
            Figure("dti", "Hình 1. Chỉ số DTI theo trụ cột"),
            PageBreak(),
            Heading(3, "1.1. Chi tiết"),
            Paragraph((Run("Sau ngắt trang."),)),
        ),
        charts={"dti": Chart("dti", "DTI theo trụ cột", "<svg/>", tiny_png())},
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample document written to a file."""
    path = tmp_path_factory.mktemp("docx") / "de-an.docx"
    write_docx(sample(date=dt.date(2025, 3, 1)), path)
    return path


@pytest.fixture(scope="module")
def word(written: Path) -> Any:
    """The written sample read back with python-docx."""
    return docx.Document(str(written))


def body_paragraphs(word: Any) -> list[Any]:
    """Paragraphs of the body (outside tables)."""
    return list(word.paragraphs)


def part_xml(data: bytes, name: str) -> bytes:
    """The bytes of one part of a DOCX package."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name)


def test_page_is_a4_with_decree_30_margins(word: Any) -> None:
    """The single section is A4 portrait with margins 20/20/30/15 mm (top/bottom/left/right)."""
    assert len(word.sections) == 1
    section = word.sections[0]
    assert abs(section.page_width - Mm(210)) <= Mm(1)
    assert abs(section.page_height - Mm(297)) <= Mm(1)
    assert abs(section.top_margin - Mm(20)) <= Mm(0.1)
    assert abs(section.bottom_margin - Mm(20)) <= Mm(0.1)
    assert abs(section.left_margin - Mm(30)) <= Mm(0.1)
    assert abs(section.right_margin - Mm(15)) <= Mm(0.1)


def test_normal_style_is_times_new_roman_13pt_for_all_scripts(word: Any) -> None:
    """Normal is Times New Roman 13 pt, with rFonts set for ascii/hAnsi/eastAsia/cs and no
    theme fonts; the document defaults carry the same fonts; body text is justified with a 1 cm
    first-line indent and 1.15 line spacing."""
    normal = word.styles["Normal"]
    assert normal.font.name == TNR
    assert normal.font.size == Pt(13)
    fonts = normal.element.rPr.rFonts
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert fonts.get(qn(attr)) == TNR
    defaults = word.styles.element.find(f"{qn('w:docDefaults')}//{qn('w:rFonts')}")
    assert defaults.get(qn("w:eastAsia")) == TNR
    assert not any("Theme" in key or "theme" in key for key in defaults.attrib)
    fmt = normal.paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(fmt.first_line_indent - Cm(1)) <= Mm(0.1)  # stored in twips
    assert fmt.line_spacing == pytest.approx(1.15, abs=0.01)


def test_title_and_subtitle_centred_bold_14pt(word: Any) -> None:
    """The title and subtitle come first, centred, bold, 14 pt, with their text unchanged."""
    first, second = body_paragraphs(word)[:2]
    assert first.text == "ĐỀ ÁN CHUYỂN ĐỔI SỐ TỈNH"
    assert second.text == f"Thành phố {DA_NANG}"
    for paragraph in (first, second):
        style = paragraph.style
        assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert style.font.bold is True
        assert style.font.size == Pt(14)
        assert style.font.name == TNR
        assert style.element.pPr.find(qn("w:pBdr")) is None  # template's blue rule removed


def test_headings_use_builtin_styles_restyled(word: Any) -> None:
    """Headings are real Heading 1/2/3 paragraphs (with outline levels), Times New Roman,
    black, bold, 14/13/13 pt."""
    headings = [
        (p.style.name, p.text) for p in body_paragraphs(word) if p.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", f"I. {CHINH_QUYEN}"),
        ("Heading 2", "1. Hiện trạng"),
        ("Heading 3", "1.1. Chi tiết"),
    ]
    for level, size in ((1, 14), (2, 13), (3, 13)):
        style = word.styles[f"Heading {level}"]
        assert style.font.name == TNR
        assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == TNR
        assert style.font.bold is True
        assert style.font.size == Pt(size)
        assert str(style.font.color.rgb) == "000000"
        assert style.font.color.theme_color is None
        assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)


def test_runs_keep_bold_and_italic(word: Any) -> None:
    """A paragraph's runs keep their emphasis."""
    paragraph = next(p for p in body_paragraphs(word) if p.text.startswith(DA_NANG))
    runs = {r.text: (bool(r.bold), bool(r.italic)) for r in paragraph.runs}
    assert runs["chỉ số DTI"] == (True, False)
    assert runs[" năm 2024"] == (False, True)
    assert runs[f"{DA_NANG} dẫn đầu về "] == (False, False)


def test_bullet_list_uses_list_bullet_style(word: Any) -> None:
    """Bullet items are List Bullet paragraphs, in order, with their emphasis."""
    items = [p for p in body_paragraphs(word) if p.style.name == "List Bullet"]
    assert [p.text for p in items] == ["Hạ tầng số", "Dữ liệu số"]
    assert items[1].runs[0].bold is True


def test_table_grid_with_repeating_bold_header_and_alignment(word: Any) -> None:
    """One Table Grid table spanning the text width (fixed layout); its header row is bold
    and repeats on each page; the numeric column is right-aligned; cell text is 12 pt."""
    assert len(word.tables) == 1
    table = word.tables[0]
    assert table.style.name == "Table Grid"
    assert [c.text for c in table.rows[0].cells] == ["Đơn vị", "Điểm DTI"]
    assert all(r.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    number = table.cell(1, 1).paragraphs[0]
    assert number.text == "0,8002"
    assert number.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.cell(1, 0).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert number.style.font.size == Pt(12)
    assert number.style.font.name == TNR
    # a fixed layout, columns sized by their content, spanning the text width
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    width = table._tbl.tblPr.find(qn("w:tblW"))
    assert width.get(qn("w:type")) == "dxa"
    assert abs(int(width.get(qn("w:w"))) * 635 - Mm(165)) <= Mm(1)
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert abs(sum(grid) * 635 - Mm(165)) <= Mm(1)  # twips → EMU; 210 − 30 − 15 mm


def test_figure_embeds_png_16cm_with_italic_caption(word: Any) -> None:
    """The chart's PNG is one inline picture 16 cm wide in a centred paragraph, followed by
    its caption, centred and italic."""
    assert len(word.inline_shapes) == 1
    shape = word.inline_shapes[0]
    assert abs(shape.width - Cm(16)) <= Mm(0.1)
    assert shape.height == shape.width * 3 // 4  # aspect ratio of the 4 × 3 PNG
    paragraphs = body_paragraphs(word)
    index = next(i for i, p in enumerate(paragraphs) if p._p.xpath(".//pic:pic"))
    picture, caption = paragraphs[index], paragraphs[index + 1]
    assert picture.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert caption.text == "Hình 1. Chỉ số DTI theo trụ cột"
    assert caption.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert caption.style.font.italic is True
    blip = picture._p.xpath(".//a:blip")[0]
    image = word.part.related_parts[blip.get(qn("r:embed"))]
    assert image.blob == tiny_png()


def test_page_break_is_a_real_break(word: Any) -> None:
    """The page break is a ``<w:br w:type="page"/>`` between the figure and the last heading."""
    paragraphs = body_paragraphs(word)
    breaks = [
        i
        for i, p in enumerate(paragraphs)
        for br in p._p.iter(qn("w:br"))
        if br.get(qn("w:type")) == "page"
    ]
    assert len(breaks) == 1
    assert paragraphs[breaks[0] + 1].text == "1.1. Chi tiết"


def test_vietnamese_text_round_trips_in_nfc(word: Any) -> None:
    """Vietnamese text reads back equal to the NFC input."""
    texts = [p.text for p in body_paragraphs(word)]
    texts += [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert f"I. {CHINH_QUYEN}" in texts
    assert DA_NANG in texts
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def test_nfd_input_is_written_as_nfc(tmp_path: Path) -> None:
    """Text in NFD (as spreadsheets often hold it) is written in NFC."""
    nfd = unicodedata.normalize("NFD", DA_NANG)
    assert nfd != DA_NANG
    doc = Document(title=nfd, lang="vi", blocks=(Paragraph((Run(nfd),)),))
    path = tmp_path / "nfd.docx"
    write_docx(doc, path)
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert texts == [DA_NANG, DA_NANG]


def test_markup_is_literal_text(written: Path, word: Any) -> None:
    """Markup-like text is plain text in Word, escaped in the XML."""
    assert any(SCRIPT in p.text for p in body_paragraphs(word))
    xml = part_xml(written.read_bytes(), "word/document.xml").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    assert "<script>" not in xml


def test_control_characters_are_dropped() -> None:
    """Characters XML cannot hold are dropped instead of failing the write."""
    doc = Document(title="A\x00B", lang="vi", blocks=(Paragraph((Run("x\x07y\tz"),)),))
    word = docx.Document(io.BytesIO(docx_bytes(doc)))
    assert [p.text for p in word.paragraphs] == ["AB", "xy\tz"]


@pytest.mark.parametrize(("lang", "tag"), [("vi", "vi-VN"), ("en", "en-US")])
def test_language_is_set(lang: str, tag: str) -> None:
    """``doc.lang`` sets w:lang of the document defaults and the core-properties language."""
    word = docx.Document(io.BytesIO(docx_bytes(sample(lang))))
    element = word.styles.element.find(f"{qn('w:docDefaults')}//{qn('w:lang')}")
    assert element.get(qn("w:val")) == tag
    assert word.core_properties.language == tag


def test_core_properties(word: Any) -> None:
    """Title, subject and fixed dates from ``meta["date"]`` are in the core properties."""
    props = word.core_properties
    assert props.title == "ĐỀ ÁN CHUYỂN ĐỔI SỐ TỈNH"
    assert props.subject == f"Thành phố {DA_NANG}"
    assert props.created == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    assert props.modified == props.created


def test_two_writes_are_identical(tmp_path: Path) -> None:
    """Two writes of the same document give the same ``word/document.xml`` and the same file
    bytes, with or without a date in the metadata."""
    for date in (None, dt.datetime(2025, 3, 1, 8, 30)):
        first, second = tmp_path / "a.docx", tmp_path / "b.docx"
        write_docx(sample(date=date), first)
        write_docx(sample(date=date), second)
        a, b = first.read_bytes(), second.read_bytes()
        assert part_xml(a, "word/document.xml") == part_xml(b, "word/document.xml")
        assert a == b
    props = docx.Document(str(first)).core_properties
    assert props.created == dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.UTC)


def test_page_numbers_from_second_page(word: Any) -> None:
    """A centred PAGE field is in the header; the first page has its own, empty header."""
    section = word.sections[0]
    assert section.different_first_page_header_footer is True
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert header._p.find(qn("w:fldSimple")).get(qn("w:instr")) == "PAGE"
    assert all(not p.text for p in section.first_page_header.paragraphs)


def test_unknown_chart_is_an_error() -> None:
    """A figure whose chart is missing raises DxfError naming the chart."""
    doc = Document(title="T", lang="vi", blocks=(Figure("missing", "Hình"),))
    with pytest.raises(DxfError, match="missing"):
        docx_bytes(doc)


@pytest.mark.parametrize(
    ("lang", "tag"),
    [("vi", "vi-VN"), ("en", "en-US"), ("en_gb", "en-GB"), ("vi-VN", "vi-VN"), ("", "en-US")],
)
def test_word_language(lang: str, tag: str) -> None:
    """Language codes map to Word's language tags."""
    assert word_language(lang) == tag


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, tzinfo=dt.UTC)),
        ("2025-03-01", dt.datetime(2025, 3, 1, tzinfo=dt.UTC)),
        ("01/03/2025", dt.datetime(2025, 3, 1, tzinfo=dt.UTC)),
        (
            dt.datetime(2025, 3, 1, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))),
            dt.datetime(2025, 3, 1, 0, 0, tzinfo=dt.UTC),
        ),
        (None, FALLBACK_DATE),
        ("không rõ", FALLBACK_DATE),
    ],
)
def test_document_date(value: object, expected: dt.datetime) -> None:
    """``meta["date"]`` gives a UTC date; anything unusable gives the fixed fallback."""
    assert document_date(value) == expected
