"""Treatment variants: the default rule's fallback transform, the sign-aware log."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, MethodError, Pipeline, Stage
from dxframework.methods.treat import log_signed
from dxframework.pipeline.run import run_pipeline


def test_log_signed_mirrors_left_skew_and_keeps_order() -> None:
    """A left-skewed column becomes −log(max − x + 0.01·range): order kept, skew reduced."""
    x = np.array([1.0, 9.0, 9.5, 10.0, 10.0, 9.8, 9.9])
    y = log_signed(x[:, None])[:, 0]
    rng = x.max() - x.min()
    expected = [-math.log(x.max() - v + 0.01 * rng) for v in x]
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    assert np.all(np.argsort(y, kind="stable") == np.argsort(x, kind="stable"))
    assert abs(stats.skew(y)) < abs(stats.skew(x))


def test_log_signed_right_skew_is_log_ct() -> None:
    """A right-skewed column gets log(x − min + 0.01·(max − min))."""
    x = np.array([1.0, 1.5, 2.0, 2.0, 30.0])
    expected = np.log(x - 1.0 + 0.01 * 29.0)
    np.testing.assert_allclose(log_signed(x[:, None])[:, 0], expected, rtol=1e-12)


def _one(values: list[float]) -> tuple[Framework, Dataset]:
    fw = Framework([Indicator("a")], [Aggregate("I")], [Edge("a", "I")])
    return fw, Dataset.from_arrays(
        [f"u{i}" for i in range(len(values))], ["a"], np.array(values)[:, None]
    )


def test_default_rule_with_another_fallback() -> None:
    """With winmax = 0 the fallback runs at once: boxcox(λ = 0.5) on x − min + 1, by hand."""
    values = [1.0, 1.0, 1.2, 1.1, 1.0, 50.0, 1.3, 0.9]
    fw, data = _one(values)
    res = run_pipeline(
        fw, data, Pipeline([Stage("treat", params={"winmax": 0, "fallback": "boxcox", "lam": 0.5})])
    )
    y = np.array(values) - min(values) + 1
    np.testing.assert_allclose(res["treated"].values[0, :, 0], (y**0.5 - 1) / 0.5, rtol=1e-12)
    assert res.record("treated")["indicators"]["a"]["transformed"] is True


def test_unknown_fallback_is_an_error() -> None:
    """An unknown fallback names the choices."""
    fw, data = _one([1.0, 1.0, 1.2, 1.1, 1.0, 50.0, 1.3, 0.9])
    with pytest.raises(MethodError, match="log_signed"):
        run_pipeline(fw, data, Pipeline([Stage("treat", params={"fallback": "sqrt"})]))
