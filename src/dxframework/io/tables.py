"""Reading wide tables (CSV, Excel, JSON) into data sets, with errors that point at the cell.

A wide table has one row per unit (per period, in a panel) and one column per indicator or
auxiliary variable (denominators). Besides numbers it may hold a unit-code column, a name
column, a period column and grouping columns. Which is which comes from a :class:`TableSchema`
(a pack provides one); without it, common names are recognised (``unit``/``uCode``/``code``,
``name``/``uName``, ``period``/``year``/``Time``, columns ending in ``_group``).
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from dxframework.errors import DataError, Problem
from dxframework.model._convert import str_tuple
from dxframework.model.dataset import Dataset
from dxframework.model.units import Unit

__all__ = [
    "RawTable",
    "TableSchema",
    "read_dataset",
    "read_header",
    "read_table",
    "table_to_dataset",
]

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "..", "-", "—"})
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")

UNIT_ALIASES = ("unit", "ucode", "code", "unit_code", "ma")
NAME_ALIASES = ("name", "uname", "unit_name", "ten")
PERIOD_ALIASES = ("period", "year", "time", "nam")


@attrs.frozen
class RawTable:
    """Cells of a table as read, with the file name and the row number of each row."""

    source: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    row_numbers: tuple[int, ...]


@attrs.frozen
class TableSchema:
    """Which columns of a wide table play which role.

    ``numeric`` lists the expected numeric columns (indicators, denominators); when given,
    any other column that is not an id, name, period or group column is an error ("unknown
    column"), and ``required`` columns that are absent are errors too.
    """

    unit_column: str | None = None
    name_column: str | None = None
    period_column: str | None = None
    group_columns: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    parent_column: str | None = None
    level_column: str | None = None
    numeric: tuple[str, ...] | None = None
    required: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    period: int | None = None
    answers: Mapping[str, Mapping[str, float]] = attrs.field(factory=dict)
    """Text answers accepted in a column, by column: e.g. ``{"NT3": {"có": 1, "không": 0}}``.

    Matching ignores case and Unicode normalisation (NFC) and surrounding spaces.
    """


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def answer_key(text: str) -> str:
    """How text answers are compared: NFC, case-folded, surrounding spaces removed."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def read_table(path: str | Path, sheet: str | None = None) -> RawTable:
    """Read a CSV, ``.xlsx`` or JSON file into a :class:`RawTable` (nothing is modified)."""
    p = Path(path)
    if not p.exists():
        raise DataError(Problem("file not found", file=str(p), hint="check the path"))
    if p.is_dir():
        raise DataError(Problem("is a folder, not a data file", file=str(p)))
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(p, sheet)
    if suffix == ".json":
        return _read_json(p)
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(p)
    from dxframework.plugins.manager import get_registry

    loader = get_registry().loaders.get(suffix)
    if loader is not None:  # a format contributed by a plugin
        table: RawTable = loader.loader(p, sheet)
        return table
    known = ", ".join(sorted({".csv", ".xlsx", ".json", *get_registry().loaders}))
    raise DataError(
        Problem(f"unsupported file type {suffix!r}", file=str(p), hint=f"use one of: {known}")
    )


def _delimiter(p: Path, first_line: str) -> str:
    """Tab for .tsv; else the commonest of comma, semicolon and tab in the header line."""
    return "\t" if p.suffix.lower() == ".tsv" else max(",;\t", key=first_line.count)


def read_header(path: str | Path) -> tuple[str, ...]:
    """The column names of a table; for a CSV only its first line is read."""
    p = Path(path)
    if p.suffix.lower() in (".csv", ".tsv", ".txt") and p.is_file():
        with p.open(encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
        delimiter = _delimiter(p, first)
        return tuple(_nfc(h.strip()) for h in next(csv.reader([first], delimiter=delimiter), []))
    return read_table(p).header


def _read_csv(p: Path) -> RawTable:
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            Problem(
                f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                file=str(p),
                hint="save the file as CSV UTF-8",
            )
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = _delimiter(p, first)
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    lines = list(reader)
    if not lines or not any(c.strip() for c in lines[0]):
        raise DataError(Problem("the file is empty or has no header row", file=str(p), row=1))
    header = tuple(_nfc(h.strip()) for h in lines[0])
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    for n, line in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in line):
            continue
        if len(line) != len(header):
            raise DataError(
                Problem(
                    f"has {len(line)} cells, the header has {len(header)}",
                    file=str(p),
                    row=n,
                    hint="check for a stray delimiter",
                )
            )
        rows.append(tuple(line))
        numbers.append(n)
    return RawTable(str(p), header, tuple(rows), tuple(numbers))


def _read_excel(p: Path, sheet: str | None) -> RawTable:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the environment
        raise DataError(
            Problem(
                "reading Excel files needs openpyxl",
                file=str(p),
                hint="pip install 'dxframework[excel]'",
            )
        ) from None
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:
        raise DataError(Problem(f"cannot open as an Excel workbook: {exc}", file=str(p))) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise DataError(
                Problem(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})", file=str(p))
            )
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        all_rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not all_rows:
        raise DataError(Problem("the sheet is empty", file=str(p), row=1))
    raw_header = all_rows[0]
    width = max((j + 1 for j, h in enumerate(raw_header) if h not in (None, "")), default=0)
    header = tuple(_nfc(str(h).strip()) if h is not None else "" for h in raw_header[:width])
    rows: list[tuple[Any, ...]] = []
    numbers: list[int] = []
    for n, r in enumerate(all_rows[1:], start=2):
        cells = tuple(r[:width]) + (None,) * max(0, width - len(r))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        rows.append(cells)
        numbers.append(n)
    return RawTable(str(p), header, tuple(rows), tuple(numbers))


