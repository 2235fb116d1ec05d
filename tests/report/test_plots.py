"""The public plot API (dxframework.report.plots) and ``dxf plot``.

What is protected: every function returns a matplotlib Figure showing what it says. The
framework graph has one box and one label per node and one arrow per edge (both counted
from the pack's TOML, not from the Framework), the nodes feeding several parents are drawn
in the shared style, and the barycentre pass removes the crossings of a badly declared
order; the ranking follows the run's ranks; the profile's median ticks are the medians of
the DTI formula applied by hand to the CSV; the histograms count every unit; Vietnamese
ticks have a decimal comma. ``dxf plot`` writes valid SVG, PNG and PDF files, atomically,
refuses to overwrite its input, and names an unknown unit with its close matches (exit 2).
``import dxframework`` does not import matplotlib.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("matplotlib")

import itertools

from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

import dxframework as dxf
from dxframework.cli import cli
from dxframework.errors import DxfError
from dxframework.model.framework import Edge, Framework
from dxframework.model.indicator import Aggregate, Indicator
from dxframework.packs.runs import score_levels
from dxframework.report import plots

PNG = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"
DATA = Path(dxf.get_pack("vn-dti").root) / "data"
SHARED_FACE = "#fbe1c8"
ORANGE = "#e07b24"


def _toml_graph() -> tuple[set[str], set[tuple[str, str]]]:
    """The nodes and edges (child, parent) of vn-dti's main framework, read from its TOML."""
    doc = tomllib.loads((DATA / "framework-main.toml").read_text(encoding="utf-8"))
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for entry in [*doc["indicators"], *doc.get("aggregates", [])]:
        nodes.add(entry["code"])
        for parent in entry.get("parents", {}):
            edges.add((entry["code"], parent))
    return nodes, edges


@pytest.fixture(scope="module")
def main_result() -> Any:
    pack = dxf.get_pack("vn-dti")
    return score_levels(pack, "main")["main"]


def _by_gid(fig: Figure, prefix: str, kind: type) -> dict[str, Any]:
    (ax,) = fig.axes
    found = [
        a for a in ax.get_children() if isinstance(a, kind) and str(a.get_gid()).startswith(prefix)
    ]
    return {str(a.get_gid())[len(prefix) :]: a for a in found}


# --------------------------------------------------------------------------- framework


def test_framework_graph_draws_every_node_and_edge_of_the_toml() -> None:
    nodes, edges = _toml_graph()
    assert len(nodes) == 13 and len(edges) == 27  # 9 indicators, 3 pillars, the index
    fig = plots.framework_graph(dxf.get_pack("vn-dti").level("main").framework)
    assert isinstance(fig, Figure)
    boxes = _by_gid(fig, "node:", FancyBboxPatch)
    labels = _by_gid(fig, "label:", object)
    arrows = _by_gid(fig, "edge:", FancyArrowPatch)
    assert set(boxes) == nodes and set(labels) == nodes
    assert {tuple(k.split(">")) for k in arrows} == edges
    assert all(labels[c].get_text().startswith(c) for c in nodes)


def test_shared_nodes_are_drawn_in_the_shared_style_with_an_edge_to_each_parent() -> None:
    nodes, edges = _toml_graph()
    parents: dict[str, set[str]] = {c: set() for c in nodes}
    for child, parent in edges:
        parents[child].add(parent)
    shared = {c for c, ps in parents.items() if len(ps) > 1}
    # the five foundation indicators feed the three pillars and the index
    assert {c for c, ps in parents.items() if ps == {"CQS", "KTS", "XHS", "DTI"}} == {
        "NT", "TC", "HT", "NL", "AT",
    }  # fmt: skip
    fig = plots.framework_graph(dxf.get_pack("vn-dti").level("main").framework, lang="en")
    boxes = _by_gid(fig, "node:", FancyBboxPatch)
    arrows = _by_gid(fig, "edge:", FancyArrowPatch)
    styled = {c for c, box in boxes.items() if to_hex(box.get_facecolor()) == SHARED_FACE}
    assert styled == shared
    for child in shared:
        mine = {k.split(">")[1]: a for k, a in arrows.items() if k.split(">")[0] == child}
        assert set(mine) == parents[child]
        assert all(to_hex(a.get_edgecolor()) == ORANGE for a in mine.values())
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Shared by several parents" in legend and "Weight 0" in legend  # DT → DTI is 0
    vi = plots.framework_graph(dxf.get_pack("vn-dti").level("main").framework, lang="vi")
    assert "Dùng chung cho nhiều chỉ số cấp trên" in [
        t.get_text() for t in vi.legends[0].get_texts()
    ]


