"""The national study benchmark: run on demand, never in the test suite.

    python benchmarks/bench_national.py [--n 1000] [--workers 2] [--units 10000]

10 000 units × 100 indicators in 10 pillars, 1 000 replications with ±5 % uniform noise on
every input value and ±25 % weight noise (benchmarks/national/study.toml), min–max and the
arithmetic mean (benchmarks/national/pipeline.toml), scores and ranks per replication.

The data are the synthetic data of bench_pipeline.py (``synthetic()``, one period). They are
written as an ordinary metric pack (framework CSV, data CSV, pack.toml) into a temporary
folder, the pack is registered, and the study runs through the ``dxf uncertainty`` command
itself (in this process, so the figures include the command's own work: reading the pack,
the nominal run, writing the CSV files). Prints wall time and peak resident memory (this
process and its worker processes).
"""

from __future__ import annotations

import argparse
import csv
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from bench_pipeline import synthetic  # noqa: E402

import dxframework as dxf  # noqa: E402
from dxframework import MetricPack, hookimpl  # noqa: E402
from dxframework.cli import cli  # noqa: E402
from dxframework.plugins.manager import register_plugin  # noqa: E402


def write_pack(root: Path, units: int) -> Path:
    """The synthetic national data as a pack folder; returns its pack.toml."""
    fw, data = synthetic(units, 100, 1)
    (root / "data").mkdir(parents=True)
    (root / "pipelines").mkdir()
    with open(root / "data" / "meta.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type"])
        for ind in fw.indicators:
            (edge,) = fw.parents(ind.code)
            w.writerow(
                [1, ind.code, ind.code, ind.direction, edge.weight, edge.parent, "Indicator"]
            )
        for p in [a.code for a in fw.aggregates if a.code != "Index"]:
            w.writerow([2, p, p, "", 1, "Index", "Aggregate"])
        w.writerow([3, "Index", "Index", "", 1, "", "Aggregate"])
    with open(root / "data" / "data.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["uCode", "uName", "Time", *data.columns])
        vals = data.values[0]
        for i, u in enumerate(data.unit_codes):
            w.writerow([u, u, 2020, *("" if np.isnan(v) else repr(float(v)) for v in vals[i])])
    shutil.copy(HERE / "national" / "pipeline.toml", root / "pipelines" / "national.toml")
    shutil.copy(HERE / "national" / "study.toml", root / "study.toml")
    (root / "pack.toml").write_text(
        """[pack]
name = "national"
version = "1.0.0"
title_en = "National benchmark"
description = "Synthetic: units × 100 indicators in 10 pillars (benchmarks/bench_pipeline.py)."
levels = ["unit"]
framework = "data/meta.csv"
level_names = ["Indicator", "Pillar", "Index"]
index = "Index"
data = "data/data.csv"
default_pipeline = "national"

[pack.columns]
unit = "uCode"
name = "uName"
period = "Time"

[pipelines]
national = "pipelines/national.toml"
""",
        encoding="utf-8",
    )
    return root / "pack.toml"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--units", type=int, default=10_000)
    args = ap.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"python {platform.python_version()}, numpy {np.__version__}, dxframework "
        f"{dxf.__version__}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        toml = write_pack(Path(tmp) / "national", args.units)

        class Plugin:
            @hookimpl
            def register_packs(self, register: object) -> None:
                register(MetricPack.from_toml(toml))  # type: ignore[operator]

        register_plugin(Plugin(), "national-benchmark")
        out = Path(tmp) / "ua"
        argv = [
            "uncertainty",
            "--pack",
            "national",
            "--spec",
            "study.toml",
            "--n",
            str(args.n),
            "--seed",
            "1",
            "--workers",
            str(args.workers),
            "--out",
            str(out),
        ]
        t0 = time.perf_counter()
        try:
            cli.main(argv, prog_name="dxf", standalone_mode=False)
        finally:
            wall = time.perf_counter() - t0
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with open(out / "uncertainty.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        print(
            f"national study, {args.units} units × 100 indicators, {args.n} replications, "
            f"{args.workers} workers: {wall:.1f} s for the whole command; peak RSS "
            f"{own:.0f} MB (this process), {kids:.0f} MB (largest worker); "
            f"{len(rows)} units in uncertainty.csv"
        )


if __name__ == "__main__":
    main()
