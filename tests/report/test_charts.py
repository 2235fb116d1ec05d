"""Charts: one figure rendered as inline SVG (HTML) and PNG (DOCX), alike and reproducible.

What is protected: the SVG can be inlined in HTML (starts with ``<svg``, no ``<script``, ids
prefixed by the chart's id so charts on one page don't clash, references resolve within
the chart); both renderings are byte-identical across runs and processes; the PNG is a real,
non-blank image 16 cm wide at 150 dpi; Vietnamese text has every glyph in DejaVu Sans;
numbers use the language's decimal separator; NaN never crashes; 110 bars stay legible;
matplotlib's global state is neither used nor changed.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import matplotlib
import matplotlib.image
import numpy as np
import pytest

from dxframework.report import charts
from dxframework.report.model import Chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAN = math.nan
SVG_NS = "{http://www.w3.org/2000/svg}"

UNITS = ["Đà Nẵng", "Chính quyền số", "Bắc Kạn", "Hà Nội", "Quảng Ninh", "Ba Bể", "Pác Nặm"]
PILLARS = ["Chuyển đổi nhận thức", "Thể chế số", "Hạ tầng số", "Nhân lực số", "Chính quyền số"]

SAMPLES: dict[str, Callable[[], Chart]] = {
    "ranking": lambda: charts.ranking_bars(
        "ranking",
        "Xếp hạng DTI cấp xã",
        UNITS,
        [0.61, 0.83, 0.47, NAN, 0.72, 0.05, 0.5],
        highlight="Bắc Kạn",
        value_label="Điểm DTI",
    ),
    "radar": lambda: charts.radar(
        "radar",
        "Bắc Kạn so với trung bình tỉnh",
        PILLARS,
        {"Đà Nẵng": [0.8, 0.6, NAN, 0.7, 0.9], "Trung bình tỉnh": [0.5, 0.5, 0.4, 0.6, 0.55]},
    ),
    "grouped": lambda: charts.grouped_bars(
        "grouped",
        "Điểm theo trụ cột",
        PILLARS,
        {"Ba Bể": [0.3, 0.5, 0.7, NAN, 0.4], "Pác Nặm": [0.6, 0.2, 0.5, 0.45, 0.35]},
    ),
    "trend": lambda: charts.trend_lines(
        "trend",
        "Xu hướng DTI",
        [2021, 2022, 2023, 2024],
        {"Bắc Kạn": [0.31, NAN, 0.42, 0.47], "Cả nước": [0.4, 0.45, 0.5, 0.52]},
        targets={"Bắc Kạn": [(2025, 0.55), (2030, 0.8)]},
    ),
    "gaps": lambda: charts.target_gaps(
        "gaps",
        "Khoảng cách tới mục tiêu 2025",
        PILLARS,
        [0.3, 0.62, NAN, 0.5, 0.7],
        [0.5, 0.6, 0.7, NAN, 0.8],
    ),
}


def _missing_glyphs(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[Chart, Chart, list[warnings.WarningMessage]]]:
    """Each sample rendered twice, with the warnings raised while rendering."""
    out = {}
    for kind, make in SAMPLES.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            first, second = make(), make()
        out[kind] = (first, second, list(caught))
    return out


def _png_pixels(png: bytes) -> np.ndarray[Any, Any]:
    return np.asarray(matplotlib.image.imread(io.BytesIO(png), format="png"))


def _ids(svg: str) -> list[str]:
    return re.findall(r'\bid="([^"]*)"', svg)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_svg_can_be_inlined(rendered: dict[str, Any], kind: str) -> None:
    """The SVG starts with ``<svg``, is well-formed XML with no script, prolog or comment."""
    chart, _, _ = rendered[kind]
    assert chart.svg.startswith("<svg ")
    lowered = chart.svg.lower()
    assert "<script" not in lowered
    assert "<?xml" not in lowered and "<!doctype" not in lowered and "<!--" not in lowered
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("id") == f"chart-{kind}"
    assert root.get("role") == "img"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == chart.title
    assert chart.id == kind


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_renderings_are_deterministic(rendered: dict[str, Any], kind: str) -> None:
    """Rendering the same inputs twice gives byte-identical SVG and PNG."""
    first, second, _ = rendered[kind]
    assert first.svg == second.svg
    assert first.png == second.png


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_png_is_a_real_image_16cm_wide(rendered: dict[str, Any], kind: str) -> None:
    """The PNG has the signature, 16 cm at 150 dpi, and is not blank; the SVG is 16 cm too."""
    chart, _, _ = rendered[kind]
    assert chart.png.startswith(PNG_SIGNATURE)
    pixels = _png_pixels(chart.png)
    assert abs(pixels.shape[1] - 16 / 2.54 * 150) < 1
    assert float(pixels[..., :3].var()) > 0.005
    width_pt = float(ET.fromstring(chart.svg).get("width", "0").removesuffix("pt"))
    assert width_pt == pytest.approx(16 / 2.54 * 72, abs=0.01)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_vietnamese_text_has_every_glyph(rendered: dict[str, Any], kind: str) -> None:
    """Rendering Vietnamese labels ("Chính quyền số", "Đà Nẵng") warns of no missing glyph."""
    _, _, caught = rendered[kind]
    assert _missing_glyphs(caught) == []


def test_missing_glyph_check_detects_missing_glyphs() -> None:
    """The glyph check is real: a character DejaVu Sans lacks (CJK) is reported."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.ranking_bars("cjk", "CJK", ["数字政府"], [0.5])
    assert _missing_glyphs(caught)


