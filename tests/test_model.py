"""The data model: frameworks (graphs of indicators and aggregates), data sets and units.

What is protected: a framework is checked when built and reports every fault at once (with
cycles as a path); effective weights sum over every path when a node feeds several parents,
as the Vietnamese DTI's foundation indicators do; data sets are immutable and never share
memory with their input; unit text is NFC; indicator settings are validated.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import attrs
import numpy as np
import pytest

import dxframework
from dxframework import (
    Aggregate,
    DataError,
    Dataset,
    Edge,
    Framework,
    FrameworkError,
    Indicator,
    Unit,
)


def ind(*codes: str) -> list[Indicator]:
    """Indicators with these codes."""
    return [Indicator(c) for c in codes]


def agg(*codes: str) -> list[Aggregate]:
    """Aggregates with these codes."""
    return [Aggregate(c) for c in codes]


def problems_of(build: Callable[[], object]) -> list[str]:
    """Messages of the FrameworkError raised by calling ``build``."""
    with pytest.raises(FrameworkError) as info:
        build()
    return [p.message for p in info.value.problems]


# -- framework validation -----------------------------------------------------------------------
def test_valid_tree_levels_and_index() -> None:
    """A valid framework gets levels from the bottom up and its single root as the index."""
    fw = Framework(
        ind("a", "b", "c"),
        agg("P", "Q", "T"),
        [("a", "P"), ("b", "P"), ("c", "Q"), ("P", "T", 2), ("Q", "T")],
        level_names=("Indicator", "Pillar", "Index"),
    )
    assert fw.index == "T"
    assert fw.roots == ("T",)
    assert [fw.level(c) for c in ("a", "P", "T")] == [1, 2, 3]
    assert fw.max_level == 3
    assert fw.codes_at_level(2) == ("P", "Q")
    assert fw.level_name(2) == "Pillar"
    assert fw.level_name(5) == "Level 5"
    assert fw.aggregate_codes == ("P", "Q", "T")  # children before parents
    assert fw.normalised_weights("T") == {"P": 2 / 3, "Q": 1 / 3}


def test_duplicate_codes() -> None:
    """Two nodes with one code are rejected, naming the code."""
    msgs = problems_of(lambda: Framework(ind("a", "a"), agg("T"), [("a", "T")]))
    assert msgs == ["duplicate code 'a'"]
    msgs = problems_of(lambda: Framework(ind("a"), agg("a", "T"), [("a", "T")]))
    assert "duplicate code 'a'" in msgs


def test_unknown_edge_codes() -> None:
    """Edges naming undeclared nodes are rejected, each naming the unknown code."""
    with pytest.raises(FrameworkError) as info:
        Framework(ind("a", "b"), agg("T"), [("a", "T"), ("b", "Nope"), ("Ghost", "T")])
    by_msg = {p.message: p for p in info.value.problems}
    assert set(by_msg) == {
        "edge b → Nope: unknown parent code 'Nope'",
        "edge Ghost → T: unknown child code 'Ghost'",
    }
    # the problem points at the declaration holding the bad edge (the child's)
    assert by_msg["edge b → Nope: unknown parent code 'Nope'"].indicator == "b"
    assert by_msg["edge b → Nope: unknown parent code 'Nope'"].column == "parent"


def test_cycle_is_reported_as_a_path() -> None:
    """A cycle is reported once, as the path of codes around it (child → parent)."""
    edges = [("a", "P"), ("P", "Q"), ("Q", "R"), ("R", "P"), ("Q", "T")]
    with pytest.raises(FrameworkError) as info:
        Framework(ind("a"), agg("P", "Q", "R", "T"), edges)
    cycles = [p for p in info.value.problems if p.message.startswith("cycle")]
    assert len(cycles) == 1
    path = cycles[0].message.removeprefix("cycle in the framework: ").split(" → ")
    assert path[0] == path[-1]
    assert sorted(path[:-1]) == ["P", "Q", "R"]
    for child, parent in itertools.pairwise(path):
        assert (child, parent) in edges  # every step of the path is a real edge
    assert cycles[0].column == "parent"
    assert cycles[0].indicator == path[0]


def test_self_loop_and_indicator_parent_and_repeated_edge() -> None:
    """A node feeding itself, an indicator as parent and an edge declared twice are faults."""
    msgs = problems_of(
        lambda: Framework(
            ind("a", "b"), agg("T"), [("a", "T"), ("b", "T"), ("T", "T"), ("a", "b"), ("b", "T")]
        )
    )
    assert "node 'T' feeds itself" in msgs
    assert "edge a → b: an indicator cannot have children" in msgs
    assert "edge b → T is declared twice" in msgs


def test_orphans() -> None:
    """An aggregate without children and an indicator feeding nothing are both reported."""
    msgs = problems_of(
        lambda: Framework(ind("a", "lonely"), agg("T", "Empty"), [("a", "T"), ("Empty", "T")])
    )
    assert "aggregate 'Empty' has no children (orphan)" in msgs
    assert "indicator 'lonely' feeds no aggregate (orphan)" in msgs
    assert len(msgs) == 2


def test_indicators_only_framework_is_valid() -> None:
    """Without aggregates, indicators need no parent (a flat list of indicators)."""
    fw = Framework(ind("a", "b"), [], [])
    assert fw.indicator_codes == ("a", "b")
    assert fw.index is None
    with pytest.raises(FrameworkError):
        fw.effective_weights()


def test_negative_and_non_finite_weights() -> None:
    """Negative and NaN weights are rejected, naming the edge and the column 'weight'."""
    with pytest.raises(FrameworkError) as info:
        Framework(
            ind("a", "b", "c"), agg("T"), [("a", "T", -1), ("b", "T", float("nan")), ("c", "T", 1)]
        )
    msgs = {p.message: p for p in info.value.problems}
    assert "edge a → T: weight -1.0 must be a finite number ≥ 0" in msgs
    assert "edge b → T: weight nan must be a finite number ≥ 0" in msgs
    assert all(p.column == "weight" for p in msgs.values())


def test_zero_sum_weights() -> None:
    """All children of an aggregate at weight 0 is a fault naming the aggregate and children."""
    with pytest.raises(FrameworkError) as info:
        Framework(
            ind("a", "b", "c"),
            agg("P", "T"),
            [("a", "P", 0), ("b", "P", 0), ("c", "T"), ("P", "T")],
        )
    (problem,) = info.value.problems
    assert problem.message == "the weights of the children of 'P' (a, b) sum to zero"
    assert (problem.indicator, problem.column) == ("a", "weight")
    # one child at weight 0 is fine
    Framework(ind("a", "b"), agg("T"), [("a", "T", 0), ("b", "T", 1)])


def test_declared_levels_must_rise() -> None:
    """An aggregate declared at or below its children's level is rejected."""
    same = [Aggregate("P", level=3), Aggregate("T", level=3)]
    msgs = problems_of(lambda: Framework(ind("a"), same, [("a", "P"), ("P", "T")]))
    assert msgs == ["aggregate 'T' is declared at level 3 but has a child at level 3"]
    fw = Framework(
        ind("a"), [Aggregate("P", level=3), Aggregate("T", level=5)], [("a", "P"), ("P", "T")]
    )
    assert (fw.level("P"), fw.level("T")) == (3, 5)


