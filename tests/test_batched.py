"""The batched uncertainty path gives the per-draw path's results, bit for bit.

The per-draw path (``batched=False``: the whole pipeline rerun per draw) is the reference. On
the asem pack's study and on a small hand-made framework, for the same seed, both give
identical score and rank arrays, with one or two processes and on a Dask LocalCluster
(including an adaptive one that starts with no worker). One draw of the hand-made study is
also recomputed by hand with plain numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dxframework as dxf
from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.analysis import Choice, UncertaintySpec, Uniform, WeightNoise, run_uncertainty
from dxframework.analysis.sensitivity import run_sensitivity
from dxframework.analysis.uncertainty.batched import batch_reason
from dxframework.errors import DxfError


def same(a: Any, b: Any) -> None:
    assert np.array_equal(a.scores, b.scores, equal_nan=True)
    assert np.array_equal(a.ranks, b.ranks, equal_nan=True)


@pytest.fixture(scope="module")
def asem() -> tuple[Any, Any, Any, UncertaintySpec]:
    if "asem" not in dxf.get_registry().packs:
        pytest.skip("the asem pack is not installed")
    pack = dxf.get_pack("asem")
    lvl = pack.level()
    spec = UncertaintySpec.from_file(pack.root / "uncertainty.toml")
    return lvl.framework, lvl.load_data(), lvl.pipeline(), spec


def small() -> tuple[Framework, Dataset, Pipeline]:
    """Six units, four indicators in two pillars, an index; one indicator negative."""
    fw = Framework(
        [Indicator("a"), Indicator("b", direction=-1), Indicator("c"), Indicator("d")],
        [Aggregate("P"), Aggregate("Q"), Aggregate("Index")],
        [
            Edge("a", "P", 1.0),
            Edge("b", "P", 2.0),
            Edge("c", "Q", 1.0),
            Edge("d", "Q", 1.0),
            Edge("P", "Index", 1.0),
            Edge("Q", "Index", 3.0),
        ],
    )
    values = [
        [1.0, 9.0, 3.0, 40.0],
        [2.0, 7.0, 1.0, 10.0],
        [4.0, 8.0, 6.0, 30.0],
        [8.0, 2.0, 2.0, 20.0],
        [3.0, 5.0, 9.0, 60.0],
        [5.0, 1.0, 4.0, 50.0],
    ]
    data = Dataset(units=[f"u{i}" for i in range(6)], columns=["a", "b", "c", "d"], values=values)
    pipe = Pipeline(
        [
            Stage("normalise", "minmax", params={"lo": 1.0, "hi": 100.0}),
            Stage("aggregate", "arithmetic"),
        ]
    )
    return fw, data, pipe


SMALL_SPEC = UncertaintySpec(
    [
        Choice("normalised", "lo", [1.0, 10.0]),
        Uniform("normalised", "hi", 50.0, 150.0),
        Choice("aggregated", "method", ["arithmetic", "geometric"]),
        WeightNoise(2, 0.25),
        WeightNoise(3, 0.5),
    ]
)


def test_small_framework_batched_equals_per_draw() -> None:
    fw, data, pipe = small()
    a = run_uncertainty(fw, data, pipe, SMALL_SPEC, n=64, seed=5, batched=False)
    b = run_uncertainty(fw, data, pipe, SMALL_SPEC, n=64, seed=5)
    same(a, b)
    assert np.ptp(b.scores, axis=0).max() > 0  # the draws differ


def test_small_framework_one_draw_by_hand() -> None:
    """Weight noise only: the index of every draw recomputed with plain numpy."""
    fw, data, pipe = small()
    spec = UncertaintySpec([WeightNoise(2, 0.25), WeightNoise(3, 0.5)])
    res = run_uncertainty(fw, data, pipe, spec, n=8, seed=2)
    x = np.asarray(data.values[0]) * np.array([1, -1, 1, 1])
    y = (x - x.min(0)) / (x.max(0) - x.min(0)) * 99 + 1
    u = np.random.default_rng(2).random((8, 6))  # 4 edges into P, Q, then 2 into the index
    for k in range(8):
        m = 1 + 0.25 * (2 * u[k, :4] - 1)
        w = np.array([1.0, 2.0, 1.0, 1.0]) * m
        p = (w[0] * y[:, 0] + w[1] * y[:, 1]) / (w[0] + w[1])
        q = (w[2] * y[:, 2] + w[3] * y[:, 3]) / (w[2] + w[3])
        v = np.array([1.0, 3.0]) * (1 + 0.5 * (2 * u[k, 4:] - 1))
        index = (v[0] * p + v[1] * q) / v.sum()
        assert np.allclose(res.scores[k], index, rtol=1e-12)
        order = (-index).argsort().argsort() + 1
        assert np.array_equal(res.ranks[k], order)


def test_asem_batched_equals_per_draw(asem: Any) -> None:
    fw, data, pipe, spec = asem
    assert batch_reason is not None
    a = run_uncertainty(fw, data, pipe, spec, n=40, seed=3, batched=False)
    b = run_uncertainty(fw, data, pipe, spec, n=40, seed=3)
    same(a, b)


def test_asem_sensitivity_batched_equals_per_draw(asem: Any) -> None:
    fw, data, pipe, spec = asem
    a = run_sensitivity(fw, data, pipe, spec, n=4, seed=1, bootstrap=10, batched=False)
    b = run_sensitivity(fw, data, pipe, spec, n=4, seed=1, bootstrap=10)
    for name in ("f_A", "f_B", "f_AB", "S", "ST", "S_low", "ST_high"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True)


def test_chunks_and_workers_do_not_change_results() -> None:
    fw, data, pipe = small()
    a = run_uncertainty(fw, data, pipe, SMALL_SPEC, n=50, seed=7, chunk_size=7)
    b = run_uncertainty(fw, data, pipe, SMALL_SPEC, n=50, seed=7, workers=2)
    c = run_uncertainty(fw, data, pipe, SMALL_SPEC, n=50, seed=7, batched=False)
    same(a, b)
    same(a, c)


def test_unbatchable_aggregation_falls_back_to_per_draw() -> None:
    fw, data, _ = small()
    pipe = Pipeline([Stage("normalise", "minmax"), Stage("aggregate", "copeland")])
    spec = UncertaintySpec([Choice("normalised", "method", ["minmax", "rank"])])
    same(
        run_uncertainty(fw, data, pipe, spec, n=6, seed=1),
        run_uncertainty(fw, data, pipe, spec, n=6, seed=1, batched=False),
    )


def test_a_failing_draw_is_named_as_in_the_per_draw_path() -> None:
    fw, data, pipe = small()
    spec = UncertaintySpec(
        [Uniform("normalised", "lo", -50.0, 1.0), Choice("aggregated", "method", ["geometric"])]
    )
    errors = []
    for batched in (True, False):
        with pytest.raises(DxfError) as err:
            run_uncertainty(fw, data, pipe, spec, n=20, seed=0, batched=batched)
        errors.append(str(err.value))
    assert errors[0] == errors[1] and "run " in errors[0]


def _dask_results(adaptive: bool) -> Any:
    distributed = pytest.importorskip("distributed")
    fw, data, pipe = small()
    with distributed.LocalCluster(
        n_workers=0 if adaptive else 2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        if adaptive:
            cluster.adapt(minimum=0, maximum=2)
        with distributed.Client(cluster) as client:
            return run_uncertainty(
                fw, data, pipe, SMALL_SPEC, n=40, seed=4, client=client, chunk_size=9
            )


@pytest.mark.parametrize("adaptive", [False, True])
def test_dask_local_cluster_gives_the_local_results(adaptive: bool) -> None:
    fw, data, pipe = small()
    local = run_uncertainty(fw, data, pipe, SMALL_SPEC, n=40, seed=4, batched=False)
    same(_dask_results(adaptive), local)


def test_asem_reference_study_batched_equals_per_draw(asem: Any) -> None:
    fw, data, pipe, _ = asem
    spec = UncertaintySpec.from_file(dxf.get_pack("asem").root / "uncertainty_reference.toml")
    assert spec.names == (
        "treated.winmax",
        "normalised.method",
        "aggregated.method",
        "weights.level3",
        "weights.level4",
    )
    same(
        run_uncertainty(fw, data, pipe, spec, n=30, seed=2, batched=False),
        run_uncertainty(fw, data, pipe, spec, n=30, seed=2),
    )


NOISE_SPEC = UncertaintySpec.from_dict(
    {
        "noise": [
            {"size": 0.05},
            {"size": 0.5, "kind": "additive", "distribution": "normal", "indicators": ["c"]},
        ],
        "weights": [{"level": 2, "factor": 0.25}],
        "choice": [
            {"stage": "aggregated", "param": "method", "values": ["arithmetic", "geometric"]}
        ],
    }
)


def test_data_noise_batched_equals_per_draw() -> None:
    fw, data, pipe = small()
    a = run_uncertainty(fw, data, pipe, NOISE_SPEC, n=40, seed=8, batched=False)
    b = run_uncertainty(fw, data, pipe, NOISE_SPEC, n=40, seed=8, chunk_size=13)
    same(a, b)
    assert np.ptp(b.scores, axis=0).max() > 0


def test_data_noise_by_hand() -> None:
    """Multiplicative uniform noise x·(1 + 0.1·U(−1, 1)) on every value, recomputed by hand."""
    fw, data, pipe = small()
    spec = UncertaintySpec.from_dict({"noise": [{"size": 0.1}]})
    res = run_uncertainty(fw, data, pipe, spec, n=3, seed=4)
    u = np.random.default_rng(4).random((3, 1))
    for k in range(3):
        e = np.random.default_rng(int(u[k, 0] * 2.0**53)).uniform(-1.0, 1.0, size=(1, 6, 4))
        x = (np.asarray(data.values) * (1 + 0.1 * e))[0] * np.array([1, -1, 1, 1])
        y = (x - x.min(0)) / (x.max(0) - x.min(0)) * 99 + 1
        p = (y[:, 0] + 2 * y[:, 1]) / 3
        q = (y[:, 2] + y[:, 3]) / 2
        assert np.allclose(res.scores[k], (p + 3 * q) / 4, rtol=1e-12)
        assert res.draws[k]["noise"] == int(u[k, 0] * 2.0**53)


def test_noise_table_is_checked() -> None:
    with pytest.raises(DxfError, match="distribution"):
        UncertaintySpec.from_dict({"noise": [{"size": 0.1, "distribution": "cauchy"}]})
    fw, data, pipe = small()
    spec = UncertaintySpec.from_dict({"noise": [{"size": 0.1, "indicators": ["zz"]}]})
    with pytest.raises(DxfError, match="zz"):
        run_uncertainty(fw, data, pipe, spec, n=2)


def test_sensitivity_with_data_noise_batched_equals_per_draw() -> None:
    fw, data, pipe = small()
    a = run_sensitivity(fw, data, pipe, NOISE_SPEC, n=8, seed=1, bootstrap=5, batched=False)
    b = run_sensitivity(fw, data, pipe, NOISE_SPEC, n=8, seed=1, bootstrap=5)
    for name in ("f_A", "f_B", "f_AB", "S", "ST"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True)


def test_per_indicator_override_as_a_choice() -> None:
    """``param = "overrides"``: one indicator's normalisation switched per draw."""
    fw, data, pipe = small()
    spec = UncertaintySpec(
        [Choice("normalised", "overrides", [{}, {"d": {"method": "rank"}}]), WeightNoise(2, 0.1)]
    )
    a = run_uncertainty(fw, data, pipe, spec, n=20, seed=3, batched=False)
    b = run_uncertainty(fw, data, pipe, spec, n=20, seed=3)
    same(a, b)
    plain = [k for k, d in enumerate(a.draws) if d["normalised.overrides"] == {}]
    ranked = [k for k, d in enumerate(a.draws) if d["normalised.overrides"] != {}]
    assert plain and ranked


