"""``dxf gaps`` scores as ``dxf run --values`` does: the assessment merged over the level's
data, so the gap report's verified scores are those of ``dxf run --values verified``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from dxframework.cli import cli


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _scores(path: Path, code: str = "DX") -> dict[tuple[str, str], float]:
    return {(r["unit"], r["period"]): float(r[code]) for r in _rows(path)}


def _invoke(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Bắc Kạn demo assessment, through ``dxf gaps`` and ``dxf run --values``."""
    base = tmp_path_factory.mktemp("gaps-demo")
    _invoke(["gaps", "--pack", "backan", "--out", str(base / "gaps")])
    for side in ("verified", "self"):
        _invoke(["run", "--pack", "backan", "--values", side, "--out", str(base / side)])
    return base


def test_demo_verified_scores_equal_dxf_run_values_verified(demo: Path) -> None:
    gaps = _scores(demo / "gaps" / "results-verified.csv")
    run = _scores(demo / "verified" / "results.csv")
    # the same units and periods: the sample data's 2020–2024, not only the assessed 2024
    assert set(gaps) == set(run)
    assert {p for _, p in gaps} == {"2020", "2021", "2022", "2023", "2024"}
    assert len({u for u, _ in gaps}) == 8
    for key, value in run.items():
        assert gaps[key] == pytest.approx(value, abs=1e-12), key
    own = _scores(demo / "gaps" / "results-self.csv")
    for key, value in _scores(demo / "self" / "results.csv").items():
        assert own[key] == pytest.approx(value, abs=1e-12), key


def test_demo_gap_rows_use_the_run_scores(demo: Path) -> None:
    run = _scores(demo / "verified" / "results.csv")
    rows = _rows(demo / "gaps" / "gaps.csv")
    assert rows
    for r in rows:
        assert float(r["index_verified"]) == pytest.approx(run[(r["unit"], r["period"])])
    # one report either way: the gaps.csv beside dxf run's results is the same table
    assert rows == _rows(demo / "verified" / "gaps.csv")


def test_a_partial_assessment_keeps_the_base_values(tmp_path: Path) -> None:
    """An assessment of one value: every other value (other units, other indicators) comes
    from the level's data, in dxf gaps as in dxf run."""
    table = tmp_path / "one.csv"
    table.write_text(
        "unit,indicator,period,self,verified,status\n058,KT2,2024,20,7,hoàn thành\n",
        encoding="utf-8",
    )
    _invoke(["gaps", "--pack", "backan", "--data", str(table), "--out", str(tmp_path / "g")])
    _invoke(
        [
            "run", "--pack", "backan", "--values", "verified", "--assessment", str(table),
            "--out", str(tmp_path / "r"),
        ]
    )  # fmt: skip
    gaps = _scores(tmp_path / "g" / "results-verified.csv")
    run = _scores(tmp_path / "r" / "results.csv")
    assert set(gaps) == set(run) and len(run) == 8 * 5  # 8 districts, 2020–2024
    for key, value in run.items():
        assert gaps[key] == pytest.approx(value, abs=1e-12), key
    # the sample data's scores of the units not assessed are untouched
    _invoke(["run", "--pack", "backan", "--level", "district", "--out", str(tmp_path / "plain")])
    plain = _scores(tmp_path / "plain" / "results.csv")
    assert all(gaps[k] == pytest.approx(v) for k, v in plain.items() if k[0] != "058")
    (row,) = _rows(tmp_path / "g" / "gaps.csv")
    assert (row["unit"], row["indicator"], row["period"]) == ("058", "KT2", "2024")
    assert (float(row["self"]), float(row["verified"]), float(row["gap"])) == (20.0, 7.0, 13.0)
    assert float(row["index_verified"]) == pytest.approx(run[("058", "2024")])