def test_unknown_index() -> None:
    """An index that is not a node is rejected."""
    assert problems_of(lambda: Framework(ind("a"), agg("T"), [("a", "T")], index="X")) == [
        "index 'X' is not a node of the framework"
    ]


def test_every_fault_reported_at_once() -> None:
    """Several faults give one problem each in a single error, with the source file."""
    with pytest.raises(FrameworkError) as info:
        Framework(
            ind("a", "a", "b"), agg("T", "E"), [("a", "T", -2), ("b", "Nope")], source="meta.csv"
        )
    assert len(info.value.problems) >= 4
    assert all(p.file == "meta.csv" for p in info.value.problems)
    assert str(info.value).count("\n") == len(info.value.problems) - 1


# -- effective weights with several parents (DTI) -----------------------------------------------
FOUNDATION = ("NT", "TC", "HT", "NL", "AT")  # nhận thức, thể chế, hạ tầng, nhân lực, an toàn


def dti_framework() -> Framework:
    """The provincial DTI: five foundation indicators feed the three pillars and the index.

    DTI = (100·(NT+TC+HT+NL+AT) + 200·CQ + 150·KT + 150·XH) / 1000, where CQ, KT and XH are
    the activity indicators of digital government, economy and society; each pillar (CQS,
    KTS, XHS) is scored from the foundation plus its own activity indicator.
    """
    activity = {"CQ": ("CQS", 200), "KT": ("KTS", 150), "XH": ("XHS", 150)}
    edges: list[Edge] = []
    for f in FOUNDATION:
        edges.append(Edge(f, "DTI", 100))
        edges += [Edge(f, pillar, 100) for pillar, _ in activity.values()]
    for code, (pillar, points) in activity.items():
        edges += [Edge(code, "DTI", points), Edge(code, pillar, points)]
    return Framework(
        ind(*FOUNDATION, *activity), agg("CQS", "KTS", "XHS", "DTI"), edges, index="DTI"
    )


