"""Defects found by trying the session's commands as a hurried or hostile user.

Each test failed before its fix: documents and dashboards dated "năm 0" from data without a
year; ``--date 0001-01-01`` accepted; a ``--number`` holding the symbol written twice
("45/KH-UBND/KH-UBND"); a one-year ``--term`` ("giai đoạn 2026–2026"); an output that cannot
be written named by its temporary file; ``dxf gaps`` pointing to an option it lacks;
``--code`` setting a study's targets aside in silence; ``--bom`` ignored with XLSX.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import dxframework as dxf
from dxframework.cli import cli
from dxframework.errors import DxfError
from dxframework.report.context import parse_term


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["-q", *args])


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


@pytest.fixture(scope="module")
def no_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2024 rows of backan's district sample, without their period column."""
    source = dxf.get_pack("backan").level("district").data_path
    assert source is not None
    with open(source, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = [c for c in reader.fieldnames or [] if c != "period"]
        rows = [r for r in reader if r["period"] == "2024"]
    path = tmp_path_factory.mktemp("no-year") / "districts.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_documents_and_dashboard_refuse_data_without_a_year(no_year: Path, tmp_path: Path) -> None:
    """Before: "Hiện trạng 0", "Kế hoạch chuyển đổi số năm 1", a gap closed over 2025 years."""
    base = ["--pack", "backan", "--level", "district", "--data", str(no_year)]
    report = invoke(
        "report", *base, "--format", "md", "--documents", "plan", "--out", str(tmp_path / "r")
    )
    page = tmp_path / "d.html"
    dashboard = invoke("dashboard", *base, "--out", str(page))
    for result in (report, dashboard):
        assert result.exit_code == 2, result.output
        lines = error_lines(result)
        assert len(lines) == 1 and "hold no year" in lines[0] and "--period" in lines[0]
        assert "Traceback" not in result.output
    assert not (tmp_path / "r").exists() and not page.exists()
    # the year given with --period: the plan is that of the year after it (2024 + 1)
    done = invoke(
        "report", *base, "--period", "2024", "--format", "md", "--documents", "plan",
        "--out", str(tmp_path / "ok"),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    plan = (tmp_path / "ok" / "plan.vi.md").read_text(encoding="utf-8")
    assert "KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM 2025" in plan and "năm 1\n" not in plan


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "31/12/1899", "01/01/2201"])
def test_date_outside_the_years_of_documents(date: str, tmp_path: Path) -> None:
    result = invoke(
        "report", "--pack", "backan", "--format", "md", "--documents", "plan",
        "--date", date, "--out", str(tmp_path / "r"),
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    lines = error_lines(result)
    assert len(lines) == 1 and "is not between 1900 and 2200" in lines[0]
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("number", ["45/KH-UBND", "45/ĐA-UBND", "12/QĐ - UBND"])
def test_number_holding_a_symbol_is_refused(number: str, tmp_path: Path) -> None:
    """Before: "Số: 45/KH-UBND/KH-UBND" in the signed plan."""
    result = invoke(
        "report", "--pack", "backan", "--format", "md", "--documents", "plan",
        "--number", number, "--out", str(tmp_path / "r"),
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    lines = error_lines(result)
    assert len(lines) == 1 and "holds a document symbol" in lines[0]
    assert f"--number {number.split('/')[0]}" in lines[0]
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("number", "line"),
    [(" 7 ", "Số: 7/KH-UBND"), ("45/2024", "Số: 45/2024/KH-UBND"), ("=1+1", "Số: =1+1/KH-UBND")],
)
def test_number_is_tidied_and_kept(number: str, line: str, tmp_path: Path) -> None:
    result = invoke(
        "report", "--pack", "backan", "--format", "md", "--documents", "plan",
        "--number", number, "--date", "2022-03-17", "--out", str(tmp_path / "r"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = (tmp_path / "r" / "plan.vi.md").read_text(encoding="utf-8")
    assert line in plan.splitlines()


def test_a_term_of_one_year_is_not_a_period() -> None:
    with pytest.raises(DxfError, match="is not a period of years"):
        parse_term("2026-2026")
    assert parse_term("2026-2027") == (2026, 2027)


def test_an_output_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    """Before: "[Errno 17] File exists: 'data.csv'", or the name of a temporary file."""
    blocker = tmp_path / "data.csv"
    blocker.write_text("unit,name\n", encoding="utf-8")
    for args in (
        ["dashboard", "--out", str(blocker / "x.html")],
        ["plot", "ranking", "--out", str(blocker / "x.svg")],
        ["export", "--out", str(blocker / "xlsx")],
    ):
        result = invoke(args[0], "--pack", "backan", "--level", "district", *args[1:])
        assert result.exit_code == 2, result.output
        lines = error_lines(result)
        assert len(lines) == 1 and f"{str(blocker)!r} is a file, not a folder" in lines[0]
        assert lines[0].startswith(f"error: {blocker}/")
        assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]  # nothing half-written
    assert blocker.read_text(encoding="utf-8") == "unit,name\n"


def test_a_read_only_folder_names_the_output_not_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod cannot make a folder read-only for root (the tests' user here): the refusal
    of the system is simulated where it comes, on the temporary file or folder."""
    import errno

    from dxframework.io.writers import atomic_file, atomic_folder

    target = tmp_path / "page.html"
    with pytest.raises(DxfError) as info, atomic_file(target) as tmp:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp))
    (problem,) = info.value.problems
    assert problem.file == str(target) and "permission denied" in problem.message
    assert list(tmp_path.iterdir()) == []

    real_mkdir = Path.mkdir

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        if self.name.startswith(".dxf-tmp-"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refuse)
    out = tmp_path / "results"
    with pytest.raises(DxfError) as info, atomic_folder(out):
        pass
    (problem,) = info.value.problems
    assert problem.file == str(out) and "read-only file system" in problem.message
    assert list(tmp_path.iterdir()) == []


def test_gaps_without_an_assessment_names_its_own_option(tmp_path: Path) -> None:
    """Before: "give the assessment table with --assessment", an option dxf gaps lacks."""
    result = invoke("gaps", "--pack", "backan", "--level", "commune", "--out", str(tmp_path / "g"))
    assert result.exit_code == 2, result.output
    (line,) = error_lines(result)
    assert "ships no assessment data" in line and "--data of dxf gaps" in line


def test_uncertainty_code_setting_the_study_targets_aside_warns(tmp_path: Path) -> None:
    """Before: --code silently dropped the study file's aggregates and periods."""
    shipped = dxf.get_pack("asem").root / "uncertainty.toml"
    spec = tmp_path / "study.toml"
    spec.write_text(
        'aggregates = ["Index", "Conn"]\n' + shipped.read_text(encoding="utf-8"), encoding="utf-8"
    )
    args = ["uncertainty", "--pack", "asem", "--spec", str(spec), "--n", "4"]
    result = CliRunner().invoke(cli, [*args, "--code", "Conn", "--out", str(tmp_path / "u")])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("'Conn' replaces the aggregates and periods" in w for w in warned), warned
    assert sorted(p.name for p in (tmp_path / "u").iterdir() if p.suffix == ".csv") == [
        "draws.csv",
        "uncertainty.csv",
    ]
    # without --code: one result per target, and no warning
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert "replaces the aggregates" not in result.stderr
    assert (tmp_path / "t" / "uncertainty_Conn_2018.csv").is_file()


def test_export_bom_without_csv_is_a_usage_error(tmp_path: Path) -> None:
    """Before: --bom was silently ignored with the default --format xlsx."""
    out = tmp_path / "x"
    result = invoke("export", "--pack", "backan", "--level", "district", "--bom", "--out", str(out))
    assert result.exit_code == 2 and "--bom is for --format csv" in result.stderr
    assert not out.exists()


def test_a_manifest_repeats_its_own_level_only(tmp_path: Path) -> None:
    """Before: the manifest of a vn-dti `province` run (point rules on sub-indicators) given
    to level `main` scored the main indicators without normalising them (CQS of Hà Nội
    0,0065 instead of 0,7539), and without --level to every level of the pack."""
    first = tmp_path / "province"
    done = invoke("run", "--pack", "vn-dti", "--level", "province", "--out", str(first))
    assert done.exit_code == 0, done.output
    manifest = first / "manifest.json"
    wrong = invoke(
        "run", "--pack", "vn-dti", "--level", "main", "--pipeline", str(manifest),
        "--out", str(tmp_path / "main"),
    )  # fmt: skip
    assert wrong.exit_code == 2, wrong.output
    (line,) = error_lines(wrong)
    assert "repeats a run of pack 'vn-dti', level 'province'" in line
    assert "--level province" in line and not (tmp_path / "main").exists()
    other = invoke(
        "run", "--pack", "backan", "--pipeline", str(manifest), "--out", str(tmp_path / "b")
    )
    assert other.exit_code == 2 and "not of pack 'backan'" in other.stderr
    # without --level: the manifest's own level, and the same scores
    again = invoke(
        "run", "--pack", "vn-dti", "--pipeline", str(manifest), "--out", str(tmp_path / "a")
    )
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "a").iterdir() if p.is_dir()) == []
    assert (tmp_path / "a" / "results.csv").read_bytes() == (first / "results.csv").read_bytes()
    page = tmp_path / "d.html"
    shown = invoke("dashboard", "--pack", "vn-dti", "--pipeline", str(manifest), "--out", str(page))
    assert shown.exit_code == 0 and f"wrote {page} (province;" in shown.stdout
