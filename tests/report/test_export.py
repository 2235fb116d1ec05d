"""``dxf export``: the results as XLSX (one sheet per stage, ranks, records, weights,
framework, manifest) that opens with openpyxl and matches ``results.csv``; CSV with a BOM."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from dxframework.cli import cli
from dxframework.io.writers import dataset_csv_text
from dxframework.report.export import workbook_bytes


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "xlsx"
    result = CliRunner().invoke(cli, ["export", "--pack", "backan", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_workbook_has_a_sheet_per_stage_and_the_run(exported: Path) -> None:
    wb = openpyxl.load_workbook(exported / "district.xlsx")
    assert wb.sheetnames == [
        "results", "denominated", "normalised", "aggregated",
        "records", "weights", "framework", "manifest",
    ]  # fmt: skip
    results = wb["results"]
    assert [c.value for c in results[1]][:5] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Năm",
        "DX",
        "DX (hạng)",
    ]
    assert results.cell(2, 4).number_format == "0.0000"
    assert (exported / "commune.xlsx").is_file()


def test_results_sheet_matches_results_csv(backan_results: dict[str, Any], exported: Path) -> None:
    """Every unit, period, score and rank of results.csv, in the same order."""
    run = backan_results["district"]
    rows = list(csv.reader(io.StringIO(dataset_csv_text(run.scores, {"_rank": run.ranks}))))
    sheet = list(openpyxl.load_workbook(exported / "district.xlsx")["results"].values)
    assert len(sheet) == len(rows)
    for want, got in zip(rows[1:], sheet[1:], strict=True):
        assert got[0] == want[0] and str(got[2]) == want[1]  # unit, period
        for w, g in zip(want[2:], got[3:], strict=True):
            if w == "":
                assert g is None
            else:
                assert g is not None and math.isclose(float(w), float(g), rel_tol=1e-12)


def test_text_cells_are_neutralised_and_english_headers(
    backan: Any, backan_results: dict[str, Any], tmp_path: Path
) -> None:
    import attrs

    run = backan_results["district"]
    units = list(run.scores.units)
    units[0] = attrs.evolve(units[0], name='=HYPERLINK("x")')
    evil = attrs.evolve(run, scores=attrs.evolve(run.scores, units=tuple(units)))
    path = tmp_path / "evil.xlsx"
    path.write_bytes(workbook_bytes(evil, "en"))
    ws = openpyxl.load_workbook(path)["results"]
    assert ws.cell(1, 1).value == "Unit code"
    names = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert '\'=HYPERLINK("x")' in names and not any(n.startswith("=") for n in names)


def test_csv_with_a_bom(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = CliRunner().invoke(
        cli, ["export", "--pack", "backan", "--level", "district", "--format", "csv", "--bom",
              "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = (out / "district" / "results.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"DX_rank" in data
    assert (out / "district" / "aggregated.csv").is_file()


def test_data_without_a_year_leave_the_year_blank(backan: Any, tmp_path: Path) -> None:
    """Before: the "Năm" column said 0 for data read without a period column (dxf run's
    results.csv has no period column then)."""
    source = backan.level("district").data_path
    with open(source, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = [c for c in reader.fieldnames or [] if c != "period"]
        rows = [r for r in reader if r["period"] == "2024"]
    data = tmp_path / "no-year.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    run = backan.level("district").run(data)
    assert tuple(run.scores.periods) == (0,)
    path = tmp_path / "no-year.xlsx"
    path.write_bytes(workbook_bytes(run, "vi"))
    sheet = list(openpyxl.load_workbook(path)["results"].values)
    assert sheet[0][2] == "Năm" and len(sheet) == 1 + 8
    assert all(row[2] is None for row in sheet[1:])
