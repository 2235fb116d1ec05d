"""Uncertainty and sensitivity analysis (METHODS.md §10) on the asem pack and on test functions.

Draws are seeded, so the same seed gives identical arrays (whatever the number of workers);
the Sobol' estimators are checked against the Ishigami function's analytic indices.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import dxframework as dxf
from dxframework.analysis import (
    Choice,
    UncertaintySpec,
    Uniform,
    WeightNoise,
    run_sensitivity,
    run_uncertainty,
    sobol_indices,
    sobol_intervals,
)
from dxframework.analysis.uncertainty import unit_samples
from dxframework.cli import cli


@pytest.fixture(scope="module")
def asem() -> tuple[Any, Any, Any]:
    """The asem pack's framework, sample data and reference pipeline."""
    if "asem" not in dxf.get_registry().packs:
        pytest.skip("the asem pack is not installed (pip install -e plugins/dxf-asem)")
    lvl = dxf.get_pack("asem").level()
    return lvl.framework, lvl.load_data(), lvl.pipeline()


@pytest.fixture(scope="module")
def spec(asem: Any) -> UncertaintySpec:
    """The example spec the asem pack ships (five assumptions)."""
    return UncertaintySpec.from_file(dxf.get_pack("asem").root / "uncertainty.toml")


def test_example_spec_reads_as_documented(spec: UncertaintySpec) -> None:
    """The shipped spec has imputation, winmax, normalisation, aggregation and weight noise."""
    assert spec.names == (
        "imputed.method",
        "treated.winmax",
        "normalised.method",
        "aggregated.method",
        "weights.level2",
    )
    imputation = spec.assumptions[0]
    assert isinstance(imputation, Choice)
    assert all(v["group"] == "EurAsia_group" for v in imputation.values)
    noise = spec.assumptions[-1]
    assert isinstance(noise, WeightNoise) and noise.factor == 0.25


def test_same_seed_same_results_other_seed_differs(asem: Any, spec: UncertaintySpec) -> None:
    """Two runs with one seed give identical score and rank arrays; another seed does not."""
    a = run_uncertainty(*asem, spec, n=12, seed=3)
    b = run_uncertainty(*asem, spec, n=12, seed=3)
    c = run_uncertainty(*asem, spec, n=12, seed=4)
    assert a.scores.shape == (12, len(a.units)) == a.ranks.shape
    assert np.array_equal(a.scores, b.scores, equal_nan=True)
    assert np.array_equal(a.ranks, b.ranks, equal_nan=True)
    assert [d["treated.winmax"] for d in a.draws] == [d["treated.winmax"] for d in b.draws]
    assert not np.array_equal(a.scores, c.scores, equal_nan=True)


def test_no_effective_uncertainty_gives_the_nominal_run(asem: Any) -> None:
    """A one-value choice (the nominal winmax) and zero weight noise: every draw is the
    nominal run, so intervals have zero width and sit on the nominal score and rank."""
    spec = UncertaintySpec([Choice("treated", "winmax", [5]), WeightNoise(2, 0.0)])
    res = run_uncertainty(*asem, spec, n=5, seed=1)
    nominal = dxf.run_pipeline(*asem)
    assert np.array_equal(res.nominal_score, nominal.scores.column("Index"))
    for stats, nom in (
        (res.score_summary(), res.nominal_score),
        (res.rank_summary(), res.nominal_rank),
    ):
        np.testing.assert_allclose(stats["mean"], nom, rtol=1e-14)  # a sum of 5 equal values
        for key in ("median", "p5", "p95"):
            np.testing.assert_array_equal(stats[key], nom, err_msg=key)
    assert np.all(res.scores == res.nominal_score)
    rows = res.to_rows()
    assert (
        len(rows) == 51 and rows[0]["score_p5"] == rows[0]["score_p95"] == rows[0]["nominal_score"]
    )


def test_nominal_rank_lies_within_the_interval_for_most_units(
    asem: Any, spec: UncertaintySpec
) -> None:
    """With the example spec and 100 draws, the nominal rank is within [p5, p95] for ≥ 90 %
    of the units, and the intervals are not all degenerate."""
    res = run_uncertainty(*asem, spec, n=100, seed=1)
    r = res.rank_summary()
    inside = (res.nominal_rank >= r["p5"]) & (res.nominal_rank <= r["p95"])
    assert inside.mean() >= 0.9
    assert np.mean(r["p95"] - r["p5"]) > 1.0
    assert np.all(r["p5"] <= r["median"]) and np.all(r["median"] <= r["p95"])
    values = {d["aggregated.method"] for d in res.draws}
    assert values == {"arithmetic", "geometric"}


def test_method_switch_merges_settings_like_a_pipeline(asem: Any) -> None:
    """The stage's own method keeps its parameters (``lo`` stays 0, ``hi`` becomes 10), so
    the index scores are the nominal ones divided by 10."""
    spec = UncertaintySpec([Choice("normalised", "method", [{"method": "minmax", "hi": 10.0}])])
    res = run_uncertainty(*asem, spec, n=2, seed=0)
    np.testing.assert_allclose(res.scores[0], res.nominal_score / 10.0, rtol=1e-12)


