"""Documents the committee can issue: Decree 30/2020/NĐ-CP's administrative format and more.

What is protected: every document opens with the issuing body beside the national header
(a borderless two-column table in DOCX), the number and symbol, the place and date line in
the Decree's form, the document type and summary, and the synthetic-data notice as a plain
italic paragraph; parts are numbered I., 1., a); it closes with the recipients and the
signature block, all from the organisation profile (the pack's or ``--org``). ``dxf report``
takes ``--date``, ``--number``, ``--plan-year`` and ``--profiles`` and works for every level
of every bundled pack; a late task is carried over into the next year's plan; tasks have an
amount and expected outputs; the wide task table is on landscape pages with columns wide
enough for every word; numbers round halves up everywhere; a hundred communes render fast.

With LibreOffice installed (``soffice``), the demo's DOCX is converted to PDF and its text
checked: the administrative parts are there and no word of the task table is broken.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document as open_docx
from docx.enum.section import WD_ORIENT

import dxframework as dxf
from dxframework.cli import cli
from dxframework.errors import DataError, DxfError
from dxframework.io.tasks import read_tasks
from dxframework.report.build import render_documents
from dxframework.report.charts import format_number
from dxframework.report.context import build_context, select_profiles
from dxframework.report.docx_writer import column_widths, docx_bytes
from dxframework.report.formatting import Formatter
from dxframework.report.model import Heading, Table
from dxframework.report.org import date_line, number_line, read_org

DATE = dt.date(2022, 3, 17)
SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")


def _proposal(rendered: dict[str, Any], lang: str = "vi") -> Any:
    return rendered[lang].docs["proposal"].document


# --------------------------------------------------------------------------------------------
# the parts, as the Decree writes them


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2022, 3, 17), "Bắc Kạn, ngày 17 tháng 3 năm 2022"),
        (dt.date(2022, 2, 5), "Bắc Kạn, ngày 05 tháng 02 năm 2022"),
        (dt.date(2022, 1, 30), "Bắc Kạn, ngày 30 tháng 01 năm 2022"),
        (dt.date(2022, 11, 9), "Bắc Kạn, ngày 09 tháng 11 năm 2022"),
    ],
)
def test_place_and_date_line_takes_leading_zeros_as_the_decree_does(
    day: dt.date, text: str
) -> None:
    """Days below 10 and the months January and February take a leading zero."""
    assert date_line("Bắc Kạn", day, "vi") == text


def test_number_line_leaves_room_for_the_number() -> None:
    assert number_line("45", "ĐA-UBND", "vi") == "Số: 45/ĐA-UBND"
    blank = number_line(None, "KH-UBND", "vi")
    assert blank.startswith("Số: ") and blank.endswith("/KH-UBND") and "45" not in blank
    assert number_line("7", "KH-UBND", "en") == "No.: 7/KH-UBND"


def test_every_document_has_the_administrative_parts(rendered: dict[str, Any]) -> None:
    """Issuing body, national header and motto, number with each document's symbol, the
    date line, type and summary, the notice ("giả lập"), recipients and signature."""
    symbols = {"proposal": "/ĐA-UBND", "plan": "/KH-UBND", "tasks": "/QĐ-UBND"}
    types = {"proposal": "ĐỀ ÁN", "plan": "KẾ HOẠCH", "tasks": "DANH MỤC"}
    for name, doc in rendered["vi"].docs.items():
        admin = doc.document.admin
        assert admin is not None
        assert admin.body == "ỦY BAN NHÂN DÂN\nTỈNH BẮC KẠN"
        assert admin.national == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        assert admin.motto == "Độc lập - Tự do - Hạnh phúc"
        assert admin.number.startswith("Số:") and admin.number.endswith(symbols[name])
        assert admin.place_date == "Bắc Kạn, ngày 15 tháng 3 năm 2025"  # conftest's date
        assert admin.doc_type == types[name]
        assert "giả lập" in admin.notice and "tổng hợp" not in admin.notice
        assert admin.recipients_title == "Nơi nhận:" and admin.recipients[-1] == "Lưu: VT."
        assert (admin.authority, admin.position) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
        assert admin.signer
        for text in (admin.body, admin.summary, admin.notice, *admin.recipients):
            assert unicodedata.is_normalized("NFC", text)
    proposal = _proposal(rendered)
    assert proposal.admin.summary.startswith("Tổng thể về chuyển đổi số tỉnh Bắc Kạn")
    en = _proposal(rendered, "en").admin
    assert en.national == "SOCIALIST REPUBLIC OF VIET NAM" and en.place_date.endswith("2025")


def test_headings_are_numbered_parts_then_arabic_then_letters(rendered: dict[str, Any]) -> None:
    """I., II., … for the parts, 1., 2. below, a), b), …, đ) (the Vietnamese alphabet)
    below those; the appendices are not numbered."""
    doc = _proposal(rendered)
    level1 = doc.headings(1)
    assert [h.split(" ", 1)[0] for h in level1[:-1]] == [
        "I.", "II.", "III.", "IV.", "V.", "VI.", "VII."
    ]  # fmt: skip
    assert level1[-1] == "Phụ lục"
    current = [b for b in doc.blocks if isinstance(b, Heading)]
    start = next(i for i, b in enumerate(current) if b.text.startswith("II."))
    end = next(i for i, b in enumerate(current) if b.text.startswith("III."))
    first_part = current[start:end]
    assert [b.text.split(" ", 1)[0] for b in first_part if b.level == 2] == ["1.", "2.", "3."]
    letters = [b.text.split(" ", 1)[0] for b in first_part if b.level == 3]
    assert letters[:6] == ["a)", "b)", "c)", "d)", "đ)", "e)"]
    appendix = current[[b.text for b in current].index("Phụ lục") :]
    assert not any(re.match(r"^([IVX]+\.|\d+\.|[a-zđ]\)) ", b.text) for b in appendix)


def test_part_titles_are_in_capitals_and_bold_as_appendix_i_writes_them(
    rendered: dict[str, Any],
) -> None:
    """Decree 30's Appendix I sets the titles of parts (I., II., …) in capitals, bold; the
    headings below them (1., a)) keep ordinary case. Checked in the model, the Markdown and
    the DOCX (the Heading 1 style is bold)."""
    doc = _proposal(rendered)
    parts = doc.headings(1)[:-1]
    assert parts[0] == "I. SỰ CẦN THIẾT VÀ CĂN CỨ PHÁP LÝ"  # written out by hand
    assert parts[3] == "IV. NHIỆM VỤ VÀ GIẢI PHÁP"
    for h in parts:
        assert h == h.upper() and unicodedata.is_normalized("NFC", h)
    assert doc.headings(1)[-1] == "Phụ lục"  # the appendices are not a numbered part
    assert "1. Sự cần thiết" in doc.headings(2)[0]  # below the parts: ordinary case
    assert any(h.startswith("a) ") and h != h.upper() for h in doc.headings(3))
    en = _proposal(rendered, "en").headings(1)
    assert en[0] == "I. NECESSITY AND LEGAL BASES"
    md = rendered["vi"].path("proposal", "md").read_text(encoding="utf-8")
    assert "## I. SỰ CẦN THIẾT VÀ CĂN CỨ PHÁP LÝ" in md.splitlines()
    word = open_docx(str(rendered["vi"].path("proposal", "docx")))
    first = next(p for p in word.paragraphs if p.style.name == "Heading 1")
    assert first.text == "I. SỰ CẦN THIẾT VÀ CĂN CỨ PHÁP LÝ"
    assert first.style.font.bold is True


def test_docx_heading_and_closing_are_borderless_two_column_tables(
    rendered: dict[str, Any],
) -> None:
    """The first table holds the issuing body beside the national header, then the number
    beside the italic place-and-date line; another the recipients beside the signature,
    before the appendices; neither has borders. The type is the Title, the notice a plain
    italic paragraph (not a heading); the page number header is not on the first page."""
    word = open_docx(str(rendered["vi"].path("proposal", "docx")))
    head = word.tables[0]
    (foot,) = [t for t in word.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:")]
    for table in (head, foot):
        borders = table._tbl.tblPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblBorders"
        )
        assert borders is not None
        assert {b.get(borders.tag.replace("tblBorders", "val")) for b in borders} == {"nil"}
    issuer, national = (c.text for c in head.rows[0].cells)
    assert issuer.split("\n")[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH BẮC KẠN"]
    assert national.split("\n")[:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    number, date_cell = head.rows[1].cells
    assert number.text.startswith("Số:") and number.text.endswith("/ĐA-UBND")
    assert date_cell.text == "Bắc Kạn, ngày 15 tháng 3 năm 2025"
    assert all(r.italic for r in date_cell.paragraphs[0].runs)
    assert all(r.bold for p in head.rows[0].cells[1].paragraphs for r in p.runs)
    recipients, signature = foot.rows[0].cells
    assert recipients.paragraphs[0].text == "Nơi nhận:"
    assert all(r.bold and r.italic for r in recipients.paragraphs[0].runs)
    assert recipients.paragraphs[-1].text == "- Lưu: VT."
    lines = [p.text for p in signature.paragraphs if p.text]
    assert lines[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert all(r.bold for r in signature.paragraphs[-1].runs)
    paragraphs = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Title", "ĐỀ ÁN") in paragraphs
    notice = next(p for p in word.paragraphs if "giả lập" in p.text)
    assert notice.style.name == "Normal" and all(r.italic for r in notice.runs)
    assert not any(r.bold for r in notice.runs)
    first = word.sections[0]
    body = list(word.element.body)
    appendix = next(p for p in word.paragraphs if p.text == "Phụ lục")
    assert body.index(foot._tbl) < body.index(appendix._p)  # appendices follow the signature
    assert first.different_first_page_header_footer
    assert (
        "PAGE" in first.header._element.xml and "PAGE" not in first.first_page_header._element.xml
    )


def test_task_table_is_on_landscape_pages_with_columns_sized_by_content(
    rendered: dict[str, Any],
) -> None:
    """The priority task table sits in a landscape section; its columns are not equal: the
    task column is wider than the number column, and every column is at least as wide as
    its longest word needs."""
    word = open_docx(str(rendered["vi"].path("tasks", "docx")))
    assert word.sections[0].orientation == WD_ORIENT.LANDSCAPE  # the list is a wide table
    table = word.tables[1]
    assert table.rows[0].cells[7].text == "Sản phẩm dự kiến"
    widths = [c.width for c in table.rows[0].cells]
    assert len(set(widths)) > 3
    assert widths[1] > 2 * widths[0]
    model = next(b for b in rendered["vi"].docs["tasks"].document.blocks if isinstance(b, Table))
    longest = [
        max(len(w) for row in (model.header, *model.rows) for w in row[j].split())
        for j in range(len(model.header))
    ]
    for width, chars in zip(widths, longest, strict=True):
        assert width >= chars * 12 * 0.5 * 12700  # a 12 pt character is about 6 pt wide


def test_column_widths_fit_the_page_and_the_words() -> None:
    table = Table(
        ("#", "Nhiệm vụ", "Thời gian"),
        (("1", "Xây dựng nền tảng tích hợp, chia sẻ dữ liệu " * 3, "2022–2025"),),
    )
    widths = column_widths(table, 9_000_000)
    assert abs(sum(widths) - 9_000_000) < 10
    assert widths[1] > widths[2] > widths[0]


# --------------------------------------------------------------------------------------------
# the options: date, number, plan year, organisation, profiles


def test_report_plan_year_and_date_on_the_command_line(tmp_path: Path) -> None:
    """`dxf report --plan-year 2022 --date 2022-03-17` gives the plan for 2022 dated
    17/03/2022 (in the date line and the DOCX properties), numbered with --number."""
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        cli,
        [
            "report", "--pack", "backan", "--documents", "plan", "--format", "md,docx",
            "--plan-year", "2022", "--date", "2022-03-17", "--number", "12", "-o", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    md = (out / "plan.vi.md").read_text(encoding="utf-8")
    assert "*Bắc Kạn, ngày 17 tháng 3 năm 2022*" in md
    assert "# KẾ HOẠCH: Chuyển đổi số năm 2022" in md
    assert "Số: 12/KH-UBND" in md
    assert "## I. KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM 2022" in md
    word = open_docx(str(out / "plan.vi.docx"))
    assert word.core_properties.created.date() == DATE


def test_report_refuses_a_date_that_is_not_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["report", "--pack", "backan", "--date", "17.3.2022", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "is not a date" in result.output


def test_org_file_replaces_the_packs_profile(
    backan: Any, backan_results: dict[str, Any], tmp_path: Path
) -> None:
    org = tmp_path / "org.toml"
    org.write_text(
        '[vi]\nsuperior = "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN"\nbody = "BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ"\n'
        'place = "Bắc Kạn"\nauthority = "TM. BAN CHỈ ĐẠO"\nposition = "TRƯỞNG BAN"\n'
        'signer = "Trần Thị B"\nrecipients = ["Như trên;", "Lưu: VT."]\n'
        '[symbols]\nplan = "KH-BCĐ"\n',
        encoding="utf-8",
    )
    (doc,) = render_documents(
        backan, backan_results, "vi", ("plan",), today=DATE, org=org, number="3"
    )
    admin = doc.document.admin
    assert admin.superior == "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN"
    assert admin.body == "BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ"
    assert admin.number == "Số: 3/KH-BCĐ" and admin.signer == "Trần Thị B"
    en = render_documents(backan, backan_results, "en", ("plan",), today=DATE, org=org)[0]
    assert en.document.admin.signer == "Trần Thị B"  # falls back to [vi]
    docx_bytes(doc.document)  # a superior body above the issuing body renders


def test_a_broken_org_file_is_an_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "org.toml"
    bad.write_text("[vi]\nrecipients = 3\n", encoding="utf-8")
    with pytest.raises(DxfError, match="recipients must be a list") as info:
        read_org(bad)
    assert info.value.problems[0].file == str(bad)
    with pytest.raises(DxfError, match="not found"):
        read_org(tmp_path / "missing.toml")


def test_profiles_choose_the_units_with_a_profile(
    backan: Any, backan_results: dict[str, Any]
) -> None:
    units = [{"code": c} for c in ("061", "058", "060", "066")]
    assert select_profiles(units, "all") == units
    assert select_profiles(units, "none") == []
    assert select_profiles(units, "top 2") == units[:2]
    assert select_profiles(units, "060, 061") == [units[0], units[2]]
    with pytest.raises(DxfError, match="no unit 'XYZ'"):
        select_profiles(units, "XYZ")
    many = [{"code": str(i)} for i in range(100)]
    assert len(select_profiles(many, None)) == 10 and select_profiles(units, None) == units
    (doc,) = render_documents(
        backan, backan_results, "vi", ("proposal",), today=DATE, profiles="none"
    )
    assert not any(k.startswith("radar_") for k in doc.document.charts)


# --------------------------------------------------------------------------------------------
# every level of every pack; a hundred communes


LEVELS = [
    (pack, level)
    for pack in ("backan", "vn-dti", "egdi", "asem")
    for level in ("district", "commune", "main", "province", "main2024", "country")
    if level in dxf.get_pack(pack).levels
]


@pytest.mark.parametrize(("pack", "level"), LEVELS)
def test_report_works_for_every_level_of_every_pack(pack: str, level: str, tmp_path: Path) -> None:
    """`dxf report --level L` renders (the commune level used to end in KeyError)."""
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        cli,
        ["report", "--pack", pack, "--level", level, "--format", "md", "--lang", "en",
         "--documents", "proposal,plan", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "proposal.en.md").is_file() and (out / "plan.en.md").is_file()


def test_a_hundred_communes_render_fast_with_progress(
    backan: Any, backan_results: dict[str, Any], tmp_path: Path
) -> None:
    """More than 100 communes: the proposal renders and is written as DOCX in well under
    30 s; ten profiles by default, the ranking as a distribution chart beside the full
    ranking table; the progress callback hears of every chart and every file."""
    from dxframework.report.output import write_documents

    communes = {"commune": backan_results["commune"]}
    assert len(communes["commune"].scores.units) >= 100
    steps: list[str] = []
    start = time.perf_counter()
    docs = render_documents(backan, communes, "vi", today=DATE, progress=steps.append)
    paths = write_documents(docs, tmp_path / "out", ["docx", "md"], progress=steps.append)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, elapsed
    proposal = docs[0].document
    radars = [k for k in proposal.charts if k.startswith("radar_")]
    assert len(radars) == 10
    assert sum(s.startswith("chart ") for s in steps) == len(
        {k for d in docs for k in d.document.charts}
    )
    assert [s for s in steps if s.endswith((".docx", ".md"))] == [
        p.name for p in paths if p.name != "charts"
    ]
    ranking = next(b for b in proposal.blocks if isinstance(b, Table) and len(b.rows) >= 100)
    assert len(ranking.rows) == len(communes["commune"].scores.units)
    assert "Phân bố" in docs[0].markdown


# --------------------------------------------------------------------------------------------
# tasks: carried over, amounts, outputs, statuses


def test_a_late_task_is_carried_over_into_the_next_years_plan(
    backan: Any, backan_results: dict[str, Any]
) -> None:
    """NV13 (2022–2023, delayed, 30 %) is in the 2024 plan, marked as carried over, and
    first by expected effect; a task done on time (NV04, 2022–2024) is not."""
    ctx, _ = build_context(backan, backan_results, "vi", today=DATE, plan_year=2024)
    plan = ctx["plan"]["tasks"]
    late = next(t for t in plan if t["id"] == "NV13")
    assert late["carried_over"] and late["status"] == "delayed" and late["progress"] == 30
    assert [t["id"] for t in ctx["plan"]["carried_over"]] == ["NV13"]
    assert "NV04" not in {t["id"] for t in plan}
    assert ctx["tasks"][0]["id"] == "NV13"  # the top priority
    ctx_2023, _ = build_context(backan, backan_results, "vi", today=DATE, plan_year=2023)
    on_time = next(t for t in ctx_2023["plan"]["tasks"] if t["id"] == "NV13")
    assert not on_time["carried_over"]
    (doc,) = render_documents(backan, backan_results, "vi", ("plan",), today=DATE, plan_year=2024)
    assert "chuyển tiếp" in doc.sections["plan"]


def test_tasks_have_amounts_and_outputs_and_old_files_still_read(tmp_path: Path) -> None:
    catalogue = dxf.get_pack("backan").tasks()
    assert all(t.amount is not None and t.outputs("vi") for t in catalogue.tasks)
    old = tmp_path / "old.csv"
    old.write_text(
        "id,task_vi,pillar,start,end,status\nA1,Nhiệm vụ cũ,CQS,2022,2023,planned\n",
        encoding="utf-8",
    )
    (task,) = read_tasks(old).tasks
    assert task.amount is None and task.outputs("vi") == ()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,task_vi,pillar,start,end,status,amount\nA1,Nhiệm vụ,CQS,2022,2023,planned,nhiều\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="amount"):
        read_tasks(bad)


def test_tasks_command_prints_statuses_in_vietnamese() -> None:
    result = CliRunner().invoke(cli, ["tasks", "--pack", "backan", "--lang", "vi"])
    assert result.exit_code == 0, result.output
    assert "Chậm tiến độ" in result.output and "Đang thực hiện" in result.output
    assert "in_progress" not in result.output and "delayed" not in result.output


# --------------------------------------------------------------------------------------------
# numbers: one formatter, one sign convention


def test_halves_round_up_in_text_and_on_charts() -> None:
    """45.25 is 45,3 in the text, the tables and the charts (one Babel formatter)."""
    assert Formatter("vi").number(45.25, 1) == "45,3"
    assert format_number(45.25, 1, "vi") == "45,3"
    assert format_number(45.25, 1, "en") == "45.3"
    assert format_number(-0.08995, 4, "vi") == "−0,0900"


def test_a_gap_is_target_minus_current_and_met_says_so(rendered: dict[str, Any]) -> None:
    objectives = rendered["vi"].docs["proposal"].sections["objectives"]
    assert "| Đã đạt | — |" in objectives  # 0,6152 against 0,6000: met, not 0,0000
    assert "0,0000" not in objectives.split("## ")[0]
    assert "−" not in objectives.split("## ")[0]  # no negative gaps


# --------------------------------------------------------------------------------------------
# the PDF (LibreOffice)


def _pdf(docx: Path, out: Path) -> Path:
    subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        check=True,
        capture_output=True,
        timeout=240,
        env={"HOME": str(out), "PATH": "/usr/bin:/bin"},
    )
    return out / (docx.stem + ".pdf")


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        [str(PDFTOTEXT), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None, reason="needs soffice and pdftotext")
def test_demo_pdf_has_the_administrative_parts_and_unbroken_words(
    rendered: dict[str, Any], tmp_path: Path
) -> None:
    """The proposal converted by LibreOffice shows the national header, the number, the
    place-date line, numbered headings, the recipients and the signature; the task list's
    PDF holds every word of the task table whole (no syllable broken across lines) on a
    few pages, none of them blank."""
    proposal = _pdf(rendered["vi"].path("proposal", "docx"), tmp_path)
    pages = _pdf_pages(proposal)
    first = pages[0]
    for text in (
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/ĐA-UBND",
        "Bắc Kạn, ngày 15 tháng 3 năm 2025",
        "ĐỀ ÁN",
        "giả lập",
        "I. SỰ CẦN THIẾT VÀ CĂN CỨ PHÁP LÝ",
        "Căn cứ pháp lý",
    ):
        assert text in unicodedata.normalize("NFC", first), text
    whole = unicodedata.normalize("NFC", "\n".join(pages))
    assert "II. THỰC TRẠNG CHUYỂN ĐỔI SỐ" in whole and "Nơi nhận:" in whole and "CHỦ TỊCH" in whole
    assert all(page.strip() for page in pages if page is not pages[-1]), "a blank page"

    tasks = _pdf(rendered["vi"].path("tasks", "docx"), tmp_path)
    task_pages = _pdf_pages(tasks)
    assert len([p for p in task_pages if p.strip()]) <= 8
    words = set(re.findall(r"\w+", unicodedata.normalize("NFC", "\n".join(task_pages))))
    table = next(b for b in rendered["vi"].docs["tasks"].document.blocks if isinstance(b, Table))
    needed = {w for row in table.rows for cell in row for w in re.findall(r"\w+", cell)}
    broken = sorted(needed - words)
    assert not broken, f"words broken across lines in the PDF: {broken[:10]}"


# --------------------------------------------------------------------------------------------
# the narrative sections


def test_proposal_has_the_parts_of_a_de_an(rendered: dict[str, Any]) -> None:
    """I. necessity and legal bases, II. current state, III. viewpoints and objectives,
    IV. tasks and solutions by pillar, V. priority tasks, VI. funding (the tasks' amounts by
    source and pillar), VII. implementation (each lead agency and its tasks)."""
    doc = rendered["vi"].docs["proposal"]
    assert [h.split(". ", 1)[1] for h in doc.document.headings(1)[:-1]] == [
        "SỰ CẦN THIẾT VÀ CĂN CỨ PHÁP LÝ",
        "THỰC TRẠNG CHUYỂN ĐỔI SỐ",
        "QUAN ĐIỂM VÀ MỤC TIÊU",
        "NHIỆM VỤ VÀ GIẢI PHÁP",
        "DANH MỤC NHIỆM VỤ ƯU TIÊN",
        "KINH PHÍ THỰC HIỆN",
        "TỔ CHỨC THỰC HIỆN",
    ]
    assert "Quyết định số 749/QĐ-TTg" in doc.sections["necessity"]
    assert "## Quan điểm" in doc.sections["objectives"]
    assert "## Chính quyền số" in doc.sections["solutions"]
    total = sum(
        t.amount or 0 for t in dxf.get_pack("backan").tasks().tasks if t.status != "cancelled"
    )
    assert f"{Formatter('vi').integer(total)} triệu đồng" in doc.sections["funding"]
    assert "**Sở Thông tin và Truyền thông**: chủ trì" in doc.sections["implementation"]
    plan = rendered["vi"].docs["plan"]
    assert tuple(plan.sections) == ("plan", "tasks", "implementation")


def test_legal_bases_issued_after_the_date_are_left_out(
    backan: Any, backan_results: dict[str, Any]
) -> None:
    """Dated 17/03/2022, the proposal cannot cite Decision 411/QĐ-TTg of 31/3/2022."""
    early = render_documents(backan, backan_results, "vi", ("proposal",), today=DATE)[0]
    late = render_documents(backan, backan_results, "vi", ("proposal",), today=dt.date(2022, 4, 1))[
        0
    ]
    assert "411/QĐ-TTg" not in early.sections["necessity"]
    assert "411/QĐ-TTg" in late.sections["necessity"]


def test_users_texts_replace_the_defaults(tmp_path: Path) -> None:
    """`--texts DIR`: a necessity.vi.md and a legal_bases.toml of the user's are used; the
    other texts stay the built-in ones."""
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "necessity.vi.md").write_text(
        "Tỉnh cần đề án vì:\n\n1. lý do thứ nhất;\n2. lý do thứ hai.\n", encoding="utf-8"
    )
    (texts / "legal_bases.toml").write_text(
        '[[bases]]\ndate = 2022-07-14\nvi = "Quyết định số 1294/QĐ-UBND ngày 14/7/2022"\n',
        encoding="utf-8",
    )
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        cli,
        ["report", "--pack", "backan", "--level", "district", "--documents", "proposal",
         "--format", "md", "--date", "2022-08-01", "--texts", str(texts), "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    md = (out / "proposal.vi.md").read_text(encoding="utf-8")
    assert "Tỉnh cần đề án vì:" in md and "1294/QĐ-UBND" in md
    assert "749/QĐ-TTg" not in md  # the user's list replaces the built-in one
    assert "## Quan điểm" not in md and "### 1. Quan điểm" in md  # the rest: built-in
