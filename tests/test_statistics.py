"""Statistics (METHODS.md §11): summaries, correlations, Cronbach's alpha, flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator
from dxframework.analysis import (
    correlation_flags,
    correlations,
    cronbach_alpha,
    indicator_summary,
    pca,
)


def test_summary_matches_scipy() -> None:
    """Each summary statistic equals numpy/scipy on the non-missing values."""
    col = np.array([1.0, 0.0, 4.0, np.nan, 9.0, 2.0])
    data = Dataset.from_arrays([f"u{i}" for i in range(6)], ["x"], col[:, None])
    row = indicator_summary(data)[0]
    v = col[~np.isnan(col)]
    assert row["n"] == 5 and row["availability"] == pytest.approx(5 / 6)
    assert row["mean"] == pytest.approx(v.mean()) and row["median"] == pytest.approx(2.0)
    assert row["sd"] == pytest.approx(v.std(ddof=1))
    assert row["skew"] == pytest.approx(stats.skew(v, bias=False), rel=1e-12)
    assert row["kurt"] == pytest.approx(stats.kurtosis(v, bias=False), rel=1e-12)
    assert row["share_zeros"] == pytest.approx(1 / 5) and row["unique"] == 5


def test_correlations_match_scipy_with_missing() -> None:
    """Pearson and Spearman (with ties) equal scipy on pairwise complete rows."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, size=(30, 3)).astype(float)
    x[4, 0] = np.nan
    ok = ~np.isnan(x[:, 0])
    p = correlations(x, "pearson")
    s = correlations(x, "spearman")
    assert p[0, 1] == pytest.approx(stats.pearsonr(x[ok, 0], x[ok, 1])[0], rel=1e-12)
    assert s[0, 1] == pytest.approx(stats.spearmanr(x[ok, 0], x[ok, 1])[0], rel=1e-12)
    assert s[1, 2] == pytest.approx(stats.spearmanr(x[:, 1], x[:, 2])[0], rel=1e-12)


def test_cronbach_alpha_by_hand() -> None:
    """α = k/(k−1)·(1 − Σvar_i/var(Σx)): for columns (1,2,3), (2,4,6): vars 1, 4, total 9.

    α = 2·(1 − 5/9) = 8/9.
    """
    x = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [np.nan, 1.0]])
    assert cronbach_alpha(x) == pytest.approx(8 / 9, rel=1e-12)


def test_pca_explained_sums_to_one() -> None:
    """PCA variance shares sum to 1 and come in descending order."""
    rng = np.random.default_rng(4)
    out = pca(rng.normal(size=(20, 4)))
    assert sum(out["explained"]) == pytest.approx(1.0)
    assert out["explained"] == sorted(out["explained"], reverse=True)


def test_flags_negative_and_collinear() -> None:
    """An indicator opposed to its aggregate is flagged, and so is a near-copy of a sibling."""
    fw = Framework([Indicator(c) for c in "abc"], [Aggregate("I")], [Edge(c, "I") for c in "abc"])
    a = np.arange(10.0)
    values = np.column_stack([a, a * 2 + 0.01 * np.sin(a), -a * 0.1, a * 1.0])
    data = Dataset.from_arrays([f"u{i}" for i in range(10)], ["a", "b", "c", "I"], values)
    flags = correlation_flags(fw, data)
    kinds = {(f["flag"], f["code"]) for f in flags}
    assert ("negative", "c") in kinds
    assert ("collinear", "a") in kinds


def test_cli_stats_writes_tables_and_flags(tmp_path: Path) -> None:
    """`dxf stats` writes the summary, both correlation matrices, group statistics and flags.

    The ASEM summary's LPI mean equals the mean of the raw column (computed here with numpy).
    """
    import csv

    from click.testing import CliRunner

    import dxframework as dxf
    from dxframework.cli import cli

    result = CliRunner().invoke(cli, ["stats", "--pack", "asem", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != ".dxf-output.json")
    assert names == [
        "correlations-pearson.csv",
        "correlations-spearman.csv",
        "flags.csv",
        "groups.csv",
        "summary.csv",
    ]
    with open(tmp_path / "summary.csv", encoding="utf-8") as f:
        lpi = next(r for r in csv.DictReader(f) if r["code"] == "LPI")
    raw = dxf.get_pack("asem").load_data().column("LPI")
    assert float(lpi["mean"]) == pytest.approx(float(np.nanmean(raw)), rel=1e-12)
    with open(tmp_path / "groups.csv", encoding="utf-8") as f:
        groups = {r["aggregate"]: r for r in csv.DictReader(f)}
    assert set(groups) >= {"Physical", "Conn", "Index"}
    assert "TBTs" in (tmp_path / "flags.csv").read_text(encoding="utf-8")
