"""The vn-dti level `province2024`: DTI 2024 (Decision 405/QĐ-BKHCN) from 47 sub-indicators.

The structure (3 pillars, 8 main indicators, 47 sub-indicators, the foundation shared) is
published (DOMAIN.md §2); the sub-indicators and their points are illustrative. Structure is
counted from the TOML files with tomllib, and the expected scores are computed by hand here.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import dxframework as dxf
from dxframework.cli import cli

pytestmark = pytest.mark.filterwarnings("ignore:.*scored 0 points")  # the blanks, said

MAIN = ["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"]
FOUNDATION = ["NT", "TC", "HT", "NL", "AT"]
PILLARS = ["CQS", "KTS", "XHS"]
# The illustrative points of main2024 (DOMAIN.md: those of 922/QĐ-BTTTT without smart city).
POINTS = {"NT": 100, "TC": 100, "HT": 100, "NL": 100, "AT": 100, "CQ": 200, "KT": 150, "XH": 150}


def data_dir() -> Path:
    return dxf.get_pack("vn-dti").root / "data"


def toml(name: str) -> dict[str, Any]:
    with open(data_dir() / name, "rb") as f:
        return tomllib.load(f)


def dti(v: dict[str, float]) -> float:
    """DOMAIN.md §2 with the weights of main2024."""
    f = sum(v[c] for c in FOUNDATION)
    return (100 * f + 200 * v["CQ"] + 150 * v["KT"] + 150 * v["XH"]) / 1000


# -- structure, counted from the TOML ---------------------------------------------------------
def test_47_sub_indicators_8_main_indicators_3_pillars() -> None:
    doc = toml("framework-full-2024.toml")
    main2024 = toml("framework-main-2024.toml")
    subs = doc["indicators"]
    aggs = {a["code"]: a for a in doc["aggregates"]}
    assert len(subs) == 47 and len({s["code"] for s in subs}) == 47
    mains = [c for c, a in aggs.items() if a["level"] == 2]
    assert sorted(mains) == sorted(MAIN)
    assert sorted(c for c, a in aggs.items() if a["level"] == 3) == sorted(PILLARS)
    assert [c for c, a in aggs.items() if a["level"] == 4] == ["DTI"]
    # the same main indicators as main2024: codes, names and weights
    ref = {i["code"]: i for i in main2024["indicators"]}
    for code in MAIN:
        assert aggs[code]["name_vi"] == ref[code]["name_vi"]
        assert aggs[code]["name_en"] == ref[code]["name_en"]
        assert aggs[code]["parents"] == ref[code]["parents"]
    for code in FOUNDATION:  # the foundation feeds every pillar and the index
        assert aggs[code]["parents"] == {"CQS": 100, "KTS": 100, "XHS": 100, "DTI": 100}
        assert len(aggs[code]["parents"]) == 4
    assert {c: len(aggs[c]["parents"]) for c in ("CQ", "KT", "XH")} == {"CQ": 2, "KT": 2, "XH": 2}
    # each sub-indicator has one main indicator; its points add up to the main indicator's
    per_main: Counter[str] = Counter()
    earned: Counter[str] = Counter()
    for s in subs:
        ((parent, pts),) = s["parents"].items()
        per_main[parent] += 1
        earned[parent] += pts
    assert dict(earned) == POINTS
    assert sum(per_main.values()) == 47
    # the foundation carries most sub-indicators
    assert sum(per_main[c] for c in FOUNDATION) > 47 / 2


def test_every_sub_indicator_says_it_is_illustrative() -> None:
    doc = toml("framework-full-2024.toml")
    for s in doc["indicators"]:
        assert "illustrative" in s["source"], s["code"]
        assert "405/QĐ-BKHCN" in s["source"], s["code"]
        for key in ("name_vi", "name_en", "unit"):
            assert s[key] and unicodedata.normalize("NFC", s[key]) == s[key]
    text = (data_dir() / "framework-full-2024.toml").read_text(encoding="utf-8")
    assert "NOT THE OFFICIAL LIST" in text
    readme = (data_dir() / "README.md").read_text(encoding="utf-8")
    assert "not the official" in readme.lower() and "SYNTHETIC" in readme
    level = dxf.get_pack("vn-dti").level("province2024")
    assert "MINH HỌA" in level.description and "ILLUSTRATIVE" in level.description
    assert level.score_range == (0, 1) and level.default_pipeline == "points"


def test_each_rule_gives_at_most_the_points_of_its_parent() -> None:
    """The full points of every rule are the sub-indicator's weight; the three kinds occur."""
    doc = toml("framework-full-2024.toml")
    kinds: Counter[str] = Counter()
    for s in doc["indicators"]:
        rule = s["methods"]["normalise"]
        (weight,) = s["parents"].values()
        if rule["method"] == "ratio":
            full = rule["points"]
            kinds["ratio with a denominator" if "denominator" in s else "ratio"] += 1
        elif rule["method"] == "steps":
            full = max(rule["points"])
            assert rule["thresholds"] == sorted(rule["thresholds"])
            kinds["steps"] += 1
        else:
            assert rule["method"] == "categories"
            full = max(rule["mapping"].values())
            assert rule["mapping"]["0"] == 0
            assert {"có", "không"} <= set(s["answers"]) or "chủ tịch" in s["answers"]
            kinds["categories"] += 1
        assert full == weight, s["code"]
        if s["unit"] == "%":
            assert s["bounds"] == [0, 100], s["code"]
    assert kinds["ratio with a denominator"] >= 3 and kinds["steps"] >= 3
    assert kinds["categories"] >= 10 and kinds["ratio"] >= 20


