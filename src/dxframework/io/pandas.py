"""pandas interop (optional extra ``dxframework[pandas]``).

A wide DataFrame reads into a data set by a schema, like a wide file
(:func:`dataset_from_pandas`); the way back is :meth:`dxframework.Dataset.to_pandas`.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from dxframework.errors import DataError, Problem
from dxframework.io.tables import RawTable, TableSchema, table_to_dataset
from dxframework.model.dataset import Dataset

__all__ = ["dataset_from_pandas", "is_dataframe"]


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise DataError(
            Problem("pandas is not installed", hint="pip install 'dxframework[pandas]'")
        ) from None
    return pd


def is_dataframe(value: Any) -> bool:
    """Whether ``value`` is a pandas DataFrame (without importing pandas when it is not)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(value, pd.DataFrame)


def dataset_from_pandas(
    frame: Any, schema: TableSchema | None = None, source: str = "<DataFrame>"
) -> Dataset:
    """Build a data set from a wide DataFrame laid out like a wide file (a named index
    becomes a column); ``schema`` as for :func:`dxframework.io.read_dataset`."""
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
