"""Helpers shared by the top-level test modules (imported as ``helpers``)."""

from __future__ import annotations

import csv
import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

#: unit code → column code → value, as read from a CLI output CSV
Table = dict[str, dict[str, float]]


def load_reference(name: str) -> ModuleType:
    """Load a module of ``tests/reference`` by path, whatever the test package layout."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REFERENCE_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def read_output(path: Path) -> Table:
    """Read a CLI output CSV: first column ``unit``, empty cell = missing (NaN)."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames is not None and reader.fieldnames[0] == "unit", (
            f"{path.name}: first column must be 'unit', got {reader.fieldnames!r}"
        )
        data: Table = {}
        for row in reader:
            unit = row.pop("unit")
            data[unit] = {
                code: math.nan if (cell is None or cell.strip() == "") else float(cell)
                for code, cell in row.items()
            }
    return data


def dxf(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m dxframework ARGS`` as a separate process."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "dxframework", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