def test_parents_sit_above_children_and_the_barycentre_pass_removes_crossings() -> None:
    # declared so that every edge of P crosses every edge of Q: a, b feed Q; c, d feed P
    fw = Framework(
        indicators=[Indicator(c) for c in "abcd"],
        aggregates=[Aggregate("P"), Aggregate("Q"), Aggregate("R")],
        edges=[Edge("c", "P"), Edge("d", "P"), Edge("a", "Q"), Edge("b", "Q"),
               Edge("P", "R"), Edge("Q", "R")],
    )  # fmt: skip
    fig = plots.framework_graph(fw, names=False)
    boxes = _by_gid(fig, "node:", FancyBboxPatch)
    centre = {
        c: (b.get_x() + b.get_width() / 2, b.get_y() + b.get_height() / 2) for c, b in boxes.items()
    }
    assert centre["R"][1] > centre["P"][1] == centre["Q"][1] > centre["a"][1]
    q_left = centre["Q"][0] < centre["P"][0]
    kids_q = [centre[c][0] for c in "ab"]
    kids_p = [centre[c][0] for c in "cd"]
    assert (max(kids_q) < min(kids_p)) == q_left and (min(kids_q) > max(kids_p)) != q_left


def test_fifty_nodes_stay_apart() -> None:
    """asem (49 indicators, 11 aggregates): no two boxes of a row overlap."""
    fw = dxf.get_pack("asem").framework
    boxes = _by_gid(plots.framework_graph(fw), "node:", FancyBboxPatch)
    assert len(boxes) == 60
    rows: dict[float, list[tuple[float, float]]] = {}
    for b in boxes.values():
        rows.setdefault(round(b.get_y() + b.get_height(), 3), []).append(
            (b.get_x(), b.get_x() + b.get_width())
        )
    for spans in rows.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


# --------------------------------------------------------------------------- results


def test_ranking_follows_the_runs_ranks(main_result: Any) -> None:
    fig = plots.ranking(main_result)
    (ax,) = fig.axes
    shown = [t.get_text() for t in ax.get_yticklabels()]
    j = main_result.scores.column_index("DTI")
    ranks = main_result.ranks.values[-1, :, j]
    names = [u.name for u in main_result.scores.units]
    expected = [f"{int(ranks[i])}. {names[i]}" for i in np.argsort(ranks, kind="stable")]
    assert shown == expected
    widths = [p.get_width() for p in ax.patches if isinstance(p, Rectangle)]
    assert widths == sorted(widths, reverse=True) and len(widths) == 10
    top = plots.ranking(main_result, "CQS", top=3, highlight="02")  # Hà Giang, last
    labels = [t.get_text() for t in top.axes[0].get_yticklabels()]
    assert len(labels) == 4 and labels[-1].endswith("Tỉnh Hà Giang")


def test_vietnamese_ticks_have_a_decimal_comma(main_result: Any) -> None:
    vi = [t.get_text() for t in plots.ranking(main_result, lang="vi").axes[0].get_xticklabels()]
    en = [t.get_text() for t in plots.ranking(main_result, lang="en").axes[0].get_xticklabels()]
    assert "0,2" in vi and "0.2" in en
    assert not any("." in t for t in vi) and not any("," in t for t in en)


