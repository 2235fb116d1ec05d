"""Crosswalks: mapping old units to new ones across an administrative reform.

From 1 July 2025 Vietnam has 34 provinces and two levels of local government; comparing years
across the reform needs each old unit's new unit. A crosswalk table has the columns
``old_code``, ``new_code`` and optionally ``new_name`` and ``weight``; a new unit's value is
the weighted mean of its old units' values (plain mean by default — the DTI 2024 rule for a
merged province is the mean of its former provinces' main-indicator values).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs
import numpy as np

from dxframework.errors import DataError, Problem
from dxframework.io.tables import parse_number, read_table, table_decimal
from dxframework.model.dataset import Dataset
from dxframework.model.units import Unit

__all__ = ["Crosswalk"]


@attrs.frozen
class Crosswalk:
    """Old unit → new unit, with a weight (for weighted means) and the new units' names."""

    links: tuple[tuple[str, str, float], ...]
    names: Mapping[str, str] = attrs.field(factory=dict)
    source: str | None = None

    @classmethod
    def from_file(cls, path: str | Path) -> Crosswalk:
        """Read a crosswalk table (CSV, Excel or JSON)."""
        table = read_table(path)
        decimal = table_decimal(table)
        header = {h.lower(): j for j, h in enumerate(table.header)}
        missing = [c for c in ("old_code", "new_code") if c not in header]
        if missing:
            raise DataError(
                [
                    Problem(f"missing column {c!r}", file=table.source, row=1, column=c)
                    for c in missing
                ]
            )
        links: list[tuple[str, str, float]] = []
        names: dict[str, str] = {}
        problems: list[Problem] = []
        for row, n in zip(table.rows, table.row_numbers, strict=True):
            old = str(row[header["old_code"]]).strip()
            new = str(row[header["new_code"]]).strip()
            w = 1.0
            if "weight" in header:
                v = parse_number(row[header["weight"]], decimal)
                if v is None or v < 0:
                    problems.append(
                        Problem(
                            f"weight {row[header['weight']]!r} must be a number ≥ 0",
                            file=table.source,
                            row=n,
                            column="weight",
                        )
                    )
                    continue
                w = 1.0 if np.isnan(v) else v
            links.append((old, new, w))
            if "new_name" in header and row[header["new_name"]]:
                names[new] = str(row[header["new_name"]]).strip()
        if problems:
            raise DataError(problems)
        return cls(tuple(links), names, table.source)

    def apply(self, data: Dataset) -> Dataset:
        """Values of the new units: the weighted mean of their old units' values.

        Missing values are skipped. Old units absent from ``data`` are ignored; a new unit
        with none of its old units present is left out.
        """
        new_codes = list(dict.fromkeys(new for _, new, _ in self.links))
        present = set(data.unit_codes)
        weights = np.zeros((len(new_codes), len(data.units)))
        col = {c: i for i, c in enumerate(new_codes)}
        for old, new, w in self.links:
            if old in present:
                weights[col[new], data.unit_index(old)] += w
        keep = weights.sum(axis=1) > 0
        weights = weights[keep]
        codes = [c for c, k in zip(new_codes, keep, strict=True) if k]
        x = data.values
        ok = ~np.isnan(x)
        num = np.einsum("nu,puc->pnc", weights, np.where(ok, x, 0.0))
        den = np.einsum("nu,puc->pnc", weights, ok.astype(np.float64))
        with np.errstate(invalid="ignore", divide="ignore"):
            values = num / den
        return Dataset(
            units=[Unit(c, name=self.names.get(c, "")) for c in codes],
            columns=data.columns,
            values=values,
            periods=data.periods,
            source=data.source,
        )
