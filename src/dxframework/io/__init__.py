"""Reading and writing data sets, frameworks, task catalogues and unit maps (crosswalks).

The io layer reads files into the model's objects and writes data sets; it knows neither
plugins nor runs (:func:`~dxframework.io.writers.write_run` takes anything shaped like a
run). Readers default to the built-in ones (:data:`dxframework.io.readers.READERS`); the
packs pass the installed plugins' data loaders (``loaders=``).
"""

from dxframework.io.assemble import Assembly, Precedence, assemble, read_dataset
from dxframework.io.crosswalk import read_unit_map
from dxframework.io.frameworks import FrameworkSpec, framework_from_dict, read_framework
from dxframework.io.pandas import dataset_from_pandas
from dxframework.io.tables import (
    ColumnRule,
    RawTable,
    TableSchema,
    read_table,
    read_tables,
)
from dxframework.io.tasks import read_tasks
from dxframework.io.writers import write_dataset_csv, write_run

__all__ = [
    "Assembly",
    "ColumnRule",
    "FrameworkSpec",
    "Precedence",
    "RawTable",
    "TableSchema",
    "assemble",
    "dataset_from_pandas",
    "framework_from_dict",
    "read_dataset",
    "read_framework",
    "read_table",
    "read_tables",
    "read_tasks",
    "read_unit_map",
    "write_dataset_csv",
    "write_run",
]
