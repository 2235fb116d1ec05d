"""pandas interop (optional extra ``dxframework[pandas]``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from dxframework.errors import DataError, Problem
from dxframework.io.tables import RawTable, TableSchema, table_to_dataset
from dxframework.model.dataset import Dataset

__all__ = ["dataset_from_pandas", "dataset_to_pandas"]


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise DataError(
            Problem("pandas is not installed", hint="pip install 'dxframework[pandas]'")
        ) from None
    return pd


def dataset_from_pandas(
    frame: Any, schema: TableSchema | None = None, source: str = "<DataFrame>"
) -> Dataset:
    """Build a data set from a wide DataFrame (a named index becomes a column)."""
    pd = _pandas()
    if not isinstance(frame, pd.DataFrame):
        raise DataError(Problem(f"expected a pandas DataFrame, got {type(frame).__name__}"))
    df = frame.reset_index() if frame.index.name is not None else frame
    header = tuple(str(c) for c in df.columns)
    rows = tuple(
        tuple(None if (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v for v in r)
        for r in df.itertuples(index=False, name=None)
    )
    table = RawTable(source, header, rows, tuple(range(2, len(rows) + 2)))
    return table_to_dataset(table, schema)


def dataset_to_pandas(data: Dataset, period: int | None = None) -> Any:
    """A DataFrame indexed by unit code (and period for a panel when ``period`` is None)."""
    pd = _pandas()
    if period is not None or len(data.periods) == 1:
        p = data.period_index(period)
        df = pd.DataFrame(
            data.values[p], columns=list(data.columns), index=pd.Index(data.unit_codes, name="unit")
        )
        return df
    frames = []
    for p, per in enumerate(data.periods):
        df = pd.DataFrame(data.values[p], columns=list(data.columns))
        df.insert(0, "period", per)
        df.insert(0, "unit", data.unit_codes)
        frames.append(df)
    return pd.concat(frames).set_index(["unit", "period"])