# -- a hand-made province ----------------------------------------------------------------------
# raw values and the points each earns by its rule, worked by hand
HAND: dict[str, tuple[object, float]] = {
    "NT01": (3, 15),  # 3 of 4 meetings chaired: 3/4·20
    "NT01_meetings": (4, 0),
    "NT02": (2, 20),  # 2 of 2 directives: 20
    "NT02_required": (2, 0),
    "NT03": ("có", 10),
    "NT04": (3, 15),  # 3 meetings: step 3 → 15
    "NT05": ("phó chủ tịch", 10),  # a deputy: half of 20
    "NT06": ("không", 0),
    "TC01": ("có", 20),
    "TC02": ("một phần", 10),  # half of 20
    "TC03": (80, 16),  # 80 %·20
    "TC04": (0.5, 7.5),  # 0.5 % of a full 1 %·15
    "TC05": ("không", 0),
    "TC06": ("có", 15),
    "HT01": (90, 18),  # 90 %·20
    "HT02": (100, 20),
    "HT03": (50, 7.5),  # 50 %·15
    "HT04": (45, 15),  # 45 per 100 over a full 30: capped at 15
    "HT05": (6, 10),  # 6 databases: step 5 → 10
    "HT06": ("không", 0),
    "NL01": (0.5, 10),  # 0.5 over a full 1: half of 20
    "NL02": (60, 12),  # 60 %·20
    "NL03": (75, 15),  # 75 %·20
    "NL04": (40, 6),  # 40 %·15
    "NL05": (9, 7.5),  # 9 of 18 departments: 1/2·15
    "NL05_departments": (18, 0),
    "NL06": ("có", 10),
    "AT01": (80, 20),  # 80 %·25
    "AT02": (100, 20),
    "AT03": ("có", 15),
    "AT04": ("", 0),  # not reported: no points
    "AT05": ("một phần", 7.5),  # half of 15
    "AT06": (50, 5),  # 50 %·10
    "CQ01": (60, 18),  # 60 %·30
    "CQ02": (90, 27),  # 90 %·30
    "CQ03": (100, 25),
    "CQ04": (80, 20),  # 80 %·25
    "CQ05": (40, 10),  # 40 %·25
    "CQ06": (15, 15),  # 15 of 20 reporting regimes: 3/4·20
    "CQ06_required": (20, 0),
    "CQ07": (4, 5),  # 4 open datasets: step 1 → 5
    "CQ08": ("có", 25),
    "KT01": (40, 14),  # 40 %·35
    "KT02": (10, 17.5),  # 10 % of a full 20 %·35
    "KT03": (12, 30),  # 12 % over a full 10 %: capped at 30
    "KT04": (60, 15),  # 60 %·25
    "KT05": (2.5, 20),  # 2.5 per 10,000: step 2 → 20
    "XH01": (80, 32),  # 80 %·40
    "XH02": (50, 20),  # 50 %·40
    "XH03": (70, 24.5),  # 70 %·35
    "XH04": (20, 7),  # 20 %·35
}
# main indicators: points earned / points available
HAND_MAIN = {
    "NT": 70 / 100,
    "TC": 68.5 / 100,
    "HT": 70.5 / 100,
    "NL": 60.5 / 100,
    "AT": 67.5 / 100,
    "CQ": 145 / 200,
    "KT": 96.5 / 150,
    "XH": 83.5 / 150,
}
# foundation 100·(0.70 + 0.685 + 0.705 + 0.605 + 0.675) = 337 points
HAND_DTI = (337 + 145 + 96.5 + 83.5) / 1000  # = 0.662
HAND_PILLARS = {"CQS": (337 + 145) / 700, "KTS": (337 + 96.5) / 650, "XHS": (337 + 83.5) / 650}


