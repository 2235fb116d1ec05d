"""``dxf workbook``: the Excel form an agency fills, and the same form read back.

Expected values come from the bundled backan files read independently (the sample CSV with
the ``csv`` module, the framework TOML with ``tomllib``) or from hand calculation, never from
the code under test. Every workbook is a real file, opened with openpyxl and python-calamine.
"""

from __future__ import annotations

import csv
import tomllib
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner, Result
from python_calamine import CalamineWorkbook

import dxframework as dxf
from dxframework.cli import cli
from dxframework.io.tables import UNIT_ALIASES, fold
from dxframework.model.indicator import Indicator
from dxframework.packs.workbook import rule_text, write_workbook

PACK = dxf.get_pack("backan")
HEADER_ROW = 4  # three title rows, then the machine header (the layout contract)
ANSWER_TEXT = {1.0: "Có", 0.0: "Không", 0.5: "Một phần"}  # as a user would type them
#: what the reader takes for the name of the unit column when it looks for the header row
UNIT_NAMES = {fold(a) for a in ("unit", *UNIT_ALIASES)}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


def csv_rows(level: str) -> list[dict[str, str]]:
    path = PACK.level(level).data_path
    assert path is not None
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def framework_toml(level: str) -> dict[str, Any]:
    doc: dict[str, Any] = tomllib.loads(
        PACK.level(level).framework_path.read_text(encoding="utf-8")
    )
    return doc


def expected_header(level: str) -> list[str]:
    doc = framework_toml(level)
    return [
        "unit",
        "name",
        "parent",
        "period",
        *[i["code"] for i in doc["indicators"]],
        *doc["auxiliary"],
    ]


def latest_rows(level: str) -> tuple[int, list[dict[str, str]]]:
    rows = csv_rows(level)
    year = max(int(r["period"]) for r in rows)
    return year, [r for r in rows if int(r["period"]) == year]


def data_sheets(wb: Any) -> list[Any]:
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"][1:]


def header_of(ws: Any) -> list[str]:
    return [c.value for c in ws[HEADER_ROW] if c.value is not None]


def column_letter(ws: Any, name: str) -> str:
    for cell in ws[HEADER_ROW]:
        if cell.value == name:
            return str(cell.column_letter)
    raise AssertionError(f"no column {name!r}")


def unit_rows(ws: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(c.value for c in row[:4])
        for row in ws.iter_rows(min_row=HEADER_ROW + 1)
        if row[0].value is not None
    ]


@pytest.fixture(scope="module")
def district_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forms") / "district.xlsx"
    write_workbook(PACK, "district", path)
    return path


# -- the form -----------------------------------------------------------------------------------
def test_sheets_header_and_units_with_openpyxl(district_form: Path) -> None:
    """Instructions first, one data sheet, a hidden list sheet; header and units pre-filled."""
    wb = openpyxl.load_workbook(district_form)
    assert wb.sheetnames[0] == "Hướng dẫn"
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
    assert visible == ["Hướng dẫn", "Cấp huyện"]
    assert len(hidden) == 1
    ws = wb["Cấp huyện"]
    assert header_of(ws) == expected_header("district")
    year, rows = latest_rows("district")
    assert year == 2024
    expected = [(r["unit"], r["name"], r["parent"], year) for r in rows]
    assert unit_rows(ws) == expected
    # codes keep their leading zeros: stored as text
    assert ws[f"A{HEADER_ROW + 1}"].data_type == "s" and ws[f"A{HEADER_ROW + 1}"].value == "058"


def test_form_reads_with_calamine(district_form: Path) -> None:
    """python-calamine sees the same sheets, header row and unit codes."""
    wb = CalamineWorkbook.from_path(str(district_form))
    assert wb.sheet_names[:2] == ["Hướng dẫn", "Cấp huyện"]
    states = {m.name: str(m.visible) for m in wb.sheets_metadata}
    assert "Hidden" in states[wb.sheet_names[-1]]
    rows = wb.get_sheet_by_name("Cấp huyện").to_python()
    assert [c for c in rows[HEADER_ROW - 1] if c != ""] == expected_header("district")
    _, csv_latest = latest_rows("district")
    assert [r[0] for r in rows[HEADER_ROW:]] == [r["unit"] for r in csv_latest]
    assert [r[1] for r in rows[HEADER_ROW:]] == [r["name"] for r in csv_latest]


