"""The documents feature end to end: proposal, annual plan and task list in three formats.

What is protected: ``dxf demo`` writes every document as HTML, Markdown and DOCX and says
where; the three formats hold the same sections (headings, tables, figures); the DOCX follows
Decree 30 (A4, margins, Times New Roman); Vietnamese survives every format in NFC; a unit
name is always text (no script, no broken table, no bold); a user's or a plugin's template
replaces exactly one section; templates are sandboxed, strict and confined to their
folders; numbers, scores and dates are formatted for the document's language.

The backan documents are rendered once per session (see ``conftest.py``).
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import subprocess
import sys
import tomllib
import types
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document as open_docx
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from jinja2.exceptions import SecurityError, TemplateNotFound, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from dxframework import hookimpl
from dxframework.cli import cli
from dxframework.errors import DxfError
from dxframework.plugins import register_plugin, reset_plugins
from dxframework.report.build import SECTIONS, render_documents, render_sections
from dxframework.report.context import build_context
from dxframework.report.environment import BUILTIN_TEMPLATES, make_environment
from dxframework.report.formatting import Formatter
from dxframework.report.markdown import parse
from dxframework.report.model import BulletList, Heading, Paragraph, Run, Table
from dxframework.report.output import write_documents

TODAY = dt.date(2025, 3, 15)  # the date conftest.py renders with
LANGS = ("vi", "en")
DOCUMENT_NAMES = ("proposal", "plan", "tasks")
FORMATS = ("html", "md", "docx")
PROPOSAL = tuple(s for s in SECTIONS if s != "plan")
DOCUMENT_SECTIONS = {
    "proposal": PROPOSAL,
    "plan": ("plan", "tasks", "implementation"),
    "tasks": ("tasks",),
}

SCRIPT_NAME = "<script>alert(1)</script>"  # the names conftest.py gives to districts in `tricky`
PIPE_NAME = "A | B **đậm** C"
NGAN_SON = unicodedata.normalize("NFC", "Ngân Sơn")

DATE_LINE = {"vi": "Ngày 15/03/2025", "en": "Date 15 March 2025"}
VIETNAMESE_NAMES = ("Chợ Đồn", "Pác Nặm", "Bạch Thông", "Thành phố Bắc Kạn")
"""Unit names that appear, untranslated, in the documents of both languages."""

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FIGURE = re.compile(r"^!\[(?:\\.|[^\]])*\]\(chart:(?P<id>(?:\\.|[^)])+)\)$", re.MULTILINE)
SCORE_POINT = re.compile(r"(?<![\d.,])\d+\.\d{4}(?!\d)")  # 0.8002
SCORE_COMMA = re.compile(r"(?<![\d.,])\d+,\d{4}(?!\d)")  # 0,8002
SEPARATOR_ROW = re.compile(r"^\|[\s|:-]+\|$")


# --------------------------------------------------------------------------------------------
# helpers


def labels(lang: str) -> dict[str, str]:
    """The built-in labels of ``lang``, read straight from labels.toml."""
    doc = tomllib.loads((BUILTIN_TEMPLATES / "labels.toml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in doc[lang].items()}


def section_headings(lang: str, plan_year: int, sections: tuple[str, ...] = PROPOSAL) -> list[str]:
    """The level-1 heading of each section, from the labels, numbered I., II., … as Decree 30
    numbers the parts, the titles in capitals (the appendices are not numbered)."""
    t = labels(lang)
    text = {
        "necessity": t["necessity"],
        "current_state": t["current_state"],
        "objectives": t["objectives"],
        "solutions": t["solutions"],
        "tasks": t["tasks"],
        "funding": t["funding_section"],
        "implementation": t["implementation"],
        "plan": t["plan"].format(year=plan_year),
        "appendices": t["appendices"],
    }
    numerals = iter(("I", "II", "III", "IV", "V", "VI", "VII", "VIII"))
    return [
        text[s] if s == "appendices" else f"{next(numerals)}. {text[s].upper()}" for s in sections
    ]


NUMBER = re.compile(r"^(?:[IVXLC]+\.|\d+\.|[a-zđ]+\)) ")


def unnumbered(heading: str) -> str:
    """A heading without its number ("a) Ngân Sơn — …" → "Ngân Sơn — …")."""
    return NUMBER.sub("", heading)


def chart_refs(markdown: str) -> list[str]:
    """Chart ids of the ``![caption](chart:ID)`` figures, in order."""
    return [re.sub(r"\\(.)", r"\1", m.group("id")) for m in FIGURE.finditer(markdown)]


def table_rows(markdown: str) -> list[str]:
    """Lines of Markdown tables, without separator rows."""
    return [
        ln for ln in markdown.splitlines() if ln.startswith("|") and not SEPARATOR_ROW.match(ln)
    ]


class Page(HTMLParser):
    """An HTML page's text (outside ``<style>``), element ids and table-of-contents links."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.ids: list[str] = []
        self.toc: list[str] = []
        self.tags: collections.Counter[str] = collections.Counter()
        self._style = 0
        self._nav = 0
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "style":
            self._style += 1
        if tag == "nav":
            self._nav += 1
        if tag == "a" and self._nav and a.get("href"):
            self.toc.append(str(a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._style -= 1
        if tag == "nav":
            self._nav -= 1

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def docx_text(path: Path) -> str:
    """Every paragraph's text (body and table cells), one per line, from document.xml."""
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("word/document.xml"))
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p"))


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})