def test_named_weight_sets_as_a_choice() -> None:
    """Alternative weight sets of the framework, chosen per draw by a ``set`` weight stage."""
    import attrs

    fw, data, _ = small()
    fw = attrs.evolve(
        fw,
        weight_sets={
            "expert": {"Index": {"P": 3.0, "Q": 1.0}},
            "budget": {"P": {"a": 1.0, "b": 1.0}, "Index": {"P": 1.0, "Q": 1.0}},
        },
    )
    pipe = Pipeline(
        [
            Stage("normalise", "minmax"),
            Stage("weight", "set", params={"name": "expert"}),
            Stage("aggregate", "arithmetic"),
        ]
    )
    spec = UncertaintySpec([Choice("weighted", "name", ["expert", "budget"])])
    a = run_uncertainty(fw, data, pipe, spec, n=12, seed=1, batched=False)
    b = run_uncertainty(fw, data, pipe, spec, n=12, seed=1)
    same(a, b)
    names = [d["weighted.name"] for d in a.draws]
    assert {"expert", "budget"} == set(names)
    nominal = {
        n: dxf.run_pipeline(
            fw,
            data,
            attrs.evolve(
                pipe,
                stages=[pipe.stages[0], Stage("weight", "set", params={"name": n}), pipe.stages[2]],
            ),
        ).scores
        for n in ("expert", "budget")
    }
    for k, n in enumerate(names):
        s = nominal[n]
        assert np.array_equal(b.scores[k], s.values[0, :, s.column_index("Index")])
