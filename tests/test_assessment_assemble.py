"""``dxf assemble --assessment``: assessment tables from several agencies, with provenance."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

import dxframework
from dxframework.cli.main import cli


def _split_demo(folder: Path) -> tuple[list[str], list[list[str]]]:
    pack = dxframework.get_pack("backan")
    src = pack.root / "data" / "assessment-districts-2024-synthetic.csv"
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    j = header.index("unit")
    first = sorted({r[j] for r in body})[:4]
    folder.mkdir()
    for name, keep in (("a.csv", True), ("b.csv", False)):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([header] + [r for r in body if (r[j] in first) == keep])
    return header, body


def test_assessment_tables_assemble_with_file_and_row(tmp_path: Path) -> None:
    header, body = _split_demo(tmp_path / "in")
    out = tmp_path / "out"
    res = CliRunner().invoke(
        cli,
        [
            "assemble",
            str(tmp_path / "in"),
            "--assessment",
            "-p",
            "backan",
            "-l",
            "district",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    with (out / "assessment.csv").open(encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    assert len(records) == len(body)  # every row of both files, none dropped
    with (out / "provenance.csv").open(encoding="utf-8") as fh:
        prov = list(csv.DictReader(fh))
    # each record points at its own file and row: row n of a.csv holds that unit and indicator
    with (tmp_path / "in" / "a.csv").open(encoding="utf-8") as fh:
        a_rows = list(csv.reader(fh))
    for p in prov:
        if p["file"].endswith("a.csv"):
            row = a_rows[int(p["row"]) - 1]
            assert (row[header.index("unit")], row[header.index("indicator")]) == (
                p["unit"],
                p["indicator"],
            )
    assert {Path(p["file"]).name for p in prov} == {"a.csv", "b.csv"}


def test_a_value_assessed_in_two_files_names_both(tmp_path: Path) -> None:
    header, body = _split_demo(tmp_path / "in")
    dup = tmp_path / "dup.csv"
    with dup.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, body[0]])
    out = tmp_path / "out"
    res = CliRunner().invoke(
        cli,
        [
            "assemble",
            str(tmp_path / "in"),
            str(dup),
            "--assessment",
            "-p",
            "backan",
            "-l",
            "district",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 2
    assert "dup.csv" in res.output and "a.csv" in res.output and "also assessed" in res.output
    assert not out.exists()
