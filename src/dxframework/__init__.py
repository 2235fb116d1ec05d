"""dxframework: build, score, analyse and report digital transformation indices.

The public API is what this module exports; everything else is implementation.

>>> import dxframework as dxf
>>> pack = dxf.get_pack("asem")                      # doctest: +SKIP
>>> result = pack.run()                              # doctest: +SKIP
>>> result.ranking()[:3]                             # doctest: +SKIP
"""

from dxframework._version import __version__
from dxframework.errors import (
    DataError,
    DxfError,
    FrameworkError,
    MethodError,
    PluginError,
    Problem,
)
from dxframework.io.frameworks import read_framework
from dxframework.io.pandas import dataset_from_pandas
from dxframework.io.tables import TableSchema
from dxframework.io.writers import write_run
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Edge, Framework
from dxframework.model.indicator import Aggregate, Indicator
from dxframework.model.units import Unit
from dxframework.packs.loaders import read_dataset
from dxframework.packs.pack import MetricPack
from dxframework.pipeline.context import MethodContext
from dxframework.pipeline.result import RunResult, StageResult
from dxframework.pipeline.run import run_pipeline
from dxframework.pipeline.spec import Pipeline, Stage
from dxframework.plugins.hookspecs import hookimpl
from dxframework.plugins.manager import get_registry


def get_pack(name: str) -> MetricPack:
    """The installed metric pack ``name`` (a :class:`PluginError` lists the installed ones)."""
    pack: MetricPack = get_registry().pack(name)
    return pack


__all__ = [
    "Aggregate",
    "DataError",
    "Dataset",
    "DxfError",
    "Edge",
    "Framework",
    "FrameworkError",
    "Indicator",
    "MethodContext",
    "MethodError",
    "MetricPack",
    "Pipeline",
    "PluginError",
    "Problem",
    "RunResult",
    "Stage",
    "StageResult",
    "TableSchema",
    "Unit",
    "__version__",
    "dataset_from_pandas",
    "get_pack",
    "get_registry",
    "hookimpl",
    "read_dataset",
    "read_framework",
    "run_pipeline",
    "write_run",
]