def test_dti_foundation_indicators_have_several_parents() -> None:
    """Each foundation indicator feeds all three pillars and the index."""
    fw = dti_framework()
    for f in FOUNDATION:
        assert {e.parent for e in fw.parents(f)} == {"CQS", "KTS", "XHS", "DTI"}
    assert fw.index == "DTI"
    assert set(fw.roots) == {"CQS", "KTS", "XHS", "DTI"}


def test_dti_effective_weights_match_the_formula() -> None:
    """Effective weights in the DTI equal the formula's coefficients (NT: 100/1000 = 0.1)."""
    fw = dti_framework()
    eff = fw.effective_weights()
    assert eff["NT"] == pytest.approx(0.1)
    for f in FOUNDATION:
        assert eff[f] == pytest.approx(100 / 1000)
    assert eff["CQ"] == pytest.approx(200 / 1000)
    assert eff["KT"] == pytest.approx(150 / 1000)
    assert eff["XH"] == pytest.approx(150 / 1000)
    assert sum(eff[c] for c in fw.indicator_codes) == pytest.approx(1.0)
    # within a pillar: NT counts 100 of the pillar's 700 points
    assert fw.effective_weights("CQS")["NT"] == pytest.approx(100 / 700)
    assert fw.effective_weights("KTS")["KT"] == pytest.approx(150 / 650)

    # the weighted sum with these weights is the DTI formula, for any scores
    rng = np.random.default_rng(7)
    x = dict(zip(fw.indicator_codes, rng.uniform(0, 1, len(fw.indicator_codes)), strict=True))
    formula = (
        100 * sum(x[f] for f in FOUNDATION) + 200 * x["CQ"] + 150 * x["KT"] + 150 * x["XH"]
    ) / 1000
    assert sum(eff[c] * x[c] for c in fw.indicator_codes) == pytest.approx(formula)


def test_effective_weights_sum_over_every_path() -> None:
    """When the index aggregates the pillars *and* the foundation directly, a foundation
    indicator's effective weight is the sum of the products along each of its four paths."""
    edges: list[Edge] = []
    pillars = {"CQS": ("HD_CQ", 200), "KTS": ("HD_KT", 150), "XHS": ("HD_XH", 150)}
    for f in FOUNDATION:
        edges.append(Edge(f, "DTI", 100))
        edges += [Edge(f, p, 100) for p in pillars]
    for pillar, (activity, points) in pillars.items():
        edges += [Edge(activity, pillar, points), Edge(pillar, "DTI", points)]
    fw = Framework(ind(*FOUNDATION, *(a for a, _ in pillars.values())), agg(*pillars, "DTI"), edges)
    assert fw.index == "DTI"
    assert fw.level("DTI") == 3

    # by hand: DTI has 5·100 + 200 + 150 + 150 = 1000 points; CQS has 700, KTS and XHS 650
    nt = (
        Fraction(100, 1000)  # NT → DTI
        + Fraction(200, 1000) * Fraction(100, 700)  # NT → CQS → DTI
        + Fraction(150, 1000) * Fraction(100, 650) * 2
    )  # NT → KTS → DTI, NT → XHS → DTI
    hd_cq = Fraction(200, 1000) * Fraction(200, 700)
    eff = fw.effective_weights()
    assert eff["NT"] == pytest.approx(float(nt), rel=1e-12)
    assert eff["HD_CQ"] == pytest.approx(float(hd_cq), rel=1e-12)
    assert eff["CQS"] == pytest.approx(0.2)
    assert sum(eff[c] for c in fw.indicator_codes) == pytest.approx(1.0)