def listing(output: str) -> list[tuple[str, str, str]]:
    """(template, source, used) rows of ``dxf templates list`` (first line of each row)."""
    rows = []
    for line in output.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
            if len(cells) == 3 and cells[0]:
                rows.append((cells[0], cells[1], cells[2]))
    return rows


@pytest.fixture(scope="module")
def vi_context(backan: Any, backan_results: dict[str, Any]) -> dict[str, Any]:
    """The Vietnamese template context of the bundled data (no charts drawn)."""
    context, _ = build_context(backan, backan_results, "vi", today=TODAY)
    return context


# --------------------------------------------------------------------------------------------
# the demo and the files


def test_demo_writes_every_document_in_three_formats(tmp_path: Path) -> None:
    """`dxf demo --out DIR` writes proposal, plan and tasks as HTML, Markdown and DOCX and
    prints the path of each file."""
    out = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "dxframework", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    printed = {line.strip() for line in proc.stdout.splitlines()}
    folder = out / "documents"
    for name in DOCUMENT_NAMES:
        for ext in FORMATS:
            path = folder / f"{name}.vi.{ext}"
            assert path.is_file() and path.stat().st_size > 1000, path
            assert str(path) in printed, f"{path} not printed"
        assert zipfile.is_zipfile(folder / f"{name}.vi.docx")
        assert (
            (folder / f"{name}.vi.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        )
        md = (folder / f"{name}.vi.md").read_text(encoding="utf-8")
        assert md.startswith("ỦY BAN NHÂN DÂN") and "\n# " in md  # the issuing body first
    assert "Documents" in proc.stdout
    assert sorted(p.name for p in (folder / "charts").glob("*.svg"))  # charts for Markdown


def test_every_document_is_written_in_every_format(rendered: dict[str, Any]) -> None:
    """write_documents writes NAME.LANG.EXT for each document, language and format, plus the
    charts folder, and returns exactly those paths."""
    folder = rendered["vi"].folder
    expected = {
        folder / f"{n}.{lang}.{ext}" for lang in LANGS for n in DOCUMENT_NAMES for ext in FORMATS
    } | {folder / "charts"}
    assert set(rendered["vi"].paths) == expected
    assert all(p.exists() for p in expected)
    for lang in LANGS:
        for name in DOCUMENT_NAMES:
            doc = rendered[lang].docs[name]
            assert doc.name == name and doc.document.lang == lang
            assert tuple(doc.sections) == DOCUMENT_SECTIONS[name]
            assert f'<html lang="{lang}">' in rendered[lang].path(name, "html").read_text(
                encoding="utf-8"
            )


def test_documents_share_their_sections(rendered: dict[str, Any], plan_year: int) -> None:
    """The plan and the task list share the proposal's sections, rendered once: same text,
    same headings, same title labels (the annual plan itself is the plan's own)."""
    for lang in LANGS:
        docs = rendered[lang].docs
        proposal = docs["proposal"]
        assert "plan" not in proposal.sections
        for name in ("plan", "tasks"):
            for section, text in docs[name].sections.items():
                if section != "plan":
                    assert text == proposal.sections[section]
            assert docs[name].document.headings(1) == section_headings(
                lang, plan_year, DOCUMENT_SECTIONS[name]
            )
        t = labels(lang)
        assert docs["tasks"].document.title == t["tasks_doc"]
        assert docs["plan"].document.title == f"{t['plan_doc']} {plan_year}"
        assert proposal.document.headings(1) == section_headings(lang, plan_year)


def test_unknown_document_is_an_error(backan: Any, backan_results: dict[str, Any]) -> None:
    """Asking for a document that does not exist names the known ones."""
    with pytest.raises(DxfError, match="unknown document 'budget'") as info:
        render_documents(backan, backan_results, "vi", names=("budget",), today=TODAY)
    assert "proposal" in str(info.value.problems[0].hint)


def test_markdown_file_has_title_block_sections_and_chart_links(rendered: dict[str, Any]) -> None:
    """The .md file starts with the administrative parts (issuing body, number, national
    header, place and date, document type and summary, the notice), puts sections one level
    under the title, drops page and orientation breaks, ends with the recipients and the
    signature, and links every figure to an SVG file that exists."""
    for lang in LANGS:
        for name in DOCUMENT_NAMES:
            doc = rendered[lang].docs[name]
            admin = doc.document.admin
            assert admin is not None
            text = rendered[lang].path(name, "md").read_text(encoding="utf-8")
            lines = [ln.rstrip() for ln in text.splitlines()]
            assert lines[0] == admin.body.split("\n")[0].upper()
            assert admin.number in lines[:4]
            assert admin.national in lines[:8] and admin.motto in lines[:8]
            assert f"*{admin.place_date}*" in lines[:10]
            assert f"# {admin.doc_type}: {admin.summary}" in lines[:12]
            assert f"*{admin.notice}*" in lines[:14]
            assert f"***{admin.recipients_title}***" in lines
            signer = lines.index(f"**{admin.signer}**")
            appendix = [
                k for k, ln in enumerate(lines) if ln == "## Phụ lục" or ln == "## Appendices"
            ]
            assert signer == len(lines) - 1 if not appendix else signer < appendix[0]
            for heading in doc.document.headings(1):
                assert f"## {heading}" in lines
            for marker in ("\\pagebreak", "\\landscape", "\\portrait"):
                assert marker not in text
            assert "chart:" not in text
            links = re.findall(r"^!\[.*\]\((charts/[^)]+\.svg)\)$", text, re.MULTILINE)
            assert len(links) == len(chart_refs(doc.markdown))
            expected = [f"{c}.{lang}" for c in chart_refs(doc.markdown)]
            assert [Path(p).stem for p in links] == expected
            for link in links:
                assert (rendered[lang].folder / link).is_file()


def test_markdown_links_the_charts_of_its_own_language(rendered: dict[str, Any]) -> None:
    """With vi and en written into one folder (file names carry the language), each .md
    file links charts drawn in its own language."""
    for lang in LANGS:
        doc = rendered[lang].docs["proposal"]
        text = rendered[lang].path("proposal", "md").read_text(encoding="utf-8")
        for link in re.findall(r"\]\((charts/[^)]+\.svg)\)", text):
            chart_id, _, link_lang = Path(link).stem.rpartition(".")
            assert link_lang == lang
            chart = doc.document.charts[chart_id]
            svg = (rendered[lang].folder / link).read_text(encoding="utf-8")
            assert svg == chart.svg, f"{lang}: {link} is not the {lang} chart"


def test_html_page_has_cover_toc_and_sections(rendered: dict[str, Any]) -> None:
    """The HTML page shows organisation, title and date; its table of contents lists the
    level-1 and level-2 headings and every link points at an element of the page; every
    figure holds an inline SVG and nothing is a script."""
    for lang in LANGS:
        doc = rendered[lang].docs["proposal"]
        page = read_page(rendered[lang].path("proposal", "html"))
        admin = doc.document.admin
        assert admin is not None
        for line in admin.body.split("\n"):
            assert line.upper() in page.text
        for part in (admin.national, admin.motto, admin.number, admin.place_date):
            assert part in page.text
        assert admin.summary in page.text and admin.signer in page.text
        expected = [b for b in doc.document.blocks if isinstance(b, Heading) and b.level <= 2]
        assert len(page.toc) == len(expected)
        assert all(href.startswith("#") and href[1:] in page.ids for href in page.toc)
        assert page.tags["figure"] == len(chart_refs(doc.markdown))
        assert page.tags["svg"] >= page.tags["figure"]
        # the Markdown's tables and the borderless heading table (issuer | national header)
        assert page.tags["table"] == sum(isinstance(b, Table) for b in parse(doc.markdown)) + 1
        assert page.tags["script"] == 0


def test_html_element_ids_are_unique(rendered: dict[str, Any]) -> None:
    """Element ids in every HTML page are unique (inline SVG ids included): no chart is
    inlined twice and charts' prefixed ids don't clash, so the table of contents and the
    charts' internal references (clip paths) are unambiguous."""
    for lang in LANGS:
        for name in DOCUMENT_NAMES:
            page = read_page(rendered[lang].path(name, "html"))
            duplicated = [i for i, n in collections.Counter(page.ids).items() if n > 1]
            assert duplicated == [], (lang, name, duplicated[:5])
            figures = chart_refs(rendered[lang].docs[name].markdown)
            assert len(figures) == len(set(figures))


# --------------------------------------------------------------------------------------------
# DOCX


@pytest.mark.parametrize("lang", LANGS)
def test_docx_has_word_headings_tables_and_pictures(
    rendered: dict[str, Any], lang: str, plan_year: int
) -> None:
    """Read back with python-docx: sections are "Heading 1" paragraphs with the labels'
    texts, subsections "Heading 2"; there is a table for every Markdown table and one inline
    picture per figure."""
    for name in DOCUMENT_NAMES:
        doc = rendered[lang].docs[name]
        word = open_docx(str(rendered[lang].path(name, "docx")))
        styled = [(p.style.name, p.text) for p in word.paragraphs]
        assert [t for s, t in styled if s == "Heading 1"] == section_headings(
            lang, plan_year, DOCUMENT_SECTIONS[name]
        )
        assert [t for s, t in styled if s == "Heading 2"] == doc.document.headings(2)
        assert doc.document.admin is not None
        assert ("Title", doc.document.admin.doc_type) in styled
        assert ("Subtitle", doc.document.admin.summary) in styled
        md_tables = [b for b in parse(doc.markdown) if isinstance(b, Table)]
        assert md_tables
        # borderless tables around them: the heading (issuer | national header) and the
        # closing (recipients | signature)
        assert len(word.tables) == len(md_tables) + 2
        first = word.tables[1].rows[0].cells
        assert tuple(c.text for c in first) == md_tables[0].header
        assert len(word.inline_shapes) == len(chart_refs(doc.markdown))
    t = labels(lang)
    proposal = open_docx(str(rendered[lang].path("proposal", "docx")))
    heading2 = {unnumbered(p.text) for p in proposal.paragraphs if p.style.name == "Heading 2"}
    assert {
        t["current_overview"],
        t["current_main"],
        t["current_units"],
        t["rankings"],
        t["profiles"],
        t["task_summary"],
        t["indicator_targets"],
    } <= heading2
    assert len(proposal.inline_shapes) > 5


@pytest.mark.parametrize("lang", LANGS)
def test_docx_page_is_a4_with_decree_30_margins_and_times(
    rendered: dict[str, Any], lang: str
) -> None:
    """Every section is A4, portrait or (the wide task tables) landscape, with margins
    top/bottom 20 mm, left 30 mm, right 15 mm (± 0.5 mm), and the Normal style is Times New
    Roman; the proposal starts in portrait and has landscape sections."""
    word = open_docx(str(rendered[lang].path("proposal", "docx")))
    tolerance = Mm(0.5)
    assert word.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert any(s.orientation == WD_ORIENT.LANDSCAPE for s in word.sections)
    for section in word.sections:
        wide = section.orientation == WD_ORIENT.LANDSCAPE
        for got, want in (
            (section.page_width, 297 if wide else 210),
            (section.page_height, 210 if wide else 297),
            (section.top_margin, 20),
            (section.bottom_margin, 20),
            (section.left_margin, 30),
            (section.right_margin, 15),
        ):
            assert got is not None and abs(got - Mm(want)) <= tolerance, (got, want)
    assert word.styles["Normal"].font.name == "Times New Roman"


# --------------------------------------------------------------------------------------------
# Vietnamese text


def test_vietnamese_is_intact_and_nfc_in_every_format(rendered: dict[str, Any]) -> None:
    """Vietnamese unit and pillar names appear unchanged in the Markdown, the HTML text and
    the DOCX text, and all of it is Unicode NFC."""
    vi = rendered["vi"]
    texts = {
        "md": vi.path("proposal", "md").read_text(encoding="utf-8"),
        "html": read_page(vi.path("proposal", "html")).text,
        "docx": docx_text(vi.path("proposal", "docx")),
    }
    for fmt, text in texts.items():
        for name in (*VIETNAMESE_NAMES, "Chính quyền số", "Kinh tế số", "Xã hội số"):
            assert unicodedata.normalize("NFC", name) in text, (fmt, name)
        assert unicodedata.is_normalized("NFC", text), fmt
    en_html = read_page(rendered["en"].path("proposal", "html")).text
    assert all(name in en_html for name in VIETNAMESE_NAMES)  # names are not translated
    assert unicodedata.is_normalized("NFC", en_html)


def test_nfd_unit_name_is_written_in_nfc(tricky: Any) -> None:
    """A unit name typed in NFD (as some spreadsheets store it) comes out in NFC in all
    three formats; the decomposed form appears nowhere."""
    nfd = unicodedata.normalize("NFD", NGAN_SON)
    assert nfd != NGAN_SON
    texts = {
        "md": tricky.path("proposal", "md").read_text(encoding="utf-8"),
        "html": tricky.path("proposal", "html").read_text(encoding="utf-8"),
        "docx": docx_text(tricky.path("proposal", "docx")),
    }
    for fmt, text in texts.items():
        assert NGAN_SON in text, fmt
        assert nfd not in text, fmt
        assert unicodedata.is_normalized("NFC", text), fmt
    headings = tricky.docs["proposal"].document.headings(3)
    assert any(unnumbered(h).startswith(NGAN_SON + " — ") for h in headings)


# --------------------------------------------------------------------------------------------
# data is text: escaping


def test_script_unit_name_is_text_in_html(tricky: Any) -> None:
    """A unit named <script>alert(1)</script> is HTML-escaped everywhere in the page (the
    raw tag never occurs) and reads as that literal text."""
    raw = tricky.path("proposal", "html").read_text(encoding="utf-8")
    assert SCRIPT_NAME not in raw
    assert "<script" not in raw.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    page = Page(raw)
    assert SCRIPT_NAME in page.text
    assert page.tags["script"] == 0


def test_script_unit_name_is_escaped_in_markdown_and_literal_in_docx(tricky: Any) -> None:
    """In Markdown the name is backslash-escaped (\\<script\\>), and parsing gives the
    literal name back; the DOCX holds the literal text."""
    doc = tricky.docs["proposal"]
    escaped = "\\<script\\>alert(1)\\</script\\>"
    for text in (doc.markdown, tricky.path("proposal", "md").read_text(encoding="utf-8")):
        assert escaped in text
        assert SCRIPT_NAME not in text
    headings = [unnumbered(h) for h in doc.document.headings(3)]
    assert any(h.startswith(SCRIPT_NAME + " — ") for h in headings)
    assert SCRIPT_NAME in docx_text(tricky.path("proposal", "docx"))


def test_pipes_and_asterisks_in_a_name_do_not_break_tables(tricky: Any) -> None:
    """A unit called "A | B **đậm** C" stays one table cell with the columns after it in
    place, and its asterisks are text, never bold, in Markdown, HTML and DOCX."""
    doc = tricky.docs["proposal"]
    assert "A \\| B \\*\\*đậm\\*\\* C" in doc.markdown
    tables = [b for b in parse(doc.markdown) if isinstance(b, Table)]
    hits = [(t, row) for t in tables for row in t.rows if PIPE_NAME in row]
    assert len(hits) > 10  # the district ranking, and its communes' "belongs to" column
    for table, row in hits:
        assert len(row) == len(table.header)
        assert row.count(PIPE_NAME) == 1
    ranking = next(row for _, row in hits if row[1] == "061")
    # districts have no "belongs to" column: their parent, the province, is not scored here
    # 5th in 2024: 062 left KT3 blank, which earns no points (DX 0.6015 → 0.5870, below 061)
    assert ranking[:3] == ("5", "061", PIPE_NAME)
    assert all(SCORE_COMMA.fullmatch(cell) for cell in ranking[3:])
    communes = [row for _, row in hits if row[3] == PIPE_NAME]
    assert communes and all(row[4].isdigit() and SCORE_COMMA.fullmatch(row[-1]) for row in communes)
    assert PIPE_NAME + " — " + labels("vi")["rank_of"].format(rank=5, n=8) in [
        unnumbered(h) for h in doc.document.headings(3)
    ]
    runs: list[Run] = []
    for block in doc.document.blocks:
        if isinstance(block, Paragraph):
            runs.extend(block.runs)
        elif isinstance(block, BulletList):
            runs.extend(r for item in block.items for r in item)
    assert not any(r.bold and "đậm" in r.text for r in runs)
    raw = tricky.path("proposal", "html").read_text(encoding="utf-8")
    assert f"<td>{PIPE_NAME}</td>" in raw
    assert "<strong>đậm</strong>" not in raw
    assert PIPE_NAME in docx_text(tricky.path("proposal", "docx"))


def test_markdown_file_escapes_the_title(rendered: dict[str, Any], tmp_path: Path) -> None:
    """The model's text is plain: a title, subtitle, summary or notice with Markdown or HTML
    characters is escaped in the .md file and reads back as the same text (with and without
    the administrative parts)."""
    import attrs

    doc = rendered["vi"].docs["tasks"]
    title, subtitle = "<b>Kế hoạch</b> | *2025*", "Bản [nháp] **1**"
    plain = attrs.evolve(
        doc, document=attrs.evolve(doc.document, title=title, subtitle=subtitle, admin=None)
    )
    write_documents([plain], tmp_path / "plain", formats=["md"])
    blocks = parse((tmp_path / "plain" / "tasks.vi.md").read_text(encoding="utf-8"))
    assert blocks[0] == Heading(1, title)
    assert isinstance(blocks[1], Paragraph) and blocks[1].text == subtitle
    admin = doc.document.admin
    assert admin is not None
    official = attrs.evolve(
        doc,
        document=attrs.evolve(
            doc.document, admin=attrs.evolve(admin, summary=title, notice=subtitle)
        ),
    )
    write_documents([official], tmp_path / "official", formats=["md"])
    blocks = parse((tmp_path / "official" / "tasks.vi.md").read_text(encoding="utf-8"))
    assert Heading(1, f"{admin.doc_type}: {title}") in blocks
    assert any(isinstance(b, Paragraph) and b.text == subtitle for b in blocks)


# --------------------------------------------------------------------------------------------
# overriding templates


def _assert_only_objectives_differ(got: Any, default: Any) -> None:
    assert tuple(got.sections) == tuple(default.sections) == PROPOSAL
    for name in PROPOSAL:
        if name == "objectives":
            assert got.sections[name] != default.sections[name]
        else:
            assert got.sections[name] == default.sections[name], name


def test_user_template_changes_only_its_section(
    backan: Any,
    backan_results: dict[str, Any],
    rendered: dict[str, Any],
    plan_year: int,
    tmp_path: Path,
) -> None:
    """A user folder holding only sections/objectives.md.j2 (the built-in one included,
    plus a paragraph) changes the objectives section and nothing else."""
    user = tmp_path / "mine"
    (user / "sections").mkdir(parents=True)
    (user / "sections" / "objectives.md.j2").write_text(
        '{% include "builtin:sections/objectives.md.j2" %}\n\n'
        "Đoạn bổ sung của tỉnh cho năm {{ plan_year }}.\n",
        encoding="utf-8",
    )
    got = render_documents(
        backan, backan_results, "vi", names=("proposal",), user_dir=user, today=TODAY
    )[0]
    default = rendered["vi"].docs["proposal"]
    _assert_only_objectives_differ(got, default)
    added = f"Đoạn bổ sung của tỉnh cho năm {plan_year}."
    assert got.sections["objectives"] == default.sections["objectives"] + f"\n{added}\n"
    assert Paragraph((Run(added),)) in got.document.blocks


def test_plugin_template_folder_changes_only_its_section(
    backan: Any,
    backan_results: dict[str, Any],
    rendered: dict[str, Any],
    vi_context: dict[str, Any],
    tmp_path: Path,
) -> None:
    """A plugin's template folder (register_template_folders) replaces one section; a user
    folder still wins over it; `dxf templates list` shows which one is used."""
    folder = tmp_path / "pack-templates"
    (folder / "sections").mkdir(parents=True)
    (folder / "sections" / "objectives.md.j2").write_text(
        "# {{ t.objectives }}\n\nMục tiêu của gói: {{ objectives.goals|length }} mục tiêu.\n",
        encoding="utf-8",
    )

    @hookimpl
    def register_template_folders(register: Any) -> None:
        register(folder, prefix="testpack")

    plugin = types.SimpleNamespace(register_template_folders=register_template_folders)
    try:
        register_plugin(plugin, "test-templates")
        got = render_documents(backan, backan_results, "vi", names=("proposal",), today=TODAY)[0]
        default = rendered["vi"].docs["proposal"]
        _assert_only_objectives_differ(got, default)
        assert got.sections["objectives"] == (
            f"# {labels('vi')['objectives']}\n\nMục tiêu của gói: 4 mục tiêu.\n"
        )
        assert "gaps" not in got.document.charts  # its figures went with the section
        assert "gaps" in default.document.charts

        user = tmp_path / "user"
        (user / "sections").mkdir(parents=True)
        (user / "sections" / "objectives.md.j2").write_text("# Của người dùng\n", encoding="utf-8")
        assert (
            render_sections(vi_context, ["objectives"], "vi", user)["objectives"]
            == "# Của người dùng\n"
        )

        result = run_cli("templates", "list", "--templates", str(user))
        assert result.exit_code == 0, result.output
        rows = [r for r in listing(result.output) if r[0] == "sections/objectives.md.j2"]
        assert [(r[1].split(":")[0], r[2]) for r in rows] == [
            ("user", "yes"),
            ("testpack", ""),
            ("builtin", ""),
        ]
    finally:
        reset_plugins()


def test_extending_a_builtin_section_can_add_content(
    vi_context: dict[str, Any], tmp_path: Path
) -> None:
    """A user template that extends the built-in objectives section and adds a paragraph
    renders the built-in section plus that paragraph."""
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "objectives.md.j2").write_text(
        '{% extends "builtin:sections/objectives.md.j2" %}\n'
        "{% block content %}{{ super()|md }}\n\nĐoạn bổ sung.\n{% endblock %}\n",
        encoding="utf-8",
    )
    default = render_sections(vi_context, ["objectives"], "vi")["objectives"]
    got = render_sections(vi_context, ["objectives"], "vi", tmp_path)["objectives"]
    assert got.startswith(default.rstrip("\n"))
    assert "Đoạn bổ sung." in got


def test_templates_list_and_copy(vi_context: dict[str, Any], tmp_path: Path) -> None:
    """`dxf templates list` lists every built-in template as used; `dxf templates copy`
    copies one byte for byte, the copy is then used (and renders the same section), and
    copying over an existing file is refused."""
    result = run_cli("templates", "list")
    assert result.exit_code == 0, result.output
    rows = listing(result.output)
    expected = {
        "document.css",
        "document.html.j2",
        "labels.toml",
        *(f"sections/{s}.md.j2" for s in SECTIONS),
    }
    assert {r[0] for r in rows} >= expected
    assert all(r[1].startswith("builtin:") and r[2] == "yes" for r in rows if r[0] in expected)

    target = tmp_path / "mine"
    result = run_cli("templates", "copy", "sections/plan.md.j2", str(target))
    assert result.exit_code == 0, result.output
    copied = target / "sections" / "plan.md.j2"
    assert copied.read_bytes() == (BUILTIN_TEMPLATES / "sections" / "plan.md.j2").read_bytes()
    assert str(copied) in result.output
    assert render_sections(vi_context, ["plan"], "vi", target) == render_sections(
        vi_context, ["plan"], "vi"
    )

    rows = listing(run_cli("templates", "list", "--templates", str(target)).output)
    plan_rows = [(r[1].split(":")[0], r[2]) for r in rows if r[0] == "sections/plan.md.j2"]
    assert plan_rows == [("user", "yes"), ("builtin", "")]

    again = run_cli("templates", "copy", "sections/plan.md.j2", str(target))
    assert again.exit_code == 2
    assert "already exists" in again.output


@pytest.mark.parametrize("name", ["../x", "../../etc/passwd", "sections/../../x", "/etc/passwd"])
def test_templates_copy_refuses_names_outside_the_folders(name: str, tmp_path: Path) -> None:
    """`dxf templates copy` refuses a name that leaves the template folders (exit 2, one
    error line, nothing written)."""
    result = run_cli("templates", "copy", name, str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "error: invalid template name" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------------------------
# template safety


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ t.__class__.__base__ }}",
        '{{ "{0.__class__.__mro__}".format("") }}',
    ],
)
@pytest.mark.parametrize("kind", ["markdown", "html"])
def test_user_templates_are_sandboxed(source: str, kind: str, tmp_path: Path) -> None:
    """A user template cannot reach Python internals: attribute access to dunders (also
    through str.format) raises SecurityError instead of rendering anything."""
    (tmp_path / "evil.md.j2").write_text(source, encoding="utf-8")
    env = make_environment("vi", kind=kind, user_dir=tmp_path)
    with pytest.raises(SecurityError):
        env.get_template("evil.md.j2").render()


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "../outside.md.j2",
        "user:../outside.md.j2",
        "builtin:../report/build.py",
        "sections/../../outside.md.j2",
    ],
)
def test_template_names_cannot_leave_their_folder(name: str, tmp_path: Path) -> None:
    """Names with .. are refused by the loaders (TemplateNotFound), even when the file they
    point at exists, directly and from an {% include %} in a user template."""
    user = tmp_path / "user"
    (user / "sections").mkdir(parents=True)
    (tmp_path / "outside.md.j2").write_text("SECRET", encoding="utf-8")
    (user / "include.md.j2").write_text('{% include "' + name + '" %}', encoding="utf-8")
    env = make_environment("vi", user_dir=user)
    with pytest.raises(TemplateNotFound):
        env.get_template(name)
    with pytest.raises(TemplateNotFound):
        env.get_template("include.md.j2").render()


