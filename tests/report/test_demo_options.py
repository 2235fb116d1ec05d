"""``dxf demo`` takes the document options of ``dxf report`` (--date, --number, --plan-year,
--org, --term), and --term sets the proposal's own period in its title, summary and texts."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from docx import Document as open_docx

import dxframework as dxf
from dxframework.cli import cli
from dxframework.errors import DxfError
from dxframework.report.context import parse_term, with_term
from dxframework.report.texts import fill_term

DOCUMENT_OPTIONS = ("--org", "--date", "--number", "--plan-year", "--term")


def docx_text(path: Path) -> str:
    """Every paragraph of a DOCX, those inside tables too (the header is a table), in NFC."""
    word = open_docx(str(path))
    parts = [p.text for p in word.paragraphs]

    def cells(tables: Any) -> None:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(word.tables)
    for section in word.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return unicodedata.normalize("NFC", "\n".join(parts))


def _options(name: str) -> dict[str, click.Option]:
    command = cli.commands[name]  # type: ignore[attr-defined]
    return {
        opt: p
        for p in command.params
        if isinstance(p, click.Option)
        for opt in p.opts
        if opt in DOCUMENT_OPTIONS
    }


def test_report_and_demo_share_the_document_options() -> None:
    report, demo = _options("report"), _options("demo")
    assert set(report) == set(demo) == set(DOCUMENT_OPTIONS)
    for opt in DOCUMENT_OPTIONS:
        assert (report[opt].name, report[opt].help) == (demo[opt].name, demo[opt].help)


@pytest.fixture(scope="module")
def demo_2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    result = CliRunner().invoke(
        cli,
        ["demo", "--out", str(out), "--date", "2022-03-17", "--plan-year", "2022", "--number", "7"],
    )
    assert result.exit_code == 0, result.output
    return out / "documents"


def test_demo_plan_for_2022_dated_17_march_2022(demo_2022: Path) -> None:
    text = docx_text(demo_2022 / "plan.vi.docx")
    assert "Bắc Kạn, ngày 17 tháng 3 năm 2022" in text
    assert "Số: 7/KH-UBND" in text
    assert "Chuyển đổi số năm 2022" in text  # the summary under KẾ HOẠCH
    assert "I. KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM 2022" in text
    # the delayed task of the catalogue (NV13, 2022–2023, status delayed) is in the plan
    late = next(t for t in dxf.get_pack("backan").tasks().tasks if t.status == "delayed")
    assert (late.id, late.start, late.end) == ("NV13", 2022, 2023)
    assert late.text("name", "vi") in text
    proposal = docx_text(demo_2022 / "proposal.vi.docx")
    assert "Bắc Kạn, ngày 17 tháng 3 năm 2022" in proposal and "Số: 7/ĐA-UBND" in proposal
    # legal bases issued after the date are left out (411/QĐ-TTg is of 31/3/2022)
    assert "749/QĐ-TTg" in proposal and "411/QĐ-TTg" not in proposal


def test_demo_bad_date_is_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "d"), "--date", "17.3"])
    assert result.exit_code == 2
    assert "--date '17.3' is not a date" in result.output
    assert not (tmp_path / "d").exists()


# -- the document's own period --------------------------------------------------------------
TITLE_VI = (
    "Đề án tổng thể về chuyển đổi số tỉnh Bắc Kạn giai đoạn 2022–2025, định hướng đến năm 2030"
)


@pytest.mark.parametrize(
    ("text", "term", "lang", "expected"),
    [
        (TITLE_VI, (2026, 2030), "vi", "Đề án tổng thể về chuyển đổi số tỉnh Bắc Kạn giai đoạn 2026–2030"),  # noqa: E501
        (TITLE_VI, (2023, 2027), "vi", "Đề án tổng thể về chuyển đổi số tỉnh Bắc Kạn giai đoạn 2023–2027, định hướng đến năm 2030"),  # noqa: E501
        ("Đề án X giai đoạn 2021-2025, tầm nhìn đến năm 2045", (2026, 2030), "vi", "Đề án X giai đoạn 2026–2030, tầm nhìn đến năm 2045"),  # noqa: E501
        ("Đề án chuyển đổi số", (2026, 2030), "vi", "Đề án chuyển đổi số giai đoạn 2026–2030"),
        ("DX proposal, 2022–2025, with orientation to 2030", (2026, 2030), "en", "DX proposal, 2026–2030"),  # noqa: E501
        ("DX proposal", (2026, 2030), "en", "DX proposal, 2026–2030"),
    ],
)  # fmt: skip
def test_with_term_replaces_the_period(
    text: str, term: tuple[int, int], lang: str, expected: str
) -> None:
    assert with_term(text, term, lang) == expected


def test_parse_term_and_fill_term() -> None:
    assert parse_term("2026-2030") == parse_term("2026–2030") == parse_term([2026, 2030])
    assert parse_term(" 2026 - 2030 ") == (2026, 2030)
    for bad in ("2030-2026", "2026", "20-30", "abc"):
        with pytest.raises(DxfError, match="is not a period of years"):
            parse_term(bad)
    assert fill_term("Đến năm {term_end} ({term}); {x}", (2026, 2030)) == (
        "Đến năm 2030 (2026–2030); {x}"
    )
    assert fill_term("{term}", None) == "{term}"


def test_report_term_from_the_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["report", "--pack", "backan", "--level", "district", "--documents", "proposal"]
    args += ["--format", "md,docx", "--date", "2025-12-01"]
    result = runner.invoke(cli, [*args, "--term", "2026-2030", "-o", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "t" / "proposal.vi.md").read_text(encoding="utf-8")
    head = "\n".join(md.splitlines()[:12])
    assert "# ĐỀ ÁN: Tổng thể về chuyển đổi số tỉnh Bắc Kạn giai đoạn 2026–2030\n" in head + "\n"
    assert "2022–2025" not in head and "định hướng đến năm 2030" not in head
    word = docx_text(tmp_path / "t" / "proposal.vi.docx")
    assert "Tổng thể về chuyển đổi số tỉnh Bắc Kạn giai đoạn 2026–2030" in word
    assert open_docx(str(tmp_path / "t" / "proposal.vi.docx")).core_properties.title.endswith(
        "giai đoạn 2026–2030"
    )
    # the data year stays the data's (2024) and the plan year its default (2025)
    assert "Hiện trạng 2024" in md
    # default: the pack's own period, as before
    result = runner.invoke(cli, [*args, "-o", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "d" / "proposal.vi.md").read_text(encoding="utf-8")
    assert "giai đoạn 2022–2025, định hướng đến năm 2030" in md
    # a bad term is one line, exit 2, before anything is scored or written
    result = runner.invoke(cli, [*args, "--term", "2030-2026", "-o", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "term '2030-2026' is not a period of years" in result.output
    assert not (tmp_path / "b").exists()
