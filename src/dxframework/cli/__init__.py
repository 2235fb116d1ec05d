"""The ``dxf`` command line."""

from dxframework.cli.main import cli, main

__all__ = ["cli", "main"]
