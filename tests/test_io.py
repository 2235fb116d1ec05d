"""Reading data tables (CSV, Excel, JSON, pandas) and writing run results.

What is protected: every format gives the same data set; semicolons, decimal commas and
Vietnamese text in NFD are handled; bad cells are reported with their row; empty cells are
missing values; a period column makes a panel; inputs are never modified; a run is written
all-or-nothing.
"""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

import dxframework
from dxframework import DataError, Dataset, FrameworkError, TableSchema, read_dataset
from dxframework.errors import Problem
from dxframework.io import dataset_from_pandas, read_framework, write_run
from dxframework.io import writers as writers_module
from dxframework.io.tables import parse_number

HEADER = ["unit", "name", "region_group", "A", "B"]
ROWS: list[list[Any]] = [
    ["HN", "Hà Nội", "Đồng bằng sông Hồng", 1.5, None],
    ["HCM", "Thành phố Hồ Chí Minh", "Đông Nam Bộ", 2, 3.25],
    ["DN", "Đà Nẵng", "Duyên hải miền Trung", -0.5, 0.001],
]
EXPECTED_VALUES = np.array([[[1.5, np.nan], [2.0, 3.25], [-0.5, 0.001]]])


def nfd(text: str) -> str:
    """Text decomposed, as spreadsheets on some systems save Vietnamese."""
    return unicodedata.normalize("NFD", text)


def write_csv(path: Path, header: list[str], rows: list[list[Any]], sep: str = ",") -> Path:
    """A CSV with ``sep`` between cells; ``None`` becomes an empty cell."""
    lines = [sep.join(header)]
    lines += [sep.join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """A real Excel workbook written with openpyxl (header on row 1)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_json(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """A JSON list of records."""
    path.write_text(
        json.dumps([dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def assert_same(a: Dataset, b: Dataset) -> None:
    """Same units (codes, names, groups), columns, periods and values."""
    assert a.equals(b)
    assert [u.name for u in a.units] == [u.name for u in b.units]
    assert [dict(u.groups) for u in a.units] == [dict(u.groups) for u in b.units]


# -- formats ------------------------------------------------------------------------------------
def test_csv_excel_json_and_pandas_give_equal_datasets(tmp_path: Path) -> None:
    """The same table read from CSV, .xlsx, JSON and a DataFrame gives equal data sets."""
    from_csv = read_dataset(write_csv(tmp_path / "t.csv", HEADER, ROWS))
    from_xlsx = read_dataset(write_xlsx(tmp_path / "t.xlsx", HEADER, ROWS))
    from_json = read_dataset(write_json(tmp_path / "t.json", HEADER, ROWS))
    from_pandas = dataset_from_pandas(pd.DataFrame(ROWS, columns=HEADER))

    assert from_csv.unit_codes == ("HN", "HCM", "DN")
    assert from_csv.columns == ("A", "B")
    assert from_csv.periods == (0,)
    np.testing.assert_array_equal(from_csv.values, EXPECTED_VALUES)
    assert from_csv.units[0].groups == {"region_group": "Đồng bằng sông Hồng"}
    for other in (from_xlsx, from_json, from_pandas):
        assert_same(from_csv, other)


def test_pandas_round_trip_with_unit_index() -> None:
    """A DataFrame indexed by unit reads back; to_pandas gives the same frame."""
    frame = pd.DataFrame(
        {"A": [1.0, 2.0], "B": [np.nan, 4.0]}, index=pd.Index(["X", "Y"], name="unit")
    )
    data = dataset_from_pandas(frame)
    assert data.unit_codes == ("X", "Y")
    pd.testing.assert_frame_equal(data.to_pandas(), frame)


def test_semicolon_csv_with_decimal_comma(tmp_path: Path) -> None:
    """A semicolon-separated CSV with decimal commas (Excel in Vietnamese/European locale)."""
    path = tmp_path / "semi.csv"
    path.write_text(
        "unit;name;A;B\nHN;Hà Nội;0,8002;12\nHCM;Hồ Chí Minh;-1,5;0,25\n", encoding="utf-8"
    )
    data = read_dataset(path)
    assert data.columns == ("A", "B")
    np.testing.assert_array_equal(data.values[0], [[0.8002, 12.0], [-1.5, 0.25]])


def test_quoted_decimal_comma_in_comma_csv(tmp_path: Path) -> None:
    """A quoted "0,8002" in a comma-separated file is the number 0.8002."""
    path = tmp_path / "quoted.csv"
    path.write_text('unit,A\nHN,"0,8002"\nHCM,1\n', encoding="utf-8")
    assert read_dataset(path).column("A").tolist() == [0.8002, 1.0]


def test_parse_number() -> None:
    """Numbers, decimal commas and missing markers parse; text and thousands groups do not."""
    assert parse_number("0,8002") == 0.8002
    assert parse_number(" 42 ") == 42.0
    assert parse_number(7) == 7.0
    for missing in (None, "", "NA", "n/a", "..", "-"):
        assert math.isnan(parse_number(missing) or 0.0), missing
    for bad in ("abc", "1,234,5", "inf", "1.2.3"):
        assert parse_number(bad) is None, bad


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" adds a byte-order mark; the first header is still `unit`."""
    path = tmp_path / "bom.csv"
    path.write_bytes("unit,A\nHN,1\n".encode("utf-8-sig"))
    assert read_dataset(path).unit_codes == ("HN",)


# -- Vietnamese text in NFC ---------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_nfd_text_is_normalised_to_nfc(fmt: str, tmp_path: Path) -> None:
    """NFD unit codes, names, groups and headers become NFC and match NFC names."""
    column = "Tỷ_lệ_hộ"  # an indicator code with Vietnamese letters
    header = ["unit", "name", "vùng_group", nfd(column)]
    rows = [
        [nfd("Hà_Nội"), nfd("Hà Nội"), nfd("Đồng bằng"), 1.0],
        [nfd("Huế"), nfd("Thừa Thiên Huế"), nfd("Bắc Trung Bộ"), 2.0],
    ]
    writer = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}[fmt]
    path = writer(tmp_path / f"nfd.{fmt}", header, rows)
    assert nfd(column).encode() in path.read_bytes() or fmt == "xlsx"

    data = read_dataset(path, TableSchema(numeric=(column,), required=(column,)))
    assert data.columns == (column,)
    assert data.unit_codes == ("Hà_Nội", "Huế")
    assert [u.name for u in data.units] == ["Hà Nội", "Thừa Thiên Huế"]
    assert data.units[0].groups == {"vùng_group": "Đồng bằng"}
    for text in (*data.unit_codes, *(u.name for u in data.units), *data.columns):
        assert unicodedata.is_normalized("NFC", text)
    assert data.unit_index("Huế") == 1


