"""Reading unit maps: old units → new units across the 2025 reform (see
:mod:`dxframework.model.crosswalk` for the columns and the rules)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dxframework.errors import DataError, Problem
from dxframework.io.tables import Loader, parse_number, read_table, table_decimal
from dxframework.model.crosswalk import NEW_LEVELS, Link, UnitMap
from dxframework.model.text import fold_text

__all__ = ["read_unit_map"]

_STATUS = {"published": "published", "cong bo": "published", "da cong bo": "published"}
_STATUS |= {"illustrative": "illustrative", "minh hoa": "illustrative", "": "illustrative"}


def read_unit_map(path: str | Path, loaders: Mapping[str, Loader] | None = None) -> UnitMap:
    """Read a unit map (CSV, Excel or JSON); every bad cell is a problem naming its row.

    ``loaders`` read other file types, as for :func:`dxframework.io.tables.read_tables`.
    """
    table = read_table(path, loaders=loaders)
    src = table.source
    decimal = table_decimal(table)
    header = {fold_text(h).replace(" ", "_"): j for j, h in enumerate(table.header)}
    if "share" not in header and "weight" in header:
        header["share"] = header["weight"]
    missing = [c for c in ("old_code", "new_code") if c not in header]
    if missing:
        raise DataError(
            [
                Problem(f"missing column {c!r}", file=src, row=table.header_row, column=c)
                for c in missing
            ]
        )
    problems: list[Problem] = []
    links: list[Link] = []
    new_names: dict[str, str] = {}
    old_names: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    for row, n in zip(table.rows, table.row_numbers, strict=True):

        def cell(name: str, row: tuple[Any, ...] = row) -> str:
            j = header.get(name)
            v = row[j] if j is not None and j < len(row) else None
            if v is None:
                return ""
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            return str(v).strip()

        old, new = cell("old_code"), cell("new_code")
        if not old or not new:
            problems.append(
                Problem(
                    "old_code and new_code must both be given",
                    file=src,
                    row=n,
                    column="old_code" if not old else "new_code",
                )
            )
            continue
        if (old, new) in seen:
            problems.append(
                Problem(
                    f"{old} → {new} is listed twice (first on row {seen[(old, new)]})",
                    file=src,
                    row=n,
                    column="new_code",
                )
            )
            continue
        seen[(old, new)] = n
        share = 1.0
        if "share" in header and cell("share"):
            v = parse_number(cell("share"), decimal)
            if v is None or math.isnan(v) or not 0 < v <= 1:
                problems.append(
                    Problem(
                        f"share {cell('share')!r} must be a number in (0, 1]",
                        file=src,
                        row=n,
                        column="share",
                        hint="the part of the old unit (population or area) in the new one",
                    )
                )
                continue
            share = v
        new_level = cell("new_level")
        if new_level and new_level not in NEW_LEVELS:
            problems.append(
                Problem(
                    f"new level {new_level!r}: since 1 July 2025 local government has two "
                    "levels, province and commune",
                    file=src,
                    row=n,
                    column="new_level",
                )
            )
            continue
        status = _STATUS.get(fold_text(cell("status")))
        if status is None:
            problems.append(
                Problem(
                    f"status {cell('status')!r} must be 'published' or 'illustrative'",
                    file=src,
                    row=n,
                    column="status",
                )
            )
            continue
        links.append(
            Link(
                old=old,
                new=new,
                share=share,
                old_level=cell("old_level"),
                new_level=new_level,
                basis=cell("basis"),
                status=status,
                note=cell("note"),
                row=n,
            )
        )
        if cell("new_name"):
            new_names.setdefault(new, cell("new_name"))
        if cell("old_name"):
            old_names.setdefault(old, cell("old_name"))
    # an old unit cannot be shared out more than once over
    total: dict[tuple[str, str], float] = {}
    first_row: dict[tuple[str, str], int | None] = {}
    for lk in links:
        key = (lk.old_level, lk.old)
        total[key] = total.get(key, 0.0) + lk.share
        first_row.setdefault(key, lk.row)
    for (level, old), t in total.items():
        if t > 1 + 1e-9:
            problems.append(
                Problem(
                    f"the shares of {old} add up to {t:g} (more than the whole unit)",
                    file=src,
                    row=first_row[(level, old)],
                    column="share",
                    hint="the parts an old unit is split into add up to 1",
                )
            )
    if problems:
        raise DataError(problems)
    return UnitMap(tuple(links), new_names, old_names, src)
