"""Analysis on top of a run: statistics, correlations, uncertainty and sensitivity."""

from dxframework.analysis.sensitivity import (
    SensitivityResult,
    run_sensitivity,
    sobol_indices,
    sobol_intervals,
)
from dxframework.analysis.statistics import (
    correlation_flags,
    correlations,
    cronbach_alpha,
    indicator_summary,
    pca,
)
from dxframework.analysis.uncertainty import (
    Choice,
    UncertaintyResult,
    UncertaintySpec,
    Uniform,
    WeightNoise,
    run_uncertainty,
)

__all__ = [
    "Choice",
    "SensitivityResult",
    "UncertaintyResult",
    "UncertaintySpec",
    "Uniform",
    "WeightNoise",
    "correlation_flags",
    "correlations",
    "cronbach_alpha",
    "indicator_summary",
    "pca",
    "run_sensitivity",
    "run_uncertainty",
    "sobol_indices",
    "sobol_intervals",
]
