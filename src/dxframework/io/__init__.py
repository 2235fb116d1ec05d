"""Reading and writing data sets, frameworks and run results."""

from dxframework.io.frameworks import FrameworkSpec, framework_from_dict, read_framework
from dxframework.io.tables import RawTable, TableSchema, read_dataset, read_table
from dxframework.io.writers import write_dataset_csv, write_run

__all__ = [
    "FrameworkSpec",
    "RawTable",
    "TableSchema",
    "framework_from_dict",
    "read_dataset",
    "read_framework",
    "read_table",
    "write_dataset_csv",
    "write_run",
]