def test_title_rows(district_form: Path) -> None:
    """Rows 1–3 over each indicator: its Vietnamese name, its unit, the rule in words."""
    ws = openpyxl.load_workbook(district_form)["Cấp huyện"]
    names = {i["code"]: i for i in framework_toml("district")["indicators"]}
    ht1_bounds = names["HT1"].get("bounds")  # a % unit alone sets no bounds
    for code, unit, rule in (
        ("HT1", "%", "{:g}–{:g}".format(*ht1_bounds) if ht1_bounds else "Số"),
        ("NT3", "yes/no", "Có/Không"),
        ("NT5", "category", "Có/Không/Một phần"),
        ("HT4", "per 100", "≥ 0"),  # bounds = [0, inf] in the framework
    ):
        col = column_letter(ws, code)
        assert ws[f"{col}1"].value == names[code]["name_vi"]
        assert ws[f"{col}2"].value == unit
        assert ws[f"{col}3"].value == rule
        assert ws[f"{col}1"].alignment.wrap_text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_title_rows_never_read_as_the_header(tmp_path: Path, lang: str) -> None:
    """No title cell reads as a unit column's name, so the header is row 4 for the reader."""
    path = tmp_path / "form.xlsx"
    write_workbook(PACK, "commune", path, lang=lang, by="agency")
    wb = openpyxl.load_workbook(path)
    for ws in data_sheets(wb):
        titles = [c.value for row in ws.iter_rows(max_row=HEADER_ROW - 1) for c in row]
        assert not [t for t in titles if isinstance(t, str) and fold(t) in UNIT_NAMES]
        assert (
            ws["A1"].value == {"vi": "Mã đơn vị (điền sẵn)", "en": "Unit code (pre-filled)"}[lang]
        )


def test_rule_in_words() -> None:
    """Bounds, whole numbers and answers in words, in both languages (by hand)."""
    count = Indicator("n", unit="people", bounds=(0, None), integer=True)
    assert rule_text(count, "vi") == "≥ 0, số nguyên"
    assert rule_text(count, "en") == "≥ 0, whole number"
    share = Indicator("s", unit="fraction")
    assert rule_text(share, "vi") == "0–1"
    capped = Indicator("c", bounds=(None, 2.5))
    assert rule_text(capped, "vi") == "≤ 2,5" and rule_text(capped, "en") == "≤ 2.5"
    yes_no = Indicator("y", answers={"có": 1, "không": 0, "yes": 1, "no": 0})
    assert rule_text(yes_no, "vi") == "Có/Không"
    assert rule_text(yes_no, "en") == "Yes/No"


def test_data_validations_and_number_formats(district_form: Path) -> None:
    """Answers: a list from the hidden sheet; a % column: a decimal check, format '0.0'."""
    wb = openpyxl.load_workbook(district_form)
    ws = wb["Cấp huyện"]
    n = len(latest_rows("district")[1])
    rows = f"{HEADER_ROW + 1}:{{}}{HEADER_ROW + n}"
    by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}

    nt5 = column_letter(ws, "NT5")
    dv = by_range[f"{nt5}{rows.format(nt5)}"]
    assert dv.type == "list"
    sheet_ref, cells = dv.formula1.split("!")
    lists = wb[sheet_ref.strip("'")]
    assert lists.sheet_state == "hidden"
    first, last = cells.replace("$", "").split(":")
    assert [c.value for row in lists[f"{first}:{last}"] for c in row] == [
        "Có",
        "Không",
        "Một phần",
    ]

    ht1 = column_letter(ws, "HT1")
    dv = by_range[f"{ht1}{rows.format(ht1)}"]
    declared = next(i for i in framework_toml("district")["indicators"] if i["code"] == "HT1")
    lo, hi = declared.get("bounds", (-1e300, 1e300))  # no bounds: any number, not text
    assert (dv.type, dv.operator) == ("decimal", "between")
    assert (float(dv.formula1), float(dv.formula2)) == (lo, hi)
    assert dv.allow_blank
    assert ws[f"{ht1}{HEADER_ROW + 1}"].number_format == "0.0"
    assert "%" not in ws[f"{ht1}{HEADER_ROW + 1}"].number_format
    # population: an auxiliary column, a number ≥ 0
    pop = column_letter(ws, "population")
    dv = by_range[f"{pop}{rows.format(pop)}"]
    assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")


