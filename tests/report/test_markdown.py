"""The Markdown of templates and texts, parsed by markdown-it-py: numbered and nested lists,
links, tables; data stays text; DOCX and HTML render lists and links for real."""

from __future__ import annotations

import zipfile

from dxframework.report.docx_writer import docx_bytes
from dxframework.report.html_writer import html_text
from dxframework.report.markdown import escape, parse
from dxframework.report.model import BulletList, Document, Paragraph, Table

TEXT = """Tỉnh cần đề án vì:

1. lý do thứ nhất;
2. lý do thứ hai, xem [Cổng Chính phủ](https://chinhphu.vn):
   - ý phụ a;
   - ý phụ b.
3. lý do thứ ba.

Một [liên kết xấu](javascript:alert(1)) vẫn là chữ.

| Đơn vị | Điểm |
|---|---:|
| A \\| B | 0,8002 |
"""


def test_numbered_and_nested_lists_keep_their_items() -> None:
    blocks = parse(TEXT)
    assert isinstance(blocks[0], Paragraph)
    lst = blocks[1]
    assert isinstance(lst, BulletList)
    assert [("".join(r.text for r in item)) for item in lst.items] == [
        "lý do thứ nhất;",
        "lý do thứ hai, xem Cổng Chính phủ:",
        "ý phụ a;",
        "ý phụ b.",
        "lý do thứ ba.",
    ]
    assert lst.levels == (0, 0, 1, 1, 0)
    assert [lst.number(k) for k in range(5)] == [1, 2, None, None, 3]
    link = next(r for r in lst.items[1] if r.link)
    assert (link.text, link.link) == ("Cổng Chính phủ", "https://chinhphu.vn")
    bad = blocks[2]
    assert isinstance(bad, Paragraph) and not any(r.link for r in bad.runs)
    table = blocks[3]
    assert isinstance(table, Table) and table.rows == (("A | B", "0,8002"),)
    assert table.align == ("left", "right")


def test_data_that_looks_like_a_list_stays_text() -> None:
    for value in ("1. Thành phố", "- gạch đầu dòng", "# tiêu đề", "<b>đậm</b>"):
        (block,) = parse(escape(value))
        assert isinstance(block, Paragraph) and block.text == value


def test_docx_and_html_render_lists_and_links() -> None:
    doc = Document(title="T", lang="vi", blocks=tuple(parse(TEXT)))
    data = docx_bytes(doc)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "<w:hyperlink" in xml and "https://chinhphu.vn" in rels
    assert "javascript" not in rels
    assert "ListBullet2" in xml and "ListNumber" in xml and "<w:t>3.</w:t><w:tab/>" in xml
    page = html_text(doc)
    assert '<a href="https://chinhphu.vn">Cổng Chính phủ</a>' in page
    assert "<ol><li>lý do thứ nhất;</li><li>lý do thứ hai" in page
    assert "<ul><li>ý phụ a;</li><li>ý phụ b.</li></ul></li><li>lý do thứ ba.</li></ol>" in page
    assert "javascript:" not in page.split("<main>")[1].split("liên kết xấu")[0][-40:]


def test_reference_docx_gives_its_styles(tmp_path: __import__("pathlib").Path) -> None:
    """A house-style reference.docx: its Heading 1 (Arial, 16 pt) replaces the built-in one;
    the page and the Times New Roman body stay as Decree 30 sets them otherwise."""
    import io

    import docx
    from docx.shared import Pt

    house = docx.Document()
    h1 = house.styles["Heading 1"]
    h1.font.name, h1.font.size = "Arial", Pt(16)
    ref = tmp_path / "reference.docx"
    house.save(str(ref))
    doc = Document(title="T", lang="vi", blocks=tuple(parse("# Phần một\n\nChữ.")))
    word = docx.Document(io.BytesIO(docx_bytes(doc, ref)))
    assert word.styles["Heading 1"].font.name == "Arial"
    assert word.styles["Heading 1"].font.size == Pt(16)
    assert abs(word.sections[0].left_margin - docx.shared.Mm(30)) < docx.shared.Mm(0.1)


def test_titles_inside_sentences_keep_their_abbreviations() -> None:
    """``lower_first`` (the templates' filter for a level's title inside a sentence) lowers
    the first letter only: Jinja's ``lower`` wrote "dti 2024" and "405/qđ-bkhcn"."""
    from dxframework.report.environment import lower_first

    title = "Cấp tỉnh, DTI 2024 (Quyết định 405/QĐ-BKHCN)"
    assert lower_first(title) == "cấp tỉnh, DTI 2024 (Quyết định 405/QĐ-BKHCN)"
    assert lower_first("Districts of Bắc Kạn") == "districts of Bắc Kạn"
    assert lower_first("UBND tỉnh") == "UBND tỉnh"
    assert lower_first("Đơn vị") == "đơn vị" and lower_first("") == ""
