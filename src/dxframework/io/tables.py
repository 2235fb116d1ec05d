"""Reading wide tables (CSV, Excel, JSON) into data sets, with errors that point at the cell.

A wide table has one row per unit (per period, in a panel) and one column per indicator or
auxiliary variable (denominators). Besides numbers it may hold a unit-code column, a name
column, a period column, grouping columns and provenance columns (the submitting agency, a
source, a date). Which is which comes from a :class:`TableSchema` (a pack provides one);
without it, common names are recognised (``unit``/``uCode``/``code``/``Mã``,
``name``/``uName``/``Tên``, ``period``/``year``/``Time``/``Năm``, columns ending in
``_group``). Headers match with accents and case folded (``Mã`` = ``ma``); title rows above
the header are skipped.

Numbers are read by :mod:`dxframework.io.numbers` (locale, ambiguous forms, percentages);
each column may carry a :class:`ColumnRule` (its scale, bounds, whole numbers) and a value
that breaks it is an error naming the cell.
"""

from __future__ import annotations

import datetime as _dt
import functools
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from dxframework.errors import DataError, Problem
from dxframework.io import numbers as nums
from dxframework.io.raw import RawTable
from dxframework.io.readers import READERS, read_csv, read_csv_head
from dxframework.io.safe import FORMULA_STARTS
from dxframework.model._convert import str_tuple
from dxframework.model.dataset import Dataset
from dxframework.model.units import Unit

__all__ = [
    "ColumnRule",
    "ParsedTable",
    "RawTable",
    "TableSchema",
    "fold",
    "parse_number",
    "parse_table",
    "read_header",
    "read_table",
    "read_tables",
    "table_decimal",
    "table_to_dataset",
]

logger = logging.getLogger(__name__)

MISSING_TOKENS = nums.MISSING_TOKENS
HEADER_SEARCH_ROWS = 30

UNIT_ALIASES = ("unit", "ucode", "code", "unit_code", "ma", "ma_don_vi", "ma_dv")
NAME_ALIASES = ("name", "uname", "unit_name", "ten", "ten_don_vi", "ten_dv")
PERIOD_ALIASES = ("period", "year", "time", "nam", "ky")
PARENT_ALIASES = ("parent", "parent_unit", "don_vi_cap_tren")
AGENCY_ALIASES = ("agency", "submitted_by", "co_quan", "don_vi_gui", "co_quan_gui")
SOURCE_ALIASES = ("source", "source_file", "nguon")
DATE_ALIASES = ("date", "submitted", "submitted_on", "ngay", "ngay_gui")


def fold(text: str) -> str:
    """How headers are compared: accents and case folded, spaces and dashes as ``_``.

    ``"Mã đơn vị"`` → ``"ma_don_vi"``; ``"Năm"`` → ``"nam"``.
    """
    t = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).casefold().strip()
    return re.sub(r"[\s\-]+", "_", t)


def answer_key(text: str) -> str:
    """How text answers are compared: NFC, case-folded, surrounding spaces removed."""
    return unicodedata.normalize("NFC", text).strip().casefold()


@attrs.frozen
class ColumnRule:
    """What a numeric column may hold.

    ``scale`` is ``"percent"`` (0–100: ``75%`` reads as 75) or ``"fraction"`` (0–1: ``75%``
    reads as 0.75) or ``None`` (a ``%`` sign is an error); ``lo``/``hi`` bound the values
    (``None``: open); ``integer`` asks for whole numbers.
    """

    scale: str | None = None
    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    allowed: tuple[float, ...] = ()
    """The only values allowed (the codes of an indicator's text answers); empty: any."""
    unit: str = ""
    """The indicator's unit as declared (``"count"``, ``"VND"``…), named in messages."""


