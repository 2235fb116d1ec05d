"""Codes in natural order (1.2 before 1.10 before 2.1) wherever an output lists them in an
order that is not the framework's: the rows of results.csv and of every stage file, the
sheets of the workbook (``dxf run --xlsx``, ``dxf export``), the documents' ranking tables
and unit profiles among ties, the task list among tasks of equal effect. The framework's
codes (the columns) keep the framework's order."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import dxframework as dxf
from dxframework.cli import cli

openpyxl = pytest.importorskip("openpyxl")

# 1.10 and 1.2 tie (every value 0.5); 2.1 is best. The file lists them 1.10, 2.1, 1.2.
DATA = (
    "unit,name,period,NT,TC,HT,NL,AT,CQ,KT,XH\n"
    "1.10,B,2024,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n"
    "2.1,C,2024,0.6,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n"
    "1.2,A,2024,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n"
)
NATURAL = ["1.2", "1.10", "2.1"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("natural")
    (base / "data.csv").write_text(DATA, encoding="utf-8")
    out = base / "out"
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "--pack",
            "vn-dti",
            "--level",
            "main",
            "--data",
            str(base / "data.csv"),
            "--xlsx",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_results_and_stage_files_list_units_naturally(run_out: Path) -> None:
    for name in ("results.csv", "aggregated.csv"):
        assert [r["unit"] for r in _rows(run_out / name)] == NATURAL, name
    header = next(csv.reader((run_out / "results.csv").open(encoding="utf-8")))
    # the columns stay in the framework's order: the index, then its pillars
    assert header[:4] == ["unit", "DTI", "DTI_rank", "CQS"]


def test_workbook_results_sheet_matches_results_csv(run_out: Path) -> None:
    """dxf run --xlsx writes LEVEL.xlsx beside the CSV files; its results sheet holds the
    rows of results.csv, in the same order, with the same numbers."""
    level = dxf.get_pack("vn-dti").default_level
    book = openpyxl.load_workbook(run_out / f"{level}.xlsx")
    sheet = book["results"]
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, body = cells[0], cells[1:]
    assert header[:3] == ["Mã đơn vị", "Tên đơn vị", "Năm"]  # --lang vi (the default)
    expected = _rows(run_out / "results.csv")
    assert [r[0] for r in body] == [r["unit"] for r in expected] == NATURAL
    codes = [c for c in expected[0] if c != "unit" and not c.endswith("_rank")]
    assert header[3::2] == codes
    for row, want in zip(body, expected, strict=True):
        assert row[2] == 2024
        for j, code in enumerate(codes):
            score, rank = row[3 + 2 * j], row[4 + 2 * j]
            if want[code] == "":
                assert score is None
            else:
                assert score == pytest.approx(float(want[code]))
                assert rank == int(want[f"{code}_rank"])
    assert {"records", "weights", "framework", "manifest"} <= set(book.sheetnames)
    # by hand: 2.1 is best (NT 0.6), 1.2 and 1.10 share rank 2
    assert [(r[0], r[4]) for r in body] == [("1.2", 2), ("1.10", 2), ("2.1", 1)]


def test_run_xlsx_in_english_with_several_levels(tmp_path: Path) -> None:
    out = tmp_path / "both"
    result = CliRunner().invoke(
        cli, ["run", "--pack", "backan", "--xlsx", "--lang", "en", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    for level in ("district", "commune"):
        book = openpyxl.load_workbook(out / level / f"{level}.xlsx")
        header = next(book["results"].iter_rows(values_only=True))
        assert header[:3] == ("Unit code", "Unit name", "Period")
        n_rows = book["results"].max_row - 1
        assert n_rows == len(_rows(out / level / "results.csv"))
    assert not (tmp_path / "district.xlsx").exists()


def test_documents_list_tied_units_and_tasks_naturally(tmp_path: Path) -> None:
    from dxframework.io.tasks import read_tasks
    from dxframework.report.context import build_context

    pack = dxf.get_pack("vn-dti")
    lvl = pack.level()
    path = tmp_path / "data.csv"
    path.write_text(DATA, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = lvl.run(lvl.load_data([path]))
        ctx, _ = build_context(pack, {lvl.name: result}, "vi")
    table = ctx["appendix"]["rankings"][0]
    assert [r["code"] for r in table["rows"]] == ["2.1", "1.2", "1.10"]
    assert [r["rank"] for r in table["rows"]] == [1, 2, 2]
    assert [u["code"] for u in ctx["current"]["all_units"]] == ["2.1", "1.2", "1.10"]
    # best and worst among ties: the first in natural order
    overview = {r["code"]: r for r in ctx["current"]["overview"]}
    assert overview["DTI"]["worst"]["name"] == "A"  # 1.2 (A) before 1.10 (B)

    # tasks of equal effect (the same indicator) listed 2.1, 1.10, 1.2 in the file
    backan = dxf.get_pack("backan")
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "id,task_vi,pillar,indicators,start,end,status\n"
        "2.1,Nhiệm vụ C,KTS,KT2,2024,2026,planned\n"
        "1.10,Nhiệm vụ B,KTS,KT2,2024,2026,planned\n"
        "1.2,Nhiệm vụ A,KTS,KT2,2024,2026,planned\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results: dict[str, Any] = {"district": backan.level("district").run()}
        ctx, _ = build_context(backan, results, "vi", tasks=read_tasks(tasks))
    assert [t["id"] for t in ctx["tasks"]] == NATURAL
    assert len({t["effect"] for t in ctx["tasks"]}) == 1