def _dti_by_hand() -> dict[str, dict[str, float]]:
    """Each province's pillar and index scores by the 922/QĐ-BTTTT formulas, from the CSV."""
    out: dict[str, dict[str, float]] = {}
    with (DATA / "main-synthetic.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            v = {k: float(row[k]) for k in ("NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH")}
            base = 100 * (v["NT"] + v["TC"] + v["HT"] + v["NL"] + v["AT"])
            out[row["unit"]] = {
                "DTI": (base + 200 * v["CQ"] + 150 * v["KT"] + 150 * v["XH"]) / 1000,
                "CQS": (base + 200 * v["CQ"]) / 700,
                "KTS": (base + 150 * v["KT"]) / 650,
                "XHS": (base + 150 * v["XH"]) / 650,
            }
    return out


def test_profile_shows_the_unit_against_the_median(main_result: Any) -> None:
    by_hand = _dti_by_hand()
    codes = ["DTI", "CQS", "KTS", "XHS"]  # the index first, then the pillars
    fig = plots.unit_profile(main_result, "01", lang="en")
    (ax,) = fig.axes
    bars = [p for p in ax.patches if str(p.get_gid()).startswith("unit:")]
    assert [str(b.get_gid())[5:] for b in bars] == codes
    assert np.allclose([b.get_width() for b in bars], [by_hand["01"][c] for c in codes], atol=1e-4)
    (ticks,) = [
        c for c in ax.collections if isinstance(c, LineCollection) and c.get_gid() == "median"
    ]
    medians = [float(np.median([u[c] for u in by_hand.values()])) for c in codes]
    assert np.allclose([seg[0][0] for seg in ticks.get_segments()], medians, atol=1e-4)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Thành phố Hà Nội", "Median of 10 units"]


def test_distributions_count_every_unit(main_result: Any) -> None:
    fig = plots.distributions(main_result, lang="en")
    panels = [a for a in fig.axes if a.get_visible()]
    assert len(panels) == 9  # one per indicator
    for ax in panels:
        counts = [p.get_height() for p in ax.patches if isinstance(p, Rectangle)]
        assert sum(counts) == 10
    two = plots.distributions(main_result, ["CQ", "NT"])
    assert [a.get_title(loc="left") for a in two.axes if a.get_visible()] == [
        "CQ · Hoạt động chính quyền số", "NT · Nhận thức số",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "named", "close"),
    [
        (lambda r: plots.unit_profile(r, "ha noi"), "'ha noi'", "01 (Thành phố Hà Nội)"),
        (lambda r: plots.ranking(r, "dti"), "'dti'", "DTI"),
        (lambda r: plots.distributions(r, ["NTX"]), "'NTX'", "NT (Digital awareness)"),
        (lambda r: plots.distributions(r, stage="normalized"), "'normalized'", "raw"),
    ],
)
def test_unknown_names_are_user_errors_with_close_matches(
    main_result: Any, call: Any, named: str, close: str
) -> None:
    with pytest.raises(DxfError) as caught:
        call(main_result)
    assert named in str(caught.value) and close in str(caught.value)


def test_uncertainty_pictures_are_delegated() -> None:
    from tests.test_batched import small

    from dxframework.analysis.uncertainty import UncertaintySpec, WeightNoise, run_uncertainty

    fw, data, pipe = small()
    ua = run_uncertainty(fw, data, pipe, UncertaintySpec([WeightNoise(2, 0.5)]), n=20, seed=1)
    fig = plots.rank_ranges(ua, top=2)
    assert isinstance(fig, Figure) and len(fig.axes[0].get_yticklabels()) == 2


# --------------------------------------------------------------------------- files