@attrs.frozen
class TableSchema:
    """Which columns of a wide table play which role, and how its numbers read.

    ``numeric`` lists the expected numeric columns (indicators, denominators); when given,
    any other column that is not an id, name, period, group or provenance column is an
    error ("unknown column"), and ``required`` columns that are absent are errors too.
    ``locale`` (``"vi"``, ``"en"``…) declares how numbers are written; without it, numbers
    read the way the table's unambiguous cells show (see :mod:`dxframework.io.numbers`).
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
    rules: Mapping[str, ColumnRule] = attrs.field(factory=dict)
    locale: str | None = None
    name_required: bool = True
    """A declared name column must be present (assembly relaxes it: one file may name the
    units another reports on)."""


@attrs.frozen
class ParsedTable:
    """A table read into a data set, with where each column and row came from.

    ``columns`` maps each data-set column to its header in the file and its index there;
    ``meta`` holds the provenance columns (agency, source, date) by role, one text per data
    row; ``row_keys`` is the ``(period, unit)`` of every data row kept.
    """

    dataset: Dataset
    table: RawTable
    columns: Mapping[str, tuple[str, int]]
    meta: Mapping[str, tuple[str, ...]]
    row_keys: tuple[tuple[int, str], ...]
    notes: tuple[str, ...] = ()
    has_period: bool = False
    """Its rows carry a period: from a period column (or, once assembled, the single period
    of the other files, see :func:`dxframework.io.assemble.assemble`)."""


# -- reading files --------------------------------------------------------------------------
Loader = Callable[..., Any]
"""A reader: ``loader(path, sheet=None, encoding=None)`` → a :class:`RawTable` or a list."""


def read_tables(
    path: str | Path,
    sheet: str | None = None,
    encoding: str | None = None,
    loaders: Mapping[str, Loader] | None = None,
) -> list[RawTable]:
    """Read a file into raw tables: one for a CSV or JSON file, one per sheet of a workbook.

    ``loaders`` maps suffixes to readers (default: the built-in readers,
    :data:`dxframework.io.readers.READERS`). The io layer knows no plugins: a caller that
    honours the plugins' data loaders passes them (the packs do, see
    :func:`dxframework.packs.loaders.registered_loaders`).
    """
    p = Path(path)
    if not p.exists():
        raise DataError(Problem("file not found", file=str(p), hint="check the path"))
    if p.is_dir():
        raise DataError(Problem("is a folder, not a data file", file=str(p)))
    suffix = p.suffix.lower()
    table = dict(loaders if loaders is not None else READERS)
    loader = table.get(suffix)
    if loader is None:
        known = ", ".join(sorted(table))
        raise DataError(
            Problem(f"unsupported file type {suffix!r}", file=str(p), hint=f"use one of: {known}")
        )
    kwargs: dict[str, Any] = {"encoding": encoding} if encoding is not None else {}
    logger.debug("reading %s (sheet %s)", p, sheet or "any")
    result = loader(p, sheet, **kwargs)
    tables = list(result) if isinstance(result, list | tuple) else [result]
    if not all(isinstance(t, RawTable) for t in tables):
        raise DataError(Problem(f"the loader for {suffix!r} returned no table", file=str(p)))
    return tables


def read_table(
    path: str | Path, sheet: str | None = None, loaders: Mapping[str, Loader] | None = None
) -> RawTable:
    """Read a CSV, Excel or JSON file into one :class:`RawTable` (a workbook's first sheet
    that is visible, or ``sheet``); ``loaders`` as for :func:`read_tables`."""
    tables = read_tables(path, sheet=sheet, loaders=loaders)
    if not tables:
        raise DataError(Problem("the file holds no table", file=str(path)))
    return tables[0]


def read_header(
    path: str | Path, encoding: str | None = None, loaders: Mapping[str, Loader] | None = None
) -> tuple[str, ...]:
    """The names a data file may use as column names: every text cell of its first 30 rows
    (all sheets of a workbook); a CSV is read only that far. ``loaders`` as for
    :func:`read_tables`."""
    p = Path(path)
    table = loaders if loaders is not None else READERS
    if p.is_file() and table.get(p.suffix.lower()) is read_csv:
        rows = read_csv_head(p, HEADER_SEARCH_ROWS + 1, encoding)
        return tuple(unicodedata.normalize("NFC", c.strip()) for r in rows for c in r)
    names: list[str] = []
    for t in read_tables(p, loaders=loaders):
        names += list(t.header)
        for row in t.rows[:HEADER_SEARCH_ROWS]:  # headers below title rows
            names += [str(c).strip() for c in row if isinstance(c, str)]
    return tuple(names)


# -- numbers --------------------------------------------------------------------------------
def table_decimal(table: RawTable) -> str | None:
    """The decimal separator that a table's unambiguous text cells show (``None``: unknown).

    Metadata tables (weights, targets, tasks) use it to read forms such as ``27.445``.
    """
    evidence: set[str] = set()
    for row in table.rows:
        for cell in row:
            if isinstance(cell, str) and ("." in cell or "," in cell):
                evidence.update(nums.classify(cell).evidence)
    return nums.table_decimal(evidence)


def parse_number(cell: Any, decimal: str | None = None) -> float | None:
    """A cell as a float; NaN for a missing marker; ``None`` when it is not one number.

    A form that depends on the locale (``1.234``) reads by ``decimal`` (the table's decimal
    separator, see :func:`table_decimal`) and is ``None`` without it.
    """
    if cell is None:
        return math.nan
    typed = nums.typed_number(cell)
    if typed is not None:
        return typed if math.isfinite(typed) else None
    if isinstance(cell, bool):
        return float(cell)
    c = nums.classify(str(cell))
    if c.kind == nums.MISSING:
        return math.nan
    if c.kind == nums.AMBIGUOUS and decimal is not None:
        c = nums.resolve_table([c], decimal)[0]
    if c.kind == nums.NUMBER and not c.percent:
        return c.value
    return None


def _cell_text(cell: Any) -> str:
    """A text cell in NFC; the apostrophe dxframework puts before formula-like text (see
    :mod:`dxframework.io.safe`) is removed, so written files read back as they were."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = unicodedata.normalize("NFC", str(cell).strip())
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


