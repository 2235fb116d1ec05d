"""Finding things with accents and case ignored, and natural order of codes."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

from click.testing import CliRunner

from dxframework.assessment import Hit, fold_text, natural_key, natural_sorted, search_items
from dxframework.cli import cli


def test_fold_text_drops_accents_case_and_d_stroke() -> None:
    assert fold_text("Chuyển đổi số") == "chuyen doi so"
    assert fold_text("ĐIỆN BIÊN") == "dien bien"
    # NFD input (as spreadsheets often hold) folds the same as NFC
    assert fold_text(unicodedata.normalize("NFD", "Thái Nguyên")) == "thai nguyen"
    assert fold_text("  Bắc   Kạn ") == "bac kan"


def test_natural_sort_orders_numbers_by_value() -> None:
    codes = ["2.1", "1.10", "1.2", "4.10", "4.2", "NT10", "NT2", "NT1"]
    assert natural_sorted(codes) == ["1.2", "1.10", "2.1", "4.2", "4.10", "NT1", "NT2", "NT10"]
    # a shorter prefix comes first; leading zeros keep codes distinct and in a stable order
    assert natural_key("NT") < natural_key("NT1")
    assert sorted(["058", "58", "060"], key=natural_key) == ["058", "58", "060"]
    # text parts compare with accents and case folded
    assert natural_sorted(["đ2", "D10", "d1"]) == ["d1", "đ2", "D10"]


def test_search_items_needs_every_word_and_sorts_naturally() -> None:
    items = [
        Hit("indicator", "1.10", "Chuyển đổi số trong cơ quan"),
        Hit("indicator", "1.2", "Chuyển đổi số cộng đồng"),
        Hit("indicator", "2.1", "Kinh tế số"),
        Hit("unit", "11", "Tỉnh Điện Biên"),
    ]
    hits = search_items("chuyen doi SO", items)
    assert [h.code for h in hits] == ["1.2", "1.10"]
    assert [h.code for h in search_items("dien bien", items)] == ["11"]
    assert search_items("chuyen xyz", items) == []
    assert search_items("   ", items) == []


def test_dxf_find_unaccented_finds_accented_indicator() -> None:
    result = CliRunner().invoke(cli, ["find", "chuyen doi so", "--pack", "vn-dti", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    names = [h["name"] for h in hits]
    assert any("Chuyển đổi số" in n or "chuyển đổi số" in n for n in names)
    # every hit really contains the words, accents aside
    assert all("chuyen doi so" in fold_text(h["name"] + " " + h["code"]) for h in hits)


def test_dxf_find_units_with_d_stroke_and_natural_order() -> None:
    result = CliRunner().invoke(cli, ["find", "cho don", "--pack", "backan", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    units = [h for h in hits if h["kind"] == "unit" and h["level"] == "district"]
    assert [h["name"] for h in units] == ["Chợ Đồn"]
    communes = [h["code"] for h in hits if h["kind"] == "unit" and h["level"] == "commune"]
    assert communes == natural_sorted(communes)
    assert "TN-064-01" in communes  # new communes of the illustrative crosswalk too


def test_dxf_find_tasks(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["find", "thanh toan khong dung tien mat", "--pack", "backan", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert [h["code"] for h in json.loads(result.output) if h["kind"] == "task"] == ["NV02"]


def test_gaps_csv_lists_units_in_natural_order_for_ties(tmp_path: Path) -> None:
    # natural order in CSV outputs: results files list units as 1.2 < 1.10
    out = tmp_path / "cw"
    data = tmp_path / "data.csv"
    data.write_text(
        "unit,name,period,NT,TC,HT,NL,AT,CQ,KT,XH\n"
        "1.10,B,2024,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n"
        "1.2,A,2024,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "old_code,new_code,new_level\n1.10,1.10,province\n1.2,1.2,province\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli,
        [
            "crosswalk", "--pack", "vn-dti", "--from", "province", "--to", "province",
            "--map", str(mapping), "--data", str(data), "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with (out / "results.csv").open(encoding="utf-8") as fh:
        assert [r["unit"] for r in csv.DictReader(fh)] == ["1.2", "1.10"]