# -- errors point at the cell -------------------------------------------------------------------
def test_text_in_excel_cell_reports_the_row(tmp_path: Path) -> None:
    """A text cell in a numeric Excel column is reported with file, sheet row and column."""
    rows = [list(r) for r in ROWS]
    rows[1][3] = "abc"  # row 3 of the sheet (row 1 is the header)
    path = write_xlsx(tmp_path / "bad.xlsx", HEADER, rows)
    with pytest.raises(DataError) as info:
        read_dataset(path)
    (problem,) = info.value.problems
    assert problem == Problem(
        "'abc' is not a number",
        file=str(path),
        row=3,
        column="A",
        unit="HCM",
        hint=problem.hint,
        sheet="Data",
    )
    assert str(problem).startswith(
        f"{path}, sheet 'Data', row 3, column 'A', unit 'HCM': 'abc' is not a number"
    )


def test_every_bad_cell_is_reported_once(tmp_path: Path) -> None:
    """All bad cells are collected before raising, one problem each, with their rows."""
    path = tmp_path / "bad.csv"
    path.write_text("unit,A,B\nX,1,oops\nY,two,3\nZ,4,5\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_dataset(path)
    where = [(p.row, p.column) for p in info.value.problems]
    assert where == [(2, "B"), (3, "A")]


def test_duplicate_unit_code_names_both_rows(tmp_path: Path) -> None:
    """A unit code twice in one period is an error at the second row naming the first."""
    path = tmp_path / "dup.csv"
    path.write_text("unit,A\nX,1\nY,2\nX,3\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_dataset(path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.unit) == (4, "unit", "X")
    assert "first on row 2" in problem.message


def test_unknown_and_missing_columns_against_a_schema(tmp_path: Path) -> None:
    """With a schema, an unknown column and a missing indicator column are both reported."""
    path = write_csv(tmp_path / "t.csv", ["unit", "A", "Typo"], [["X", 1, 2]])
    with pytest.raises(DataError) as info:
        read_dataset(path, TableSchema(numeric=("A", "B"), required=("A", "B")))
    messages = {(p.row, p.column): p.message for p in info.value.problems}
    assert set(messages) == {(1, "Typo"), (1, "B")}
    assert "unknown column 'Typo'" in messages[(1, "Typo")]
    assert "missing column for indicator 'B'" in messages[(1, "B")]


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a DataError naming it, not an OSError."""
    with pytest.raises(DataError) as info:
        read_dataset(tmp_path / "nope.xlsx")
    assert info.value.problems[0].file == str(tmp_path / "nope.xlsx")
    assert "not found" in info.value.problems[0].message


def test_ragged_csv_row(tmp_path: Path) -> None:
    """A row with more cells than the header is reported with its row number."""
    path = tmp_path / "ragged.csv"
    path.write_text("unit,A\nX,1\nY,2,3\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_dataset(path)
    assert info.value.problems[0].row == 3


# -- missing values and panels ------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_empty_cells_are_nan(fmt: str, tmp_path: Path) -> None:
    """Empty cells (and NA markers) are NaN; the unit keeps its row."""
    header = ["unit", "A", "B"]
    missing = "NA" if fmt == "csv" else None
    rows: list[list[Any]] = [["X", None, 1], ["Y", 2, None], ["Z", missing, 3]]
    writer = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}[fmt]
    data = read_dataset(writer(tmp_path / f"e.{fmt}", header, rows))
    assert data.unit_codes == ("X", "Y", "Z")
    np.testing.assert_array_equal(
        np.isnan(data.values[0]), [[True, False], [False, True], [True, False]]
    )


def test_period_column_makes_a_panel(tmp_path: Path) -> None:
    """A year column gives one slice per period, units in first-appearance order."""
    path = tmp_path / "panel.csv"
    path.write_text("unit,year,A\nX,2023,3\nX,2022,1\nY,2022,2\nY,2023,4\n", encoding="utf-8")
    data = read_dataset(path)
    assert data.periods == (2022, 2023)
    assert data.unit_codes == ("X", "Y")
    assert data.shape == (2, 2, 1)
    assert data.column("A", 2022).tolist() == [1.0, 2.0]
    assert data.column("A", 2023).tolist() == [3.0, 4.0]
    one = read_dataset(path, TableSchema(period=2023))
    assert one.periods == (2023,)
    assert one.column("A").tolist() == [3.0, 4.0]


def test_asem_panel_sample(tmp_path: Path) -> None:
    """The asem panel file reads as 5 periods × 51 units with the pack's layout."""
    pack = dxframework.get_pack("asem")
    data = pack.load_data(pack.root / "data" / "ASEM_iData_p.csv")
    assert data.periods == (2018, 2019, 2020, 2021, 2022)
    assert len(data.units) == 51
    assert set(pack.framework.indicator_codes) <= set(data.columns)
    single = pack.load_data(pack.root / "data" / "ASEM_iData_p.csv", period=2020)
    assert single.periods == (2020,)


def test_numeric_unit_codes_from_excel_are_text(tmp_path: Path) -> None:
    """Unit codes stored as numbers in Excel (statistics-office codes) read as "0", "1", "79"."""
    path = write_xlsx(tmp_path / "codes.xlsx", ["unit", "A"], [[0, 1.0], [1, 2.0], [79.0, 3.0]])
    assert read_dataset(path).unit_codes == ("0", "1", "79")


def test_row_numbers_are_kept_for_later_problems(tmp_path: Path) -> None:
    """A data set remembers each unit's file row so a later stage's problem can name it."""
    path = tmp_path / "rows.csv"
    path.write_text("unit,A\nX,1\n\nY,2\n", encoding="utf-8")  # a blank line is skipped
    data = read_dataset(path)
    assert dict(data.row_numbers) == {(0, "X"): 2, (0, "Y"): 4}
    derived = data.with_columns(["B"], data.values * 2).select(units=["Y"])
    (located,) = derived.locate([Problem("is zero", file=str(path), unit="Y", column="B")])
    assert located.row == 4
    (other,) = derived.locate([Problem("elsewhere", file="other.csv", unit="Y")])
    assert other.row is None


# -- inputs are never modified ------------------------------------------------------------------
def test_reading_never_modifies_the_file(tmp_path: Path) -> None:
    """Reading CSV and Excel files leaves their bytes and modification time unchanged."""
    paths = [
        write_csv(tmp_path / "t.csv", HEADER, ROWS),
        write_xlsx(tmp_path / "t.xlsx", HEADER, ROWS),
    ]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    for p in paths:
        read_dataset(p)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths} == before
    assert sorted(q.name for q in tmp_path.iterdir()) == ["t.csv", "t.xlsx"]


# -- framework tables ---------------------------------------------------------------------------
def test_text_in_a_numeric_metadata_cell_is_reported(tmp_path: Path) -> None:
    """Text in the Level or Target column of a metadata table is an error at that cell."""
    path = tmp_path / "meta.csv"
    path.write_text(
        "iCode,Type,Parent,Weight,Level,Target\n"
        "A,Indicator,Top,1,1,high\n"
        "B,Indicator,Top,1,1,\n"
        "Top,Aggregate,,,two,\n",
        encoding="utf-8",
    )
    with pytest.raises(FrameworkError) as info:
        read_framework(path)
    where = {(p.row, p.column) for p in info.value.problems}
    assert where == {(2, "Target"), (4, "Level")}


def test_framework_table_problems_name_row_and_column(tmp_path: Path) -> None:
    """Graph faults found after reading (cycle, zero weights, unknown parent, duplicate code)
    point at the row and the table's own column header."""
    path = tmp_path / "meta.csv"
    path.write_text(
        "iCode,Type,Parent,Weight\n"
        "A,Indicator,Z,0\n"  # 2
        "B,Indicator,Z,0\n"  # 3
        "C,Indicator,Nowhere,1\n"  # 4
        "Z,Aggregate,P,1\n"  # 5
        "P,Aggregate,Q,1\n"  # 6
        "Q,Aggregate,P,1\n",
        encoding="utf-8",
    )  # 7
    with pytest.raises(FrameworkError) as info:
        read_framework(path)
    found = {(p.row, p.column): p.message for p in info.value.problems}
    assert len(found) == len(info.value.problems) == 3  # C is not also called an orphan
    assert "unknown parent code 'Nowhere'" in found[(4, "Parent")]
    assert "the weights of the children of 'Z' (A, B) sum to zero" in found[(2, "Weight")]
    cycle = found.get((6, "Parent")) or found[(7, "Parent")]
    assert "P → Q → P" in cycle or "Q → P → Q" in cycle

    dup = tmp_path / "dup.csv"
    dup.write_text("iCode,Parent\nA,T\nA,T\nT,\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        read_framework(dup)
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (3, "iCode")
    assert "first on row 2" in problem.message


# -- writing ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def asem_result() -> dxframework.RunResult:
    """The asem pack's sample data scored with its default pipeline."""
    return dxframework.get_pack("asem").run()


def test_write_run_writes_every_file(asem_result: dxframework.RunResult, tmp_path: Path) -> None:
    """write_run creates the folder with one CSV per stage, results, records and manifest."""
    out = tmp_path / "deep" / "out"
    written = write_run(asem_result, out)
    assert sorted(p.name for p in written) == sorted(
        p.name for p in out.iterdir() if p.name != writers_module.MARKER
    )
    assert {"results.csv", "manifest.json", "records.json", "treated.csv"} <= {
        p.name for p in written
    }
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".dxf-")]
    text = (out / "treated.csv").read_text(encoding="utf-8")
    assert text.startswith("unit,")


def test_write_run_is_all_or_nothing(
    asem_result: dxframework.RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure part-way through writing leaves no output folder, no parents, no temp files."""
    real = writers_module.dataset_csv_text
    calls = {"n": 0}

    def fail_on_third(*args: Any, **kwargs: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(writers_module, "dataset_csv_text", fail_on_third)
    out = tmp_path / "new" / "nested" / "out"
    with pytest.raises(OSError, match="disk full"):
        write_run(asem_result, out)
    assert calls["n"] == 3
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # not even the parent folders it created


def test_failed_write_keeps_an_existing_folder_as_it_was(
    asem_result: dxframework.RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing into an existing folder and failing leaves its files exactly as they were."""
    out = tmp_path / "out"
    write_run(asem_result, out)  # an earlier run's folder (a folder of other files is refused)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def boom(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(writers_module, "_json_text", boom)
    with pytest.raises(RuntimeError):
        write_run(asem_result, out)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
