"""Errors that say what is wrong, where, and how to fix it.

Every problem found in user input is a :class:`Problem`; a :class:`DxfError` carries one or
more of them. The CLI prints one line per problem and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

__all__ = ["DataError", "DxfError", "FrameworkError", "MethodError", "PluginError", "Problem"]


@attrs.frozen
class Problem:
    """One problem in user input: what is wrong, where, and how to fix it.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    file, sheet, row, column, unit, indicator
        Where it is; ``row`` counts lines of the file (or rows of the sheet) from 1.
    hint
        How to fix it.
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    unit: str | None = None
    indicator: str | None = None
    hint: str | None = None
    sheet: str | None = None

    def where(self) -> str:
        """Return the location as ``file:row, column 'c', unit 'u'`` (parts that are known)."""
        parts: list[str] = []
        if self.file is not None and self.sheet is not None:
            parts.append(f"{self.file}, sheet {self.sheet!r}")
            if self.row is not None:
                parts.append(f"row {self.row}")
        elif self.file is not None:
            parts.append(self.file if self.row is None else f"{self.file}:{self.row}")
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.unit is not None:
            parts.append(f"unit {self.unit!r}")
        if self.indicator is not None and self.indicator != self.column:
            parts.append(f"indicator {self.indicator!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class DxfError(Exception):
    """Base class of dxframework's errors about user input; holds one or more problems."""

    def __init__(self, problems: Problem | str | Iterable[Problem]) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: Sequence[Problem] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DataError(DxfError):
    """A data file or data set is invalid."""


class FrameworkError(DxfError):
    """A framework (indicators, aggregates, edges, weights) is invalid."""


class MethodError(DxfError):
    """A method was called with invalid parameters or cannot be applied to the data."""


class PluginError(DxfError):
    """A plugin could not be loaded or registered something twice."""
