"""Several aggregates and periods in one study: ``aggregates`` and ``periods`` in the spec.

Each target's result must equal the study run on its own for that aggregate and period (the
same seed gives the same draws), and the targets share their draws.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.analysis import UncertaintySpec, run_uncertainty
from dxframework.analysis.pack_uncertainty import PackUncertainty
from dxframework.analysis.uncertainty import run_targets
from dxframework.errors import DxfError


def panel() -> tuple[Framework, Dataset, Pipeline]:
    """Two periods, six indicators in two pillars (one negative), 30 units."""
    codes = [f"i{k}" for k in range(6)]
    fw = Framework(
        [Indicator(c, direction=-1 if k == 2 else 1) for k, c in enumerate(codes)],
        [Aggregate("P1"), Aggregate("P2"), Aggregate("Index")],
        [Edge(c, "P1" if k < 3 else "P2", 1.0 + k % 2) for k, c in enumerate(codes)]
        + [Edge("P1", "Index", 2.0), Edge("P2", "Index", 1.0)],
    )
    values = np.random.default_rng(4).lognormal(size=(2, 30, 6))
    data = Dataset(
        units=[f"u{i}" for i in range(30)], columns=codes, values=values, periods=[2023, 2024]
    )
    pipe = Pipeline([Stage("normalise", "minmax"), Stage("aggregate")])
    return fw, data, pipe


def spec(**targets: object) -> UncertaintySpec:
    return UncertaintySpec.from_dict(
        {
            "noise": [{"size": 0.05}],
            "weights": [{"level": 2, "factor": 0.25}, {"level": 3, "factor": 0.25}],
            **targets,
        }
    )


def test_every_target_equals_its_own_study() -> None:
    fw, data, pipe = panel()
    study = spec(aggregates=["Index", "P1"], periods=[2023, 2024])
    results = run_targets(fw, data, pipe, study, n=20, seed=3)
    assert list(results) == [("Index", 2023), ("P1", 2023), ("Index", 2024), ("P1", 2024)]
    for (code, period), res in results.items():
        alone = run_uncertainty(
            fw, data, pipe, study, n=20, seed=3, code=code, period=period, batched=False
        )
        assert res.code == code and res.period == period
        assert np.array_equal(res.scores, alone.scores)
        assert np.array_equal(res.ranks, alone.ranks)
        assert res.draws == alone.draws  # the same draws for every target
    # the targets differ: another aggregate, another year
    assert not np.array_equal(results[("Index", 2023)].scores, results[("P1", 2023)].scores)
    assert not np.array_equal(results[("Index", 2023)].scores, results[("Index", 2024)].scores)


def test_without_targets_the_index_in_the_last_period() -> None:
    fw, data, pipe = panel()
    (key,) = run_targets(fw, data, pipe, spec(), n=4, seed=1)
    assert key == ("Index", 2024)


def test_targets_from_a_study_file(tmp_path: Path) -> None:
    path = tmp_path / "study.toml"
    path.write_text(
        'aggregates = ["P2"]\nperiods = [2023]\n\n[[weights]]\nlevel = 2\nfactor = 0.1\n',
        encoding="utf-8",
    )
    study = UncertaintySpec.from_file(path)
    assert study.aggregates == ("P2",) and study.periods == (2023,)
    fw, data, pipe = panel()
    assert list(run_targets(fw, data, pipe, study, n=3, seed=0)) == [("P2", 2023)]


def test_bad_targets_are_named() -> None:
    fw, data, pipe = panel()
    with pytest.raises(DxfError, match="'Pillar9'"):
        run_targets(fw, data, pipe, spec(aggregates=["Pillar9"]), n=2)
    with pytest.raises(DxfError, match="2030"):
        run_targets(fw, data, pipe, spec(periods=[2030]), n=2)
    with pytest.raises(DxfError, match="periods"):
        spec(periods=["last"])
    with pytest.raises(DxfError, match="twice"):
        spec(aggregates=["P1", "P1"])
    with pytest.raises(DxfError, match="in the spec"):
        run_targets(fw, data, pipe, spec(), n=2, code="P1")


def test_pack_tables_hold_one_file_per_target() -> None:
    fw, data, pipe = panel()
    results = run_targets(fw, data, pipe, spec(aggregates=["Index", "P2"]), n=5, seed=2)
    first = next(iter(results.values()))
    tables = PackUncertainty("unit", fw, first, None, results).tables()
    assert set(tables) == {
        "uncertainty.csv",
        "draws.csv",
        "uncertainty_Index_2024.csv",
        "uncertainty_P2_2024.csv",
    }
    assert tables["uncertainty.csv"] == tables["uncertainty_Index_2024.csv"]
    assert len(tables["uncertainty_P2_2024.csv"]) == 30
