"""Missing values in point rules: a blank must never raise a score.

Point rules (``ratio``, ``steps``, ``categories``) give an unreported value 0 points by
default (``missing = "zero"``), as official scorecards do; ``"skip"`` leaves it out of the
points available (the old behaviour); ``"impute"`` expects an impute stage to fill it and
gives 0 points (reported) to what is still blank. Every blank scored 0 is listed in the
normalise stage's record and warned about once per unit and indicator.

The small framework of these tests (points in brackets)::

    I  = arithmetic mean of NT and GOV (weights 1, 1)
    NT  = points_share of meet [steps: ≥1 → 5, ≥2 → 10, ≥3 → 15, ≥4 → 20] and
          share [ratio: min(x, 1) · 10]                         (30 points available)
    GOV = points_share of head [categories: 1 → 20, 0 → 0] and
          online [ratio: min(x/100, 1) · 30]                    (50 points available)
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import dxframework as dxf
from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.errors import FrameworkError, MethodError
from dxframework.pipeline.context import BlankScoredWarning
from dxframework.pipeline.run import run_pipeline
from helpers import dxf as run_dxf

NAN = math.nan
CODES = ["meet", "share", "head", "online"]


def framework(**missing: str) -> Framework:
    """The small point-rule framework; ``missing`` sets indicators' own policies."""
    methods: dict[str, dict[str, Any]] = {
        "meet": {"method": "steps", "thresholds": [1, 2, 3, 4], "points": [5, 10, 15, 20]},
        "share": {"method": "ratio", "points": 10},
        "head": {"method": "categories", "mapping": {"1": 20, "0": 0}},
        "online": {"method": "ratio", "points": 30, "per": 100},
    }
    return Framework(
        [Indicator(c, methods={"normalise": methods[c]}, missing=missing.get(c)) for c in CODES],
        [Aggregate("NT"), Aggregate("GOV"), Aggregate("I")],
        [
            Edge("meet", "NT", 20),
            Edge("share", "NT", 10),
            Edge("head", "GOV", 20),
            Edge("online", "GOV", 30),
            Edge("NT", "I", 1),
            Edge("GOV", "I", 1),
        ],
    )


def pipeline(*, impute: bool = False, **normalise: Any) -> Pipeline:
    """normalise (ratio unless the indicator says otherwise) → points_share → arithmetic."""
    stages = [Stage("impute", "mean")] if impute else []
    stages += [
        Stage("normalise", "ratio", params=normalise),
        Stage("aggregate", "arithmetic", params={"levels": {"2": {"method": "points_share"}}}),
    ]
    return Pipeline(stages)


# u1 reports everything; u2 left `meet` blank.
#   u1: NT = (steps(4) = 20 + min(0.5, 1)·10 = 5)/30 = 25/30
#       GOV = (20 + 0.8·30 = 24)/50 = 44/50
#   u2: share min(1.2, 1)·10 = 10; head 0; online 0.5·30 = 15 → GOV = 15/50 = 0.3
DATA = Dataset.from_arrays(
    ["u1", "u2"], CODES, [[4.0, 0.5, 1.0, 80.0], [NAN, 1.2, 0.0, 50.0]], periods=[2024]
)
U1_INDEX = (25 / 30 + 44 / 50) / 2
U2_ZERO = ((0 + 10) / 30 + 0.3) / 2  # 0.31666…: the blank earns 0 of its 20 points, NT = 10/30
U2_SKIP = ((10 / 10) + 0.3) / 2  # 0.65: the blank's 20 points are not available, NT = 10/10


def index(result: Any) -> np.ndarray:
    return np.asarray(result.scores.values[0, :, result.scores.column_index("I")])


def run_quietly(fw: Framework, data: Dataset, pipe: Pipeline) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BlankScoredWarning)
        return run_pipeline(fw, data, pipe)


# -- the default: a blank earns no points, and is reported ------------------------------------
def test_blank_scores_zero_by_default_and_is_reported() -> None:
    """u2's blank `meet` earns 0 of 20 points: I = ((0 + 10)/30 + 15/50)/2 = 0.31666…"""
    with pytest.warns(BlankScoredWarning) as caught:
        res = run_pipeline(framework(), DATA, pipeline())
    np.testing.assert_allclose(index(res), [U1_INDEX, U2_ZERO], rtol=1e-12)
    normalised = res["normalised"].values[0]
    assert normalised[1, CODES.index("meet")] == 0.0  # 0 points, not missing
    record = res.record("normalised")
    assert record["scored_zero"] == [
        {"unit": "u2", "period": 2024, "indicator": "meet", "policy": "zero"}
    ]
    assert record["indicators"]["meet"]["missing"] == "zero"
    lines = [str(w.message) for w in caught if issubclass(w.category, BlankScoredWarning)]
    assert lines == [
        "unit 'u2', indicator 'meet': no value in 2024, scored 0 points "
        "(missing = 'zero', stage 'normalised')"
    ]
    assert record["warnings"] == lines


