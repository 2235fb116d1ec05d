"""Run results as Python users expect: a short repr, pandas and xarray views."""

from __future__ import annotations

import numpy as np
import pytest

import dxframework as dxf


@pytest.fixture(scope="module")
def result() -> dxf.RunResult:
    return dxf.get_pack("asem").run()


def test_repr_is_a_short_summary(result: dxf.RunResult) -> None:
    text = repr(result)
    assert len(text) < 400, len(text)
    assert "51 units × 49 columns" in text
    for name in ("raw", "treated", "normalised", "aggregated"):
        assert name in text
    # the published top unit of the ASEM example (COINr: CHE 68.38)
    assert "1. CHE (68.38)" in text
    assert all(len(repr(s)) < 200 for s in result.stages)


def test_to_pandas_results_pairs_each_score_with_its_rank(result: dxf.RunResult) -> None:
    frame = result.to_pandas()
    codes = result.scores.columns
    assert list(frame.columns) == [c for code in codes for c in (code, f"{code}_rank")]
    assert list(frame.index) == list(result.scores.unit_codes)
    np.testing.assert_array_equal(frame[list(codes)].to_numpy(), result.scores.values[0])
    np.testing.assert_array_equal(
        frame[[f"{c}_rank" for c in codes]].to_numpy(), result.ranks.values[0]
    )
    assert frame.loc["CHE", "Index_rank"] == 1
    normalised = result.to_pandas("normalised")
    np.testing.assert_array_equal(normalised.to_numpy(), result["normalised"].values[0])


def test_to_xarray_holds_every_data_set(result: dxf.RunResult) -> None:
    pytest.importorskip("xarray")
    ds = result.to_xarray()
    assert set(ds.data_vars) == {*result.datasets, "scores", "ranks"}
    np.testing.assert_array_equal(ds["treated"].values, result["treated"].values)
    assert float(ds["scores"].sel(unit="CHE", scores_column="Index").values[0]) == pytest.approx(
        68.38, abs=0.005
    )
