"""Reading and writing data sets, frameworks and run results."""

from dxframework.io.assemble import Assembly, Precedence, assemble
from dxframework.io.frameworks import FrameworkSpec, framework_from_dict, read_framework
from dxframework.io.tables import (
    ColumnRule,
    RawTable,
    TableSchema,
    read_dataset,
    read_table,
    read_tables,
)
from dxframework.io.writers import write_dataset_csv, write_run

__all__ = [
    "Assembly",
    "ColumnRule",
    "FrameworkSpec",
    "Precedence",
    "RawTable",
    "TableSchema",
    "assemble",
    "framework_from_dict",
    "read_dataset",
    "read_framework",
    "read_table",
    "read_tables",
    "write_dataset_csv",
    "write_run",
]