# -- the header -----------------------------------------------------------------------------
def _find(header: Sequence[str], aliases: Sequence[str]) -> str | None:
    folded = {fold(h): h for h in reversed(header) if h}
    for a in aliases:
        if fold(a) in folded:
            return folded[fold(a)]
    return None


def _locate_header(table: RawTable, schema: TableSchema) -> tuple[RawTable, list[str]]:
    """The table with its real header: the first row naming the unit column."""
    wanted = [schema.unit_column or "unit", *UNIT_ALIASES]
    if _find(table.header, wanted) is not None:
        return table, []
    for k, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        cells = [_cell_text(c) for c in row]
        if _find(cells, wanted) is not None:
            split = table.split_at(k)
            n = split.header_row - table.header_row
            return split, [
                f"{n} title row(s) above the header skipped; the header is row {split.header_row}"
            ]
    return table, []


# -- the table to a data set ----------------------------------------------------------------
def table_to_dataset(table: RawTable, schema: TableSchema | None = None) -> Dataset:
    """Turn a raw table into a :class:`Dataset`, collecting every problem before raising."""
    return parse_table(table, schema).dataset


def parse_table(table: RawTable, schema: TableSchema | None = None) -> ParsedTable:
    """Read a raw table into a data set, keeping where each value came from."""
    schema = schema or TableSchema()
    table, notes = _locate_header(table, schema)
    reader = _TableReader(table, schema)
    return reader.read(notes)


