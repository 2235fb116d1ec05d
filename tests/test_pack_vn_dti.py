"""The vn-dti pack: DTI, pillars and ranks by the formulas of Decision 922 (DOMAIN.md §2).

Expected values are computed in the test from the formulas, not by the code under test.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import dxframework as dxf
from dxframework.cli import cli
from dxframework.errors import DxfError

MAIN = ["NT", "TC", "HT", "NL", "AT", "DT", "CQ", "KT", "XH"]


def competition(scores: dict[str, float]) -> dict[str, int]:
    return {u: 1 + sum(1 for v in scores.values() if v > s) for u, s in scores.items()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    """The sample main-indicator values written as a user would give them: no period column."""
    src = dxf.get_pack("vn-dti").level("main").data_path
    assert src is not None
    with open(src, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    path = tmp_path_factory.mktemp("dti") / "dti.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["unit", "name", *MAIN], extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path, rows


def run_cli(*args: str, out: Path) -> dict[str, dict[str, str]]:
    subprocess.run(
        [sys.executable, "-m", "dxframework", "run", "--pack", "vn-dti", *args, "--out", str(out)],
        check=True,
        capture_output=True,
    )
    with open(out / "results.csv", encoding="utf-8") as f:
        return {r["unit"]: r for r in csv.DictReader(f)}


def test_main_indicator_csv_gives_dti_pillars_and_ranks(
    sample: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    """DTI = (100·ΣF + 200·CQ + 150·KT + 150·XH)/1000 and pillars /700, /650; ranks on 4 dp."""
    path, rows = sample
    res = run_cli("--data", str(path), out=tmp_path)
    expected: dict[str, dict[str, float]] = {}
    for r in rows:
        v = {k: float(r[k]) for k in MAIN}
        f = v["NT"] + v["TC"] + v["HT"] + v["NL"] + v["AT"]
        expected[r["unit"]] = {
            "DTI": (100 * f + 200 * v["CQ"] + 150 * v["KT"] + 150 * v["XH"]) / 1000,
            "CQS": (100 * f + 200 * v["CQ"]) / 700,
            "KTS": (100 * f + 150 * v["KT"]) / 650,
            "XHS": (100 * f + 150 * v["XH"]) / 650,
        }
    for code in ("DTI", "CQS", "KTS", "XHS"):
        ranks = competition({u: round(e[code], 4) for u, e in expected.items()})
        for unit, e in expected.items():
            assert float(res[unit][code]) == pytest.approx(e[code], rel=1e-12)
            assert int(res[unit][f"{code}_rank"]) == ranks[unit]
    # a ranking per main indicator too
    nt = competition({r["unit"]: float(r["NT"]) for r in rows})
    assert all(int(res[u]["NT_rank"]) == nt[u] for u in nt)


def test_dti2020_variant(sample: tuple[Path, list[dict[str, str]]], tmp_path: Path) -> None:
    """The 2020 method: DTI = 0.4·CQS + 0.3·KTS + 0.3·XHS."""
    path, _ = sample
    res = run_cli("--data", str(path), "--pipeline", "dti2020", out=tmp_path)
    for r in res.values():
        expected = 0.4 * float(r["CQS"]) + 0.3 * float(r["KTS"]) + 0.3 * float(r["XHS"])
        assert float(r["DTI"]) == pytest.approx(expected, rel=1e-12)


def test_point_rules_score_one_province_by_hand() -> None:
    """NT of a province from its sub-indicators: ratio, steps and categories, /100 points."""
    pack = dxf.get_pack("vn-dti")
    result = pack.run(level="province")
    path = pack.level("province").data_path
    assert path is not None
    with open(path, encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["unit"] == "06")
    meetings = float(row["NT1_meetings"])
    steps = max(
        [p for t, p in ((1, 5), (2, 10), (3, 15), (4, 20)) if float(row["NT4"]) >= t], default=0
    )
    points = (
        min(float(row["NT1"]) / meetings, 1) * 20
        + min(float(row["NT2"]) / float(row["NT2_required"]), 1) * 20
        + (20 if row["NT3"] == "1" else 0)
        + steps
        + {"1.0": 20, "0.5": 10, "0.0": 0}[str(float(row["NT5"]))]
    )
    got = result.scores.values[0, result.scores.unit_index("06"), result.scores.column_index("NT")]
    assert got == pytest.approx(points / 100, rel=1e-12)


def test_national_targets_attached() -> None:
    """National targets (749/411/942) are attached to the indicators they concern."""
    fw = dxf.get_pack("vn-dti").level("province").framework
    assert fw.indicator("CQ1").targets["2025"] == 80  # 942: dossiers fully online
    assert fw.indicator("CQ2").targets == {"2025": 80.0, "2030": 100.0}  # 749
    assert fw.indicator("XH1").targets["2025"] == 80  # 411: smartphones
    assert "illustrative" in fw.indicator("DT1").source


def test_a_file_fitting_two_levels_alike_asks_for_the_level(tmp_path: Path) -> None:
    """NT…XH without DT fit DTI 2022 (`main`, DT weighs 0) and DTI 2024 (`main2024`) alike:
    no silent choice. With DT the file shares one more column with `main`, which is chosen."""
    pack = dxf.get_pack("vn-dti")
    base = ["unit", "name", "period", "NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"]
    with pytest.raises(DxfError) as info:
        pack.level_for_header(set(base))
    assert "main, main2024" in str(info.value) and "--level" in str(info.value)
    assert pack.level_for_header({*base, "DT"}).name == "main"


def test_the_level_error_names_the_file(tmp_path: Path) -> None:
    """The error of two levels fitting alike is one line naming the data file (exit 2)."""
    data = tmp_path / "dti-2024.csv"
    data.write_text(
        "unit,name,period,NT,TC,HT,NL,AT,CQ,KT,XH\n01,Hà Nội,2024,1,1,1,1,1,1,1,1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["-q", "run", "--pack", "vn-dti", "--data", str(data), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    # blank lines aside (click 8.2.0's runner adds one on standard error)
    (line,) = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert line.startswith(f"error: {data}: the data fit several levels") and "--level" in line
    assert not (tmp_path / "o").exists()
    with pytest.raises(DxfError) as info:
        dxf.get_pack("vn-dti").level_for(data)
    assert info.value.problems[0].file == str(data)