def _read_json(p: Path) -> RawTable:
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise DataError(Problem(f"invalid JSON: {exc.msg}", file=str(p), row=exc.lineno)) from None
    records = doc.get("records", doc.get("data")) if isinstance(doc, dict) else doc
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataError(
            Problem('expected a list of records (objects), or {"records": [...]}', file=str(p))
        )
    header: dict[str, None] = {}
    for r in records:
        header.update(dict.fromkeys(_nfc(str(k)) for k in r))
    cols = tuple(header)
    rows = tuple(
        tuple({_nfc(str(k)): v for k, v in r.items()}.get(c) for c in cols) for r in records
    )
    # JSON has no rows: number records from 1 and say so in messages
    return RawTable(str(p) + " record", cols, rows, tuple(range(1, len(rows) + 1)))


def _find(header: Sequence[str], aliases: Sequence[str]) -> str | None:
    lowered = {h.lower(): h for h in header}
    for a in aliases:
        if a in lowered:
            return lowered[a]
    return None


def parse_number(cell: Any) -> float | None:
    """A cell as a float; NaN for a missing marker; ``None`` when it is not a number."""
    if cell is None:
        return math.nan
    if isinstance(cell, bool):
        return float(cell)
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip()
    if text.lower() in MISSING_TOKENS:
        return math.nan
    if _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def table_to_dataset(table: RawTable, schema: TableSchema | None = None) -> Dataset:
    """Turn a raw table into a :class:`Dataset`, collecting every problem before raising."""
    schema = schema or TableSchema()
    header = table.header
    problems: list[Problem] = []
    src = table.source

    def col(name: str | None, aliases: Sequence[str]) -> str | None:
        if name is not None:
            if name not in header:
                problems.append(
                    Problem(
                        f"missing column {name!r}",
                        file=src,
                        row=1,
                        column=name,
                        hint="add it to the header",
                    )
                )
                return None
            return name
        return _find(header, aliases)

    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if not h:
            problems.append(Problem(f"column {j + 1} has an empty header", file=src, row=1))
        elif h in seen:
            problems.append(Problem(f"duplicate column {h!r}", file=src, row=1, column=h))
        seen.setdefault(h, j)

    unit_col = col(schema.unit_column, UNIT_ALIASES)
    if unit_col is None and schema.unit_column is None:
        problems.append(
            Problem("no unit-code column", file=src, row=1, hint="name the first column 'unit'")
        )
    name_col = col(schema.name_column, NAME_ALIASES)
    # period, parent and level columns are optional: a file without them is one period
    # of units without parents
    period_col = (
        schema.period_column
        if schema.period_column in header
        else None
        if schema.period_column
        else _find(header, PERIOD_ALIASES)
    )
    parent_col = (
        schema.parent_column
        if schema.parent_column in header
        else None
        if schema.parent_column
        else _find(header, ("parent", "parent_unit"))
    )
    level_col = schema.level_column if schema.level_column in header else None
    groups = [g for g in schema.group_columns if g in header]
    for g in schema.group_columns:
        if g not in header and schema.numeric is None:
            problems.append(Problem(f"missing grouping column {g!r}", file=src, row=1, column=g))
    if not schema.group_columns:
        groups = [h for h in header if h.lower().endswith("_group") or h.lower() == "group"]
    special = {c for c in (unit_col, name_col, period_col, parent_col, level_col) if c}
    special.update(groups)
    numeric = [h for h in header if h and h not in special]
    if schema.numeric is not None:
        known = set(schema.numeric)
        for h in numeric:
            if h not in known:
                problems.append(
                    Problem(
                        f"unknown column {h!r}: not an indicator or auxiliary "
                        "column of this framework",
                        file=src,
                        row=1,
                        column=h,
                        hint="fix the code or remove the column",
                    )
                )
        numeric = [h for h in numeric if h in known]
        for r in schema.required:
            if r not in header:
                problems.append(
                    Problem(
                        f"missing column for indicator {r!r}",
                        file=src,
                        row=1,
                        column=r,
                        indicator=r,
                        hint="add the column (empty cells mark missing values)",
                    )
                )
    if problems:
        raise DataError(problems)

    idx = {h: j for j, h in enumerate(header)}
    answer_keys = {
        col: {answer_key(a): float(v) for a, v in accepted.items()}
        for col, accepted in schema.answers.items()
    }
    n = len(table.rows)
    values = np.full((n, len(numeric)), np.nan)
    codes: list[str] = []
    periods: list[int] = []
    for i, (row, rownum) in enumerate(zip(table.rows, table.row_numbers, strict=True)):
        code = "" if unit_col is None else _cell_text(row[idx[unit_col]])
        if not code:
            problems.append(Problem("empty unit code", file=src, row=rownum, column=unit_col))
        codes.append(code)
        if period_col is not None:
            p = parse_number(row[idx[period_col]])
            if p is None or math.isnan(p) or p != int(p):
                problems.append(
                    Problem(
                        f"period {row[idx[period_col]]!r} is not a whole number",
                        file=src,
                        row=rownum,
                        column=period_col,
                        unit=code,
                    )
                )
                periods.append(0)
            else:
                periods.append(int(p))
        for k, h in enumerate(numeric):
            cell = row[idx[h]]
            v = parse_number(cell)
            if v is None and h in answer_keys:
                v = answer_keys[h].get(answer_key(str(cell)))
                if v is None:
                    accepted = ", ".join(repr(a) for a in schema.answers[h])
                    problems.append(
                        Problem(
                            f"{cell!r} is not an answer of this indicator",
                            file=src,
                            row=rownum,
                            column=h,
                            unit=code or None,
                            hint=f"use one of {accepted}, or leave the cell empty",
                        )
                    )
                    continue
            if v is None:
                problems.append(
                    Problem(
                        f"{cell!r} is not a number",
                        file=src,
                        row=rownum,
                        column=h,
                        unit=code or None,
                        hint="use a decimal number, or leave the cell empty for a missing value",
                    )
                )
            else:
                values[i, k] = v
    if problems:
        raise DataError(problems)

    if period_col is None:
        period_list = [schema.period if schema.period is not None else 0]
        period_of_row = [period_list[0]] * n
    else:
        period_list = sorted(set(periods))
        period_of_row = periods
        if schema.period is not None:
            if schema.period not in period_list:
                present = ", ".join(map(str, period_list))
                raise DataError(
                    Problem(
                        f"no rows for period {schema.period}",
                        file=src,
                        column=period_col,
                        hint=f"periods present: {present}",
                    )
                )
            period_list = [schema.period]

    # units in first-appearance order; check duplicates per period
    unit_rows: dict[str, int] = {}
    first_row: dict[tuple[str, int], int] = {}
    unit_info: dict[str, Unit] = {}
    row_of: dict[tuple[int, str], int] = {}
    for i, (code, per) in enumerate(zip(codes, period_of_row, strict=True)):
        if per not in period_list:
            continue
        key = (code, per)
        if key in first_row:
            problems.append(
                Problem(
                    f"duplicate unit code {code!r}"
                    + (f" in period {per}" if period_col else "")
                    + f" (first on row {first_row[key]})",
                    file=src,
                    row=table.row_numbers[i],
                    column=unit_col,
                    unit=code,
                    hint="each unit appears once per period",
                )
            )
            continue
        first_row[key] = table.row_numbers[i]
        row_of[(per, code)] = table.row_numbers[i]
        if code not in unit_rows:
            unit_rows[code] = len(unit_rows)
            row = table.rows[i]
            unit_info[code] = Unit(
                code=code,
                name=_cell_text(row[idx[name_col]]) if name_col else "",
                level=_cell_text(row[idx[level_col]]) if level_col else "",
                parent=(_cell_text(row[idx[parent_col]]) or None) if parent_col else None,
                groups={g: _cell_text(row[idx[g]]) for g in groups if _cell_text(row[idx[g]])},
            )
    if problems:
        raise DataError(problems)
    cube = np.full((len(period_list), len(unit_rows), len(numeric)), np.nan)
    pidx = {p: k for k, p in enumerate(period_list)}
    for i, (code, per) in enumerate(zip(codes, period_of_row, strict=True)):
        if per in pidx:
            cube[pidx[per], unit_rows[code]] = values[i]
    return Dataset(
        units=list(unit_info.values()),
        columns=numeric,
        values=cube,
        periods=period_list,
        source=src,
        row_numbers=row_of,
    )


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return _nfc(str(cell).strip())


def read_dataset(
    path: str | Path, schema: TableSchema | None = None, sheet: str | None = None
) -> Dataset:
    """Read a wide CSV, Excel or JSON file into a :class:`Dataset`.

    Parameters
    ----------
    path
        ``.csv`` (comma, semicolon or tab separated, UTF-8), ``.xlsx`` or ``.json`` (a list of
        records).
    schema
        Roles of the columns; see :class:`TableSchema`.
    sheet
        Excel sheet name (default: the first sheet).

    Raises
    ------
    DataError
        Listing every problem found: missing file, unknown or missing columns, text in a
        numeric cell, duplicate unit codes — each with file, row and column.
    """
    return table_to_dataset(read_table(path, sheet=sheet), schema)
