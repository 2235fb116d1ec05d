"""The fast paths of the batched uncertainty analysis give the per-draw results, bit for bit.

The national study (data noise, then a plain min–max, then the arithmetic mean) runs through
an in-place path: replications are held indicator-first, noise is drawn block by block, min
and max are taken while drawing. These tests check that path, the ordinary stage path with
data noise, and the pieces they rely on (noise drawn in blocks, ranks along rows, data sets
built without copies) against the per-draw reference or against values worked out by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.analysis import UncertaintySpec, run_uncertainty
from dxframework.analysis.uncertainty import DataNoise, WeightNoise, executors
from dxframework.analysis.uncertainty.batched import competition_rank_rows
from dxframework.analysis.uncertainty.binding import bind
from dxframework.analysis.uncertainty.sampling import Rows, as_rows, split_rows, unit_samples
from dxframework.errors import DataError
from dxframework.methods.normalise import rank_min
from dxframework.methods.rank import competition_rank
from dxframework.pipeline.stages.aggregate import _rows_view


def same(a: Any, b: Any) -> None:
    assert np.array_equal(a.scores, b.scores, equal_nan=True)
    assert np.array_equal(a.ranks, b.ranks, equal_nan=True)


def national(units: int = 60, seed: int = 0) -> tuple[Framework, Dataset]:
    """A small national study: 12 indicators in 3 pillars (every 4th negative), 5 % blanks."""
    rng = np.random.default_rng(seed)
    codes = [f"i{k:02d}" for k in range(12)]
    pillars = ["P0", "P1", "P2"]
    fw = Framework(
        [Indicator(c, direction=1 if k % 4 else -1) for k, c in enumerate(codes)],
        [Aggregate(p) for p in pillars] + [Aggregate("Index")],
        [Edge(c, pillars[k % 3], 1.0 + k % 2) for k, c in enumerate(codes)]
        + [Edge(p, "Index", 1.0 + i) for i, p in enumerate(pillars)],
    )
    values = rng.lognormal(0, 1, size=(1, units, len(codes)))
    values[rng.uniform(size=values.shape) < 0.05] = np.nan
    data = Dataset(units=[f"u{i}" for i in range(units)], columns=codes, values=values)
    return fw, data


MINMAX = Pipeline(
    [Stage("normalise", "minmax", params={"lo": 0.0, "hi": 100.0}), Stage("aggregate")]
)


def _study(*noise: dict[str, Any]) -> UncertaintySpec:
    return UncertaintySpec.from_dict(
        {
            "noise": list(noise),
            "weights": [{"level": 2, "factor": 0.25}, {"level": 3, "factor": 0.25}],
        }
    )


def test_national_study_in_place_path_equals_per_draw() -> None:
    fw, data = national()
    spec = _study({"size": 0.05})
    ref = run_uncertainty(fw, data, MINMAX, spec, n=24, seed=1, batched=False)
    for chunk in (None, 5):
        same(run_uncertainty(fw, data, MINMAX, spec, n=24, seed=1, chunk_size=chunk), ref)
    assert np.ptp(ref.scores, axis=0).max() > 0  # the draws differ
    assert np.isfinite(ref.scores).all()  # a blank child is skipped, not spread


def test_additive_normal_noise_in_place_path_equals_per_draw() -> None:
    fw, data = national(units=40, seed=3)
    spec = _study({"size": 0.2, "kind": "additive", "distribution": "normal"})
    same(
        run_uncertainty(fw, data, MINMAX, spec, n=16, seed=2),
        run_uncertainty(fw, data, MINMAX, spec, n=16, seed=2, batched=False),
    )


def test_more_units_than_a_block() -> None:
    """Noise drawn in blocks of units (1 024) gives the numbers of one draw on the whole."""
    fw, data = national(units=2_500, seed=5)
    spec = _study({"size": 0.05})
    same(
        run_uncertainty(fw, data, MINMAX, spec, n=3, seed=9),
        run_uncertainty(fw, data, MINMAX, spec, n=3, seed=9, batched=False),
    )


def test_noise_before_other_stages_equals_per_draw() -> None:
    """Imputation and outlier treatment before the min–max: the ordinary stage runners."""
    fw, data = national(units=50, seed=7)
    pipe = Pipeline(
        [Stage("impute", "mean"), Stage("treat"), Stage("normalise", "minmax"), Stage("aggregate")]
    )
    spec = _study({"size": 0.1})
    same(
        run_uncertainty(fw, data, pipe, spec, n=12, seed=4, chunk_size=5),
        run_uncertainty(fw, data, pipe, spec, n=12, seed=4, batched=False),
    )


@pytest.mark.parametrize("kind", ["multiplicative", "additive"])
@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_noise_filled_block_by_block_is_apply(kind: str, distribution: str) -> None:
    noise = DataNoise(0.3, kind=kind, distribution=distribution)
    x = np.random.default_rng(0).lognormal(size=(37, 5))
    x[3, 2] = np.nan
    u = 0.123456789
    whole = noise.apply(u, x[np.newaxis])[0]
    rng = noise.generator(u)
    out = np.empty_like(x)
    for b0 in range(0, 37, 10):
        noise.fill(rng, x[b0 : b0 + 10], out[b0 : b0 + 10])
    assert np.array_equal(out, whole, equal_nan=True)
    # and the definition: x·(1 + 0.3·e) or x + 0.3·e, e from default_rng(floor(u·2⁵³))
    g = np.random.default_rng(int(u * 2.0**53))
    e = g.uniform(-1.0, 1.0, x.shape) if distribution == "uniform" else g.standard_normal(x.shape)
    expected = x * (1 + 0.3 * e) if kind == "multiplicative" else x + 0.3 * e
    assert np.allclose(out, expected, rtol=1e-15, equal_nan=True)


def test_ranks_along_rows() -> None:
    s = np.array([[3.0, 1.0, 3.0, np.nan, 2.0], [0.0, -0.0, 5.0, 5.0, 5.0]])
    # by hand: descending, ties share the best rank and the next is skipped; NaN unranked
    expected = np.array([[1.0, 4.0, 1.0, np.nan, 3.0], [4.0, 4.0, 1.0, 1.0, 1.0]])
    assert np.array_equal(competition_rank_rows(s), expected, equal_nan=True)
    assert np.array_equal(competition_rank(s.T).T, expected, equal_nan=True)


def test_rank_min_ties_and_blanks() -> None:
    x = np.array([[[2.0, 1.0], [1.0, np.nan], [2.0, 1.0], [0.5, 1.0]]])
    expected = np.array([[[3.0, 1.0], [2.0, np.nan], [3.0, 1.0], [1.0, 1.0]]])
    out = rank_min(x)
    assert np.array_equal(out, expected, equal_nan=True)
    assert out.shape == x.shape and out.flags.c_contiguous


def test_derive_is_with_columns_without_a_copy() -> None:
    data = Dataset(units=["a", "b"], columns=["x"], values=np.ones((1, 2, 1)))
    fresh = np.arange(4.0).reshape(1, 2, 2).copy()  # owns its memory
    new = data.derive(["y", "z"], fresh)
    assert new.equals(data.with_columns(["y", "z"], fresh))
    assert new.values is fresh and not fresh.flags.writeable  # taken, frozen
    assert new.column_index("z") == 1 and new.unit_codes == ("a", "b")
    other = np.zeros((2, 2, 1))
    view = other[:, :, :]
    moved = data.derive(["x"], view, periods=[2023, 2024])
    assert moved.periods == (2023, 2024)
    assert not np.shares_memory(moved.values, other)  # a writable view is copied
    with pytest.raises(DataError, match="shape"):
        data.derive(["x"], np.zeros((1, 3, 1)))
    with pytest.raises(DataError, match="duplicate column"):
        data.derive(["x", "x"], np.zeros((1, 2, 2)))


def test_select_keeps_its_behaviour() -> None:
    vals = np.arange(12.0).reshape(2, 3, 2)
    data = Dataset(units=["a", "b", "c"], columns=["x", "y"], values=vals, periods=[1, 2])
    sub = data.select(columns=["y"], periods=[2])
    assert sub.values.tolist() == [[[7.0], [9.0], [11.0]]]
    assert not sub.values.flags.writeable
    assert not np.shares_memory(sub.values, vals)
    whole = data.select()
    assert whole.equals(data) and whole.unit_index("c") == 2
    assert data.select(units=["c", "a"]).values[:, :, 0].tolist() == [[4.0, 0.0], [10.0, 6.0]]


def test_children_view_is_the_stack() -> None:
    block = np.arange(24.0).reshape(4, 2, 3)
    rows = [block[j] for j in range(4)]
    view = _rows_view(rows)
    assert np.shares_memory(view, block) and np.array_equal(view, np.stack(rows))
    scattered = [block[j] for j in (0, 2, 3)]
    assert np.array_equal(_rows_view(scattered), np.stack(scattered))
    assert not _rows_view(scattered).flags.writeable


def test_rows_and_their_values() -> None:
    fw, data = national(units=10)
    spec = UncertaintySpec([WeightNoise(2, 0.25), DataNoise(0.05), WeightNoise(3, 0.5)])
    plan, _ = bind(fw, data, MINMAX, spec, None, None, None)
    u = unit_samples(7, sum(plan.sizes), 3)
    listed = split_rows(u, plan.sizes)
    rows = Rows(u, plan.sizes)
    assert len(rows) == 7 and len(rows[2:5]) == 3
    for a, b in zip(listed, rows, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert np.array_equal(as_rows(listed, plan.sizes).u, u)
    assert np.array_equal(rows.block(1)[:, 0], u[:, 12])  # 12 edges into the pillars first
    assert plan.values_of_rows(rows) == tuple(plan.values(r) for r in listed)


def test_a_small_study_runs_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under executors.SMALL_WORK the draws do not start processes, and the results agree."""

    class NoPool:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise AssertionError("a process pool was started")

    fw, data = national(units=20)
    spec = _study({"size": 0.05})
    ref = run_uncertainty(fw, data, MINMAX, spec, n=10, seed=6, batched=False)
    monkeypatch.setattr(executors, "ProcessPoolExecutor", NoPool)
    same(run_uncertainty(fw, data, MINMAX, spec, n=10, seed=6, workers=2), ref)