def test_tick_labels_use_the_language_decimal_separator() -> None:
    """Ticks read ``0,8`` in Vietnamese and ``0.8`` in English, with one precision per axis."""
    ticks = [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
    assert charts._tick_formatter("vi").format_ticks(ticks) == [
        "0,0", "0,2", "0,4", "0,6", "0,8", "1,0",
    ]  # fmt: skip
    assert charts._tick_formatter("en").format_ticks(ticks) == [
        "0.0", "0.2", "0.4", "0.6", "0.8", "1.0",
    ]  # fmt: skip
    assert charts._tick_formatter("vi").format_ticks([0, 25, 50]) == ["0", "25", "50"]
    assert charts._tick_formatter("vi").format_ticks([-0.25, 0, 0.25]) == [
        "\u22120,25", "0,00", "0,25",
    ]  # fmt: skip
    assert charts._YearFormatter().format_ticks([2024.0, 2025.0]) == ["2024", "2025"]


def test_numbers_printed_on_charts() -> None:
    """Bar values have 4 decimals up to 1 and 2 above; thousands are grouped per language."""
    assert charts._value_text(0.8, "vi") == "0,8000"
    assert charts._value_text(0.61234, "en") == "0.6123"
    assert charts._value_text(85.126, "vi") == "85,13"
    assert charts._value_text(-0.05, "vi") == "\u22120,0500"
    assert charts.format_number(1234.5, 1, "vi") == "1.234,5"
    assert charts.format_number(1234.5, 1, "en") == "1,234.5"
    assert charts.format_number(-0.00001, 2, "vi") == "0,00"
    assert charts.format_number(NAN, 2, "vi") == "\u2014"


def test_missing_values_are_tolerated() -> None:
    """NaN and None are skipped or drawn as gaps, even when a whole series is missing.

    A target for a name without a series is drawn on its own rather than refused.
    """
    made = [
        charts.ranking_bars("r", "r", ["Đà Nẵng", "Hà Nội"], [NAN, None]),
        charts.radar("a", "a", ["x", "y", "z"], {"Đà Nẵng": [NAN, NAN, NAN]}),
        charts.grouped_bars("g", "g", ["x", "y"], {"Đà Nẵng": [NAN, NAN]}),
        charts.trend_lines("t", "t", [2020, 2021], {"Đà Nẵng": [NAN, NAN]},
                           targets={"Đà Nẵng": [(2025, 0.7), (2030, NAN)]}),
        charts.target_gaps("p", "p", ["x", "y"], [NAN, 0.5], [0.4, NAN]),
        charts.trend_lines("u", "u", [2020], {"a": [0.2]}, targets={"b": [(2025, 0.5)]}),
    ]  # fmt: skip
    for chart in made:
        assert chart.svg.startswith("<svg") and chart.png.startswith(PNG_SIGNATURE)
        assert re.search(r"\bnan\b", chart.svg.lower()) is None


def test_labels_are_data_not_markup_or_tex() -> None:
    """Labels and titles with markup, dollars or quotes are drawn as text, never injected."""
    labels = ["<script>alert(1)</script>", "Chi phí $5 và $10", "$\\frac{1}{0}$", 'a --> "b" & c']
    chart = charts.ranking_bars("x", '<b>Tiêu đề</b> & "x"', labels, [0.4, 0.3, 0.2, 0.1])
    root = ET.fromstring(chart.svg)
    assert "script" not in chart.svg and "alert" not in chart.svg and "$" not in chart.svg
    assert root.get("aria-label") == '<b>Tiêu đề</b> & "x"'
    assert root.find(f"{SVG_NS}title") is not None


def test_ranking_is_sorted_best_on_top_with_one_highlight(rendered: dict[str, Any]) -> None:
    """Bars run from the longest at the top down; only the highlighted bar is orange."""
    svg = rendered["ranking"][0].svg
    bars = []
    for d, fill in re.findall(r'<path d="([^"]*)"[^>]*style="fill: (#[0-9a-f]{6})', svg):
        if fill not in {"#3a6ea5", "#e07b24"}:
            continue
        xy = np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]).reshape(-1, 2)
        bars.append((xy[:, 1].mean(), np.ptp(xy[:, 0]), fill))
    bars.sort()
    assert len(bars) == 6  # 7 units, one without a value
    widths = [w for _, w, _ in bars]
    assert widths == sorted(widths, reverse=True)
    assert [fill for *_, fill in bars].count("#e07b24") == 1
    assert bars[4][2] == "#e07b24"  # Bắc Kạn, 0.47, is fifth


