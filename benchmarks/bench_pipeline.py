"""Benchmarks of the pipeline: run on demand, never in the test suite.

    python benchmarks/bench_pipeline.py            # all benchmarks, figures to stdout
    python benchmarks/bench_pipeline.py scale      # the pipeline at 1k, 10k, 100k units only

Measures wall time (best of N) and peak traced memory of:
- the ASEM reference pipeline (51 units × 49 indicators), the published example;
- the same pipeline on a synthetic 10 000 units × 100 indicators × 5 periods data set;
- the pipeline (impute, treat, normalise, aggregate) at 1 000, 10 000 and 100 000 units × 100
  indicators × 1 period (``scale``);
- the numeric cores over a leading axis of 1 000 parameter variants (normalise + aggregate),
  the shape the uncertainty analysis will use.
Figures are recorded in docs/benchmarks.md with the machine they were measured on.
"""

from __future__ import annotations

import platform
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

import dxframework as dxf
from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.methods import aggregate, normalise, treat


def measure(func: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """Best wall time in seconds and peak traced memory in MB."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 1e6


def synthetic(
    units: int, indicators: int, periods: int, groups: int = 10
) -> tuple[Framework, Dataset]:
    rng = np.random.default_rng(0)
    codes = [f"i{k:03d}" for k in range(indicators)]
    pillars = [f"P{g}" for g in range(groups)]
    fw = Framework(
        [Indicator(c, direction=1 if k % 4 else -1) for k, c in enumerate(codes)],
        [Aggregate(p) for p in pillars] + [Aggregate("Index")],
        [Edge(c, pillars[k % groups], 1.0 + k % 3) for k, c in enumerate(codes)]
        + [Edge(p, "Index") for p in pillars],
    )
    values = rng.lognormal(0, 1, size=(periods, units, indicators))
    values[rng.uniform(size=values.shape) < 0.02] = np.nan
    data = Dataset(
        units=[f"u{i}" for i in range(units)],
        columns=codes,
        values=values,
        periods=list(range(2020, 2020 + periods)),
    )
    return fw, data


def scale() -> None:
    """impute + treat + normalise + aggregate at 1k, 10k and 100k units × 100 indicators."""
    pipe = Pipeline(
        [Stage("impute", "mean"), Stage("treat"), Stage("normalise"), Stage("aggregate")]
    )
    for units in (1_000, 10_000, 100_000):
        fw, data = synthetic(units, 100, 1)

        def run(fw: Framework = fw, data: Dataset = data) -> object:
            return dxf.run_pipeline(fw, data, pipe)

        t, mem = measure(run, repeat=5)
        print(
            f"pipeline, {units:>7,} units × 100 indicators × 1 period: {t:.3f} s, peak {mem:.0f} MB"
        )


def main() -> None:
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    pack = dxf.get_pack("asem")
    data = pack.load_data()
    t, mem = measure(lambda: pack.run(data), repeat=5)
    print(f"asem reference pipeline (51×49): {t * 1e3:.1f} ms, peak {mem:.1f} MB")

    fw, big = synthetic(10_000, 100, 5)
    pipe = Pipeline(
        [Stage("impute", "mean"), Stage("treat"), Stage("normalise"), Stage("aggregate")]
    )
    t, mem = measure(lambda: dxf.run_pipeline(fw, big, pipe), repeat=2)
    print(
        f"impute+treat+normalise+aggregate, 10 000 units × 100 indicators × 5 periods: "
        f"{t:.2f} s, peak {mem:.0f} MB"
    )

    rng = np.random.default_rng(1)
    x = rng.lognormal(0, 1, size=(51, 49))
    variants = np.broadcast_to(x, (1000, 51, 49)).copy()
    lo = rng.uniform(0, 10, size=(1000, 1, 1))
    w = np.abs(rng.normal(1, 0.2, size=(1000, 49, 8)))

    def cores() -> None:
        y = normalise.minmax(variants, lo[..., 0], lo[..., 0] + 100)
        aggregate.arithmetic(y, w)

    t, mem = measure(cores)
    print(
        f"minmax + weighted mean over 1 000 variants (51×49 → 8): {t * 1e3:.1f} ms, "
        f"peak {mem:.0f} MB"
    )
    t, mem = measure(lambda: treat.treat_default(variants[:200]))
    print(f"outlier treatment over 200 variants (51×49): {t * 1e3:.1f} ms, peak {mem:.0f} MB")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["scale"]:
        scale()
    else:
        main()
        scale()