def test_sobol_sampler_is_seedable(asem: Any) -> None:
    """Scrambled Sobol' points repeat with the seed, differ with another, lie in [0, 1)."""
    u1 = unit_samples(16, 3, 7, "sobol")
    assert np.array_equal(u1, unit_samples(16, 3, 7, "sobol"))
    assert not np.array_equal(u1, unit_samples(16, 3, 8, "sobol"))
    assert u1.shape == (16, 3) and np.all((u1 >= 0) & (u1 < 1))
    spec = UncertaintySpec([Uniform("normalised", "hi", 50.0, 100.0), WeightNoise(3, 0.5)])
    a = run_uncertainty(*asem, spec, n=8, seed=2, sampler="sobol")
    b = run_uncertainty(*asem, spec, n=8, seed=2, sampler="sobol")
    assert np.array_equal(a.scores, b.scores, equal_nan=True)
    his = [d["normalised.hi"] for d in a.draws]
    assert all(50.0 <= h <= 100.0 for h in his) and len(set(his)) == 8


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_match_the_ishigami_function() -> None:
    """On Ishigami (a = 7, b = 0.1) with 2^13 Sobol' rows the estimators are within 0.02 of
    S = (0.3139, 0.4424, 0) and ST = (0.5576, 0.4424, 0.2437); the bootstrap intervals are
    ordered and repeat with the seed."""
    n, d = 2**13, 3
    ab = -math.pi + 2 * math.pi * unit_samples(n, 2 * d, 0, "sobol")
    a, b = ab[:, :d], ab[:, d:]
    fab = []
    for i in range(d):
        m = a.copy()
        m[:, i] = b[:, i]
        fab.append(_ishigami(m))
    fa, fb, f_ab = _ishigami(a), _ishigami(b), np.array(fab)
    s, st = sobol_indices(fa, fb, f_ab)
    np.testing.assert_allclose(s, [0.3139, 0.4424, 0.0], atol=0.02)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=0.02)
    lo, hi, st_lo, st_hi = sobol_intervals(fa, fb, f_ab, bootstrap=100, seed=1)
    assert np.all(lo <= hi) and np.all(st_lo <= st_hi)
    assert np.all((st_lo <= st) & (st <= st_hi))
    again = sobol_intervals(fa, fb, f_ab, bootstrap=100, seed=1)
    assert np.array_equal(again[0], lo)


def _toy() -> tuple[dxf.Framework, dxf.Dataset, dxf.Pipeline]:
    """Three indicators without outliers, one index: winmax cannot change anything."""
    fw = dxf.Framework(
        [dxf.Indicator(c) for c in "abc"],
        [dxf.Aggregate("I")],
        [dxf.Edge(c, "I", 1.0) for c in "abc"],
    )
    rng = np.random.default_rng(0)
    units = [dxf.Unit(f"U{i}", f"Unit {i}") for i in range(8)]
    data = dxf.Dataset(units=units, columns=list("abc"), values=rng.normal(size=(1, 8, 3)))
    pipe = dxf.Pipeline(
        [dxf.Stage("treat", params={"winmax": 5}), dxf.Stage("normalise"), dxf.Stage("aggregate")]
    )
    return fw, data, pipe


def test_sensitivity_of_an_ineffective_assumption_is_zero() -> None:
    """With an assumption that cannot act (winmax on data without outliers), its S and ST
    are exactly 0 and the weights carry everything; the design runs n·(d + 2) times."""
    fw, data, pipe = _toy()
    spec = UncertaintySpec([Choice("treated", "winmax", [1, 2, 3]), WeightNoise(2, 0.9)])
    calls: list[tuple[int, int]] = []
    res = run_sensitivity(
        fw, data, pipe, spec, n=32, seed=5, bootstrap=50, progress=lambda d, t: calls.append((d, t))
    )
    assert res.runs == 32 * (2 + 2) == calls[-1][0] == calls[-1][1]
    assert res.f_AB.shape == (2, 32)
    assert res.S[0] == 0.0 and res.ST[0] == 0.0
    assert res.ST[1] > 0.5 and res.variance > 0
    assert [r["assumption"] for r in res.to_rows()] == ["treated.winmax", "weights.level2"]
    again = run_sensitivity(fw, data, pipe, spec, n=32, seed=5, bootstrap=50)
    assert np.array_equal(res.S, again.S) and np.array_equal(res.ST_low, again.ST_low)


def test_one_or_two_workers_give_identical_results(asem: Any, spec: UncertaintySpec) -> None:
    """Draws run in a process pool come back in draw order: identical to a sequential run."""
    one = run_uncertainty(*asem, spec, n=16, seed=9, workers=1)
    two = run_uncertainty(*asem, spec, n=16, seed=9, workers=2)
    assert np.array_equal(one.scores, two.scores, equal_nan=True)
    assert np.array_equal(one.ranks, two.ranks, equal_nan=True)