TINY_FRAMEWORK = """
index = "IDX"
level_names = ["Indicator", "Index"]
groups = ["region_group"]

[[indicators]]
code = "staff"
name_vi = "Số cán bộ chuyên trách"
name_en = "Dedicated staff"
unit = "người"
integer = true
bounds = [0, 12]
parent = "IDX"

[[indicators]]
code = "online"
name_vi = "Tỷ lệ thủ tục hành chính trực tuyến"
name_en = "Procedures online"
unit = "%"
bounds = [0, 100]
parent = "IDX"

[[indicators]]
code = "portal"
name_vi = "Có cổng thông tin"
name_en = "Has a portal"
unit = "yes/no"
answers = { "yes" = 1, "no" = 0, "có" = 1, "không" = 0 }
parent = "IDX"

[[aggregates]]
code = "IDX"
name_en = "Index"
"""


def tiny_pack(folder: Path) -> dxf.MetricPack:
    """A one-level pack without parent or period columns, with a grouping column."""
    (folder / "framework.toml").write_text(TINY_FRAMEWORK, encoding="utf-8")
    (folder / "data.csv").write_text(
        "unit,name,region_group,staff,online,portal\n"
        "A1,Sở Nội vụ,North,3,80.5,1\nB2,Sở Y tế,South,5,100,0\n",
        encoding="utf-8",
    )
    (folder / "pack.toml").write_text(
        '[pack]\nname = "tiny"\nversion = "0.1"\nlevels = ["department"]\n'
        'framework = "framework.toml"\ndata = "data.csv"\n\n'
        '[pack.columns]\nunit = "unit"\nname = "name"\n',
        encoding="utf-8",
    )
    return dxf.MetricPack.from_toml(folder / "pack.toml")


def test_whole_number_check_and_a_level_without_period(tmp_path: Path) -> None:
    """An integer indicator with bounds: a whole-number check; no period or parent column."""
    pack = tiny_pack(tmp_path)
    path = tmp_path / "form.xlsx"
    write_workbook(pack, None, path)
    wb = openpyxl.load_workbook(path)
    (ws,) = data_sheets(wb)
    assert header_of(ws) == ["unit", "name", "region_group", "staff", "online", "portal"]
    assert unit_rows(ws) == [("A1", "Sở Nội vụ", "North", None), ("B2", "Sở Y tế", "South", None)]
    col = column_letter(ws, "staff")
    (dv,) = [d for d in ws.data_validations.dataValidation if str(d.sqref) == f"{col}5:{col}6"]
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "0", "12")
    assert ws[f"{col}3"].value == "0–12, số nguyên"
    assert ws[f"{col}5"].number_format == "0"
    # a percentage with bounds: typed as 0–100, a decimal check, never a percent format
    col = column_letter(ws, "online")
    (dv,) = [d for d in ws.data_validations.dataValidation if str(d.sqref) == f"{col}5:{col}6"]
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")
    assert ws[f"{col}3"].value == "0–100"
    assert ws[f"{col}5"].number_format == "0.0"
    # the Vietnamese form offers the Vietnamese answers, though the pack lists English first
    assert ws[f"{column_letter(ws, 'portal')}3"].value == "Có/Không"
    assert ws.freeze_panes == "C5"
    with pytest.raises(dxf.DxfError, match="no period column"):
        write_workbook(pack, None, tmp_path / "other.xlsx", period=2024)
    assert not (tmp_path / "other.xlsx").exists()


def test_protection_and_frozen_panes(district_form: Path) -> None:
    """Sheet protected without a password; titles, header and units locked, data unlocked."""
    ws = openpyxl.load_workbook(district_form)["Cấp huyện"]
    assert ws.protection.sheet is True
    assert not ws.protection.password
    assert ws.freeze_panes == f"C{HEADER_ROW + 1}"  # below the header, right of the name
    ht1 = column_letter(ws, "HT1")
    for row in range(1, HEADER_ROW + 1):
        assert ws[f"{ht1}{row}"].protection.locked
    assert not ws[f"{ht1}{HEADER_ROW + 1}"].protection.locked
    assert ws[f"A{HEADER_ROW + 1}"].protection.locked  # the pre-filled unit code
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width