def test_highlight_colour_appears_only_when_asked() -> None:
    """The PNG has orange bar pixels with a highlight and none without."""

    def orange_pixels(chart: Chart) -> int:
        rgb = _png_pixels(chart.png)[..., :3] * 255
        return int((np.abs(rgb - [0xE0, 0x7B, 0x24]).max(axis=-1) <= 2).sum())

    labels, values = ["Đà Nẵng", "Hà Nội", "Bắc Kạn"], [0.9, 0.5, 0.7]
    assert orange_pixels(charts.ranking_bars("h", "h", labels, values, highlight="Hà Nội")) > 500
    assert orange_pixels(charts.ranking_bars("h", "h", labels, values)) == 0


def test_two_charts_ids_do_not_collide(rendered: dict[str, Any]) -> None:
    """Charts on one page share no id, and every reference resolves inside its own chart."""
    seen: set[str] = set()
    for chart, _, _ in rendered.values():
        ids = _ids(chart.svg)
        assert len(ids) == len(set(ids))
        assert all(i == f"chart-{chart.id}" or i.startswith(f"chart-{chart.id}-") for i in ids)
        refs = re.findall(r'(?:href="#|url\(#)([^")]*)', chart.svg)
        assert refs and set(refs) <= set(ids)
        assert seen.isdisjoint(ids)
        seen.update(ids)
    # The prefix escapes the id one-to-one, so look-alike ids stay apart.
    prefixes = {charts._svg_prefix(i) for i in ["a.b", "a_b", "a-b", "a_2e_b", "ab"]}
    assert len(prefixes) == 5


def test_110_bars_stay_legible() -> None:
    """110 bars render, each row at least 7 pt high: the figure grows with the count."""
    labels = [f"Xã Đồng Phúc {i}" for i in range(110)]
    values = [((i * 37) % 101) / 100 for i in range(110)]
    chart = charts.ranking_bars("many", "110", labels, values, highlight=labels[7])
    pixels = _png_pixels(chart.png)
    assert pixels.shape[0] / 110 >= 7 / 72 * 150
    assert chart.svg.count('style="fill: #3a6ea5"') == 109
    assert chart.svg.count('style="fill: #e07b24"') == 1


def test_global_matplotlib_state_is_neither_used_nor_changed(rendered: dict[str, Any]) -> None:
    """A user's rcParams don't change the chart, and rendering leaves them as they were."""
    expected = rendered["trend"][0]
    with matplotlib.rc_context({"font.size": 20, "lines.linewidth": 5, "svg.fonttype": "none"}):
        chart = SAMPLES["trend"]()
        assert matplotlib.rcParams["font.size"] == 20
        assert matplotlib.rcParams["svg.fonttype"] == "none"
    assert (chart.svg, chart.png) == (expected.svg, expected.png)


def test_same_bytes_in_another_process(rendered: dict[str, Any]) -> None:
    """Another process (other hash seed) renders the same bytes, without importing pyplot."""
    code = (
        "import sys, hashlib\n"
        "sys.path[:0] = [sys.argv[1]]\n"
        "import test_charts as t\n"
        "c = t.SAMPLES['grouped']()\n"
        "print(hashlib.sha256(c.svg.encode()).hexdigest(), hashlib.sha256(c.png).hexdigest())\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    here = os.path.dirname(__file__)
    out = subprocess.run(
        [sys.executable, "-c", code, here], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    chart = rendered["grouped"][0]
    assert out == [
        hashlib.sha256(chart.svg.encode()).hexdigest(),
        hashlib.sha256(chart.png).hexdigest(),
        "False",
    ]


@pytest.mark.parametrize(
    "call",
    [
        lambda: charts.ranking_bars("x", "x", ["a", "b"], [0.1]),
        lambda: charts.ranking_bars("x", "x", [], []),
        lambda: charts.ranking_bars("", "x", ["a"], [0.1]),
        lambda: charts.ranking_bars("x", "x", ["a"], [0.1], lang="fr"),
        lambda: charts.radar("x", "x", ["a", "b"], {"s": [0.1, 0.2]}),
        lambda: charts.grouped_bars("x", "x", ["a", "b"], {"s": [0.1]}),
        lambda: charts.trend_lines("x", "x", [2020, 2021], {"s": [0.1]}),
        lambda: charts.target_gaps("x", "x", ["a"], [0.1], [0.1, 0.2]),
    ],
)
def test_bad_input_is_a_value_error(call: Callable[[], Chart]) -> None:
    """Mismatched lengths, no bars, no id or an unknown language raise ValueError."""
    with pytest.raises(ValueError):
        call()