def _minmax_by_the_formula(x: Any, lo: float, hi: float) -> Any:
    """(x − min)/(max − min)·(hi − lo) + lo, the maximum set to hi, clipped to [lo, hi]."""
    mn, mx = np.nanmin(x, axis=-2, keepdims=True), np.nanmax(x, axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        y = (x - mn) / (mx - mn) * (hi - lo) + lo
        y = np.where((x == mx) & (mx > mn), hi, y)
    return np.minimum(np.maximum(y, lo), hi)


def test_minmax_onto_zero_to_hi_takes_a_shortcut_with_the_same_bits() -> None:
    """With lo = 0 the endpoint and the clip change nothing, so they are skipped: the numbers
    (signs of zero included) are those of the full formula on awkward columns."""
    from dxframework.methods.normalise import minmax

    rng = np.random.default_rng(11)
    for t in range(300):
        x = rng.standard_normal((1, 25, 4)) * 10.0 ** int(rng.integers(-300, 300))
        x[rng.random(x.shape) < 0.1] = np.nan
        x[0, :3, 1] = [0.0, -0.0, 5.0]
        x[0, :, 2] = -x[0, :, 2]
        if t % 5 == 0:
            x[0, :, 3] = 2.5  # no spread: NaN
        for hi in (100.0, 7.3e-5, 1e300):
            with np.errstate(invalid="ignore", over="ignore"):
                got, want = minmax(x, 0.0, hi), _minmax_by_the_formula(x, 0.0, hi)
            assert np.array_equal(got, want, equal_nan=True)
            assert np.array_equal(np.signbit(got), np.signbit(want))
            assert np.nanmax(got) == hi and np.nanmin(got) == 0.0


def test_national_study_on_a_dask_cluster_gives_the_per_draw_results() -> None:
    """Chunks travel to the workers as arrays of ``u`` numbers (Rows), noise included."""
    distributed = pytest.importorskip("distributed")
    fw, data = national(units=40, seed=2)
    spec = _study({"size": 0.05})
    ref = run_uncertainty(fw, data, MINMAX, spec, n=15, seed=5, batched=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        res = run_uncertainty(fw, data, MINMAX, spec, n=15, seed=5, client=client, chunk_size=4)
    same(res, ref)


def test_process_pool_gives_the_per_draw_results() -> None:
    """With ``chunk_size`` given, two processes run the chunks (sent as arrays of ``u``)."""
    fw, data = national(units=30, seed=8)
    spec = _study({"size": 0.05})
    same(
        run_uncertainty(fw, data, MINMAX, spec, n=12, seed=2, workers=2, chunk_size=5),
        run_uncertainty(fw, data, MINMAX, spec, n=12, seed=2, batched=False),
    )
