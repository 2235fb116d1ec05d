"""Uncertainty analysis (METHODS.md §10): scores and ranks over random pipeline variants.

The assumptions behind an index (a method, a parameter, the weights) are declared uncertain
in an :class:`UncertaintySpec`, in Python or TOML::

    aggregates = ["Index", "P1"]     # optional, before the tables: results for each
    periods = [2023, 2024]           # aggregate in each period (default: index, last period)

    [[choice]]                       # one of discrete alternatives
    stage = "imputed"                # a stage of the pipeline, by data-set name
    param = "method"                 # "method" switches the stage's method
    values = [
        { method = "mean_by_group", group = "EurAsia_group" },
        { method = "median_by_group", group = "EurAsia_group" },
    ]

    [[choice]]
    stage = "treated"
    param = "winmax"                 # any other name is a parameter of the stage
    values = [1, 2, 3, 4, 5]

    [[uniform]]                      # a continuous parameter
    stage = "screened"
    param = "min_availability"
    low = 0.8
    high = 0.95

    [[weights]]                      # w·(1 + f·U(−1, 1)), independently per edge
    level = 2                        # the edges into the aggregates at this level
    factor = 0.25

    [[noise]]                        # on the raw values, before the first stage
    size = 0.05                      # x·(1 + 0.05·U(−1, 1)) for every value
    kind = "multiplicative"          # or "additive": x + size·e
    distribution = "uniform"         # or "normal": e ~ N(0, 1)
    indicators = ["LPI", "Flights"]  # default: every indicator

Every assumption maps numbers ``u ∈ [0, 1)`` to values: a choice among ``k`` values takes
``values[floor(u·k)]``, a uniform parameter ``low + u·(high − low)``, and weight noise one
``u`` per edge, multiplying its weight by ``1 + factor·(2u − 1)``. The numbers come from
``numpy.random.default_rng(seed)`` or from a scrambled Sobol' sequence
(``scipy.stats.qmc.Sobol(d, scramble=True, seed=seed)``), so the same seed gives the same
results, whatever the number of worker processes.

:func:`run_uncertainty` runs ``n`` variants of the pipeline and summarises, per unit, the
distribution of the score and rank of the index (or of another aggregate): mean, median, 5th
and 95th percentiles; :func:`run_targets` does so for every aggregate and period the spec
names (top-level ``aggregates`` and ``periods``), from the same draws.
:mod:`dxframework.analysis.sensitivity` apportions the variance of a scalar output to the
assumptions (Sobol' indices).

The package holds one concern per module: :mod:`~dxframework.analysis.uncertainty.spec` (the
assumptions and their TOML form), :mod:`~dxframework.analysis.uncertainty.sampling` (the
numbers drawn), :mod:`~dxframework.analysis.uncertainty.binding` (a spec bound to a run),
:mod:`~dxframework.analysis.uncertainty.executors` (many runs, in parallel or on Dask),
:mod:`~dxframework.analysis.uncertainty.results` and
:mod:`~dxframework.analysis.uncertainty.run` (:func:`run_uncertainty`).
"""

from dxframework.analysis.uncertainty.binding import Progress
from dxframework.analysis.uncertainty.results import UncertaintyResult
from dxframework.analysis.uncertainty.run import run_targets, run_uncertainty
from dxframework.analysis.uncertainty.sampling import SAMPLERS, unit_samples
from dxframework.analysis.uncertainty.spec import (
    Assumption,
    Choice,
    DataNoise,
    UncertaintySpec,
    Uniform,
    WeightNoise,
)

__all__ = [
    "SAMPLERS",
    "Assumption",
    "Choice",
    "DataNoise",
    "Progress",
    "UncertaintyResult",
    "UncertaintySpec",
    "Uniform",
    "WeightNoise",
    "run_targets",
    "run_uncertainty",
    "unit_samples",
]