@pytest.mark.parametrize(
    ("lang", "first", "says"),
    [
        ("vi", "Hướng dẫn", ("Ô để trống nghĩa là không báo cáo", "An empty cell means")),
        ("en", "Instructions", ("An empty cell means not reported", "Ô để trống")),
    ],
)
def test_instructions_sheet(tmp_path: Path, lang: str, first: str, says: tuple[str, str]) -> None:
    """The instructions come first, in both languages (the chosen one first), in NFC."""
    path = tmp_path / "form.xlsx"
    result = invoke(
        "workbook", "--pack", "backan", "--level", "district", "--lang", lang, "--out", str(path)
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == first
    texts = [c.value for row in wb[first].iter_rows() for c in row if isinstance(c.value, str)]
    joined = "\n".join(texts)
    assert joined.index(says[0]) < joined.index(says[1])
    assert "dxf validate --pack backan --level district --data" in joined
    assert "dxf assemble" in joined
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    # never a header row for the reader: no cell reads as the name of a unit column
    assert not [t for t in texts if fold(t) in UNIT_NAMES]
    ws = wb[data_sheets(wb)[0].title]
    ht1 = column_letter(ws, "HT1")
    expected_name = {"vi": "name_vi", "en": "name_en"}[lang]
    name = next(i for i in framework_toml("district")["indicators"] if i["code"] == "HT1")
    assert ws[f"{ht1}1"].value == name[expected_name]


def test_formula_like_unit_name_stays_text(tmp_path: Path) -> None:
    """A unit named like a formula is written as text, never as a formula."""
    rows = csv_rows("commune")
    rows[0]["name"] = '=HYPERLINK("http://example.com","x")'
    rows[1]["name"] = "+1+2"
    data = tmp_path / "communes.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    path = tmp_path / "form.xlsx"
    result = invoke(
        "workbook", "--pack", "backan", "--level", "commune", "--data", str(data),
        "--out", str(path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path)["Cấp xã"]
    cell = ws[f"B{HEADER_ROW + 1}"]
    assert cell.data_type == "s"
    assert cell.value == "'" + rows[0]["name"]
    assert ws[f"B{HEADER_ROW + 2}"].value == "'+1+2"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Cấp xã").to_python()
    assert sheet[HEADER_ROW][1] == "'" + rows[0]["name"]


def test_units_subset(tmp_path: Path) -> None:
    """--units lists only those units, in the order of the data file."""
    path = tmp_path / "few.xlsx"
    result = invoke(
        "workbook", "--pack", "backan", "--level", "commune", "--units", "05803,05801",
        "--out", str(path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert str(path) in result.output
    ws = openpyxl.load_workbook(path)["Cấp xã"]
    by_code = {r["unit"]: r for r in csv_rows("commune")}
    assert unit_rows(ws) == [
        ("05801", by_code["05801"]["name"], "058", 2024),
        ("05803", by_code["05803"]["name"], "058", 2024),
    ]


def test_unknown_units_exit_2(tmp_path: Path) -> None:
    """Unknown codes are one error naming them all; nothing is written."""
    path = tmp_path / "few.xlsx"
    result = invoke(
        "workbook", "--pack", "backan", "--level", "commune", "--units", "05801,99999,ABC",
        "--out", str(path),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'99999'" in result.stderr and "'ABC'" in result.stderr
    assert "Traceback" not in result.output
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_existing_file_needs_force_and_inputs_are_never_overwritten(tmp_path: Path) -> None:
    """An existing file is kept unless --force; an input file is refused even with --force."""
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"not yet a form")
    args = ["workbook", "--pack", "backan", "--level", "commune", "--out", str(path)]
    result = invoke(*args)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert path.read_bytes() == b"not yet a form"
    result = invoke(*args, "--force")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path).sheetnames[1] == "Cấp xã"
    before = path.read_bytes()
    result = invoke(*args, "--data", str(path), "--force")
    assert result.exit_code == 2 and "input file" in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form.xlsx"]  # no temporary file


def test_one_sheet_per_agency(tmp_path: Path) -> None:
    """--by agency: one sheet per district, named by its code and name, listing its communes."""
    path = tmp_path / "communes.xlsx"
    result = invoke(
        "workbook", "--pack", "backan", "--level", "commune", "--by", "agency", "--out", str(path)
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(path)
    communes = csv_rows("commune")
    parents = list(dict.fromkeys(r["parent"] for r in communes))
    district_names = {r["unit"]: r["name"] for r in csv_rows("district")}
    sheets = data_sheets(wb)
    assert [ws.title for ws in sheets] == [f"{p} {district_names[p]}"[:31] for p in parents]
    for ws, parent in zip(sheets, parents, strict=True):
        assert header_of(ws) == expected_header("commune")
        assert [r[0] for r in unit_rows(ws)] == [
            r["unit"] for r in communes if r["parent"] == parent
        ]
    # the district level's one agency is the province, named from the pack's yearly series
    districts = write_workbook(PACK, "district", tmp_path / "d.xlsx", by="agency")
    assert PACK.series_path is not None
    with PACK.series_path.open(encoding="utf-8") as fh:
        province = next(csv.DictReader(fh))
    titles = [ws.title for ws in data_sheets(openpyxl.load_workbook(districts.path))]
    assert titles == [f"{province['unit']} {province['name']}"] == list(districts.sheets)


def test_pack_declares_sheets_per_agency(tmp_path: Path) -> None:
    """A pack's [workbook] table (sheets = "agency") is the default; --by level overrides it."""
    if "workbook" not in attrs.fields_dict(type(PACK)):
        pytest.skip("MetricPack has no 'workbook' field yet")
    pack = attrs.evolve(PACK, workbook={"sheets": "agency", "agency_column": "parent"})
    path = tmp_path / "a.xlsx"
    write_workbook(pack, "commune", path)
    n_parents = len({r["parent"] for r in csv_rows("commune")})
    assert len(data_sheets(openpyxl.load_workbook(path))) == n_parents
    write_workbook(pack, "commune", path, by="level", force=True)
    assert [ws.title for ws in data_sheets(openpyxl.load_workbook(path))] == ["Cấp xã"]


# -- round trip: fill the form as a user would, read it back, score it --------------------------
def fill(path: Path, level: str) -> None:
    """Type the latest period's sample values into the form (answers as words)."""
    _, rows = latest_rows(level)
    by_code = {r["unit"]: r for r in rows}
    answers = {i["code"] for i in framework_toml(level)["indicators"] if "answers" in i}
    wb = openpyxl.load_workbook(path)
    for ws in data_sheets(wb):
        header = [c.value for c in ws[HEADER_ROW]]
        for row in ws.iter_rows(min_row=HEADER_ROW + 1):
            source = by_code[row[0].value]
            for cell, name in zip(row, header, strict=False):
                if name in ("unit", "name", "parent", "period") or name is None:
                    continue
                text = source[name].strip()
                if text == "":
                    continue
                value = float(text)
                cell.value = ANSWER_TEXT[value] if name in answers else value
    wb.save(path)


@pytest.mark.filterwarnings("ignore:.*scored 0 points")  # the sample leaves a few cells blank
@pytest.mark.filterwarnings("ignore::dxframework.packs.pack.DataNote")  # title rows skipped
@pytest.mark.parametrize("by", ["level", "agency"])
@pytest.mark.parametrize("level", ["district", "commune"])
def test_round_trip_equals_csv(tmp_path: Path, level: str, by: str) -> None:
    """A form filled with the sample values reads and scores exactly as the sample CSV."""
    lvl = PACK.level(level)
    year, _ = latest_rows(level)
    path = tmp_path / f"{level}.xlsx"
    write_workbook(PACK, level, path, by=by)
    fill(path, level)

    from_form = lvl.load_data(path)
    from_csv = lvl.load_data(lvl.data_path, period=year)
    assert from_form.periods == from_csv.periods == (year,)
    assert [(u.code, u.name, u.parent) for u in from_form.units] == [
        (u.code, u.name, u.parent) for u in from_csv.units
    ]
    assert sorted(from_form.columns) == sorted(from_csv.columns)
    np.testing.assert_array_equal(from_form.get(from_csv.columns), from_csv.get(from_csv.columns))
    scored_form = lvl.run(from_form).scores
    scored_csv = lvl.run(from_csv).scores
    assert scored_form.columns == scored_csv.columns
    np.testing.assert_array_equal(scored_form.values, scored_csv.values)
