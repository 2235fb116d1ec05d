"""Reading numbers as people write them, workbooks as agencies send them, and assembly.

Expected values are the numbers a person means by each cell, written by hand below.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

import dxframework
from dxframework.cli.main import cli
from dxframework.errors import DataError
from dxframework.io import ColumnRule, TableSchema, assemble, read_dataset
from dxframework.io.assemble import Precedence

# -- numbers --------------------------------------------------------------------------------


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("cells", "locale", "expected"),
    [
        # the table's unambiguous cells decide: 0,5 → decimal comma, so 1.234 is 1234
        (['"0,5"', "1.234"], None, [0.5, 1234.0]),
        # 12.75 → decimal point, so "1,227" is 1227 (a thousands group)
        (["12.75", '"1,227"'], None, [12.75, 1227.0]),
        (['"1.234,5"', '"0,8"'], None, [1234.5, 0.8]),
        (['"1,234.5"', "0.8"], None, [1234.5, 0.8]),
        (["1.234.567", "2"], None, [1234567.0, 2.0]),
        # a declared locale reads the ambiguous form without evidence
        (["1.234", "2"], "vi", [1234.0, 2.0]),
        (["1.234", "2"], "en", [1.234, 2.0]),
        (['"1,227"', "2"], "vi", [1.227, 2.0]),
        (['"−2,5"', "3"], None, [-2.5, 3.0]),  # a typographic minus
        (["", "-"], None, [math.nan, math.nan]),  # blanks and a dash are missing
    ],
)
def test_numbers_read_as_meant(
    tmp_path: Path, cells: list[str], locale: str | None, expected: list[float]
) -> None:
    path = _csv(
        tmp_path / "n.csv", "unit,A\n" + "".join(f"u{i},{c}\n" for i, c in enumerate(cells))
    )
    got = read_dataset(path, TableSchema(locale=locale)).column("A").tolist()
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("1.234", "can be read both ways"),  # no evidence, no locale: never a guess
        ('"1,227"', "can be read both ways"),
        ("0_5", "is not a number"),  # Python's float() would read 5
        ("inf", "not a finite number"),
        ("NaN", "not a finite number"),
        ("Infinity", "not a finite number"),
        ('"1 234"', "is not a number"),
        ("1.2.3", "is not a number"),
    ],
)
def test_ambiguous_or_bad_numbers_are_errors_naming_the_cell(
    tmp_path: Path, cell: str, fragment: str
) -> None:
    path = _csv(tmp_path / "bad.csv", f"unit,A\nX,1\nY,{cell}\n")
    with pytest.raises(DataError) as info:
        read_dataset(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.unit) == (str(path), 3, "A", "Y")
    assert fragment in problem.message


def test_a_table_writing_numbers_two_ways_is_an_error(tmp_path: Path) -> None:
    path = _csv(tmp_path / "mixed.csv", 'unit,A,B\nX,"0,5",0.25\nY,"1.234",2\n')
    with pytest.raises(DataError) as info:
        read_dataset(path)
    assert "two ways" in str(info.value)
    assert "--locale" in str(info.value)


def test_a_declared_locale_refuses_the_other_form(tmp_path: Path) -> None:
    path = _csv(tmp_path / "en.csv", 'unit,A\nX,"12,5"\n')
    with pytest.raises(DataError, match="declared en locale"):
        read_dataset(path, TableSchema(locale="en"))


RULES = {
    "PCT": ColumnRule("percent", 0.0, 100.0),
    "FRAC": ColumnRule("fraction", 0.0, 1.0),
    "COUNT": ColumnRule(None, 0.0, None, integer=True),
}


def test_percent_signs_read_by_the_indicators_unit(tmp_path: Path) -> None:
    """75% is 75 in a % column and 0.75 in a 0–1 column; in a count column it is an error."""
    path = _csv(tmp_path / "p.csv", "unit,PCT,FRAC\nX,75%,75%\nY,40,0.4\nZ,12.5%,0.5\n")
    data = read_dataset(path, TableSchema(rules=RULES))
    np.testing.assert_array_equal(data.column("PCT"), [75.0, 40.0, 12.5])
    np.testing.assert_array_equal(data.column("FRAC"), [0.75, 0.4, 0.5])
    bad = _csv(tmp_path / "c.csv", "unit,COUNT\nX,75%\n")
    with pytest.raises(DataError, match="percentage"):
        read_dataset(bad, TableSchema(rules=RULES))


@pytest.mark.parametrize(
    ("column", "cell", "fragment"),
    [
        ("FRAC", "75", "looks like a percentage (0–100) in a 0–1 column"),
        ("PCT", "130", "above the allowed range [0, 100]"),
        ("COUNT", "-2", "below the allowed range"),
        ("COUNT", "2.5", "not a whole number"),
    ],
)
def test_values_outside_their_rule_name_the_cell(
    tmp_path: Path, column: str, cell: str, fragment: str
) -> None:
    path = _csv(tmp_path / "r.csv", f"unit,{column}\nX,1\nY,{cell}\n")
    with pytest.raises(DataError) as info:
        read_dataset(path, TableSchema(rules=RULES))
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (3, column)
    assert fragment in problem.message


def test_fractions_in_a_percent_column_are_named(tmp_path: Path) -> None:
    path = _csv(tmp_path / "f.csv", "unit,PCT\nX,0.75\nY,0.5\nZ,0.92\n")
    with pytest.raises(DataError, match="look like fractions"):
        read_dataset(path, TableSchema(rules=RULES))


def test_headers_in_vietnamese_and_a_title_row(tmp_path: Path) -> None:
    """Mã/Tên/Năm are the unit, name and period columns; a title above the header is skipped."""
    text = "Báo cáo chuyển đổi số năm 2024,,,\nMã,Tên,Năm,a\n001,Xã A,2024,1\n002,Xã B,2024,2\n"
    data = read_dataset(_csv(tmp_path / "vn.csv", text), TableSchema(numeric=("A",)))
    assert data.unit_codes == ("001", "002")
    assert [u.name for u in data.units] == ["Xã A", "Xã B"]
    assert data.periods == (2024,)
    assert data.columns == ("A",)  # "a" matched the code "A" with case folded


def test_encodings_and_quoted_line_breaks(tmp_path: Path) -> None:
    text = 'unit,name,A\n001,"Đông\nTâm",1.5\n'
    assert read_dataset(_csv(tmp_path / "u16.csv", text, "utf-16")).column("A").tolist() == [1.5]
    cp = _csv(tmp_path / "cp.csv", text, "cp1258")
    with pytest.raises(DataError, match="cp1258"):
        read_dataset(cp)
    data = read_dataset(cp, encoding="cp1258")
    assert data.units[0].name == "Đông\nTâm"


def test_json_traps(tmp_path: Path) -> None:
    dup = tmp_path / "dup.json"
    dup.write_text('[{"unit": "X", "A": 1, "A": 2}]', encoding="utf-8")
    with pytest.raises(DataError, match="duplicate key 'A'"):
        read_dataset(dup)
    inf = tmp_path / "inf.json"
    inf.write_text('[{"unit": "X", "A": Infinity}]', encoding="utf-8")
    with pytest.raises(DataError, match="Infinity"):
        read_dataset(inf)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(DataError, match="nested too deep"):
        read_dataset(deep)
    big = tmp_path / "big.json"
    big.write_text('[{"unit": "X", "A": 1' + "0" * 5000 + "}]", encoding="utf-8")
    with pytest.raises(DataError, match="invalid JSON"):
        read_dataset(big)


# -- workbooks ------------------------------------------------------------------------------
def _book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Hướng dẫn"
    ws.append(["Điền số liệu vào các sheet huyện"])
    stale = wb.create_sheet("cũ")  # hidden and stale: never read unless named
    stale.sheet_state = "hidden"
    stale.append(["unit", "PCT"])
    stale.append(["X", 1.0])
    ws = wb.create_sheet("Huyện A")
    ws.append(["Số liệu năm 2024"])
    ws.append(["unit", "PCT", "COUNT"])
    ws.append(["X", 0.95, 3])
    ws["B3"].number_format = "0%"  # Excel shows 95 %; the cell holds 0.95
    ws.append(["Y", 40, 4])
    wb.save(path)
    return path


def test_workbook_sheets_percent_formats_and_hidden_sheets(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx")
    data = read_dataset(path, TableSchema(rules=RULES))
    assert data.unit_codes == ("X", "Y")
    np.testing.assert_array_equal(data.column("PCT"), [95.0, 40.0])
    hidden = read_dataset(path, sheet="cũ")  # named: read
    assert hidden.column("PCT").tolist() == [1.0]


def test_formula_without_a_cached_value_is_an_error(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["unit", "A"])
    ws.append(["X", "=1+1"])  # openpyxl writes the formula with no computed value
    path = tmp_path / "f.xlsx"
    wb.save(path)
    with pytest.raises(DataError) as info:
        read_dataset(path)
    (problem,) = info.value.problems
    assert (problem.sheet, problem.row) == ("Sheet", 2)
    assert "B2 holds a formula without a computed value" in problem.message


# -- assembly -------------------------------------------------------------------------------
def _write(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_assembly_keeps_provenance_and_finds_conflicts(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.csv", [["unit", "A", "B"], ["X", 1, 2], ["Y", 3, ""]])
    b = _write(tmp_path / "b.csv", [["unit", "agency", "B"], ["Y", "STTTT", 4], ["X", "STTTT", 2]])
    result = assemble([a, b])
    data = result.dataset
    np.testing.assert_array_equal(data.values[0], [[1.0, 2.0], [3.0, 4.0]])
    prov = {(r["unit"], r["indicator"], r["status"]): r for r in result.provenance_rows()}
    assert prov[("Y", "B", "used")]["file"] == str(b)
    assert prov[("Y", "B", "used")]["agency"] == "STTTT"
    assert prov[("Y", "B", "used")]["row"] == 2
    assert prov[("X", "B", "also reported")]["file"] == str(b)  # equal values agree
    assert prov[("X", "A", "used")]["agency"] == "a"  # the file's name
    # a differing value is a conflict naming both sources, unless a precedence decides
    c = _write(tmp_path / "c.csv", [["unit", "A"], ["X", 9]])
    with pytest.raises(DataError) as info:
        assemble([a, c])
    message = str(info.value)
    assert "is 1 in" in message and "but 9 in" in message
    assert str(a) in message and str(c) in message
    later = assemble([a, c], precedence=Precedence.parse("order"))
    assert later.dataset.values[0, 0, 0] == 9.0
    assert later.conflicts[0]["resolution"] == "b"
    ranked = assemble([a, c], precedence=Precedence.parse("agency:a,c"))
    assert ranked.dataset.values[0, 0, 0] == 1.0
    cov = {r["unit"]: r for r in assemble([a]).coverage_rows()}
    assert cov["Y"]["missing"] == "B" and cov["X"]["reported"] == 2


def test_a_file_without_period_joins_the_single_year_of_the_others(tmp_path: Path) -> None:
    """Beside files that all hold 2024, a file without a period column is read as 2024 (a
    note says so); beside files holding 2023 and 2024 its year is unknown: an error."""
    a = _write(tmp_path / "a.csv", [["unit", "Năm", "A"], ["X", 2024, 1], ["Y", 2024, 3]])
    b = _write(tmp_path / "b.csv", [["unit", "B"], ["X", 2], ["Y", 4]])
    joined = assemble([a, b])
    assert joined.dataset.periods == (2024,)
    np.testing.assert_array_equal(joined.dataset.values[0], [[1.0, 2.0], [3.0, 4.0]])
    (note,) = [n for n in joined.notes if "no period column" in n]
    assert str(b) in note and "2024" in note
    two = _write(tmp_path / "two.csv", [["unit", "Năm", "A"], ["X", 2023, 1], ["X", 2024, 5]])
    with pytest.raises(DataError) as info:
        assemble([two, b])
    assert "no period column, though other files have one" in str(info.value)
    assert str(b) in str(info.value)


def test_a_sheet_without_period_names_the_sheet_and_the_years_beside_it(tmp_path: Path) -> None:
    """The other table may be a sheet of the same workbook: the error names that sheet (not
    only the file, which is the file of the refused sheet too) and the years it holds."""
    book = openpyxl.Workbook()
    dated = book.active
    assert dated is not None
    dated.title = "Huyện"
    for row in [["unit", "Năm", "A"], ["X", 2023, 1], ["X", 2024, 5]]:
        dated.append(row)
    undated = book.create_sheet("Sở")
    for row in [["unit", "B"], ["X", 2]]:
        undated.append(row)
    path = tmp_path / "mixed.xlsx"
    book.save(path)
    with pytest.raises(DataError) as info:
        assemble([path])
    (problem,) = info.value.problems
    assert problem.sheet == "Sở"
    assert f"(e.g. {path}, sheet 'Huyện'), holding 2023, 2024" in problem.message


def test_dxf_assemble_eight_district_workbooks(tmp_path: Path) -> None:
    """Eight district workbooks with overlapping communes; one value reported two ways."""
    pack = dxframework.get_pack("backan")
    src = pack.level("commune").data_path
    assert src is not None
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    j_parent, j_ht1 = header.index("parent"), header.index("HT1")
    districts = sorted({r[j_parent] for r in body})
    assert len(districts) == 8
    folder = tmp_path / "submissions"
    folder.mkdir()
    for k, d in enumerate(districts):
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = f"Huyện {d}"
        ws.append([f"Báo cáo của huyện {d}"])
        ws.append(header)
        mine = [r for r in body if r[j_parent] == d]
        extra = [r for r in body if r[j_parent] == districts[(k + 1) % 8]][:1]  # overlap
        for r in mine + extra:
            cells: list[object] = [_typed(v) for v in r]
            if k == 0 and r in extra:
                cells[j_ht1] = 12.5  # this district reports its neighbour's commune otherwise
            ws.append(cells)
        wb.save(folder / f"huyen-{d}.xlsx")
    out = tmp_path / "assembled"
    runner = CliRunner()
    res = runner.invoke(
        cli, ["assemble", str(folder), "-p", "backan", "-l", "commune", "-o", str(out)]
    )
    assert res.exit_code == 2
    assert "conflict: HT1" in res.output and "huyen-058" in res.output and "huyen-060" in res.output
    assert not out.exists()  # nothing written
    res = runner.invoke(
        cli,
        [
            "assemble",
            str(folder),
            "-p",
            "backan",
            "-l",
            "commune",
            "-o",
            str(out),
            "--prefer",
            "order",
        ],
    )
    assert res.exit_code == 0, res.output
    with (out / "conflicts.csv").open(encoding="utf-8") as fh:
        (conflict,) = list(csv.DictReader(fh))
    assert (conflict["indicator"], conflict["value_a"], conflict["resolution"]) == (
        "HT1",
        "12.5",
        "b",
    )
    with (out / "provenance.csv").open(encoding="utf-8") as fh:
        prov = list(csv.DictReader(fh))
    used = [p for p in prov if p["status"] == "used"]
    assert len({(p["unit"], p["indicator"]) for p in used}) == len(used)
    assert {p["sheet"] for p in used} == {f"Huyện {d}" for d in districts}
    # the assembled data score exactly as the original CSV
    level = pack.level("commune")
    again = level.run(level.load_data(out / "data.csv"))
    original = level.run(level.load_data(src))
    np.testing.assert_array_equal(again.scores.values, original.scores.values)


def _typed(cell: str) -> object:
    try:
        return float(cell) if cell.strip() else None
    except ValueError:
        return cell


def test_run_accepts_several_files_and_never_drops_one(tmp_path: Path) -> None:
    """Two --data files are both read (a value only in the second reaches the result)."""
    pack = dxframework.get_pack("asem")
    level = pack.level()
    src = level.data_path
    assert src is not None
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    first = _write(tmp_path / "first.csv", [header, *rows[1:26]])
    second = _write(tmp_path / "second.csv", [header, *rows[26:]])
    data = level.load_data([first, second])
    whole = level.load_data(src)
    assert data.unit_codes == whole.unit_codes
    np.testing.assert_array_equal(data.values, whole.values)
    res = CliRunner().invoke(
        cli, ["validate", "-p", "asem", "--data", str(first), "--data", str(second)]
    )
    assert res.exit_code == 0, res.output
    assert f"{len(whole.units)} units" in res.output


def test_json_in_another_encoding_asks_for_json_not_csv(tmp_path: Path) -> None:
    p = tmp_path / "data.json"
    p.write_bytes('[{"unit": "A", "name": "Đà", "x": 1}]'.encode("cp1258"))  # Đ = 0xD0
    with pytest.raises(DataError) as err:
        read_dataset(p)
    text = str(err.value)
    assert "not UTF-8 text" in text and "as JSON in UTF-8" in text and "CSV" not in text