def test_save_writes_each_format_whole(tmp_path: Path, main_result: Any) -> None:
    fig = plots.ranking(main_result, top=3)
    svg = plots.save(fig, tmp_path / "r.svg")
    root = ET.parse(svg).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert plots.save(fig, tmp_path / "r.png").read_bytes().startswith(PNG)
    assert plots.save(fig, tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf", "r.png", "r.svg"]  # no temp
    with pytest.raises(DxfError, match="format"):
        plots.save(fig, tmp_path / "r.svg", "png")
    with pytest.raises(DxfError, match=r"\.svg, \.png or \.pdf"):
        plots.save(fig, tmp_path / "r.csv")


def _dxf(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_writes_svg_and_png(tmp_path: Path) -> None:
    res = _dxf("plot", "framework", "--pack", "vn-dti", "--out", str(tmp_path / "fw.svg"))
    assert res.exit_code == 0, res.output
    root = ET.parse(tmp_path / "fw.svg").getroot()
    ids = {el.get("id") for el in root.iter()}
    assert {"node:NT", "edge:NT>DTI"} <= ids
    res = _dxf("plot", "profile", "--pack", "vn-dti", "--unit", "01", "--lang", "en",
               "--out", str(tmp_path / "p.png"))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (tmp_path / "p.png").read_bytes().startswith(PNG)
    res = _dxf("plot", "ranking", "--pack", "backan", "--level", "commune", "--top", "5",
               "--format", "png", "--out", str(tmp_path / "r.png"))  # fmt: skip
    assert res.exit_code == 0 and (tmp_path / "r.png").read_bytes().startswith(PNG)


def test_cli_unknown_unit_is_exit_2_naming_it(tmp_path: Path) -> None:
    res = _dxf(
        "plot", "profile", "--pack", "vn-dti", "--unit", "1", "--out", str(tmp_path / "p.svg")
    )
    assert res.exit_code == 2
    assert "no unit '1'" in res.output and "01 (Thành phố Hà Nội)" in res.output
    assert not (tmp_path / "p.svg").exists()


def test_cli_refuses_options_of_another_kind_and_its_inputs(tmp_path: Path) -> None:
    res = _dxf(
        "plot", "framework", "--pack", "vn-dti", "--unit", "01", "--out", str(tmp_path / "f.svg")
    )
    assert res.exit_code == 2 and "--unit" in res.output
    data = tmp_path / "data.svg"
    data.write_bytes((DATA / "main-synthetic.csv").read_bytes())
    before = data.read_bytes()
    res = _dxf("plot", "ranking", "--pack", "vn-dti", "--level", "main", "--data", str(data),
               "--out", str(data))  # fmt: skip
    assert res.exit_code == 2 and "overwrite" in res.output
    assert data.read_bytes() == before


def test_import_dxframework_does_not_import_matplotlib() -> None:
    code = "import sys, dxframework; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_titles_name_the_year_of_a_panel(tmp_path: Path) -> None:
    """backan's districts hold 2020–2024: a picture says which year it shows (the last by
    default, or ``period``); data without a period have no year to name."""
    pack = dxf.get_pack("backan")
    panel = score_levels(pack, "district")["district"]
    assert list(panel.scores.periods) == [2020, 2021, 2022, 2023, 2024]
    titles = {
        "ranking": plots.ranking(panel, lang="en"),
        "ranking 2021": plots.ranking(panel, period=2021),
        "profile": plots.unit_profile(panel, "060", lang="en"),
        "distributions": plots.distributions(panel, ["HT1"], period=2022),
    }
    text = {k: fig.get_suptitle() for k, fig in titles.items()}
    assert text["ranking"] == "Ranking by District DX index, 2024"
    assert text["ranking 2021"] == "Xếp hạng theo Chỉ số chuyển đổi số cấp huyện, năm 2021"
    assert text["profile"] == "Pác Nặm: against the median of the units, 2024"
    assert text["distributions"].endswith(", năm 2022")
    # vn-dti's main sample without its period column: one period, no year
    with open(DATA / "main-synthetic.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = [c for c in reader.fieldnames or [] if c != "period"]
        rows = list(reader)
    last = max(r["period"] for r in rows)
    path = tmp_path / "main.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(r for r in rows if r["period"] == last)
    undated = plots.unit_profile(dxf.get_pack("vn-dti").level("main").run(path), "01", lang="en")
    assert undated.get_suptitle() == "Thành phố Hà Nội: against the median of the units"
