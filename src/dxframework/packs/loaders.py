"""The data loaders a pack reads with: io's built-in readers and the installed plugins'.

The io layer knows no plugins (:func:`dxframework.io.tables.read_tables` uses its built-in
readers unless given others); the packs layer, above the plugins, passes the registry's data
loaders. :func:`read_dataset` is :func:`dxframework.io.read_dataset` with them: the public
``dxframework.read_dataset``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dxframework.io.assemble import read_dataset as _read_dataset
from dxframework.io.readers import READERS
from dxframework.io.tables import Loader, TableSchema
from dxframework.model.dataset import Dataset
from dxframework.plugins.manager import get_registry

__all__ = ["read_dataset", "registered_loaders"]


def registered_loaders() -> Mapping[str, Loader]:
    """Readers by file suffix: the built-in ones, extended or replaced by the plugins'."""
    registered = {suffix: entry.loader for suffix, entry in get_registry().loaders.items()}
    return {**READERS, **registered}


def read_dataset(
    path: str | Path,
    schema: TableSchema | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Dataset:
    """Read a wide CSV, Excel or JSON file (or a file a plugin's loader reads) into a
    :class:`~dxframework.Dataset`.

    As :func:`dxframework.io.read_dataset`, with the installed plugins' data loaders
    (:func:`registered_loaders`).
    """
    return _read_dataset(path, schema, sheet, encoding, loaders=registered_loaders())