def test_asem_effective_weights_are_products_along_the_tree() -> None:
    """In the asem tree an indicator's weight is the product of the normalised weights."""
    fw = dxframework.get_pack("asem").framework
    eff = fw.effective_weights()
    # LPI: 1 of 8 in Physical, Physical 1 of 5 in Conn, Conn 1 of 2 in the Index
    assert eff["LPI"] == pytest.approx(1 / 8 * 1 / 5 * 1 / 2)
    assert sum(eff[c] for c in fw.indicator_codes) == pytest.approx(1.0)


def test_with_weights_replaces_edges_and_rejects_unknown() -> None:
    """with_weights returns a new framework; the original is unchanged; unknown edges fail."""
    fw = Framework(ind("a", "b"), agg("T"), [("a", "T"), ("b", "T")])
    heavier = fw.with_weights({("a", "T"): 3})
    assert heavier.normalised_weights("T") == {"a": 0.75, "b": 0.25}
    assert fw.normalised_weights("T") == {"a": 0.5, "b": 0.5}
    with pytest.raises(FrameworkError, match="no edge b → X"):
        fw.with_weights({("b", "X"): 1})
    with pytest.raises(FrameworkError, match="sum to zero"):
        fw.with_weights({("a", "T"): 0, ("b", "T"): 0})


# -- datasets -----------------------------------------------------------------------------------
def small() -> Dataset:
    """Three units × two columns × one period."""
    return Dataset.from_arrays(["X", "Y", "Z"], ["A", "B"], [[1.0, 2.0], [3.0, np.nan], [5.0, 6.0]])


def test_dataset_values_are_read_only() -> None:
    """The values array cannot be written, and the data set's fields cannot be reassigned."""
    data = small()
    assert not data.values.flags.writeable
    with pytest.raises(ValueError):
        data.values[0, 0, 0] = 99.0
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        data.units = ()  # type: ignore[misc]
    assert data.values[0, 0, 0] == 1.0


def test_dataset_never_shares_the_input_array() -> None:
    """Changing the array a data set was built from does not change the data set."""
    raw = np.array([[1.0, 2.0], [3.0, 4.0]])
    data = Dataset.from_arrays(["X", "Y"], ["A", "B"], raw)
    assert not np.shares_memory(raw, data.values)
    raw[0, 0] = 99.0
    assert data.values[0, 0, 0] == 1.0
    column = data.column("A")
    column[0] = -1.0  # a copy: writable, and independent
    assert data.values[0, 0, 0] == 1.0
    got = data.get(["B"])
    got[...] = 0.0
    assert data.values[0, 1, 1] == 4.0


def test_dataset_select_and_with_columns() -> None:
    """select picks columns, units and periods in the order given; with_columns swaps columns."""
    data = small()
    sub = data.select(columns=["B", "A"], units=["Z", "X"])
    assert sub.unit_codes == ("Z", "X")
    assert sub.columns == ("B", "A")
    np.testing.assert_array_equal(sub.values[0], [[6.0, 5.0], [2.0, 1.0]])
    assert data.shape == (1, 3, 2)  # the original is unchanged

    doubled = data.with_columns(["A2"], data.get(["A"]) * 2)
    assert doubled.unit_codes == data.unit_codes
    assert doubled.columns == ("A2",)
    assert doubled.column("A2").tolist() == [2.0, 6.0, 10.0]

    panel = Dataset.from_arrays(
        ["X"], ["A"], [[[1.0]], [[2.0]], [[3.0]]], periods=[2021, 2022, 2023]
    )
    assert panel.select(periods=[2023, 2021]).values[:, 0, 0].tolist() == [3.0, 1.0]
    assert panel.column("A").tolist() == [3.0]  # the last period by default


def test_dataset_rejects_duplicates_and_bad_shapes() -> None:
    """Duplicate unit codes, duplicate columns and a wrong shape are DataErrors."""
    with pytest.raises(DataError) as info:
        Dataset.from_arrays(["X", "Y", "X"], ["A"], [[1.0], [2.0], [3.0]])
    assert [p.message for p in info.value.problems] == ["duplicate unit code 'X'"]
    with pytest.raises(DataError, match="duplicate column 'A'"):
        Dataset.from_arrays(["X"], ["A", "A"], [[1.0, 2.0]])
    with pytest.raises(DataError, match="expected"):
        Dataset.from_arrays(["X", "Y"], ["A"], [[1.0, 2.0]])
    with pytest.raises(DataError, match="no column 'C'"):
        small().column_index("C")
    with pytest.raises(DataError, match="no unit 'W'"):
        small().select(units=["W"])


