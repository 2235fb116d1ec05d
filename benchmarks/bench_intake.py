"""Benchmarks of data intake: run on demand, never in the test suite.

    python benchmarks/bench_intake.py

Measures wall time and peak resident memory of reading:
- a 10 000 units × 100 indicators XLSX (written once with openpyxl) through
  ``dxframework.io.read_dataset`` (python-calamine), and with openpyxl alone for comparison;
- a large CSV (about 64 MB: 80 000 rows × 100 columns of text numbers; larger than 100 MB is
  refused, see DXF_MAX_TEXT_MB) through
  ``read_dataset`` — run in a child process so its peak memory is its own.
Figures are recorded in docs/benchmarks.md with the machine they were measured on.
"""

from __future__ import annotations

import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_xlsx(path: Path, units: int = 10_000, indicators: int = 100) -> None:
    import openpyxl

    rng = np.random.default_rng(1)
    values = rng.uniform(0, 100, (units, indicators)).round(3)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append(["unit", *(f"i{j}" for j in range(indicators))])
    for i in range(units):
        ws.append([f"u{i:05d}", *values[i].tolist()])
    wb.save(path)


def write_csv(path: Path, rows: int = 200_000, columns: int = 100) -> None:
    rng = np.random.default_rng(2)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("unit," + ",".join(f"i{j}" for j in range(columns)) + "\n")
        for start in range(0, rows, 10_000):
            block = rng.uniform(0, 100, (10_000, columns)).round(4)
            for i, row in enumerate(block):
                fh.write(f"u{start + i:06d}," + ",".join(f"{v:.4f}" for v in row) + "\n")


CHILD = """
import resource, sys, time
from dxframework.io import read_dataset
t = time.perf_counter()
d = read_dataset(sys.argv[1])
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, d.shape)
"""


def child(path: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
    )
    seconds, mb, shape = out.stdout.split(maxsplit=2)
    return f"{float(seconds):.2f} s, peak RSS {float(mb):.0f} MB, shape {shape.strip()}"


def main() -> None:
    print(
        f"machine: {platform.machine()}, {platform.processor() or '?'}, "
        f"Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = Path(tmp) / "wide.xlsx"
        write_xlsx(xlsx)
        print(f"XLSX 10 000 × 100 ({xlsx.stat().st_size / 1e6:.1f} MB) read_dataset: {child(xlsx)}")
        import openpyxl

        t = time.perf_counter()
        wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
        n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        print(
            f"XLSX 10 000 × 100 openpyxl alone (read-only): "
            f"{time.perf_counter() - t:.2f} s ({n} rows)"
        )
        big = Path(tmp) / "big.csv"
        write_csv(big, rows=80_000)
        print(f"CSV {big.stat().st_size / 1e6:.0f} MB read_dataset: {child(big)}")
    print(
        f"this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