def test_one_warning_line_per_unit_and_indicator_over_periods() -> None:
    """Blanks of one unit and indicator in two periods are one line naming both periods;
    the record keeps one entry per cell."""
    values = np.array([[[4.0, 0.5, 1.0, 80.0], [NAN, 1.2, 0.0, NAN]]] * 3)
    values[1, 1, 0] = 2.0  # u2 reported `meet` in 2023 only
    data = Dataset.from_arrays(["u1", "u2"], CODES, values, periods=[2022, 2023, 2024])
    with pytest.warns(BlankScoredWarning) as caught:
        res = run_pipeline(framework(), data, pipeline())
    lines = sorted(str(w.message) for w in caught)
    assert lines == [
        "unit 'u2', indicator 'meet': no value in 2022, 2024, scored 0 points "
        "(missing = 'zero', stage 'normalised')",
        "unit 'u2', indicator 'online': no value in 2022, 2023, 2024, scored 0 points "
        "(missing = 'zero', stage 'normalised')",
    ]
    assert len(res.record("normalised")["scored_zero"]) == 2 + 3


# -- skip, and the precedence of the settings --------------------------------------------------
def test_skip_leaves_the_blank_out_of_the_points_available() -> None:
    """missing = "skip" on the stage: NT of u2 = 10/10 = 1, I = (1 + 0.3)/2 = 0.65; nothing
    is scored zero. The stage's `missing` survives `meet` switching to the steps method."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", BlankScoredWarning)
        res = run_pipeline(framework(), DATA, pipeline(missing="skip"))
    np.testing.assert_allclose(index(res), [U1_INDEX, 0.65], rtol=1e-12)
    assert np.isnan(res["normalised"].values[0, 1, CODES.index("meet")])
    assert res.record("normalised")["scored_zero"] == []
    assert res.record("normalised")["indicators"]["meet"]["missing"] == "skip"


def test_indicator_setting_wins_over_the_stage_default() -> None:
    """Indicator.missing beats the stage's missing, both ways."""
    res = run_quietly(framework(meet="zero"), DATA, pipeline(missing="skip"))
    assert index(res)[1] == pytest.approx(U2_ZERO, rel=1e-12)
    res = run_quietly(framework(meet="skip"), DATA, pipeline(missing="zero"))
    assert index(res)[1] == pytest.approx(U2_SKIP, rel=1e-12)
    res = run_quietly(framework(meet="skip"), DATA, pipeline())  # default zero, indicator skip
    assert index(res)[1] == pytest.approx(U2_SKIP, rel=1e-12)
    assert res.record("normalised")["scored_zero"] == []


def test_stage_override_for_one_indicator_wins_over_the_indicator() -> None:
    """overrides.meet = {missing = "skip"} in the pipeline beats meet's own "zero"."""
    pipe = Pipeline(
        [
            Stage("normalise", "ratio", overrides={"meet": {"missing": "skip"}}),
            Stage("aggregate", params={"levels": {"2": {"method": "points_share"}}}),
        ]
    )
    res = run_quietly(framework(meet="zero"), DATA, pipe)
    assert index(res)[1] == pytest.approx(U2_SKIP, rel=1e-12)


def test_indicator_methods_normalise_missing_is_the_indicators_setting() -> None:
    """`methods.normalise = { method = "steps", …, missing = "skip" }` sets meet's policy
    (and is not passed to the steps method as a parameter)."""
    fw = framework()
    meet = fw.nodes["meet"]
    assert isinstance(meet, Indicator)
    methods = {"normalise": {**meet.methods["normalise"], "missing": "skip"}}
    fw = Framework(
        [Indicator("meet", methods=methods), *[fw.nodes[c] for c in CODES[1:]]],
        list(fw.aggregates),
        list(fw.edges),
    )
    res = run_quietly(fw, DATA, pipeline(missing="zero"))
    assert index(res)[1] == pytest.approx(U2_SKIP, rel=1e-12)