def test_dataset_equality_and_records() -> None:
    """equals treats NaN as equal to NaN; to_records keeps NaN and the unit code."""
    assert small().equals(small())
    records = small().to_records()
    assert records[0] == {"unit": "X", "A": 1.0, "B": 2.0}
    assert np.isnan(records[1]["B"])


# -- units and indicators -----------------------------------------------------------------------
def test_unit_text_is_nfc() -> None:
    """Unit codes, names and groups are stored in NFC; NFD and NFC spellings are equal."""
    name = "Thừa Thiên Huế"
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    nfd = {t: unicodedata.normalize("NFD", t) for t in ("Huế", "vùng", "Bắc Trung Bộ")}
    unit = Unit(nfd["Huế"], decomposed, groups={nfd["vùng"]: nfd["Bắc Trung Bộ"]})
    assert unit.code == "Huế"
    assert unit.name == name
    assert unit.groups == {"vùng": "Bắc Trung Bộ"}
    assert unit == Unit("Huế", name, groups={"vùng": "Bắc Trung Bộ"})
    data = Dataset.from_arrays([unit], ["A"], [[1.0]])
    assert data.unit_index("Huế") == 0


def test_unit_code_must_not_be_empty() -> None:
    """An empty or blank unit code is rejected."""
    with pytest.raises(ValueError):
        Unit("  ")


def test_indicator_direction_is_validated() -> None:
    """Direction is 1 (more is better) or -1 (less is better); anything else names the code."""
    assert Indicator("CO2", direction=-1).direction == -1
    for bad in (0, 2, -2):
        with pytest.raises(ValueError, match="indicator 'CO2': direction must be 1 or -1"):
            Indicator("CO2", direction=bad)


def test_indicator_codes_and_settings() -> None:
    """Codes are non-empty without outer spaces; settings are read-only; labels fall back."""
    for bad in ("", "  ", " LPI", "LPI "):
        with pytest.raises(ValueError):
            Indicator(bad)
    i = Indicator(
        "LPI",
        name_vi="Chỉ số hiệu quả logistics",
        targets={"2030": 4},
        methods={"treat": {"winmax": 3}},
    )
    assert i.targets == {"2030": 4.0}
    assert isinstance(i.targets["2030"], float)
    with pytest.raises(TypeError):
        i.methods["treat"]["winmax"] = 5  # type: ignore[index]
    assert i.label("en") == "Chỉ số hiệu quả logistics"  # falls back to Vietnamese
    assert i.name == "Chỉ số hiệu quả logistics"
    assert Indicator("X").label("vi") == "X"


def test_framework_toml_problems_point_at_the_line(tmp_path: Path) -> None:
    """Problems in a framework TOML name the line of the entry or of the node's code."""

    from dxframework.io.frameworks import read_framework

    path = Path(tmp_path) / "fw.toml"
    path.write_text(
        'index = "I"\n\n[[indicators]]\ncode = "a"\nparents = { I = 1 }\n\n'
        '[[indicators]]\ncode = "b"\ndirection = 3\nparents = { I = 1 }\n\n'
        '[[aggregates]]\ncode = "I"\n',
        encoding="utf-8",
    )
    with pytest.raises(FrameworkError) as info:
        read_framework(path)
    assert info.value.problems[0].row == 7  # the second [[indicators]] header
    path.write_text(
        '[[indicators]]\ncode = "a"\nparents = { I = 1 }\n\n[[aggregates]]\n'
        'code = "I"\nparents = { J = 1 }\n\n[[aggregates]]\ncode = "J"\n'
        "parents = { I = 1 }\n",
        encoding="utf-8",
    )
    with pytest.raises(FrameworkError, match="cycle") as info:
        read_framework(path)
    assert info.value.problems[0].row in (6, 10)  # the line of a node of the cycle
    path.write_text("[[indicators]\ncode = 1\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        read_framework(path)
    assert info.value.problems[0].row == 1
