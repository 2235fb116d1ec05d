"""``dxf run --values self|verified``: one Bắc Kạn data set, both scorings, the gap report
and the progress, end to end from the command line."""

from __future__ import annotations

import csv
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import dxframework as dxf
from dxframework.assessment import ValuesChoice, assessment_config, read_assessments
from dxframework.assessment.runs import AssessmentNote, score_assessment
from dxframework.cli import cli
from dxframework.errors import DataError
from dxframework.packs.runs import ranking


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _index(path: Path, period: str = "2024") -> dict[str, float]:
    return {r["unit"]: float(r["DX"]) for r in _rows(path) if r["period"] == period}


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both scorings and the progress of the pack's demo assessment, from the CLI."""
    runner = CliRunner()
    base = tmp_path_factory.mktemp("runs")
    out: dict[str, Path] = {}
    for side in ("self", "verified"):
        target = base / side
        res = runner.invoke(cli, ["run", "--pack", "backan", "--values", side, "-o", str(target)])
        assert res.exit_code == 0, res.output
        out[side] = target
    res = runner.invoke(
        cli, ["status", "--pack", "backan", "--as-of", "2024-04-15", "-o", str(base / "status")]
    )
    assert res.exit_code == 0, res.output
    assert "Tiến độ theo đơn vị" in res.output
    out["status"] = base / "status"
    return out


def test_both_scorings_score_the_chosen_side(scored: dict[str, Path]) -> None:
    """Each run's index is the level's run of the assessment's values on that side, over the
    level's sample data; the two sides differ, and only in the assessed period."""
    pack = dxf.get_pack("backan")
    lvl = pack.level("district")
    cfg = assessment_config(pack)
    assert cfg.data is not None
    records = read_assessments([cfg.data], lvl.framework, lvl.spec.auxiliary)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = lvl.load_data()
        for side in ("self", "verified"):
            data, _, _ = records.dataset(ValuesChoice(side, "self"), base=base)
            expected = lvl.run(data, version=pack.version)
            got = _index(scored[side] / "results.csv")
            j = expected.scores.column_index("DX")
            p = expected.scores.period_index(2024)
            for i, u in enumerate(expected.scores.units):
                assert got[u.code] == pytest.approx(expected.scores.values[p, i, j])
    own, ver = _index(scored["self"] / "results.csv"), _index(scored["verified"] / "results.csv")
    assert own != ver
    assert _index(scored["self"] / "results.csv", "2023") == _index(
        scored["verified"] / "results.csv", "2023"
    )  # the assessment is of 2024: earlier periods are the data's own


def test_manifest_records_the_assessment_and_the_side(scored: dict[str, Path]) -> None:
    for side in ("self", "verified"):
        inputs = json.loads((scored[side] / "manifest.json").read_text(encoding="utf-8"))["inputs"]
        assert inputs["values"] == side
        assert inputs["fallback"] == "self"
        assert inputs["assessment"]["path"].endswith("assessment-districts-2024-synthetic.csv")
        assert len(inputs["assessment"]["sha256"]) == 64


def test_gaps_csv_beside_the_results(scored: dict[str, Path]) -> None:
    """gaps.csv lists every disagreement, largest rank move first, and its index effect is
    the difference the self value alone makes to the verified index."""
    rows = _rows(scored["verified"] / "gaps.csv")
    assert rows and rows == _rows(scored["self"] / "gaps.csv")  # one report, either side
    shifts = [abs(int(r["rank_shift"])) for r in rows if r["rank_shift"]]
    assert shifts == sorted(shifts, reverse=True)
    verified = _index(scored["verified"] / "results.csv")
    for r in rows:
        assert float(r["self"]) != float(r["verified"])
        assert float(r["index_verified"]) == pytest.approx(verified[r["unit"]])
        assert float(r["index_effect"]) == pytest.approx(
            float(r["index_if_self"]) - float(r["index_verified"])
        )


def test_status_written(scored: dict[str, Path]) -> None:
    rows = _rows(scored["status"] / "status.csv")
    assert rows
    assert (scored["status"] / "status.json").exists()


def test_json_output_and_fallback_note(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(
        cli, ["run", "--pack", "backan", "--values", "verified", "--json", "-o", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["values"] == "verified" and doc["fallback"] == "self"
    assert any("no verified value" in n for n in doc["notes"])
    assert doc["gaps"] and doc["gaps"][0]["order"] == 1
    assert any(f.endswith("gaps.csv") for f in doc["levels"][0]["files"])


def test_python_api_matches_and_warns() -> None:
    pack = dxf.get_pack("backan")
    with pytest.warns(AssessmentNote, match="no verified value"):
        run = score_assessment(pack, values="verified")
    assert run.level == "district" and run.values == "verified"
    assert (run.origin == 3).sum() > 0  # self values scored where none was verified
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        strict = score_assessment(pack, values="verified", fallback="none")
    assert (strict.origin == 3).sum() == 0
    p = run.result.scores.period_index(2024)
    j = run.result.scores.column_index("DX")
    assert not np.allclose(run.result.scores.values[p, :, j], strict.result.scores.values[p, :, j])


def test_assessment_file_option_and_bad_input(tmp_path: Path) -> None:
    """--assessment reads a given table; a bad cell exits 2 naming file, row and column; an
    assessed period the data does not hold is an error, not silently dropped."""
    pack = dxf.get_pack("backan")
    src = assessment_config(pack).data
    assert src is not None
    runner = CliRunner()
    good = tmp_path / "a.csv"
    good.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    res = runner.invoke(
        cli,
        [
            "run",
            "--pack",
            "backan",
            "--assessment",
            str(good),
            "--values",
            "self",
            "-o",
            str(tmp_path / "ok"),
        ],
    )
    assert res.exit_code == 0, res.output
    bad = tmp_path / "bad.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",4,4,", ",4,abc,", 1)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = runner.invoke(
        cli, ["run", "--pack", "backan", "--assessment", str(bad), "-o", str(tmp_path / "x")]
    )
    assert res.exit_code == 2
    assert f"{bad}:3" in res.output and "verified" in res.output
    future = tmp_path / "future.csv"
    future.write_text(src.read_text(encoding="utf-8").replace(",2024,", ",2031,"), "utf-8")
    with pytest.raises(DataError, match="2031"):
        score_assessment(pack, [future])


def test_ranking_ties_in_natural_order() -> None:
    """Tied units are listed 2 before 10 (not as text sorts them), unranked units last."""

    class Scored:  # what ranking() reads of a run: its (rank, code, name, score) rows
        def ranking(self, code: str | None, period: int | None) -> list[tuple[Any, ...]]:
            return [
                (1, "10", "", 1.0),
                (0, "3", "", math.nan),
                (1, "2", "", 1.0),
                (3, "1", "", 0.5),
            ]

    assert [u for _, u, _, _ in ranking(Scored(), "I")] == ["2", "10", "1", "3"]  # type: ignore[arg-type]
