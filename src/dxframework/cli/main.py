"""The ``dxf`` command line: the group and its commands, one module per theme.

- :mod:`dxframework.cli.packs`: packs, plugins, methods, check-pack, new-pack;
- :mod:`dxframework.cli.scoring`: validate, run, stats, uncertainty;
- :mod:`dxframework.cli.documents`: report, tasks, templates, demo;
- :mod:`dxframework.cli.export`: export (XLSX, CSV with a BOM).
"""

from __future__ import annotations

from dxframework.cli import assessment, documents, export, intake, packs, scoring, workbook
from dxframework.cli.app import cli

__all__ = ["cli", "main"]

# imported for the commands they register
_COMMANDS = (assessment, documents, export, intake, packs, scoring, workbook)


def main() -> None:
    """Entry point of the ``dxf`` script."""
    cli(prog_name="dxf")
