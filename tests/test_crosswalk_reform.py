"""Crosswalks across the 2025 reform: 63 → 34 provinces, communes with answer indicators,
splits with shares, a 2023–2026 panel on the new units."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

import dxframework as dxf
from dxframework.assessment import (
    apply_crosswalk,
    crosswalk_configs,
    crosswalk_framework,
    find_crosswalk,
    indicator_kind,
    read_unit_map,
    resolve_rules,
)
from dxframework.cli import cli
from dxframework.errors import DataError, MethodError

MAIN = ["NT", "TC", "HT", "NL", "AT", "CQ", "KT", "XH"]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def by_unit(path: Path) -> dict[str, dict[str, str]]:
    return {r["unit"]: r for r in rows(path)}


def crosswalk(*args: str) -> None:
    result = CliRunner().invoke(cli, ["crosswalk", *args])
    assert result.exit_code == 0, result.output


# -- 63 → 34 provinces -----------------------------------------------------------------------
def test_63_provinces_each_mapped_once_into_34() -> None:
    pack = dxf.get_pack("vn-dti")
    cfg = find_crosswalk(pack, "province", "province")
    assert cfg is not None and cfg.map is not None
    table = rows(cfg.map)
    olds = [r["old_code"] for r in table]
    assert len(olds) == 63 and len(set(olds)) == 63
    assert len({r["new_code"] for r in table}) == 34
    assert all(r["share"] == "1" and r["status"] == "published" for r in table)
    new = {r["old_name"]: r["new_name"] for r in table}
    assert new["Tỉnh Bắc Kạn"] == "Tỉnh Thái Nguyên"
    assert new["Tỉnh Hải Dương"] == "Thành phố Hải Phòng"
    assert new["Tỉnh Bình Dương"] == new["Tỉnh Bà Rịa - Vũng Tàu"] == "Thành phố Hồ Chí Minh"
    # the provinces DOMAIN.md names in the published DTI 2024 results are all new provinces
    names = {r["new_name"] for r in table}
    for name in ("Thành phố Hà Nội", "Thành phố Huế", "Thành phố Hải Phòng",
                 "Thành phố Hồ Chí Minh", "Tỉnh Thanh Hóa"):  # fmt: skip
        assert name in names
    merged = defaultdict(list)
    for r in table:
        merged[r["new_code"]].append(r["old_code"])
    assert sum(len(v) == 1 for v in merged.values()) == 11  # 11 provinces kept as they were
    assert max(len(v) for v in merged.values()) == 3
    umap = read_unit_map(cfg.map)
    assert len(umap.new_codes) == 34 and umap.illustrative() == 0


def test_published_dti_2024_figures_shipped_as_in_domain() -> None:
    pack = dxf.get_pack("vn-dti")
    table = rows(pack.root / "data" / "dti2024-published.csv")
    dti = {r["unit"]: r["value"] for r in table if r["measure"] == "DTI"}
    assert dti["01"] == "0.8241" and dti["46"] == "0.7951"
    assert dti["31"] == "0.7857" and dti["79"] == "0.7770"
    assert dti["province_mean"] == "0.6961"
    assert all(r["status"] == "published" for r in table)


def test_merged_province_is_the_index_of_the_mean_of_main_indicators(tmp_path: Path) -> None:
    """Made-up values for Thái Nguyên (19) and Bắc Kạn (06), merged into Thái Nguyên (19):

    means: NT (0.6+0.4)/2 = 0.5, TC (0.5+0.3)/2 = 0.4, HT (0.7+0.5)/2 = 0.6,
    NL (0.4+0.6)/2 = 0.5, AT (0.8+0.6)/2 = 0.7, CQ (0.5+0.3)/2 = 0.4, KT (0.6+0.4)/2 = 0.5,
    XH (0.7+0.5)/2 = 0.6; foundation points 100·(0.5+0.4+0.6+0.5+0.7) = 270;
    DTI = (270 + 200·0.4 + 150·0.5 + 150·0.6)/1000 = 515/1000 = 0.515;
    CQS = (270 + 80)/700 = 0.5; KTS = (270 + 75)/650; XHS = (270 + 90)/650.
    Hà Nội (01) is not merged: its values pass through.
    """
    data = tmp_path / "dti-2024.csv"
    data.write_text(
        "unit,name,period," + ",".join(MAIN) + "\n"
        "19,Tỉnh Thái Nguyên,2024,0.6,0.5,0.7,0.4,0.8,0.5,0.6,0.7\n"
        "06,Tỉnh Bắc Kạn,2024,0.4,0.3,0.5,0.6,0.6,0.3,0.4,0.5\n"
        "01,Thành phố Hà Nội,2024,0.9,0.8,0.9,0.8,0.9,0.8,0.7,0.8\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    crosswalk("--pack", "vn-dti", "--from", "province", "--to", "province",
              "--data", str(data), "--out", str(out))  # fmt: skip
    mapped = by_unit(out / "mapped.csv")
    means = [0.5, 0.4, 0.6, 0.5, 0.7, 0.4, 0.5, 0.6]
    assert [float(mapped["19"][c]) for c in MAIN] == pytest.approx(means)
    res = by_unit(out / "results.csv")
    assert float(res["19"]["DTI"]) == pytest.approx(0.515)
    assert float(res["19"]["CQS"]) == pytest.approx(350 / 700)
    assert float(res["19"]["KTS"]) == pytest.approx(345 / 650)
    assert float(res["19"]["XHS"]) == pytest.approx(360 / 650)
    hanoi = (100 * (0.9 + 0.8 + 0.9 + 0.8 + 0.9) + 200 * 0.8 + 150 * 0.7 + 150 * 0.8) / 1000
    assert float(res["01"]["DTI"]) == pytest.approx(hanoi)
    assert res["01"]["DTI_rank"] == "1" and res["19"]["DTI_rank"] == "2"
    # merged provinces with no former province in the data are not invented
    assert res["96"]["DTI"] == ""


# -- communes with answer indicators -----------------------------------------------------------
COMMUNE_COLUMNS = (
    "unit,name,level,parent,period,population,NT4,NT6,HT1,HT2,NL1,NL2,CQ1,CQ3,XH1,XH3,KT4,KT5"
)
REST = "50,2.0,50,50,50,50,50,50,50"  # HT2 … KT5, equal everywhere


def commune_case(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "communes.csv"
    data.write_text(
        COMMUNE_COLUMNS + "\n"
        f"c1,Xã Một,commune,058,2024,1000,4,Có,80,{REST}\n"
        f"c2,Xã Hai,commune,058,2024,3000,2,Không,40,{REST}\n"
        f"c3,Xã Ba,commune,058,2024,2000,3,có,60,{REST}\n"
        f"c4,Xã Bốn,commune,058,2024,1000,1,không,20,{REST}\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "old_code,old_level,new_code,new_name,new_level,share,basis,status\n"
        "c1,commune,N1,Xã Mới Một,commune,1,,illustrative\n"
        "c2,commune,N1,Xã Mới Một,commune,1,,illustrative\n"
        "c3,commune,N1,Xã Mới Một,commune,0.5,population,illustrative\n"
        "c3,commune,N2,Xã Mới Hai,commune,0.5,population,illustrative\n"
        "c4,commune,N2,Xã Mới Hai,commune,1,,illustrative\n",
        encoding="utf-8",
    )
    return data, mapping


def test_commune_crosswalk_with_answers_matches_hand_calculation(tmp_path: Path) -> None:
    """N1 = c1 + c2 + half of c3; N2 = half of c3 + c4 (the pack's rules: answers share_yes,
    ratios population-weighted, NT4 mean, population summed).

    N1: NT6 (1 + 0 + 0.5·1)/(1 + 1 + 0.5) = 0.6 → 0.6·50 = 30 points;
        HT1 (1000·80 + 3000·40 + 0.5·2000·60)/(1000 + 3000 + 1000) = 260000/5000 = 52;
        NT4 (4 + 2 + 0.5·3)/2.5 = 3 → 37.5 points (steps ≥3); population 5000;
        NT = (37.5 + 30)/100 = 0.675; HT = (52/100·50 + 50/100·50)/100 = 0.51.
    N2: NT6 (0.5·1 + 0)/1.5 = 1/3 → 16.67 points; HT1 (1000·60 + 1000·20)/2000 = 40;
        NT4 (1.5 + 1)/1.5 = 1.667 → 12.5 points (steps ≥1); population 2000;
        NT = (12.5 + 50/3)/100 = 0.291667; HT = (20 + 25)/100 = 0.45.
    """
    data, mapping = commune_case(tmp_path)
    out = tmp_path / "out"
    crosswalk("--pack", "backan", "--from", "commune", "--to", "commune", "--map", str(mapping),
              "--data", str(data), "--out", str(out))  # fmt: skip
    m = by_unit(out / "mapped.csv")
    assert float(m["N1"]["NT6"]) == pytest.approx(0.6)
    assert float(m["N2"]["NT6"]) == pytest.approx(1 / 3)
    assert float(m["N1"]["HT1"]) == pytest.approx(52)
    assert float(m["N2"]["HT1"]) == pytest.approx(40)
    assert float(m["N1"]["NT4"]) == pytest.approx(3)
    assert float(m["N2"]["NT4"]) == pytest.approx(2.5 / 1.5)
    assert float(m["N1"]["population"]) == 5000 and float(m["N2"]["population"]) == 2000
    r = by_unit(out / "results.csv")
    assert float(r["N1"]["NT"]) == pytest.approx(0.675)
    assert float(r["N2"]["NT"]) == pytest.approx((12.5 + 50 / 3) / 100)
    assert float(r["N1"]["HT"]) == pytest.approx(0.51)
    assert float(r["N2"]["HT"]) == pytest.approx(0.45)
    assert "illustrative" in (out / "notes.txt").read_text(encoding="utf-8")


def test_answer_rules_all_any_majority(tmp_path: Path) -> None:
    """N1 answers: c1 Có, c2 Không, c3 Có (half): share 0.6; all → Không (0), any → Có (1),
    majority (0.6 > 0.5) → Có (1). N2: c3 Có (half), c4 Không: share 1/3 → majority Không."""
    data, mapping = commune_case(tmp_path)
    lvl = dxf.get_pack("backan").level("commune")
    ds = lvl.load_data(data)
    umap = read_unit_map(mapping)
    got = {}
    for rule in ("all", "any", "majority"):
        rules = resolve_rules(lvl.framework, ds.columns, indicators={"NT6": rule})
        res = apply_crosswalk(ds, umap, rules, framework=lvl.framework, weight="population")
        j = res.data.column_index("NT6")
        got[rule] = [float(v) for v in res.data.values[0, :, j]]
    assert got == {"all": [0.0, 0.0], "any": [1.0, 1.0], "majority": [1.0, 0.0]}


def test_kinds_and_rule_errors(tmp_path: Path) -> None:
    fw = dxf.get_pack("backan").level("commune").framework
    kinds = {c: indicator_kind(fw.indicator(c)) for c in ("NT4", "NT6", "HT1", "NL1")}
    assert kinds == {"NT4": "count", "NT6": "answer", "HT1": "ratio", "NL1": "ratio"}
    with pytest.raises(MethodError, match="needs an answer indicator"):
        resolve_rules(fw, ["HT1"], indicators={"HT1": "share_yes"})
    with pytest.raises(MethodError, match="unknown crosswalk rule"):
        resolve_rules(fw, ["HT1"], indicators={"HT1": "median"})
    # districts do not exist after the reform; shares cannot exceed the whole unit
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "old_code,new_code,new_level,share\na,N1,district,1\nb,N1,commune,0.7\nb,N2,commune,0.6\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        read_unit_map(bad)
    assert {(p.row, p.column) for p in info.value.problems} == {(2, "new_level"), (3, "share")}
    result = CliRunner().invoke(
        cli, ["crosswalk", "--pack", "backan", "--from", "district", "--to", "district"]
    )
    assert result.exit_code == 2 and "two levels" in result.output


def test_crosswalk_framework_needs_points_proportional_to_the_answer() -> None:
    """NT5 scores có 20, một phần 10, không 0: proportional, so a mean of answers (e.g.
    (1 + 0.5)/2 = 0.75) scores 0.75·20 = 15 points, the mean of 20 and 10. A rule giving
    points that are not proportional (một phần 15) is refused."""
    from dxframework.model.framework import Framework
    from dxframework.model.indicator import Aggregate, Indicator

    fw = dxf.get_pack("backan").level("district").framework
    ok = crosswalk_framework(fw, {"NT3": "share_yes", "NT5": "mean"})
    for code, points in (("NT3", 20.0), ("NT5", 20.0)):
        assert dict(ok.indicator(code).methods["normalise"]) == {
            "method": "ratio",
            "points": points,
            "per": 1.0,
        }
    skewed = Framework(
        indicators=[
            Indicator(
                "Q",
                answers={"có": 1, "một phần": 0.5, "không": 0},
                methods={
                    "normalise": {"method": "categories", "mapping": {"1": 20, "0.5": 15, "0": 0}}
                },
            )
        ],
        aggregates=[Aggregate("I", level=2)],
        edges=[("Q", "I", 1.0)],
        index="I",
    )
    with pytest.raises(MethodError, match="not proportional"):
        crosswalk_framework(skewed, {"Q": "mean"})
    crosswalk_framework(skewed, {"Q": "share_yes"})  # yes 20, no 0: a share of yes is fine


# -- the Bắc Kạn example and the 2023–2026 panel ------------------------------------------------
def test_backan_example_map_districts_and_communes() -> None:
    pack = dxf.get_pack("backan")
    configs = crosswalk_configs(pack)
    assert set(configs) == {"provinces-2025", "communes-2025", "districts-2025"}
    assert configs["provinces-2025"].to_level == "province"  # Bắc Kạn → Thái Nguyên
    assert all(configs[k].to_level == "commune" for k in ("communes-2025", "districts-2025"))
    cfg = configs["communes-2025"]
    assert cfg.map is not None
    table = rows(cfg.map)
    communes = {r["unit"] for r in rows(pack.root / "data" / "communes-synthetic.csv")}
    old_communes = {r["old_code"] for r in table if r["old_level"] == "commune"}
    assert old_communes == communes and len(communes) == 108
    districts = {r["old_code"] for r in table if r["old_level"] == "district"}
    assert districts == {"058", "060", "061", "062", "063", "064", "065", "066"}
    share: dict[tuple[str, str], float] = defaultdict(float)
    for r in table:
        share[(r["old_level"], r["old_code"])] += float(r["share"])
    assert all(s == pytest.approx(1.0) for s in share.values())  # every old unit shared out whole
    assert any(float(r["share"]) < 1 for r in table if r["old_level"] == "commune")  # splits
    assert all(r["status"] == "illustrative" for r in table if r["old_level"] != "province")
    assert {r["new_code"] for r in table if r["old_code"] == "06"} == {"19"}


def test_panel_2023_2026_compared_on_the_new_units(tmp_path: Path) -> None:
    pack = dxf.get_pack("backan")
    panel = pack.root / "data" / "communes-panel-2023-2026-synthetic.csv"
    out = tmp_path / "panel"
    crosswalk("--pack", "backan", "--from", "commune", "--to", "commune",
              "--data", str(panel), "--out", str(out))  # fmt: skip
    comparison = rows(out / "comparison.csv")
    assert len(comparison) == 36
    for r in comparison:
        assert all(r[f"DX_{y}"] != "" for y in (2023, 2024, 2025, 2026)), r
        assert float(r["change_2023_2026"]) == pytest.approx(
            float(r["DX_2026"]) - float(r["DX_2023"])
        )
    mapped = rows(out / "mapped.csv")
    assert {r["mapped"] for r in mapped if r["period"] in ("2023", "2024")} == {"yes"}
    assert {r["mapped"] for r in mapped if r["period"] in ("2025", "2026")} == {"no"}
    # a 2024 value by hand: the population-weighted mean of HT1 over the new commune's parts
    cfg = crosswalk_configs(pack)["communes-2025"]
    assert cfg.map is not None
    links = [
        r for r in rows(cfg.map) if r["old_level"] == "commune" and r["new_code"] == "TN-060-02"
    ]
    source = {(r["unit"], r["period"]): r for r in rows(panel)}
    num = den = 0.0
    for lk in links:
        old = source[(lk["old_code"], "2024")]
        if old["HT1"] == "":
            continue
        w = float(lk["share"]) * float(old["population"])
        num += w * float(old["HT1"])
        den += w
    got = next(r for r in mapped if r["unit"] == "TN-060-02" and r["period"] == "2024")
    assert float(got["HT1"]) == pytest.approx(num / den)
    # after the reform, the new commune's own reported values are kept
    own = source[("TN-060-02", "2025")]
    kept = next(r for r in mapped if r["unit"] == "TN-060-02" and r["period"] == "2025")
    assert float(kept["HT1"]) == pytest.approx(float(own["HT1"]))


def test_districts_split_into_new_communes_by_population_share(tmp_path: Path) -> None:
    out = tmp_path / "d"
    crosswalk("--pack", "backan", "--from", "district", "--to", "commune", "--out", str(out))
    mapped = rows(out / "mapped.csv")
    pack = dxf.get_pack("backan")
    districts = {
        (r["unit"], r["period"]): r for r in rows(pack.root / "data" / "districts-synthetic.csv")
    }
    cfg = crosswalk_configs(pack)["districts-2025"]
    assert cfg.map is not None
    link = next(
        r for r in rows(cfg.map) if r["old_level"] == "district" and r["new_code"] == "TN-061-01"
    )
    got = next(r for r in mapped if r["unit"] == "TN-061-01" and r["period"] == "2024")
    d = districts[("061", "2024")]
    # a ratio keeps the district's value; a count (population) takes the district's share
    assert float(got["HT1"]) == pytest.approx(float(d["HT1"]))
    assert float(got["population"]) == pytest.approx(float(link["share"]) * float(d["population"]))
