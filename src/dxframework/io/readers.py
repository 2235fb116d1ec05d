"""The built-in file readers: CSV, Excel (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``) and JSON.

Each reader turns a file into :class:`~dxframework.io.tables.RawTable` objects (one per sheet
read) and nothing more: no number is parsed here, so every reader goes through the same
number rules (:mod:`dxframework.io.numbers`). The readers are registered as data loaders by
the built-in plugin, through the same hook a third-party plugin uses; a plugin may replace one
for a suffix.

- CSV: UTF-8 (with or without BOM), UTF-16 with a BOM, or the ``encoding`` given (``cp1258``
  for files saved by Vietnamese Windows); comma, semicolon or tab; quoted line breaks kept.
  Read as a stream, so memory stays proportional to the cells, not to several copies of the
  text.
- Excel: read with python-calamine (fast); every visible sheet, or only the one named (hidden
  sheets are read only when named). Cells formatted as a percentage and formula cells without
  a cached value are found in the sheet's XML (``.xlsx``/``.xlsm``), so that they are read by
  the indicator's unit or reported, never misread.
- JSON: a list of records or ``{"records": [...]}``; duplicate keys, ``NaN``/``Infinity``,
  numbers out of range and absurd nesting are errors naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from dxframework.errors import DataError, Problem
from dxframework.io.raw import RawTable

__all__ = ["EXCEL_SUFFIXES", "READERS", "read_csv", "read_excel", "read_json"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# -- CSV ------------------------------------------------------------------------------------
def _open_text(p: Path, encoding: str | None) -> io.TextIOWrapper:
    with p.open("rb") as fh:
        head = fh.read(4)
    if encoding is None:
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(
            Problem(f"unknown encoding {encoding!r}", file=str(p), hint="e.g. utf-8, cp1258")
        ) from None
    return open(p, encoding=encoding, newline="")


_OTHER_SEPARATORS = "|:^~"


def _delimiter(p: Path, first_line: str) -> str:
    """Tab for .tsv; else the commonest of comma, semicolon and tab in the first line.

    A header with none of them but another separator (``code|name|NT1``) is an error: read
    as one column, it would only say that the unit column is missing.
    """
    if p.suffix.lower() == ".tsv":
        return "\t"
    best = max(",;\t", key=first_line.count)
    if not first_line.count(best):
        other = max(_OTHER_SEPARATORS, key=first_line.count)
        if first_line.count(other):
            raise DataError(
                Problem(
                    f"the header's columns are separated by {other!r}; dxf reads commas, "
                    "semicolons or tabs",
                    file=str(p),
                    row=1,
                    hint=f"save it as CSV from the spreadsheet, or replace {other!r} by ';'",
                )
            )
    return best


def _decode_problem(
    p: Path, exc: UnicodeDecodeError, encoding: str | None, kind: str = "CSV"
) -> DataError:
    save = "save the file as CSV UTF-8" if kind == "CSV" else f"save the file as {kind} in UTF-8"
    return DataError(
        Problem(
            f"not {encoding or 'UTF-8'} text ({exc.reason} at byte {exc.start})",
            file=str(p),
            hint=f"{save}, or give its encoding (--encoding cp1258 for Vietnamese Windows, utf-16)",
        )
    )


MAX_TEXT_MB = float(os.environ.get("DXF_MAX_TEXT_MB", "100"))
"""Largest CSV or JSON file read (MB), so that memory stays bounded (about 20 times the file
size at most); the environment variable ``DXF_MAX_TEXT_MB`` raises it."""


def _check_size(p: Path) -> None:
    size = p.stat().st_size / 1e6
    if size > MAX_TEXT_MB:
        raise DataError(
            Problem(
                f"the file is {size:.0f} MB, more than the {MAX_TEXT_MB:.0f} MB read at once",
                file=str(p),
                hint="split it (by district or by period: dxf assemble reads several files), "
                "or raise the limit with the environment variable DXF_MAX_TEXT_MB",
            )
        )


def read_csv_head(path: Path, n: int, encoding: str | None = None) -> list[list[str]]:
    """The first ``n`` records of a CSV file (for choosing a pack level from its header)."""
    p = Path(path)
    try:
        with _open_text(p, encoding) as fh:
            first = fh.readline()
            fh.seek(0)
            reader = csv.reader(fh, delimiter=_delimiter(p, first.lstrip("\ufeff")))
            rows = []
            for record in reader:
                rows.append([c.lstrip("\ufeff") for c in record])
                if len(rows) >= n:
                    break
            return rows
    except (UnicodeError, csv.Error):
        return []  # the full read reports it, with the place


def read_csv(path: Path, sheet: str | None = None, encoding: str | None = None) -> RawTable:
    """Read a CSV (or TSV) file; rows are numbered as lines of the file (header = 1)."""
    p = Path(path)
    _check_size(p)
    try:
        with _open_text(p, encoding) as fh:
            first = fh.readline()
            fh.seek(0)
            if first.startswith("\ufeff"):
                first = first[1:]
            reader = csv.reader(fh, delimiter=_delimiter(p, first), strict=True)
            rows: list[tuple[str, ...]] = []
            numbers: list[int] = []
            line = 1
            try:
                for record in reader:
                    if any(c.strip() for c in record):
                        rows.append(tuple(record))
                        numbers.append(line)
                    line = reader.line_num + 1
            except csv.Error as exc:
                raise DataError(
                    Problem(f"malformed CSV: {exc}", file=str(p), row=reader.line_num)
                ) from None
    except UnicodeDecodeError as exc:
        raise _decode_problem(p, exc, encoding) from None
    except UnicodeError as exc:  # UTF-16 without a valid BOM and the like
        raise DataError(Problem(f"cannot decode the file: {exc}", file=str(p))) from None
    if rows and rows[0] and rows[0][0].startswith("\ufeff"):
        rows[0] = (rows[0][0][1:], *rows[0][1:])
    return RawTable.from_rows(str(p), rows, numbers, strict_width=True)


# -- Excel ----------------------------------------------------------------------------------
def _calamine() -> Any:
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "reading Excel files needs python-calamine", name="python_calamine"
        ) from None
    return python_calamine


_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_XF = re.compile(rb"<xf\b([^>]*)/?>")
_NUMFMT = re.compile(rb'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"')
_PERCENT_BUILTIN = {9, 10}


def col_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part inside an ``.xlsx``."""
    wb = z.read("xl/workbook.xml")
    rels = z.read("xl/_rels/workbook.xml.rels")
    targets = {
        m.group(1).decode(): m.group(2).decode()
        for m in re.finditer(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets.update(
        {
            m.group(2).decode(): m.group(1).decode()
            for m in re.finditer(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
    )
    out: dict[str, str] = {}
    for m in re.finditer(rb"<sheet\b([^>]*)/?>", wb):
        attrs_ = m.group(1)
        name = re.search(rb'\bname="([^"]*)"', attrs_)
        rid = re.search(rb'\br:id="([^"]*)"', attrs_) or re.search(rb'\bid="([^"]*)"', attrs_)
        if name and rid and rid.group(1).decode() in targets:
            target = targets[rid.group(1).decode()].lstrip("/")
            out[_unescape(name.group(1).decode())] = (
                target if target.startswith("xl/") else "xl/" + target
            )
    return out


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _percent_styles(z: zipfile.ZipFile) -> set[int]:
    try:
        styles = z.read("xl/styles.xml")
    except KeyError:
        return set()
    custom = {
        int(m.group(1))
        for m in _NUMFMT.finditer(styles)
        if "%" in re.sub(r'"[^"]*"|\\.', "", _unescape(m.group(2).decode()))
    }
    percent = _PERCENT_BUILTIN | custom
    xfs = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    if not xfs:
        return set()
    out: set[int] = set()
    for k, m in enumerate(_XF.finditer(xfs.group(1))):
        fmt = re.search(rb'\bnumFmtId="(\d+)"', m.group(1))
        if fmt and int(fmt.group(1)) in percent:
            out.add(k)
    return out


def _xlsx_marks(
    p: Path, sheet: str, formulas: bool = True
) -> tuple[frozenset[tuple[int, int]], tuple[tuple[int, int, str], ...]]:
    """Cells of a sheet formatted as a percentage, and cells without a usable value: formula
    cells with no cached value (``""``) and error values (``"#DIV/0!"``).

    Positions are ``(row number, column index)`` with rows from 1 and columns from 0. The
    sheet's XML is scanned only when the workbook has percentage formats or ``formulas``.
    """
    try:
        with zipfile.ZipFile(p) as z:
            pct_styles = _percent_styles(z)
            if not pct_styles and not formulas:
                return frozenset(), ()
            part = _sheet_paths(z).get(sheet)
            if part is None:
                return frozenset(), ()
            xml = z.read(part)
    except (zipfile.BadZipFile, KeyError, OSError, NotImplementedError, RuntimeError) as exc:
        raise DataError(
            Problem(
                f"cannot read the workbook's parts: {type(exc).__name__}: {exc}",
                file=str(p),
                sheet=sheet,
                hint="save it again from Excel or LibreOffice as .xlsx",
            )
        ) from None
    style_re = (
        re.compile(rb'\bs="(' + b"|".join(str(s).encode() for s in sorted(pct_styles)) + rb')"')
        if pct_styles
        else None
    )
    has_formula = formulas and (b"<f" in xml or b't="e"' in xml)
    if style_re is None and not has_formula:
        return frozenset(), ()
    percent: set[tuple[int, int]] = set()
    uncached: list[tuple[int, int, str]] = []
    for m in _CELL.finditer(xml):
        head, body = m.group(1), m.group(3) or b""
        ref = _REF.search(head)
        if ref is None:
            continue
        pos = (int(ref.group(2)), _col_index(ref.group(1)))
        if style_re is not None and style_re.search(head):
            percent.add(pos)
        if not has_formula:
            continue
        if b't="e"' in head:  # an error value (#DIV/0!, #N/A): calamine reads it as blank
            value = re.search(rb"<v>([^<]*)</v>", body)
            uncached.append((*pos, value.group(1).decode() if value else "#ERROR"))
            continue
        cached = re.search(rb"<v>[^<]+</v>", body) or (b't="str"' in head and b"<v" in body)
        if b"<f" in body and not cached:  # t="str" <v></v>: an empty text
            uncached.append((*pos, ""))
    return frozenset(percent), tuple(uncached)


def _header_at(cells: list[list[Any]], j: int) -> str | None:
    """Column ``j``'s first text among the first 30 rows: its header, for messages."""
    for row in cells[:30]:
        if 0 <= j < len(row) and isinstance(row[j], str) and row[j].strip():
            return str(row[j]).strip()
    return None


def read_excel(path: Path, sheet: str | None = None, encoding: str | None = None) -> list[RawTable]:
    """Read every visible sheet of a workbook (or only ``sheet``, hidden or not)."""
    p = Path(path)
    pc = _calamine()
    try:
        wb = pc.CalamineWorkbook.from_path(str(p))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise DataError(
            Problem(
                f"cannot open as a workbook: {type(exc).__name__}: {exc}",
                file=str(p),
                hint="save it again from Excel or LibreOffice as .xlsx",
            )
        ) from None
    meta = {m.name: m for m in wb.sheets_metadata}
    if sheet is not None:
        if sheet not in meta:
            raise DataError(
                Problem(
                    f"no sheet {sheet!r} (sheets: {', '.join(wb.sheet_names)})",
                    file=str(p),
                    hint="name one of them with --sheet",
                )
            )
        names = [sheet]
    else:
        names = [n for n in wb.sheet_names if str(meta[n].visible).endswith("Visible")]
        if not names:
            raise DataError(Problem("the workbook has no visible sheet", file=str(p)))
    is_xlsx = p.suffix.lower() in (".xlsx", ".xlsm")
    tables: list[RawTable] = []
    for name in names:
        try:
            ws = wb.get_sheet_by_name(name)
            cells = ws.to_python(skip_empty_area=True)
            row0, col0 = ws.start if ws.start is not None else (0, 0)
        except Exception as exc:
            raise DataError(
                Problem(f"cannot read sheet {name!r}: {type(exc).__name__}: {exc}", file=str(p))
            ) from None
        rows: list[tuple[Any, ...]] = []
        numbers: list[int] = []
        blanks = False
        for i, r in enumerate(cells):
            n_blank = r.count("") + r.count(None)
            if n_blank == len(r):
                continue
            if n_blank:
                blanks = True
                r = [None if c == "" or (isinstance(c, str) and not c.strip()) else c for c in r]
                if all(c is None for c in r):
                    continue
            rows.append(tuple(r))
            numbers.append(row0 + i + 1)
        # a formula without a cached value reads as an empty cell: look for them only then
        percent, uncached = _xlsx_marks(p, name, formulas=blanks) if is_xlsx else (frozenset(), ())
        problems = [
            Problem(
                f"cell {col_letter(c)}{r} holds a formula without a computed value"
                if not err
                else f"cell {col_letter(c)}{r} holds the error {err}",
                file=str(p),
                sheet=name,
                row=r,
                column=_header_at(cells, c - col0),
                hint="open the file in Excel or LibreOffice, let it recalculate, save, and "
                "send it again (or type the value)"
                if not err
                else "correct the formula or type the value; leave the cell empty if the "
                "value is not reported",
            )
            for r, c, err in uncached
        ]
        if problems:
            raise DataError(problems)
        # positions relative to the table: (row number, column index within the rows)
        shifted = frozenset((r, c - col0) for r, c in percent if c >= col0)
        tables.append(
            RawTable.from_rows(
                str(p), rows, numbers, sheet=name, percent_cells=shifted, first_column=col0
            )
        )
    return tables


# -- JSON -----------------------------------------------------------------------------------
def _no_duplicates(p: Path) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            k = _nfc(k)  # "Tên" typed two ways is one key twice
            if k in out:
                raise DataError(
                    Problem(
                        f"duplicate key {k!r} in one object",
                        file=str(p),
                        hint="each record names each column once",
                    )
                )
            out[k] = v
        return out

    return hook


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(path: Path, sheet: str | None = None, encoding: str | None = None) -> RawTable:
    """Read a JSON list of records (or ``{"records": [...]}``/``{"data": [...]}``)."""
    p = Path(path)
    _check_size(p)
    try:
        text = p.read_text(encoding=encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _decode_problem(p, exc, encoding, "JSON") from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates(p), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DataError(Problem(f"invalid JSON: {exc.msg}", file=str(p), row=exc.lineno)) from None
    except RecursionError:
        raise DataError(
            Problem("invalid JSON: nested too deep", file=str(p), hint="use flat records")
        ) from None
    except ValueError as exc:  # an integer too long to convert, NaN/Infinity
        raise DataError(Problem(f"invalid JSON: {exc}", file=str(p))) from None
    records = doc.get("records", doc.get("data")) if isinstance(doc, dict) else doc
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataError(
            Problem('expected a list of records (objects), or {"records": [...]}', file=str(p))
        )
    header: dict[str, None] = {}
    for r in records:
        header.update(dict.fromkeys(_nfc(str(k)) for k in r))
    cols = tuple(header)
    problems: list[Problem] = []
    rows: list[tuple[Any, ...]] = []
    for n, r in enumerate(records, start=1):
        rec = {_nfc(str(k)): v for k, v in r.items()}
        for k, v in rec.items():
            if isinstance(v, dict | list):
                problems.append(
                    Problem(
                        f"a nested {type(v).__name__} where a value is expected",
                        file=f"{p} record",
                        row=n,
                        column=k,
                    )
                )
        rows.append(tuple(rec.get(c) for c in cols))
    if problems:
        raise DataError(problems)
    # JSON has no rows: number records from 1 and say so in messages
    return RawTable(str(p) + " record", cols, tuple(rows), tuple(range(1, len(rows) + 1)))


def _iter_readers() -> Iterator[tuple[str, Callable[..., Any]]]:
    for suffix in (".csv", ".tsv", ".txt"):
        yield suffix, read_csv
    for suffix in EXCEL_SUFFIXES:
        yield suffix, read_excel
    yield ".json", read_json


READERS: Mapping[str, Callable[..., Any]] = dict(_iter_readers())
"""The built-in readers by file suffix: ``reader(path, sheet=None, encoding=None)``."""