def write_hand(path: Path, **changes: object) -> Path:
    """The hand-made province 99 (and a second one, 98, with every sub-indicator at 0)."""
    values = {k: v for k, (v, _) in HAND.items()} | changes
    zero = {k: (0 if not isinstance(v, str) else "không") for k, (v, _) in HAND.items()}
    zero.update(NT01_meetings=4, NT02_required=2, NL05_departments=18, CQ06_required=20)
    zero["NT05"] = "không có"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["unit", "name", "period", *values])
        w.writeheader()
        w.writerow({"unit": "99", "name": "Tỉnh Thử nghiệm", "period": 2024, **values})
        w.writerow({"unit": "98", "name": "Tỉnh Số không", "period": 2024, **zero})
    return path


def value(ds: dxf.Dataset, unit: str, code: str) -> float:
    return float(ds.values[0, ds.unit_index(unit), ds.column_index(code)])


def score(path: Path, code: str, unit: str = "99") -> float:
    return value(dxf.get_pack("vn-dti").run(level="province2024", data=path).scores, unit, code)


def test_points_of_each_sub_indicator_sum_to_the_hand_total() -> None:
    """The hand table itself: the points per main indicator add up as HAND_MAIN says."""
    totals: dict[str, float] = dict.fromkeys(MAIN, 0.0)
    for code, (_, pts) in HAND.items():
        totals[code[:2]] += pts
    assert {c: totals[c] / POINTS[c] for c in MAIN} == pytest.approx(HAND_MAIN, abs=1e-12)
    assert dti(HAND_MAIN) == pytest.approx(0.662, abs=1e-12)


def test_hand_made_province_scores_as_worked_by_hand(tmp_path: Path) -> None:
    path = write_hand(tmp_path / "hand.csv")
    with pytest.warns(UserWarning, match="AT04"):  # the blank is said, not hidden
        res = dxf.get_pack("vn-dti").run(level="province2024", data=path)
    s = res.scores
    i = s.unit_index("99")
    points = res["normalised"]
    subs = [c for c in HAND if points.has_column(c)]
    assert len(subs) == 47  # the auxiliary columns are not scored
    for code in subs:
        got = points.values[0, points.unit_index("99"), points.column_index(code)]
        assert got == pytest.approx(HAND[code][1], abs=1e-9), code
    for code, expected in HAND_MAIN.items():
        assert s.values[0, i, s.column_index(code)] == pytest.approx(expected, abs=1e-9), code
    for code, expected in HAND_PILLARS.items():
        assert s.values[0, i, s.column_index(code)] == pytest.approx(expected, abs=1e-9), code
    assert s.values[0, i, s.column_index("DTI")] == pytest.approx(HAND_DTI, abs=1e-9)
    assert s.values[0, s.unit_index("98"), s.column_index("DTI")] == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize(
    ("code", "zero", "positive", "gain"),
    [
        ("AT04", "không", "có", 15 * 100 / 100 / 1000),  # +15 of AT's 100 → +0.15·100/1000
        ("CQ07", 0, 10, (20 - 0) / 200 * 200 / 1000),  # step 10 → 20 points of CQ's 200
        ("KT02", 0, 5, 35 * 5 / 20 / 150 * 150 / 1000),  # 5 % of a full 20 %·35
        ("NL05", 0, 9, 7.5 / 100 * 100 / 1000),  # 9 of 18 departments·15
    ],
)
def test_a_blank_never_raises_the_score(
    tmp_path: Path, code: str, zero: object, positive: object, gain: float
) -> None:
    """A blank earns no points: the same DTI as 0 (or không), less than a positive value."""
    with pytest.warns(UserWarning, match=code):
        blank = score(write_hand(tmp_path / "blank.csv", **{code: ""}), "DTI")
    at_zero = score(write_hand(tmp_path / "zero.csv", **{code: zero}), "DTI")
    more = score(write_hand(tmp_path / "more.csv", **{code: positive}), "DTI")
    assert blank == pytest.approx(at_zero, abs=1e-12)
    assert more - blank == pytest.approx(gain, abs=1e-12) and gain > 0


# -- the two DTI 2024 levels agree ---------------------------------------------------------------
def test_main_indicator_results_scored_at_main2024_give_the_same_dti() -> None:
    pack = dxf.get_pack("vn-dti")
    sub = pack.run(level="province2024")
    main = pack.run(level="main2024", data=sub.scores.select(MAIN))
    assert len(sub.scores.units) == 63
    for unit in sub.scores.unit_codes:
        v = {c: value(sub.scores, unit, c) for c in MAIN}
        assert min(v.values()) >= 0 and max(v.values()) <= 1
        for code in ("DTI", *PILLARS):
            assert value(sub.scores, unit, code) == pytest.approx(
                value(main.scores, unit, code), abs=1e-12
            )
        assert value(sub.scores, unit, "DTI") == pytest.approx(dti(v), abs=1e-12)


