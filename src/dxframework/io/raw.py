"""Cells of a table as a reader found them, before any number is parsed."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import attrs

__all__ = ["RawTable"]


def _header_cell(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFC", str(cell)).strip()


@attrs.frozen
class RawTable:
    """Cells of a table as read, with the file name and the row number of each row.

    ``header`` is the first non-empty row; a table whose real header sits below title rows
    is re-split by :func:`dxframework.io.tables.table_to_dataset`, which knows the column
    names to look for. ``sheet`` names the workbook sheet; ``percent_cells`` holds the
    ``(row number, column index)`` of cells formatted as a percentage in the workbook;
    ``first_column`` is the index in the sheet of the table's first column (0 = A).
    """

    source: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    row_numbers: tuple[int, ...]
    sheet: str | None = None
    percent_cells: frozenset[tuple[int, int]] = frozenset()
    first_column: int = 0
    header_row: int = 1
    strict_width: bool = False
    """Every row has as many cells as the header (a CSV: a stray delimiter is an error)."""

    @classmethod
    def from_rows(
        cls,
        source: str,
        rows: Sequence[Sequence[Any]],
        numbers: Sequence[int],
        sheet: str | None = None,
        percent_cells: frozenset[tuple[int, int]] = frozenset(),
        first_column: int = 0,
        strict_width: bool = False,
    ) -> RawTable:
        """The first row is the header; ``numbers`` are the rows' numbers in the file."""
        if not rows:
            return cls(source, (), (), (), sheet, percent_cells, first_column, 1, strict_width)
        return cls(
            source,
            tuple(_header_cell(h) for h in rows[0]),
            tuple(tuple(r) for r in rows[1:]),
            tuple(numbers[1:]),
            sheet,
            percent_cells,
            first_column,
            numbers[0],
            strict_width,
        )

    def split_at(self, index: int) -> RawTable:
        """The table whose header is data row ``index`` (rows above it are titles)."""
        return attrs.evolve(
            self,
            header=tuple(_header_cell(h) for h in self.rows[index]),
            rows=self.rows[index + 1 :],
            row_numbers=self.row_numbers[index + 1 :],
            header_row=self.row_numbers[index],
        )
