"""Pictures of an uncertainty and sensitivity analysis: Figures from Python, files from the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import dxframework as dxf
from dxframework.analysis.sensitivity import run_sensitivity
from dxframework.analysis.uncertainty import UncertaintySpec, WeightNoise, run_uncertainty
from dxframework.cli import cli

pytest.importorskip("matplotlib")

from tests.test_batched import small

from dxframework.analysis.uncertainty.plots import (
    rank_ranges_figure,
    save_figures,
    sensitivity_figure,
)


def test_figures_show_the_summaries(tmp_path: Path) -> None:
    fw, data, pipe = small()
    spec = UncertaintySpec([WeightNoise(2, 0.5), WeightNoise(3, 0.5)])
    ua = run_uncertainty(fw, data, pipe, spec, n=30, seed=1)
    fig = rank_ranges_figure(ua)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        ua.units[i] for i in np.argsort(ua.nominal_rank)
    ]
    sa = run_sensitivity(fw, data, pipe, spec, n=8, seed=1, bootstrap=20)
    fig2 = sensitivity_figure(sa)
    bars = [p.get_width() for p in fig2.axes[0].patches]
    assert np.allclose(bars, [*sa.S, *sa.ST], equal_nan=True)
    paths = save_figures(tmp_path, ua, sa, "png")
    assert [p.name for p in paths] == ["rank_ranges.png", "sensitivity.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)


def test_cli_writes_svg_pictures(tmp_path: Path) -> None:
    if "asem" not in dxf.get_registry().packs:
        pytest.skip("the asem pack is not installed")
    out = tmp_path / "ua"
    res = CliRunner().invoke(
        cli,
        [
            "uncertainty",
            "--pack",
            "asem",
            "--spec",
            "uncertainty_reference.toml",
            "--n",
            "20",
            "--sensitivity",
            "--bootstrap",
            "10",
            "--figures",
            "svg",
            "--chunk-size",
            "7",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    for name in ("rank_ranges.svg", "sensitivity.svg"):
        assert (out / name).read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_figures_speak_vietnamese_and_english() -> None:
    """Labels in the chosen language, ticks with a decimal comma in Vietnamese; the same
    bars in both."""
    fw, data, pipe = small()
    spec = UncertaintySpec([WeightNoise(2, 0.5), WeightNoise(3, 0.5)])
    sa = run_sensitivity(fw, data, pipe, spec, n=8, seed=1, bootstrap=20)
    vi, en = sensitivity_figure(sa, "vi"), sensitivity_figure(sa, "en")
    for fig in (vi, en):
        fig.canvas.draw()  # ticks are formatted when drawn
    assert vi.axes[0].get_xlabel().startswith("Chỉ số Sobol' của")
    assert "khoảng tin cậy 95 %" in vi.axes[0].get_xlabel()
    assert en.axes[0].get_xlabel().startswith("Sobol' index of")
    vi_ticks = [t.get_text() for t in vi.axes[0].get_xticklabels()]
    assert any("," in t for t in vi_ticks) and not any("." in t for t in vi_ticks), vi_ticks
    assert [p.get_width() for p in vi.axes[0].patches] == [
        p.get_width() for p in en.axes[0].patches
    ]
    ua = run_uncertainty(fw, data, pipe, spec, n=30, seed=1)
    legend = [t.get_text() for t in rank_ranges_figure(ua, lang="vi").legends[0].texts]
    assert legend == ["5–95 % số lần mô phỏng", "trung vị", "thứ hạng gốc"]


def test_the_legend_is_outside_the_plot() -> None:
    """Before: the legend sat in the lower right corner of the axes, over the rank ranges of
    the last units (ASEM's MYS and BRN) and the bars of the last assumption."""
    fw, data, pipe = small()
    spec = UncertaintySpec([WeightNoise(2, 0.5), WeightNoise(3, 0.5)])
    ua = run_uncertainty(fw, data, pipe, spec, n=30, seed=1)
    sa = run_sensitivity(fw, data, pipe, spec, n=8, seed=1, bootstrap=20)
    for fig in (rank_ranges_figure(ua), sensitivity_figure(sa, "en")):
        fig.canvas.draw()
        (ax,) = fig.axes
        assert ax.get_legend() is None and len(fig.legends) == 1
        plot, legend = ax.get_window_extent(), fig.legends[0].get_window_extent()
        assert legend.y1 <= plot.y0, (legend, plot)  # wholly below the plot area