def test_uncertainty_over_the_policy_warns_once() -> None:
    """An uncertainty analysis may vary the stage's missing; the draws do not repeat the
    nominal run's warning, and each draw scores u2 as its policy says."""
    from dxframework.analysis.uncertainty import Choice, UncertaintySpec, run_uncertainty

    spec = UncertaintySpec([Choice("normalised", "missing", ("zero", "skip"))])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_uncertainty(framework(), DATA, pipeline(), spec, n=12, code="I")
    assert sum(issubclass(w.category, BlankScoredWarning) for w in caught) == 1
    expected = [U2_ZERO if d["normalised.missing"] == "zero" else U2_SKIP for d in res.draws]
    assert {"zero", "skip"} == {d["normalised.missing"] for d in res.draws}
    np.testing.assert_allclose(res.scores[:, 1], expected, rtol=1e-12)
    np.testing.assert_allclose(res.scores[:, 0], U1_INDEX, rtol=1e-12)


def test_the_pack_pipelines_declare_zero() -> None:
    """The bundled point-rule pipelines say missing = "zero" on their normalise stage."""
    for pack, level in (("backan", "commune"), ("backan", "district"), ("vn-dti", "province")):
        pipe = dxf.get_pack(pack).level(level).pipeline()
        (stage,) = [s for s in pipe.stages if s.kind == "normalise"]
        assert stage.params["missing"] == "zero", (pack, level)


# -- impute -------------------------------------------------------------------------------------
def test_impute_policy_uses_the_imputed_value() -> None:
    """missing = "impute" with a mean imputation: u2's `meet` = mean(4) = 4 → 20 points, so
    NT = (20 + 10)/30 = 1 and I = (1 + 0.3)/2 = 0.65; nothing is scored zero."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", BlankScoredWarning)
        res = run_pipeline(framework(meet="impute"), DATA, pipeline(impute=True))
    assert index(res)[1] == pytest.approx((1 + 0.3) / 2, rel=1e-12)
    assert res.record("normalised")["scored_zero"] == []


def test_impute_policy_still_blank_is_zero_and_reported() -> None:
    """A value still missing when the point rule runs is not skipped: 0 points, reported,
    saying whether an impute stage ran."""
    with pytest.warns(BlankScoredWarning, match="no impute stage before this one"):
        res = run_pipeline(framework(meet="impute"), DATA, pipeline())
    assert index(res)[1] == pytest.approx(U2_ZERO, rel=1e-12)
    assert res.record("normalised")["scored_zero"][0]["policy"] == "impute"
    # no unit reported `meet`: the mean imputation has nothing to fill it with
    data = Dataset.from_arrays(
        ["u1", "u2"], CODES, [[NAN, 0.5, 1.0, 80.0], [NAN, 1.2, 0.0, 50.0]], periods=[2024]
    )
    with pytest.warns(BlankScoredWarning, match="still no value after imputation") as caught:
        res = run_pipeline(framework(meet="impute"), data, pipeline(impute=True))
    np.testing.assert_allclose(index(res), [(5 / 30 + 44 / 50) / 2, U2_ZERO], rtol=1e-12)
    assert sum(issubclass(w.category, BlankScoredWarning) for w in caught) == 2


# -- other methods, bad settings ----------------------------------------------------------------
def test_other_methods_keep_blanks_missing() -> None:
    """minmax is not a point rule: a blank stays missing whatever the indicator says."""
    fw = Framework(
        [Indicator("a", missing="zero"), Indicator("b")],
        [Aggregate("I")],
        [Edge("a", "I"), Edge("b", "I")],
    )
    data = Dataset.from_arrays(["u1", "u2", "u3"], ["a", "b"], [[1, 2], [NAN, 4], [3, 6]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", BlankScoredWarning)
        pipe = Pipeline([Stage("normalise", "minmax", params={"hi": 1}), Stage("aggregate")])
        res = run_pipeline(fw, data, pipe)
    normalised = res["normalised"].values[0]
    assert np.isnan(normalised[1, 0])
    np.testing.assert_allclose(normalised[[0, 2], 0], [0.0, 1.0])
    assert "missing" not in res.record("normalised")["indicators"]["a"]


def test_missing_on_a_stage_without_point_rules_is_an_error() -> None:
    """A stage's missing = "zero" where no indicator uses a point rule would do nothing."""
    fw = Framework(
        [Indicator("a"), Indicator("b")], [Aggregate("I")], [Edge("a", "I"), Edge("b", "I")]
    )
    data = Dataset.from_arrays(["u1", "u2"], ["a", "b"], [[1, 2], [3, 4]])
    pipe = Pipeline([Stage("normalise", "minmax", params={"missing": "zero"})])
    with pytest.raises(MethodError, match="applies to point rules"):
        run_pipeline(fw, data, pipe)