def test_sample_data_are_the_63_provinces_with_a_few_blanks() -> None:
    def read(name: str) -> list[dict[str, str]]:
        with open(data_dir() / name, encoding="utf-8") as f:
            return list(csv.DictReader(f))

    rows = read("provinces-2024-synthetic.csv")
    ref = read("main-2024-synthetic.csv")
    assert [(r["unit"], r["name"]) for r in rows] == [(r["unit"], r["name"]) for r in ref]
    assert len(rows) == 63 and {r["period"] for r in rows} == {"2024"}
    blanks = [(r["unit"], k) for r in rows for k, v in r.items() if v == ""]
    assert 1 <= len(blanks) <= 10


# -- from the command line ---------------------------------------------------------------------
def test_cli_run_check_pack_and_merged_provinces(tmp_path: Path) -> None:
    """dxf run at the level; check-pack; the 63 → 34 merger from its main-indicator results."""
    data = write_hand(tmp_path / "hand.csv")
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "dxframework", "run", "--pack", "vn-dti", "--level",
         "province2024", "--data", str(data), "--out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    with open(out / "results.csv", encoding="utf-8") as f:
        res = {r["unit"]: r for r in csv.DictReader(f)}
    assert float(res["99"]["DTI"]) == pytest.approx(HAND_DTI, abs=1e-9)
    assert res["99"]["DTI_rank"] == "1" and res["98"]["DTI_rank"] == "2"
    check = CliRunner().invoke(cli, ["check-pack", "vn-dti"])
    assert check.exit_code == 0, check.output
    assert "province2024" in check.output

    # Thái Nguyên (19) and Bắc Kạn (06) merged into Thái Nguyên: made-up main indicators
    # from two hand provinces; the merged one is their mean, its DTI that of the mean.
    b = {k: v for k, (v, _) in HAND.items()}
    rows = [("19", "Tỉnh Thái Nguyên", b), ("06", "Tỉnh Bắc Kạn", {**b, "CQ08": "không"})]
    main_rows = []
    for unit, name, values in rows:
        path = tmp_path / f"{unit}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["unit", "name", "period", *values])
            w.writeheader()
            w.writerow({"unit": unit, "name": name, "period": 2024, **values})
        r = dxf.get_pack("vn-dti").run(level="province2024", data=path).scores
        row: dict[str, object] = {"unit": unit, "name": name, "period": 2024}
        main_rows.append(row | {c: repr(value(r, unit, c)) for c in MAIN})
    table = tmp_path / "main-2024.csv"
    with open(table, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(main_rows[0]))
        w.writeheader()
        w.writerows(main_rows)
    merged = tmp_path / "merged"
    result = CliRunner().invoke(cli, ["crosswalk", "--pack", "vn-dti", "--from", "province",
                                      "--to", "province", "--data", str(table),
                                      "--out", str(merged)])  # fmt: skip
    assert result.exit_code == 0, result.output
    with open(merged / "results.csv", encoding="utf-8") as f:
        got = {r["unit"]: r for r in csv.DictReader(f)}
    # Bắc Kạn lacks CQ08 (25 points): CQ (145 − 25)/200 = 0.6; the mean CQ is 0.6625
    mean = dict(HAND_MAIN) | {"CQ": (145 / 200 + 120 / 200) / 2}
    assert float(got["19"]["CQ"]) == pytest.approx(0.6625, abs=1e-12)
    assert float(got["19"]["DTI"]) == pytest.approx(dti(mean), abs=1e-12)
    assert float(got["19"]["DTI"]) == pytest.approx((337 + 132.5 + 96.5 + 83.5) / 1000, abs=1e-12)


def test_report_and_dashboard_at_the_level(tmp_path: Path) -> None:
    """dxf report --level province2024 and dxf dashboard run; both name the level's index."""
    runner = CliRunner()
    report = runner.invoke(cli, ["report", "--pack", "vn-dti", "--level", "province2024",
                                 "--format", "md", "--documents", "proposal", "--lang", "en",
                                 "--out", str(tmp_path / "report")])  # fmt: skip
    assert report.exit_code == 0, report.output
    text = (tmp_path / "report" / "proposal.en.md").read_text(encoding="utf-8")
    assert "Provincial Digital Transformation Index (DTI 2024)" in text
    assert "Digital awareness" in text  # a main indicator of the level
    html = tmp_path / "x.html"
    dash = runner.invoke(cli, ["dashboard", "--pack", "vn-dti", "--level", "province2024",
                               "--out", str(html)])  # fmt: skip
    assert dash.exit_code == 0, dash.output
    page = html.read_text(encoding="utf-8")
    assert "Tỉnh Bắc Kạn" in page and "NT01" in page