class _TableReader:
    """One pass over a table: roles of the columns, then values, then the cube."""

    def __init__(self, table: RawTable, schema: TableSchema) -> None:
        self.table = table
        self.schema = schema
        self.problems: list[Problem] = []
        self.src = table.source
        self.sheet = table.sheet

    def problem(self, message: str, **where: Any) -> None:
        if "row" in where and "unit" not in where and where.get("column") is not None:
            where["unit"] = self._unit_of_row.get(where["row"])
        self.problems.append(Problem(message, file=self.src, sheet=self.sheet, **where))

    @functools.cached_property
    def _unit_of_row(self) -> dict[int, str | None]:
        col = _find(self.table.header, [self.schema.unit_column or "", *UNIT_ALIASES])
        if col is None:
            return {}
        j = self.table.header.index(col)
        return {
            n: _cell_text(_at(r, j)) or None
            for r, n in zip(self.table.rows, self.table.row_numbers, strict=True)
        }

    def _col(self, name: str | None, aliases: Sequence[str]) -> str | None:
        header = self.table.header
        if name is not None:
            found = _find(header, [name, *aliases])
            if found is None:
                self.problem(
                    f"missing column {name!r}",
                    row=self.table.header_row,
                    column=name,
                    hint="add it to the header"
                    + (
                        f" (no row among the first {HEADER_SEARCH_ROWS} names it)"
                        if self.table.rows
                        else ""
                    ),
                )
            return found
        return _find(header, aliases)

    def _optional(self, name: str | None, aliases: Sequence[str]) -> str | None:
        return _find(self.table.header, [name, *aliases] if name else aliases)

    def read(self, notes: list[str]) -> ParsedTable:
        table, schema = self.table, self.schema
        header = table.header
        hrow = table.header_row
        if not header or not any(header):
            raise DataError(
                Problem(
                    "the file is empty or has no header row",
                    file=self.src,
                    sheet=self.sheet,
                    row=hrow,
                )
            )
        if not table.rows:
            raise DataError(
                Problem(
                    "the table has a header but no data rows",
                    file=self.src,
                    sheet=self.sheet,
                    row=hrow,
                    hint="add one row per unit under the header",
                )
            )
        seen: dict[str, int] = {}
        for j, h in enumerate(header):
            if not h:
                if any(j < len(r) and r[j] not in (None, "") for r in table.rows):
                    self.problem(f"column {j + 1} has values but an empty header", row=hrow)
            elif fold(h) in seen:
                self.problem(f"duplicate column {h!r}", row=hrow, column=h)
            seen.setdefault(fold(h), j)

        unit_col = self._col(schema.unit_column, UNIT_ALIASES)
        if unit_col is None and schema.unit_column is None:
            self.problem(
                "no unit-code column",
                row=hrow,
                hint="name the first column 'unit' (or 'Mã'); if a title sits above the "
                f"header, the header must be within the first {HEADER_SEARCH_ROWS} rows",
            )
        if unit_col is None:  # no header: the rest would only repeat it cell by cell
            raise DataError(self.problems)
        if table.strict_width:
            for row, n in zip(table.rows, table.row_numbers, strict=True):
                if len(row) != len(header):
                    self.problem(
                        f"has {len(row)} cells, the header has {len(header)}",
                        row=n,
                        hint="check for a stray delimiter",
                    )
            if self.problems:
                raise DataError(self.problems)
        name_col = (
            self._col(schema.name_column, NAME_ALIASES)
            if schema.name_required
            else self._optional(schema.name_column, NAME_ALIASES)
        )
        period_col = self._optional(schema.period_column, PERIOD_ALIASES)
        parent_col = self._optional(schema.parent_column, PARENT_ALIASES)
        level_col = _find(header, [schema.level_column]) if schema.level_column else None
        meta_cols = {
            role: _find(header, aliases)
            for role, aliases in (
                ("agency", AGENCY_ALIASES),
                ("source", SOURCE_ALIASES),
                ("date", DATE_ALIASES),
            )
        }
        if schema.group_columns:
            groups = [g for g in (_find(header, [g]) for g in schema.group_columns) if g]
            if schema.numeric is None:
                for g in schema.group_columns:
                    if _find(header, [g]) is None:
                        self.problem(f"missing grouping column {g!r}", row=hrow, column=g)
        else:
            groups = [h for h in header if h.lower().endswith("_group") or h.lower() == "group"]
        special = {c for c in (unit_col, name_col, period_col, parent_col, level_col) if c}
        special.update(c for c in meta_cols.values() if c)
        special.update(groups)
        numeric_headers = [h for h in header if h and h not in special]
        # header → data-set column: the schema's code when it matches folded
        code_of: dict[str, str] = {h: h for h in numeric_headers}
        if schema.numeric is not None:
            by_fold: dict[str, list[str]] = {}
            for c in schema.numeric:
                by_fold.setdefault(fold(c), []).append(c)
            for h in numeric_headers:
                if h in schema.numeric:
                    continue
                match = by_fold.get(fold(h), [])
                if len(match) == 1:
                    code_of[h] = match[0]
                else:
                    self.problem(
                        f"unknown column {h!r}: not an indicator or auxiliary "
                        "column of this framework",
                        row=hrow,
                        column=h,
                        hint="fix the code or remove the column",
                    )
                    del code_of[h]
            present = set(code_of.values())
            for r in schema.required:
                if r not in present:
                    self.problem(
                        f"missing column for indicator {r!r}",
                        row=hrow,
                        column=r,
                        indicator=r,
                        hint="add the column (empty cells mark missing values)",
                    )
        if self.problems:
            raise DataError(self.problems)

        idx = {h: j for j, h in enumerate(header)}
        numeric = list(code_of)  # headers, in file order
        values = self._values(numeric, [code_of[h] for h in numeric], idx)
        n = len(table.rows)

        codes: list[str] = []
        periods: list[int] = []
        for row, rownum in zip(table.rows, table.row_numbers, strict=True):
            code = "" if unit_col is None else _cell_text(_at(row, idx[unit_col]))
            if not code:
                self.problem("empty unit code", row=rownum, column=unit_col)
            codes.append(code)
            if period_col is not None:
                cell = _at(row, idx[period_col])
                pnum = parse_number(cell) if not isinstance(cell, _dt.date) else None
                if pnum is None or math.isnan(pnum) or pnum != int(pnum):
                    self.problem(
                        f"period {cell!r} is not a whole number (a year)",
                        row=rownum,
                        column=period_col,
                        unit=code,
                    )
                    periods.append(0)
                else:
                    periods.append(int(pnum))
        if self.problems:
            raise DataError(self.problems)

        if period_col is None:
            period_list = [schema.period if schema.period is not None else 0]
            period_of_row = [period_list[0]] * n
        else:
            period_list = sorted(set(periods))
            period_of_row = periods
            if schema.period is not None:
                if schema.period not in period_list:
                    present_p = ", ".join(map(str, period_list))
                    raise DataError(
                        Problem(
                            f"no rows for period {schema.period}",
                            file=self.src,
                            sheet=self.sheet,
                            column=period_col,
                            hint=f"periods present: {present_p}",
                        )
                    )
                period_list = [schema.period]

        unit_rows: dict[str, int] = {}
        first_row: dict[tuple[str, int], int] = {}
        unit_info: dict[str, Unit] = {}
        row_of: dict[tuple[int, str], int] = {}
        keys: list[tuple[int, str]] = []
        kept: list[int] = []
        for i, (code, per) in enumerate(zip(codes, period_of_row, strict=True)):
            if per not in period_list:
                continue
            key = (code, per)
            if key in first_row:
                self.problem(
                    f"duplicate unit code {code!r}"
                    + (f" in period {per}" if period_col else "")
                    + f" (first on row {first_row[key]})",
                    row=table.row_numbers[i],
                    column=unit_col,
                    unit=code,
                    hint="each unit appears once per period",
                )
                continue
            first_row[key] = table.row_numbers[i]
            row_of[(per, code)] = table.row_numbers[i]
            keys.append((per, code))
            kept.append(i)
            if code not in unit_rows:
                unit_rows[code] = len(unit_rows)
                row = table.rows[i]

                def text(col: str | None, row: tuple[Any, ...] = row) -> str:
                    return _cell_text(_at(row, idx[col])) if col else ""

                unit_info[code] = Unit(
                    code=code,
                    name=text(name_col),
                    level=text(level_col),
                    parent=text(parent_col) or None,
                    groups={g: text(g) for g in groups if text(g)},
                )
        if self.problems:
            raise DataError(self.problems)
        cube = np.full((len(period_list), len(unit_rows), len(numeric)), np.nan)
        pidx = {p: k for k, p in enumerate(period_list)}
        rows_kept = np.asarray(kept, dtype=np.intp)
        if len(kept):
            pk = np.asarray([pidx[period_of_row[i]] for i in kept], dtype=np.intp)
            uk = np.asarray([unit_rows[codes[i]] for i in kept], dtype=np.intp)
            cube[pk, uk] = values[rows_kept]
        dataset = Dataset(
            units=list(unit_info.values()),
            columns=[code_of[h] for h in numeric],
            values=cube,
            periods=period_list,
            source=self.src,
            row_numbers=row_of,
        )
        meta = {
            role: tuple(_cell_text(_at(table.rows[i], idx[col])) for i in kept)
            for role, col in meta_cols.items()
            if col
        }
        columns = {code_of[h]: (h, table.first_column + idx[h]) for h in numeric}
        return ParsedTable(
            dataset, table, columns, meta, tuple(keys), tuple(notes), period_col is not None
        )

    # -- values -----------------------------------------------------------------------------
    def _values(
        self, headers: list[str], codes: list[str], idx: Mapping[str, int]
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        table, schema = self.table, self.schema
        style = None
        if schema.locale:
            try:
                style = nums.style_for_locale(schema.locale)
            except ValueError as exc:
                raise DataError(Problem(str(exc), file=self.src, hint="use vi or en")) from None
        answer_keys = {
            col: {answer_key(a): float(v) for a, v in accepted.items()}
            for col, accepted in schema.answers.items()
        }
        n = len(table.rows)
        values = np.full((n, len(headers)), np.nan)
        pending: list[tuple[int, int, nums.Cell, str]] = []  # ambiguous: (i, k, cell, text)
        percent_of: dict[tuple[int, int], bool] = {}
        evidence: dict[str, tuple[int, str, str]] = {}  # first example of each evidence
        pct_cells = table.percent_cells
        pct_columns = {c for _, c in pct_cells}
        for k, (h, code) in enumerate(zip(headers, codes, strict=True)):
            j = idx[h]
            column = [_at(row, j) for row in table.rows]
            kinds = set(map(type, column))
            if j not in pct_columns and kinds <= {float, int}:
                # a column of typed numbers (Excel, JSON): read at array speed
                try:
                    col = np.asarray(column, dtype=np.float64)
                except OverflowError:
                    col = None
                if col is not None and np.isfinite(col).all():
                    values[:, k] = col
                    continue
            if kinds == {str} and style is None:
                fast = _plain_column(column)
                if fast is not None:
                    values[:, k], first_point = fast
                    if first_point is not None:
                        evidence.setdefault(
                            "decimal.", (table.row_numbers[first_point], h, column[first_point])
                        )
                    continue
            answers = answer_keys.get(code)
            cache: dict[str, nums.Cell] = {}
            for i, row in enumerate(table.rows):
                cell = _at(row, j)
                if cell is None:
                    continue
                rownum = table.row_numbers[i]
                typed = nums.typed_number(cell)
                if typed is not None:
                    if not math.isfinite(typed):
                        self._bad(rownum, h, code, cell, "is not a finite number")
                        continue
                    values[i, k] = typed
                    if pct_cells and (rownum, j) in pct_cells:
                        percent_of[(i, k)] = True
                    continue
                if isinstance(cell, bool):
                    self._bad(rownum, h, code, cell, "is TRUE/FALSE, not a number")
                    continue
                if isinstance(cell, _dt.date | _dt.time | _dt.timedelta):
                    self._bad(rownum, h, code, cell, "is a date or time, not a number")
                    continue
                text = str(cell)
                c = cache.get(text)
                if c is None:
                    c = cache[text] = nums.classify(text, style)
                if c.kind == nums.NUMBER:
                    values[i, k] = c.value
                    if c.percent:
                        percent_of[(i, k)] = True
                    for e in c.evidence:
                        evidence.setdefault(e, (rownum, h, text))
                elif c.kind == nums.MISSING:
                    continue
                elif c.kind == nums.AMBIGUOUS:
                    pending.append((i, k, c, text))
                else:
                    if answers is not None and c.kind == nums.BAD:
                        v = answers.get(answer_key(text))
                        if v is not None:
                            values[i, k] = v
                            continue
                        accepted = ", ".join(repr(a) for a in schema.answers[code])
                        self.problem(
                            f"{text!r} is not an answer of this indicator",
                            row=rownum,
                            column=h,
                            hint=f"use one of {accepted}, or leave the cell empty",
                        )
                        continue
                    self._bad_text(rownum, h, code, text, c, style)
        self._resolve(values, pending, evidence, headers, codes, style, percent_of)
        self._scale_and_bounds(values, headers, codes, percent_of)
        if self.problems:
            order = {h: k for k, h in enumerate(headers)}
            self.problems.sort(key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
            raise DataError(self.problems)
        return values

    def _bad(self, rownum: int, h: str, code: str, cell: Any, what: str) -> None:
        self.problem(
            f"{cell!r} {what}",
            row=rownum,
            column=h,
            hint="type a number, or leave the cell empty for a value not reported",
        )

    def _bad_text(
        self, rownum: int, h: str, code: str, text: str, c: nums.Cell, style: Any
    ) -> None:
        if c.kind == nums.NON_FINITE:
            self.problem(
                f"{text!r} is not a finite number",
                row=rownum,
                column=h,
                hint="give the value, or leave the cell empty for a value not reported",
            )
            return
        where_style = f" in the declared {style.locale} locale" if style is not None else ""
        hint = "use a decimal number, or leave the cell empty for a missing value"
        if style is not None:
            example = "1.234,5" if style.decimal == "," else "1,234.5"
            hint = f"write numbers as {example}, or leave the cell empty for a missing value"
        self.problem(f"{text!r} is not a number{where_style}", row=rownum, column=h, hint=hint)

    def _resolve(
        self,
        values: np.ndarray[Any, np.dtype[np.float64]],
        pending: list[tuple[int, int, nums.Cell, str]],
        evidence: Mapping[str, tuple[int, str, str]],
        headers: list[str],
        codes: list[str],
        style: nums.NumberStyle | None,
        percent_of: dict[tuple[int, int], bool],
    ) -> None:
        decimal = style.decimal if style is not None else nums.table_decimal(evidence)
        if style is None and decimal is None and len({e[-1] for e in evidence}) > 1:
            comma = evidence.get("decimal,") or evidence.get("group.")
            point = evidence.get("decimal.") or evidence.get("group,")
            if comma and point:
                self.problem(
                    f"the table writes numbers two ways: {comma[2]!r} (row {comma[0]}, "
                    f"column {comma[1]!r}) uses a decimal comma, {point[2]!r} (row {point[0]}, "
                    f"column {point[1]!r}) a decimal point",
                    hint="write every number the same way, or declare the locale "
                    "(--locale vi for 1.234,5; --locale en for 1,234.5)",
                )
                return
        for i, k, c, text in pending:
            if decimal is None:
                self.problem(
                    f"{c.value_if_decimal:g} or {c.value_if_group:g}? "
                    f"{text.strip()!r} can be read both ways",
                    row=self.table.row_numbers[i],
                    column=headers[k],
                    hint="declare how the file writes numbers (--locale vi: 1.234 = 1234; "
                    "--locale en: 1.234 = 1.234), or write the number without a thousands "
                    "separator",
                )
                continue
            values[i, k] = c.value_if_decimal if c.sep == decimal else c.value_if_group
            if c.percent:
                percent_of[(i, k)] = True

    def _scale_and_bounds(
        self,
        values: np.ndarray[Any, np.dtype[np.float64]],
        headers: list[str],
        codes: list[str],
        percent_of: Mapping[tuple[int, int], bool],
    ) -> None:
        rules = self.schema.rules
        rows = self.table.row_numbers
        by_col: dict[int, list[int]] = {}
        for i, k in percent_of:
            by_col.setdefault(k, []).append(i)
        for k, (h, code) in enumerate(zip(headers, codes, strict=True)):
            rule = rules.get(code, ColumnRule())
            marked = by_col.get(k, [])
            for i in sorted(marked):
                # "75%" typed as text is 75 per cent; an Excel cell formatted as a
                # percentage holds the fraction (95 % is stored as 0.95)
                per_cent = values[i, k] * 100.0 if self._typed(i, h) else values[i, k]
                if rule.scale == "fraction":
                    values[i, k] = per_cent / 100.0
                elif rule.scale == "percent":
                    values[i, k] = per_cent
                else:
                    self.problem(
                        f"a percentage ({per_cent:g} %) in a column that is not in % "
                        f"(the indicator's unit is {_unit_text(rule)})",
                        row=rows[i],
                        column=h,
                        hint="type the number in the indicator's unit, without a % format",
                    )
                    values[i, k] = np.nan
            col = values[:, k]
            finite = ~np.isnan(col)
            marked_set = set(marked)
            if rule.integer:
                for r in np.nonzero(finite & (col != np.round(col)))[0].tolist():
                    self.problem(
                        f"{col[r]:g} is not a whole number",
                        row=rows[r],
                        column=h,
                        hint="this indicator counts things",
                    )
            if rule.allowed:
                ok = np.isin(col, np.asarray(rule.allowed, dtype=np.float64))
                codes_text = ", ".join(f"{a:g}" for a in rule.allowed)
                for r in np.nonzero(finite & ~ok)[0].tolist():
                    self.problem(
                        f"{col[r]:g} is not an answer code of this indicator ({codes_text})",
                        row=rows[r],
                        column=h,
                        hint="type one of the answers or its code, or leave the cell empty",
                    )
                continue
            too_low = finite & (col < rule.lo) if rule.lo is not None else None
            too_high = finite & (col > rule.hi) if rule.hi is not None else None
            for mask, side in ((too_low, "below"), (too_high, "above")):
                if mask is None:
                    continue
                for r in np.nonzero(mask)[0].tolist():
                    v = col[r]
                    hint = f"values lie in {_range_text(rule)}"
                    msg = f"{v:g} is {side} the allowed range {_range_text(rule)}"
                    if r in marked_set:  # typed with a % sign or a percent format
                        shown = v * 100 if rule.scale == "fraction" else v
                        msg = f"{shown:g}% is {side} the allowed range {_range_text(rule)}"
                        if rule.scale == "fraction":
                            msg += " (a share, 0–1: 100% at most)"
                    elif rule.scale == "fraction" and side == "above" and v <= 100:
                        msg = f"{v:g} looks like a percentage (0–100) in a 0–1 column"
                        hint = f"write {v / 100:g} or {v:g}%"
                    self.problem(msg, row=rows[r], column=h, hint=hint)
            if rule.scale == "percent":
                explicit = set(marked)
                plain = [i for i in np.nonzero(finite)[0] if i not in explicit]
                x = col[plain]
                if len(plain) >= 3 and np.all((x >= 0) & (x <= 1)) and np.any(x != np.round(x)):
                    self.problem(
                        f"every value is between 0 and 1 (e.g. {x[x != np.round(x)][0]:g} on "
                        f"row {rows[plain[int(np.argmax(x != np.round(x)))]]}): they look like "
                        "fractions (0–1) in a column in % (0–100)",
                        column=h,
                        hint="multiply by 100 (0.75 → 75); if they really are below 1 %, write "
                        "them with a % sign (0.5%)",
                    )

    def _typed(self, i: int, h: str) -> bool:
        j = self.table.header.index(h)
        return nums.typed_number(_at(self.table.rows[i], j)) is not None


_PLAIN_COLUMN = re.compile(r"(?:-?\d+(?:\.\d+)?)?(?:\n(?:-?\d+(?:\.\d+)?)?)*")
_AMBIGUOUS_DOT = re.compile(r"(?m)^-?[1-9]\d{0,2}\.\d{3}$")
_POINT = re.compile(r"\.(?!\d{3}$)")


def _plain_column(
    column: list[str],
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], int | None] | None:
    """A text column of plain numbers (``-12``, ``3.25``, blanks) read at C speed.

    ``None`` when any cell needs the careful path (a comma, a space, a form such as
    ``1.234``). Returns the values and the index of a cell showing a decimal point.
    """
    joined = "\n".join(column)
    if not _PLAIN_COLUMN.fullmatch(joined) or _AMBIGUOUS_DOT.search(joined):
        return None
    first = next((i for i, c in enumerate(column) if "." in c), None)
    values = np.array([c or "nan" for c in column]).astype(np.float64)
    if np.isinf(values).any():  # 400 digits: the careful path names the cell
        return None
    return values, first


def _range_text(rule: ColumnRule) -> str:
    lo = "−∞" if rule.lo is None else f"{rule.lo:g}"
    hi = "∞" if rule.hi is None else f"{rule.hi:g}"
    return f"[{lo}, {hi}]"


def _unit_text(rule: ColumnRule) -> str:
    if rule.scale is not None:
        return rule.scale
    return repr(rule.unit) if rule.unit else "not declared"


def _at(row: tuple[Any, ...], j: int) -> Any:
    return row[j] if j < len(row) else None
