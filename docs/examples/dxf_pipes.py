"""An example dxframework plugin: a reader for pipe-separated ``.pipe`` files.

A file reader is one module with one hook, like a method::

    [project.entry-points.dxframework]
    pipes = "dxf_pipes"
"""

from __future__ import annotations

from pathlib import Path

import dxframework as dxf
from dxframework.io.raw import RawTable
from dxframework.plugins import LoaderRegistrar


def read_pipes(path: Path, sheet: str | None = None, encoding: str | None = None) -> RawTable:
    """Read ``unit|indicator|…`` lines: the first is the header, blank lines are skipped."""
    lines = Path(path).read_text(encoding=encoding or "utf-8").splitlines()
    rows = [tuple(cell.strip() for cell in line.split("|")) for line in lines if line.strip()]
    if not rows:
        raise dxf.DataError(dxf.Problem("the file is empty", file=str(path)))
    return RawTable(str(path), rows[0], tuple(rows[1:]), tuple(range(2, len(rows) + 1)))


@dxf.hookimpl
def register_data_loaders(register: LoaderRegistrar) -> None:
    """Contribute the ``.pipe`` reader."""
    register(".pipe", read_pipes, "pipe-separated values")