@pytest.mark.parametrize(
    ("fw_missing", "pipe"),
    [
        ({}, pipeline(missing="none")),
        (
            {},
            Pipeline([Stage("normalise", "ratio", overrides={"meet": {"missing": "0"}})]),
        ),
    ],
)
def test_unknown_policy_is_an_error(fw_missing: dict[str, str], pipe: Pipeline) -> None:
    """An unknown policy on the stage or in an override is an error listing the policies."""
    with pytest.raises(MethodError, match="is not a missing-value policy") as info:
        run_pipeline(framework(**fw_missing), DATA, pipe)
    assert "zero, skip, impute" in str(info.value)


def test_indicator_rejects_an_unknown_policy() -> None:
    """Indicator validates its missing field."""
    with pytest.raises(ValueError, match="missing must be one of"):
        Indicator("a", missing="blank")


# -- framework readers ----------------------------------------------------------------------
def test_metadata_table_reads_missing(tmp_path: Path) -> None:
    """A `missing` column of a CSV metadata table sets the indicators' policies; empty is the
    pipeline's default; an unknown word is an error naming the row and the column."""
    path = tmp_path / "framework.csv"
    rows = [
        ["code", "type", "parent", "weight", "Missing"],
        ["a", "Indicator", "I", "10", "skip"],
        ["b", "Indicator", "I", "10", ""],
        ["c", "Indicator", "I", "10", "Zero"],
        ["I", "Aggregate", "", "", ""],
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    fw = dxf.read_framework(path).framework
    assert [fw.indicator(c).missing for c in "abc"] == ["skip", None, "zero"]
    rows[2][4] = "nothing"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(FrameworkError) as info:
        dxf.read_framework(path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.indicator) == (3, "Missing", "b")
    assert "'nothing'" in problem.message and "zero, skip, impute" in (problem.hint or "")


def test_toml_framework_reads_missing(tmp_path: Path) -> None:
    """`missing` in a TOML framework; an unknown word is an error at its entry's line."""
    path = tmp_path / "framework.toml"
    path.write_text(
        '[[indicators]]\ncode = "a"\nmissing = "skip"\nparents = { I = 1 }\n\n'
        '[[indicators]]\ncode = "b"\nmissing = "never"\nparents = { I = 1 }\n\n'
        '[[aggregates]]\ncode = "I"\n',
        encoding="utf-8",
    )
    with pytest.raises(FrameworkError) as info:
        dxf.read_framework(path)
    (problem,) = info.value.problems
    assert problem.row == 6 and "'never'" in problem.message
    path.write_text(path.read_text(encoding="utf-8").replace("never", "impute"), "utf-8")
    fw = dxf.read_framework(path).framework
    assert (fw.indicator("a").missing, fw.indicator("b").missing) == ("skip", "impute")


# -- the property: blanking cells never raises a score ------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    meet=arrays(np.float64, 5, elements=st.floats(0, 6)),
    share=arrays(np.float64, 5, elements=st.floats(0, 2)),
    head=arrays(np.float64, 5, elements=st.sampled_from([0.0, 1.0])),
    online=arrays(np.float64, 5, elements=st.floats(0, 120)),
    given_blank=arrays(np.bool_, (5, 4)),
    more_blank=arrays(np.bool_, (5, 4)),
)
def test_blanking_never_raises_a_score_small_framework(
    meet: np.ndarray,
    share: np.ndarray,
    head: np.ndarray,
    online: np.ndarray,
    given_blank: np.ndarray,
    more_blank: np.ndarray,
) -> None:
    """Blanking more cells of data that may have blanks already never raises any unit's
    index (nor any aggregate) under the default policy."""
    values = np.column_stack([meet, share, head, online])
    values[given_blank] = np.nan
    units = [f"u{i}" for i in range(5)]
    before = run_quietly(framework(), Dataset.from_arrays(units, CODES, values), pipeline())
    blanked = values.copy()
    blanked[more_blank] = np.nan
    after = run_quietly(framework(), Dataset.from_arrays(units, CODES, blanked), pipeline())
    assert np.all(~np.isnan(after.scores.values))  # no blank is ever dropped
    assert np.all(after.scores.values <= before.scores.values + 1e-12)


