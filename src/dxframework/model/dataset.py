"""Data sets: units × columns × periods of float64 values, NaN for missing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from dxframework.errors import DataError, Problem
from dxframework.model._convert import int_tuple, str_tuple
from dxframework.model.units import Unit

__all__ = ["Dataset"]


def _values(value: ArrayLike) -> NDArray[np.float64]:
    # always a copy (the caller's array is never shared), in C order: reductions over units
    # then add in the same order whatever layout the values came in, so results do not
    # depend on how a data set was built
    arr = np.array(value, dtype=np.float64, order="C")
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3:
        raise ValueError(f"values must have shape (periods, units, columns), got {arr.shape}")
    arr.setflags(write=False)
    return arr


def _units(value: Iterable[Unit | str]) -> tuple[Unit, ...]:
    return tuple(u if isinstance(u, Unit) else Unit(str(u)) for u in value)


def _row_numbers(value: Mapping[tuple[int, str], int] | None) -> Mapping[tuple[int, str], int]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen(eq=False)
class Dataset:
    """Values of units × columns × periods, immutable.

    ``values`` has shape ``(len(periods), len(units), len(columns))``; NaN marks a missing
    value. Columns are indicator, aggregate or auxiliary (denominator) codes. The array is
    copied on construction (in C order) and made read-only, so a data set never changes after
    it is built and never shares memory with its input.

    ``row_numbers`` maps ``(period, unit code)`` to the row of the file the values were read
    from, so that problems found later (in a pipeline stage) can point at the row.
    """

    units: tuple[Unit, ...] = attrs.field(converter=_units)
    columns: tuple[str, ...] = attrs.field(converter=str_tuple)
    values: NDArray[np.float64] = attrs.field(converter=_values)
    periods: tuple[int, ...] = attrs.field(default=(0,), converter=int_tuple)
    source: str | None = None
    row_numbers: Mapping[tuple[int, str], int] = attrs.field(
        factory=dict, converter=_row_numbers, repr=False
    )
    _unit_index: Mapping[str, int] = attrs.field(init=False, repr=False)
    _column_index: Mapping[str, int] = attrs.field(init=False, repr=False)
    _unit_codes: tuple[str, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        seen: dict[str, int] = {}
        for i, u in enumerate(self.units):
            if u.code in seen:
                problems.append(
                    Problem(
                        f"duplicate unit code {u.code!r}",
                        file=self.source,
                        unit=u.code,
                        hint="each unit must appear once per period",
                    )
                )
            seen.setdefault(u.code, i)
        cols: dict[str, int] = {}
        for j, c in enumerate(self.columns):
            if c in cols:
                problems.append(Problem(f"duplicate column {c!r}", file=self.source, column=c))
            cols.setdefault(c, j)
        if len(set(self.periods)) != len(self.periods):
            problems.append(Problem("duplicate periods", file=self.source))
        shape = (len(self.periods), len(self.units), len(self.columns))
        if self.values.shape != shape:
            problems.append(
                Problem(
                    f"values have shape {self.values.shape}, expected {shape} "
                    "(periods, units, columns)",
                    file=self.source,
                )
            )
        if problems:
            raise DataError(problems)
        object.__setattr__(self, "_unit_index", MappingProxyType(seen))
        object.__setattr__(self, "_column_index", MappingProxyType(cols))
        object.__setattr__(self, "_unit_codes", tuple(seen))

    # -- named constructors ----------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        units: Sequence[Unit | str],
        columns: Sequence[str],
        values: ArrayLike,
        periods: Sequence[int] = (0,),
    ) -> Dataset:
        """Build from a 2-D ``(units, columns)`` or 3-D ``(periods, units, columns)`` array."""
        return cls(units=units, columns=columns, values=values, periods=periods)

    def to_pandas(self, period: int | None = None) -> Any:
        """A pandas DataFrame indexed by unit code (and period for a panel when ``period`` is
        None); needs ``dxframework[pandas]``.

        The reverse, a DataFrame read by a schema, is :func:`dxframework.dataset_from_pandas`
        (the model reads nothing: reading is :mod:`dxframework.io`'s).
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise DataError(
                Problem("pandas is not installed", hint="pip install 'dxframework[pandas]'")
            ) from None
        if period is not None or len(self.periods) == 1:
            p = self.period_index(period)
            return pd.DataFrame(
                self.values[p],
                columns=list(self.columns),
                index=pd.Index(self.unit_codes, name="unit"),
            )
        frames = []
        for p, per in enumerate(self.periods):
            df = pd.DataFrame(self.values[p], columns=list(self.columns))
            df.insert(0, "period", per)
            df.insert(0, "unit", self.unit_codes)
            frames.append(df)
        return pd.concat(frames).set_index(["unit", "period"])

    # -- access ----------------------------------------------------------------------------
    @property
    def unit_codes(self) -> tuple[str, ...]:
        """Unit codes in row order."""
        return self._unit_codes

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(periods, units, columns)``."""
        p, u, c = self.values.shape
        return (p, u, c)

    def has_column(self, code: str) -> bool:
        """Whether ``code`` is a column."""
        return code in self._column_index

    def column_index(self, code: str) -> int:
        """Position of a column; a :class:`DataError` naming it when absent."""
        try:
            return self._column_index[code]
        except KeyError:
            raise DataError(
                Problem(f"no column {code!r} in the data set", file=self.source, column=code)
            ) from None

    def unit_index(self, code: str) -> int:
        """Row of a unit; a :class:`DataError` naming it when absent."""
        try:
            return self._unit_index[code]
        except KeyError:
            raise DataError(
                Problem(f"no unit {code!r} in the data set", file=self.source, unit=code)
            ) from None

    def get(self, columns: Sequence[str]) -> NDArray[np.float64]:
        """Values of some columns, shape ``(periods, units, len(columns))`` (a copy)."""
        idx = [self.column_index(c) for c in columns]
        return self.values[:, :, idx].copy()

    def column(self, code: str, period: int | None = None) -> NDArray[np.float64]:
        """One column over units, for one period (default: the only or the last one)."""
        p = self.period_index(period)
        return self.values[p, :, self.column_index(code)].copy()

    def period_index(self, period: int | None) -> int:
        """Position of a period; ``None`` means the last one."""
        if period is None:
            return len(self.periods) - 1
        try:
            return self.periods.index(period)
        except ValueError:
            raise DataError(
                Problem(
                    f"no period {period!r} in the data set (it has "
                    f"{', '.join(map(str, self.periods))})",
                    file=self.source,
                )
            ) from None

    def group_labels(self, grouping: str) -> tuple[str | None, ...]:
        """Each unit's label in a grouping (``None`` where the unit has none)."""
        return tuple(u.groups.get(grouping) for u in self.units)

    def groupings(self) -> tuple[str, ...]:
        """Names of all groupings used by any unit."""
        names: dict[str, None] = {}
        for u in self.units:
            names.update(dict.fromkeys(u.groups))
        return tuple(names)

    # -- derived data sets -----------------------------------------------------------------
    def with_columns(self, columns: Sequence[str], values: ArrayLike) -> Dataset:
        """A new data set with the same units and periods and other columns."""
        return Dataset(
            units=self.units,
            columns=columns,
            values=values,
            periods=self.periods,
            source=self.source,
            row_numbers=self.row_numbers,
        )

    def derive(
        self,
        columns: Sequence[str],
        values: NDArray[np.float64],
        periods: Sequence[int] | None = None,
    ) -> Dataset:
        """:meth:`with_columns` for an array the caller has just computed and hands over.

        The same data set as ``with_columns(columns, values)``, built without copying
        ``values`` and without checking the units again (they are this data set's): the array
        is made read-only in place and belongs to the new data set from then on, so the caller
        must not keep a writable view of it. An array that is a writable view, not float64 or
        not in C order is copied as by :meth:`with_columns`. ``periods`` replaces the periods (as
        many as the array's first axis). The stages of a run use it for their fresh results;
        anywhere else :meth:`with_columns` is the safe choice.
        """
        arr = values
        if (
            arr.dtype != np.float64
            or arr.ndim != 3
            or not arr.flags.c_contiguous
            or (arr.base is not None and arr.flags.writeable)
        ):
            return Dataset(
                units=self.units,
                columns=columns,
                values=values,
                periods=self.periods if periods is None else periods,
                source=self.source,
                row_numbers=self.row_numbers,
            )
        cols = tuple(str(c) for c in columns)
        pers = self.periods if periods is None else tuple(int(p) for p in periods)
        index = self._column_index if cols == self.columns else None
        if index is None:
            index = MappingProxyType({c: j for j, c in enumerate(cols)})
            if len(index) != len(cols) or len(set(pers)) != len(pers):
                return Dataset(  # the ordinary checks name the duplicates
                    units=self.units,
                    columns=cols,
                    values=values,
                    periods=pers,
                    source=self.source,
                    row_numbers=self.row_numbers,
                )
        shape = (len(pers), len(self.units), len(cols))
        if arr.shape != shape:
            raise DataError(
                Problem(
                    f"values have shape {arr.shape}, expected {shape} (periods, units, columns)",
                    file=self.source,
                )
            )
        arr.setflags(write=False)
        new = object.__new__(Dataset)
        for name, value in (
            ("units", self.units),
            ("columns", cols),
            ("values", arr),
            ("periods", pers),
            ("source", self.source),
            ("row_numbers", self.row_numbers),
            ("_unit_index", self._unit_index),
            ("_column_index", index),
            ("_unit_codes", self._unit_codes),
        ):
            object.__setattr__(new, name, value)
        return new

    def select(
        self,
        columns: Sequence[str] | None = None,
        units: Sequence[str] | None = None,
        periods: Sequence[int] | None = None,
    ) -> Dataset:
        """A subset by column codes, unit codes and periods (in the order given)."""
        ci = [self.column_index(c) for c in columns] if columns is not None else slice(None)
        ui = [self.unit_index(u) for u in units] if units is not None else slice(None)
        pi = [self.period_index(p) for p in periods] if periods is not None else slice(None)
        values = self.values[pi][:, ui][:, :, ci]
        if isinstance(ui, slice):  # the same units: no need to check them again
            if not values.flags.owndata and values.base is not None:
                values = np.array(values, order="C")  # a view of this array: not shared
            return self.derive(
                columns if columns is not None else self.columns,
                values,
                periods=periods if periods is not None else self.periods,
            )
        return Dataset(
            units=[self.units[i] for i in ui] if isinstance(ui, list) else self.units,
            columns=columns if columns is not None else self.columns,
            values=values,
            periods=periods if periods is not None else self.periods,
            source=self.source,
            row_numbers=self.row_numbers,
        )

    def locate(self, problems: Iterable[Problem]) -> tuple[Problem, ...]:
        """Add the file row to problems about a unit of this data set that lack one.

        A problem is located when it names this data set's file and a unit that has exactly
        one row among the data set's periods.
        """
        out: list[Problem] = []
        for p in problems:
            if p.row is None and p.unit is not None and p.file == self.source:
                rows = {
                    self.row_numbers[(per, p.unit)]
                    for per in self.periods
                    if (per, p.unit) in self.row_numbers
                }
                if len(rows) == 1:
                    p = attrs.evolve(p, row=rows.pop())
            out.append(p)
        return tuple(out)

    def to_records(self, period: int | None = None) -> list[dict[str, Any]]:
        """One dict per unit: ``{"unit": code, column: value, ...}`` (NaN kept)."""
        p = self.period_index(period)
        rows = self.values[p]
        return [
            {"unit": u.code, **{c: float(rows[i, j]) for j, c in enumerate(self.columns)}}
            for i, u in enumerate(self.units)
        ]

    def equals(self, other: Dataset) -> bool:
        """Same units, columns, periods and values (NaN equal to NaN)."""
        return (
            self.unit_codes == other.unit_codes
            and self.columns == other.columns
            and self.periods == other.periods
            and bool(np.array_equal(self.values, other.values, equal_nan=True))
        )

    def as_mapping(self, period: int | None = None) -> Mapping[str, NDArray[np.float64]]:
        """Columns by code for one period."""
        p = self.period_index(period)
        return {c: self.values[p, :, j] for j, c in enumerate(self.columns)}
