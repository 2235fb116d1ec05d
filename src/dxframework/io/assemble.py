"""Assembling submissions: many files from many agencies into one data set, with provenance.

Departments, districts and communes each send a file (CSV, a workbook with one sheet per
district, JSON). :func:`assemble` reads every file and every visible sheet through the same
reader, and combines them into one data set in which every value knows where it came from:
file, sheet, row, column and the submitting agency (from an ``agency`` column, a mapping of
file names to agencies, or else the file's name).

The same unit × indicator × period reported by two sources is a **conflict** when the values
differ by more than the tolerance. A declared precedence resolves it:

- ``order``: the file given later wins (a corrections file after the originals);
- ``agency:A,B,C``: agency A wins over B, B over C (agencies not named rank last);
- ``date``: the later submission wins (a ``date`` column, ISO ``2024-03-17`` or
  ``17/03/2024``).

Without one (or where it cannot decide), assembly stops with every conflict listed with both
sources. Equal values reported twice are not conflicts; both sources are kept in the
provenance.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from dxframework.errors import DataError, Problem
from dxframework.io.raw import RawTable
from dxframework.io.readers import col_letter
from dxframework.io.tables import (
    UNIT_ALIASES,
    Loader,
    ParsedTable,
    TableSchema,
    _locate_header,
    fold,
    parse_table,
    read_tables,
)
from dxframework.model.dataset import Dataset
from dxframework.model.units import Unit

__all__ = ["Assembly", "Precedence", "assemble", "expand_inputs", "read_dataset"]

logger = logging.getLogger(__name__)

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods", ".json")


@attrs.frozen
class Precedence:
    """How a conflict between two sources is resolved: ``order``, ``agency`` or ``date``."""

    kind: str
    agencies: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> Precedence | None:
        """``"order"``, ``"date"`` or ``"agency:A,B,C"`` (``None`` for none)."""
        if text is None or not text.strip():
            return None
        kind, _, rest = text.strip().partition(":")
        kind = kind.strip().lower()
        if kind == "agency":
            names = tuple(a.strip() for a in rest.split(",") if a.strip())
            if not names:
                raise DataError(
                    Problem("--prefer agency: name the agencies", hint="e.g. agency:STTTT,UBND")
                )
            return cls("agency", names)
        if kind in ("order", "date") and not rest:
            return cls(kind)
        raise DataError(
            Problem(
                f"unknown precedence {text!r}",
                hint="use order (the later file wins), date, or agency:A,B,C",
            )
        )


@attrs.frozen
class _Source:
    """One table read: a file or a sheet of a workbook."""

    parsed: ParsedTable
    order: int
    agency: tuple[str, ...]  # per data row
    date: tuple[_dt.date | None, ...]  # per data row

    @property
    def file(self) -> str:
        return self.parsed.table.source

    @property
    def sheet(self) -> str | None:
        return self.parsed.table.sheet


@attrs.frozen(eq=False)
class Assembly:
    """The assembled data set and where each value came from.

    ``source`` has the data set's shape and holds, for each value, the index into
    ``sources`` of the table it was taken from (−1 where no source reported it).
    ``conflicts`` lists values reported differently, with how each was resolved.
    """

    dataset: Dataset
    sources: tuple[_Source, ...]
    source: np.ndarray[Any, np.dtype[np.int32]]
    also: Mapping[tuple[int, int, int], tuple[int, ...]]
    conflicts: tuple[Mapping[str, Any], ...]
    notes: tuple[str, ...]
    expected: tuple[str, ...]

    def _where(self, s: int, p: int, u: int, c: int) -> dict[str, Any]:
        src = self.sources[s]
        ds = src.parsed.dataset
        period = self.dataset.periods[p]
        code = self.dataset.unit_codes[u]
        column = self.dataset.columns[c]
        row = ds.row_numbers.get((period, code))
        header, j = src.parsed.columns.get(column, (column, -1))
        k = src.parsed.row_keys.index((period, code)) if row is not None else -1
        cell = f"{col_letter(j)}{row}" if src.sheet is not None and row is not None else ""
        return {
            "file": src.file,
            "sheet": src.sheet or "",
            "row": row if row is not None else "",
            "column": header,
            "cell": cell,
            "agency": src.agency[k] if k >= 0 else "",
        }

    def provenance_rows(self) -> list[dict[str, Any]]:
        """One row per value (and per agreeing second source): where it came from."""
        rows: list[dict[str, Any]] = []
        data = self.dataset
        for p, u, c in zip(*np.nonzero(self.source >= 0), strict=True):
            s = int(self.source[p, u, c])
            base = {
                "unit": data.unit_codes[u],
                "period": data.periods[p],
                "indicator": data.columns[c],
                "value": repr(float(data.values[p, u, c])),
            }
            rows.append({**base, **self._where(s, p, u, c), "status": "used"})
            for other in self.also.get((int(p), int(u), int(c)), ()):
                rows.append({**base, **self._where(other, p, u, c), "status": "also reported"})
        return rows

    def coverage_rows(self) -> list[dict[str, Any]]:
        """Per unit and period: who sent what, how many expected values, what is missing."""
        data = self.dataset
        expected = [c for c in self.expected if data.has_column(c)] or list(data.columns)
        cols = [data.columns.index(c) for c in expected]
        rows = []
        for p, period in enumerate(data.periods):
            for u, unit in enumerate(data.units):
                got = self.source[p, u, cols] >= 0
                senders = sorted(
                    {
                        self._where(int(s), p, u, 0)["agency"]
                        for s in np.unique(self.source[p, u])
                        if s >= 0
                    }
                    - {""}
                )
                rows.append(
                    {
                        "unit": unit.code,
                        "name": unit.name,
                        "period": period,
                        "agencies": "; ".join(senders),
                        "reported": int(got.sum()),
                        "expected": len(cols),
                        "missing": " ".join(e for e, g in zip(expected, got, strict=True) if not g),
                    }
                )
        return rows


def expand_inputs(paths: Sequence[str | Path]) -> tuple[list[Path], list[str]]:
    """Files to read: files as given, folders by their data files (sorted, recursively).

    Hidden files and Office lock files (``~$book.xlsx``) in folders are skipped; a file given
    twice is read once. Returns the files and notes on what was skipped.
    """
    files: list[Path] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            data = [f for f in found if f.suffix.lower() in DATA_SUFFIXES]
            for f in found:
                if f.suffix.lower() not in DATA_SUFFIXES:
                    notes.append(f"{f}: not a data file (skipped)")
            locks = [f for f in data if f.name.startswith("~$")]
            notes += [f"{f}: an Office lock file (skipped)" for f in locks]
            candidates = [f for f in data if f not in locks]
            if not candidates:
                raise DataError(Problem("the folder holds no data file", file=str(p)))
        else:
            if not p.exists():
                raise DataError(Problem("file not found", file=str(p), hint="check the path"))
            candidates = [p]
        for f in candidates:
            key = f.resolve()
            if key in seen:
                notes.append(f"{f}: given twice, read once")
                continue
            seen.add(key)
            files.append(f)
    return files, notes


def _parse_date(text: str) -> _dt.date | None:
    text = text.strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if not m:
            raise ValueError(text)
        d, mo, y = (int(g) for g in m.groups())
    return _dt.date(y, mo, d)


def _agency_for(path: Path, agencies: Mapping[str, str] | None) -> str | None:
    if not agencies:
        return None
    for key in (str(path), path.name, path.stem):
        if key in agencies:
            return agencies[key]
    return None


def assemble(
    paths: Sequence[str | Path],
    schema: TableSchema | None = None,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    agencies: Mapping[str, str] | None = None,
    precedence: Precedence | None = None,
    tolerance: float = 1e-9,
    loaders: Mapping[str, Loader] | None = None,
) -> Assembly:
    """Read and combine data files (see the module docstring).

    Parameters
    ----------
    paths
        Files and folders (folders are searched for data files).
    schema
        The layout the files follow (a pack level's :meth:`schema`); ``required`` columns
        must be present in at least one file.
    sheet
        Read only this sheet of each workbook (default: every visible sheet with a table).
    encoding
        Text encoding of CSV files.
    agencies
        File path, name or stem → submitting agency (used where a file has no agency column).
    precedence
        How conflicts are resolved; ``None``: every conflict is an error.
    tolerance
        Values closer than ``tolerance`` (absolute, and relative to their size) agree.
    loaders
        Readers by file suffix (default: the built-in ones; see
        :func:`dxframework.io.tables.read_tables`).
    """
    schema = schema or TableSchema()
    files, notes = expand_inputs(paths)
    logger.info("assembling %d file(s)", len(files))
    # one file must hold every required column; several may share them out
    per_file = schema if len(files) == 1 else attrs.evolve(schema, required=(), name_required=False)
    sources: list[_Source] = []
    problems: list[Problem] = []
    parsed: list[tuple[ParsedTable, int, str]] = []
    for order, f in enumerate(files):
        try:
            tables = read_tables(f, sheet=sheet, encoding=encoding, loaders=loaders)
        except DataError as exc:
            problems += exc.problems
            continue
        readable: list[RawTable] = []
        for t in tables:
            located, _ = _locate_header(t, per_file)
            wanted = {fold(w) for w in (per_file.unit_column or "unit", *UNIT_ALIASES)}
            has_unit = any(fold(h) in wanted for h in located.header)
            if t.sheet is not None and sheet is None and len(tables) > 1 and not has_unit:
                notes.append(f"{f}, sheet {t.sheet!r}: no header row with a unit column (not read)")
                continue
            readable.append(t)
        if not readable:
            problems.append(
                Problem(
                    "no sheet holds a table with a unit-code column",
                    file=str(f),
                    hint="the header row names the unit column ('unit' or 'Mã')",
                )
            )
        default_agency = _agency_for(f, agencies) or f.stem
        for t in readable:
            try:
                parsed.append((parse_table(t, per_file), order, default_agency))
            except DataError as exc:
                problems += exc.problems
    if schema.period is None:
        parsed = _join_single_period(parsed, per_file, notes)
    for table, order, default_agency in parsed:
        notes += [
            f"{table.table.source}"
            + (f", sheet {table.table.sheet!r}" if table.table.sheet else "")
            + f": {n}"
            for n in table.notes
        ]
        source, bad = _source(table, order, default_agency)
        sources.append(source)
        problems += bad
    if problems:
        raise DataError(problems)
    if not sources:
        raise DataError(Problem("no data read", hint="give data files or folders"))
    return _combine(sources, schema, precedence, tolerance, notes)


def _join_single_period(
    parsed: list[tuple[ParsedTable, int, str]], schema: TableSchema, notes: list[str]
) -> list[tuple[ParsedTable, int, str]]:
    """Tables without a period column join the one period of all the others, with a note.

    A lone table without a period column holds one period's values; beside tables that all
    hold the same single year, it is read as that year (the year is named in a note). When
    the others hold several years, its year is unknown: :func:`_combine` stops with an error.
    """
    dated = [p for p, _, _ in parsed if p.has_period]
    years = {y for p in dated for y in p.dataset.periods}
    if not dated or len(years) != 1 or len(dated) == len(parsed):
        return parsed
    (year,) = years
    out: list[tuple[ParsedTable, int, str]] = []
    for p, order, agency in parsed:
        if not p.has_period:
            # read as that year: from here on its rows carry a period like the others'
            p = attrs.evolve(
                parse_table(p.table, attrs.evolve(schema, period=year)), has_period=True
            )
            where = p.table.source + (f", sheet {p.table.sheet!r}" if p.table.sheet else "")
            notes.append(
                f"{where}: no period column; its values are read as {year}, the only period "
                "of the other files (give --period to choose another)"
            )
        out.append((p, order, agency))
    return out


def _source(parsed: ParsedTable, order: int, default_agency: str) -> tuple[_Source, list[Problem]]:
    """The table with its agency and date per row; problems for dates that cannot be read."""
    t = parsed.table
    problems: list[Problem] = []
    n_rows = len(parsed.row_keys)
    agency = tuple(a or default_agency for a in parsed.meta.get("agency", ("",) * n_rows))
    dates: list[_dt.date | None] = []
    for k, text in enumerate(parsed.meta.get("date", ("",) * n_rows)):
        try:
            dates.append(_parse_date(text))
        except ValueError:
            period, unit = parsed.row_keys[k]
            problems.append(
                Problem(
                    f"{text!r} is not a date",
                    file=t.source,
                    sheet=t.sheet,
                    row=parsed.dataset.row_numbers.get((period, unit)),
                    hint="write dates as 17/03/2024 or 2024-03-17",
                )
            )
            dates.append(None)
    return _Source(parsed, order, agency, tuple(dates)), problems


def _combine(
    sources: list[_Source],
    schema: TableSchema,
    precedence: Precedence | None,
    tolerance: float,
    notes: list[str],
) -> Assembly:
    units: dict[str, Unit] = {}
    columns: list[str] = []
    periods: set[int] = set()
    for t in sources:
        ds = t.parsed.dataset
        for unit in ds.units:
            known = units.get(unit.code)
            if known is None:
                units[unit.code] = unit
            elif not known.name and unit.name:
                units[unit.code] = attrs.evolve(known, name=unit.name)
        columns += [c for c in ds.columns if c not in columns]
        periods.update(ds.periods)
    with_period = [t for t in sources if t.parsed.has_period]
    if with_period and len(with_period) < len(sources) and schema.period is None:
        without = [t for t in sources if not t.parsed.has_period]
        first = with_period[0]
        example = first.file + (f", sheet {first.sheet!r}" if first.sheet else "")
        years = ", ".join(
            map(str, sorted({y for t in with_period for y in t.parsed.dataset.periods}))
        )
        raise DataError(
            [
                Problem(
                    f"no period column, though other files have one (e.g. {example}), "
                    f"holding {years}: its values would belong to no year",
                    file=t.file,
                    sheet=t.sheet,
                    hint="add a period column (Năm) with the year, or choose the year with "
                    "--period",
                )
                for t in without
            ]
        )
    if schema.numeric is not None:
        columns = [c for c in schema.numeric if c in columns]
    missing = [r for r in schema.required if r not in columns]
    if missing:
        raise DataError(
            [
                Problem(
                    f"no file has a column for indicator {r!r}",
                    column=r,
                    indicator=r,
                    hint="add the column (empty cells mark values not reported)",
                )
                for r in missing
            ]
        )
    period_list = sorted(periods)
    uidx = {c: i for i, c in enumerate(units)}
    cidx = {c: j for j, c in enumerate(columns)}
    pidx = {p: k for k, p in enumerate(period_list)}
    shape = (len(period_list), len(units), len(columns))
    values = np.full(shape, np.nan)
    source = np.full(shape, -1, dtype=np.int32)
    also: dict[tuple[int, int, int], tuple[int, ...]] = {}
    conflicts: list[dict[str, Any]] = []
    unresolved: list[Problem] = []
    row_numbers: dict[tuple[int, str], int] = {}

    def rank(s: int, p: int, u: int) -> tuple[Any, ...] | None:
        """Precedence of source ``s`` for unit ``u`` in period ``p`` (higher wins)."""
        src = sources[s]
        ds = src.parsed.dataset
        key = (ds.periods[p], ds.unit_codes[u])
        k = src.parsed.row_keys.index(key)
        if precedence is None:
            return None
        if precedence.kind == "order":
            return (src.order,)
        if precedence.kind == "agency":
            a = src.agency[k]
            n = len(precedence.agencies)
            return (n - precedence.agencies.index(a) if a in precedence.agencies else 0,)
        d = src.date[k]
        return None if d is None else (d.toordinal(),)

    owner_rank: dict[tuple[int, int, int], tuple[Any, ...] | None] = {}
    codes = list(units)
    for s, src in enumerate(sources):
        ds = src.parsed.dataset
        pi = np.asarray([pidx[p] for p in ds.periods], dtype=np.intp)
        ui = np.asarray([uidx[u] for u in ds.unit_codes], dtype=np.intp)
        ci = np.asarray([cidx.get(c, -1) for c in ds.columns], dtype=np.intp)
        keep = ci >= 0
        sub = ds.values[:, :, keep]
        ci = ci[keep]
        grid = np.ix_(pi, ui, ci)
        cur = values[grid]
        has = ~np.isnan(sub)
        fresh = has & np.isnan(cur)
        tgt_vals = values[grid]
        tgt_vals[fresh] = sub[fresh]
        values[grid] = tgt_vals
        tgt_src = source[grid]
        tgt_src[fresh] = s
        source[grid] = tgt_src
        both = has & ~np.isnan(cur)
        close = np.isclose(sub, cur, rtol=tolerance, atol=tolerance)
        for lp, lu, lc in zip(*np.nonzero(both & close), strict=True):
            key = (int(pi[lp]), int(ui[lu]), int(ci[lc]))
            also[key] = (*also.get(key, ()), s)
        for lp, lu, lc in zip(*np.nonzero(both & ~close), strict=True):
            p, u, c = int(pi[lp]), int(ui[lu]), int(ci[lc])
            key = (p, u, c)
            prev = int(source[key])
            prev_lp = sources[prev].parsed.dataset.periods.index(period_list[p])
            prev_lu = sources[prev].parsed.dataset.unit_codes.index(list(units)[u])
            r_prev = owner_rank.get(key, rank(prev, prev_lp, prev_lu))
            r_new = rank(s, int(lp), int(lu))
            new_value = float(sub[lp, lu, lc])
            old_value = float(values[key])
            record = {
                "unit": list(units)[u],
                "period": period_list[p],
                "indicator": columns[c],
                "value_a": repr(old_value),
                **_side(_where(sources, prev, key, codes, period_list, columns), "a"),
                "value_b": repr(new_value),
                **_side(_where(sources, s, key, codes, period_list, columns), "b"),
            }
            if r_prev is None or r_new is None or r_prev == r_new:
                record["resolution"] = "unresolved"
                unresolved.append(
                    Problem(
                        f"conflict: {record['indicator']} of {record['unit']!r} "
                        f"({record['period']}) is {old_value:g} in {_cite(record, 'a')} "
                        f"but {new_value:g} in {_cite(record, 'b')}",
                        unit=record["unit"],
                        indicator=record["indicator"],
                        hint="correct one file, or declare a precedence "
                        "(--prefer order | date | agency:A,B)",
                    )
                )
            elif r_new > r_prev:
                values[key] = new_value
                source[key] = s
                owner_rank[key] = r_new
                record["resolution"] = "b"
            else:
                owner_rank[key] = r_prev
                record["resolution"] = "a"
            conflicts.append(record)
    if unresolved:
        raise DataError(unresolved)
    for t in sources:
        for (period, code), row in t.parsed.dataset.row_numbers.items():
            row_numbers.setdefault((period, code), row)
    dataset = Dataset(
        units=list(units.values()),
        columns=columns,
        values=values,
        periods=period_list,
        source=sources[0].file if len(sources) == 1 else None,
        row_numbers=row_numbers if len(sources) == 1 else {},
    )
    return Assembly(
        dataset,
        tuple(sources),
        source,
        also,
        tuple(conflicts),
        tuple(notes),
        tuple(schema.required) or tuple(columns),
    )


def _where(
    sources: Sequence[_Source],
    s: int,
    key: tuple[int, int, int],
    unit_codes: Sequence[str],
    periods: Sequence[int],
    columns: Sequence[str],
) -> dict[str, Any]:
    src = sources[s]
    p, u, c = key
    period, code, column = periods[p], unit_codes[u], columns[c]
    row = src.parsed.dataset.row_numbers.get((period, code))
    k = src.parsed.row_keys.index((period, code))
    header = src.parsed.columns.get(column, (column, -1))[0]
    return {
        "file": src.file,
        "sheet": src.sheet or "",
        "row": row,
        "column": header,
        "agency": src.agency[k],
    }


def _side(where: Mapping[str, Any], side: str) -> dict[str, Any]:
    return {f"{k}_{side}": v for k, v in where.items()}


def _cite(record: Mapping[str, Any], side: str) -> str:
    sheet = record[f"sheet_{side}"]
    where = f"{record[f'file_{side}']}" + (f", sheet {sheet!r}" if sheet else "")
    return f"{where} row {record[f'row_{side}']} ({record[f'agency_{side}']})"


def read_dataset(
    path: str | Path,
    schema: TableSchema | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    loaders: Mapping[str, Loader] | None = None,
) -> Dataset:
    """Read a wide CSV, Excel or JSON file into a :class:`Dataset`.

    Parameters
    ----------
    path
        ``.csv`` (comma, semicolon or tab separated), ``.xlsx``/``.xlsm``/``.xls``/``.ods``
        (every visible sheet with a header row; stacked) or ``.json`` (a list of records).
    schema
        Roles of the columns and rules of the numbers; see :class:`TableSchema`.
    sheet
        Excel sheet name (default: every visible sheet that holds a table).
    encoding
        Text encoding of a CSV (default: UTF-8, or UTF-16 with a byte-order mark).
    loaders
        Readers by file suffix (default: the built-in ones). :func:`dxframework.read_dataset`
        passes the installed plugins' data loaders too.

    Raises
    ------
    DataError
        Listing every problem found: missing file, unknown or missing columns, text in a
        numeric cell, an ambiguous number, a value out of bounds, duplicate unit codes —
        each with file, sheet, row and column.
    """
    return assemble([Path(path)], schema, sheet=sheet, encoding=encoding, loaders=loaders).dataset