@pytest.fixture(scope="module")
def commune() -> tuple[Framework, Dataset, Pipeline]:
    level = dxf.get_pack("backan").level("commune")
    return level.framework, level.load_data(), level.pipeline()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_blanking_never_raises_a_score_backan_communes(
    commune: tuple[Framework, Dataset, Pipeline], data: st.DataObject
) -> None:
    """The bundled backan commune data (108 communes × 12 sub-indicators): blanking any set of
    cells never raises any commune's DX under the pack's pipeline."""
    fw, dataset, pipe = commune
    cols = [dataset.column_index(c) for c in fw.indicator_codes]
    mask = data.draw(
        arrays(np.bool_, (len(dataset.units), len(cols)), fill=st.booleans()), label="blank"
    )
    values = dataset.values.copy()
    sub = values[0][:, cols]
    sub[mask] = np.nan
    values[0][:, cols] = sub
    before = run_quietly(fw, dataset, pipe)
    after = run_quietly(fw, dataset.with_columns(dataset.columns, values), pipe)
    j = before.scores.column_index("DX")
    assert after.scores.unit_codes == before.scores.unit_codes
    b, a = before.scores.values[..., j], after.scores.values[..., j]
    assert np.all(a <= b + 1e-12)
    assert np.all(~np.isnan(a))
    if mask.all():
        np.testing.assert_array_equal(a, 0.0)  # nothing reported: no points at all


# -- the command line -----------------------------------------------------------------------
def test_cli_run_with_a_blank_warns_and_exits_0(tmp_path: Path) -> None:
    """`dxf run --pack backan --level commune --data FILE`: a blanked NT4 of commune 05801
    is one warning line, is listed in records.json, and 05801's DX is computed by hand with
    NT4 at 0 points."""
    src = dxf.get_pack("backan").level("commune").data_path
    assert src is not None
    with src.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    (row,) = [r for r in rows if r["unit"] == "05801"]
    assert row["NT4"] != ""
    row["NT4"] = ""
    data = tmp_path / "communes.csv"
    with data.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "out"
    proc = run_dxf(
        "run",
        "--pack",
        "backan",
        "--level",
        "commune",
        "--data",
        str(data),
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    warned = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: unit ")]
    assert (
        "warning: unit '05801' (Phường Bắc Kạn 01), indicator 'NT4': no value in 2024, "
        "scored 0 points (missing = 'zero', stage 'normalised')"
    ) in warned
    codes = dxf.get_pack("backan").level("commune").framework.indicator_codes
    # the sample's own blanks and ours: one line each (one period)
    blanks = sorted((r["unit"], c) for r in rows for c in codes if r[c] == "")
    assert len(warned) == len(blanks) >= 6
    records = json.loads((out / "records.json").read_text(encoding="utf-8"))
    listed = sorted((e["unit"], e["indicator"]) for e in records["normalised"]["scored_zero"])
    assert listed == blanks
    # DX by hand: main indicators = points earned / points available (NT4 earns 0 of 50)
    assert [c for c in codes if row[c] == ""] == ["NT4"]
    v = {c: float(row[c]) for c in codes if c != "NT4"}
    nt = (0 + (50 if v["NT6"] == 1 else 0)) / 100
    ht = (min(v["HT1"] / 100, 1) * 50 + min(v["HT2"] / 100, 1) * 50) / 100
    nl = (min(v["NL1"], 1) * 50 + min(v["NL2"] / 100, 1) * 50) / 100
    cq = (min(v["CQ1"] / 100, 1) * 100 + min(v["CQ3"] / 100, 1) * 100) / 200
    kt = (min(v["KT4"] / 100, 1) * 75 + min(v["KT5"] / 100, 1) * 75) / 150
    xh = (min(v["XH1"] / 100, 1) * 75 + min(v["XH3"] / 100, 1) * 75) / 150
    dx = (100 * (nt + ht + nl) + 200 * cq + 150 * kt + 150 * xh) / 800
    with (out / "results.csv").open(newline="", encoding="utf-8") as f:
        result = {r["unit"]: r for r in csv.DictReader(f)}
    assert float(result["05801"]["NT"]) == pytest.approx(0.5, rel=1e-12)
    assert float(result["05801"]["DX"]) == pytest.approx(dx, rel=1e-12)
