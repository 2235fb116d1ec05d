"""The ``dxf`` command line: the group and its commands, one module per theme.

- :mod:`dxframework.cli.packs`: packs, plugins, methods, check-pack, new-pack;
- :mod:`dxframework.cli.scoring`: validate, run, stats, uncertainty;
- :mod:`dxframework.cli.documents`: report, tasks, templates, demo;
- :mod:`dxframework.cli.export`: export (XLSX, CSV with a BOM);
- :mod:`dxframework.cli.dashboard`: dashboard (one offline HTML file);
- :mod:`dxframework.cli.plot`: plot (one picture: SVG, PNG, PDF).
"""

from __future__ import annotations

from dxframework.cli import (
    assessment,
    dashboard,
    documents,
    export,
    intake,
    packs,
    plot,
    scoring,
    workbook,
)
from dxframework.cli.app import cli

__all__ = ["cli", "main"]

# imported for the commands they register
_COMMANDS = (assessment, dashboard, documents, export, intake, packs, plot, scoring, workbook)


def main() -> None:
    """Entry point of the ``dxf`` script."""
    cli(prog_name="dxf")