@pytest.mark.parametrize(
    "source",
    [
        "{{ no_such_variable }}",
        "{{ t.no_such_label }}",
        "{{ year.no_such_attribute }}",
        "{% for x in no_such_list %}{% endfor %}",
    ],
)
def test_undefined_variables_are_errors(
    source: str, tmp_path: Path, vi_context: dict[str, Any]
) -> None:
    """StrictUndefined: a template using anything undefined fails instead of printing
    nothing."""
    (tmp_path / "typo.md.j2").write_text(source, encoding="utf-8")
    env = make_environment("vi", user_dir=tmp_path)
    with pytest.raises(UndefinedError):
        env.get_template("typo.md.j2").render(**vi_context)


def test_environments_escape_values_for_their_format() -> None:
    """Markdown templates backslash-escape every value (|md marks author Markdown), HTML
    templates HTML-escape it; unknown kinds are refused."""
    md = make_environment("vi", kind="markdown")
    assert md.from_string("{{ x }}").render(x="<b>A | *B*</b>") == "\\<b\\>A \\| \\*B\\*\\</b\\>"
    assert md.from_string("{{ x|md }}").render(x="**B**") == "**B**"
    assert md.from_string("{{ x }}").render(x=None) == ""
    html = make_environment("vi", kind="html")
    assert (
        html.from_string("{{ x }}").render(x=SCRIPT_NAME) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert isinstance(md, SandboxedEnvironment)
    assert isinstance(html, SandboxedEnvironment)
    with pytest.raises(ValueError, match="kind"):
        make_environment("vi", kind="latex")


def test_report_cli_reports_template_errors_in_one_line(tmp_path: Path) -> None:
    """`dxf report --templates DIR` with a broken template exits 2 with one error line
    naming the problem, no traceback, and writes nothing."""
    (tmp_path / "tpl" / "sections").mkdir(parents=True)
    (tmp_path / "tpl" / "sections" / "objectives.md.j2").write_text(
        "{{ no_such_variable }}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = run_cli(
        "report",
        "--pack",
        "backan",
        "--templates",
        str(tmp_path / "tpl"),
        "--format",
        "md",
        "--documents",
        "proposal",
        "--out",
        str(out),
    )
    assert result.exit_code == 2
    assert "no_such_variable" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_report_cli_prints_the_paths_it_wrote(tmp_path: Path) -> None:
    """`dxf report` prints each written path exactly, whatever characters it holds."""
    out = tmp_path / "out[draft]"
    result = run_cli(
        "report", "--pack", "backan", "--documents", "tasks", "--format", "md", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert (out / "tasks.vi.md").is_file()
    assert f"wrote {out / 'tasks.vi.md'}" in result.output


# --------------------------------------------------------------------------------------------
# formatting


def test_vietnamese_formatting() -> None:
    """Vietnamese: decimal comma, dot for thousands, dd/mm/yyyy, "—" for missing."""
    f = Formatter("vi")
    assert f.score(0.80021) == "0,8002"
    assert f.date(dt.date(2022, 3, 15)) == "15/03/2022"
    assert f.date("2022-03-15") == "15/03/2022"
    assert f.number(1234.5, 1) == "1.234,5"
    assert f.number(1234567.891) == "1.234.567,89"
    assert f.integer(1234567) == "1.234.567"
    assert f.percent(45.3) == "45,3%"
    assert f.share(0.7) == "70,0%"
    assert f.signed(0.0123) == "+0,0123"
    assert f.signed(-0.004) == "\u22120,0040"
    assert f.signed(0) == "±0,0000"
    assert f.score(None) == f.score(float("nan")) == f.signed(None) == "—"


def test_english_formatting() -> None:
    """English: decimal point, comma for thousands, "15 March 2022"."""
    f = Formatter("en")
    assert f.score(0.80021) == "0.8002"
    assert f.date(dt.date(2022, 3, 15)) == "15 March 2022"
    assert f.number(1234.5, 1) == "1,234.5"
    assert f.percent(45.3) == "45.3%"
    assert f.signed(-0.004) == "\u22120.0040"
    with pytest.raises(ValueError, match="unsupported language"):
        Formatter("fr")


def test_signed_zero_after_rounding_has_no_sign() -> None:
    """A change that rounds to zero at the shown precision is printed as ±0,0000."""
    f = Formatter("vi")
    assert f.signed(0.00004) == "±0,0000"
    assert f.signed(-1e-17) == "±0,0000"


def test_rendered_tables_use_the_languages_decimal_separator(rendered: dict[str, Any]) -> None:
    """In the Vietnamese Markdown every score in a table has a decimal comma and none a
    decimal point; in English the other way round."""
    for lang, good, bad in (("vi", SCORE_COMMA, SCORE_POINT), ("en", SCORE_POINT, SCORE_COMMA)):
        rows = table_rows(rendered[lang].docs["proposal"].markdown)
        assert len(rows) > 100
        assert sum(len(good.findall(r)) for r in rows) > 500
        offending = [r for r in rows if bad.search(r)]
        assert offending == [], offending[:3]
    vi = rendered["vi"].docs["proposal"].sections["objectives"]
    assert "| 100,0% |" in vi and "| 40,0% |" in vi


def test_rank_within_parent_header_reads_well(rendered: dict[str, Any]) -> None:
    """The appendix column "rank within the parent unit" has a sensible header: it does
    not glue the "belongs to" column's label into a sentence."""
    appendices = rendered["en"].docs["proposal"].sections["appendices"]
    assert "| Belongs to |" in appendices
    assert "Rank in belongs to" not in appendices
