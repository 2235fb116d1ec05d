"""The egdi pack reproduces the UN's published EGDI and ranks.

The published figures are read from copies of the UN files in tests/data/egdi (independent of
the pack's own data file and of the code under test).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "egdi"


def published(year: int) -> dict[str, tuple[float, int]]:
    with open(DATA / f"egdi-{year}.csv", encoding="utf-8") as f:
        return {
            r["country-code"]: (float(r["e-gov-index"]), int(r["e-gov-rank"]))
            for r in csv.DictReader(f)
        }


@pytest.fixture(scope="module")
def results_2018(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    out = tmp_path_factory.mktemp("egdi")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dxframework",
            "run",
            "--pack",
            "egdi",
            "--period",
            "2018",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    with open(out / "results.csv", encoding="utf-8") as f:
        return {r["unit"]: r for r in csv.DictReader(f)}


def test_2018_ranks_all_reproduced(results_2018: dict[str, dict[str, str]]) -> None:
    """All 193 published 2018 ranks are reproduced exactly."""
    pub = published(2018)
    assert len(results_2018) == 193
    matches = sum(int(results_2018[c]["EGDI_rank"]) == rank for c, (_, rank) in pub.items())
    assert matches == 193


def test_2018_egdi_within_1e4(results_2018: dict[str, dict[str, str]]) -> None:
    """The recomputed EGDI is within 1e-4 of the published 4-decimal EGDI for every country."""
    pub = published(2018)
    worst = max(abs(float(results_2018[c]["EGDI"]) - v) for c, (v, _) in pub.items())
    assert worst < 1e-4


def test_tiers_follow_un_thresholds() -> None:
    """Tiers: very high > 0.75, high 0.50–0.75, middle 0.25–0.50, low < 0.25 (published EGDI)."""
    import dxframework as dxf

    pack = dxf.get_pack("egdi")
    result = pack.run(pack.load_data(period=2018))
    tiers = result.tiers()
    pub = published(2018)
    for code, (value, _) in pub.items():
        expected = (
            "Very high"
            if value > 0.75
            else "High"
            if value > 0.5
            else "Middle"
            if value > 0.25
            else "Low"
        )
        if abs(value - 0.75) > 1e-4 and abs(value - 0.5) > 1e-4 and abs(value - 0.25) > 1e-4:
            assert tiers[code] == expected, code