def test_spec_errors_name_what_is_wrong(asem: Any) -> None:
    """Unknown tables or keys, a stage not in the pipeline, an unregistered method and a
    level without aggregates are DxfErrors naming the fault."""
    with pytest.raises(dxf.DxfError, match="unknown keys 'vals'"):
        UncertaintySpec.from_dict(
            {"choice": [{"stage": "treated", "param": "winmax", "vals": [1]}]}
        )
    with pytest.raises(dxf.DxfError, match="unknown tables: choices"):
        UncertaintySpec.from_dict({"choices": []})
    with pytest.raises(dxf.DxfError, match=r"\[\[uniform\]\] 1: needs 'high'"):
        UncertaintySpec.from_dict(
            {"uniform": [{"stage": "treated", "param": "skew_max", "low": 1}]}
        )
    bad = UncertaintySpec([Choice("normalized", "method", ["zscore"])])
    with pytest.raises(dxf.DxfError, match="no stage named 'normalized'") as exc:
        run_uncertainty(*asem, bad, n=2)
    assert "normalised" in str(exc.value)  # the hint lists the stages
    with pytest.raises(dxf.DxfError, match="no normalise method 'zscor'"):
        run_uncertainty(*asem, UncertaintySpec([Choice("normalised", "method", ["zscor"])]), n=2)
    with pytest.raises(dxf.DxfError, match="no aggregate at level 7"):
        run_uncertainty(*asem, UncertaintySpec([WeightNoise(7, 0.1)]), n=2)


def test_a_failing_draw_names_its_assumption_values(asem: Any) -> None:
    """The geometric mean of min–max scores with a 0 fails; the error names the draw."""
    spec = UncertaintySpec([Choice("aggregated", "method", ["geometric"])])
    with pytest.raises(dxf.DxfError, match=r"run 1 \(aggregated.method = geometric\)"):
        run_uncertainty(*asem, spec, n=1)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_cli_writes_the_files_and_rejects_an_unknown_stage(
    asem: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dxf uncertainty` finds the spec shipped in the pack's folder and writes
    uncertainty.csv, draws.csv and sensitivity.csv; a spec naming an unknown stage exits 2
    with the stage in the message and writes nothing."""
    monkeypatch.chdir(tmp_path)  # no uncertainty.toml here: the pack's is used
    out = tmp_path / "ua"
    args = ["uncertainty", "--pack", "asem", "--spec", "uncertainty.toml", "--n", "8"]
    opts = ["--seed", "1", "--sensitivity", "--bootstrap", "20", "--out", str(out)]
    res = CliRunner().invoke(cli, [*args, *opts])
    assert res.exit_code == 0, res.output
    rows = _csv(out / "uncertainty.csv")
    assert len(rows) == 51
    assert list(rows[0])[:4] == ["unit", "name", "nominal_score", "nominal_rank"]
    assert {"score_p5", "score_p95", "rank_mean", "rank_median", "rank_p95"} <= set(rows[0])
    sens = _csv(out / "sensitivity.csv")
    assert [r["assumption"] for r in sens][-1] == "weights.level2"
    assert list(sens[0]) == ["assumption", "S", "S_low", "S_high", "ST", "ST_low", "ST_high"]
    assert len(_csv(out / "draws.csv")) == 8

    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[choice]]\nstage = "nosuch"\nparam = "method"\nvalues = ["mean"]\n', encoding="utf-8"
    )
    out2 = tmp_path / "ua2"
    res = CliRunner().invoke(
        cli, ["uncertainty", "--pack", "asem", "--spec", str(bad), "--out", str(out2)]
    )
    assert res.exit_code == 2
    assert "no stage named 'nosuch'" in res.output
    assert not out2.exists()


def test_dask_local_cluster_gives_identical_results(asem: Any, spec: UncertaintySpec) -> None:
    """Draws run on a real Dask LocalCluster (2 worker processes) equal the local run."""
    distributed = pytest.importorskip("distributed")
    local = run_uncertainty(*asem, spec, n=24, seed=11)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_uncertainty(*asem, spec, n=24, seed=11, client=client)
        sens_local = run_sensitivity(*asem, spec, n=8, seed=3, bootstrap=20)
        sens_remote = run_sensitivity(*asem, spec, n=8, seed=3, bootstrap=20, client=client)
    assert np.array_equal(local.scores, remote.scores, equal_nan=True)
    assert np.array_equal(local.ranks, remote.ranks, equal_nan=True)
    assert np.array_equal(sens_local.ST, sens_remote.ST, equal_nan=True)


def test_cli_runs_the_draws_on_a_dask_cluster(tmp_path: Path) -> None:
    """`dxf uncertainty --dask 2` writes the same uncertainty.csv as a local run."""
    pytest.importorskip("distributed")
    runner = CliRunner()
    base = ["uncertainty", "--pack", "asem", "--spec", "uncertainty.toml", "--n", "12"]
    local = runner.invoke(cli, [*base, "--out", str(tmp_path / "local")])
    remote = runner.invoke(cli, [*base, "--dask", "2", "--out", str(tmp_path / "dask")])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert (tmp_path / "local" / "uncertainty.csv").read_bytes() == (
        tmp_path / "dask" / "uncertainty.csv"
    ).read_bytes()
