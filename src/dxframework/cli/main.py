"""The ``dxf`` command line: the group and its commands, one module per theme.

- :mod:`dxframework.cli.packs`: packs, plugins, methods, check-pack, new-pack;
- :mod:`dxframework.cli.scoring`: validate, run, stats, uncertainty;
- :mod:`dxframework.cli.documents`: report, tasks, templates, demo.
"""

from __future__ import annotations

from dxframework.cli import documents, intake, packs, scoring, workbook
from dxframework.cli.app import cli

__all__ = ["cli", "main"]

_COMMANDS = (documents, intake, packs, scoring, workbook)  # imported for the commands they register


def main() -> None:
    """Entry point of the ``dxf`` script."""
    cli(prog_name="dxf")
