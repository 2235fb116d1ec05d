"""Analysis on top of a run: statistics, targets and priorities, uncertainty and sensitivity."""

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
from dxframework.analysis.targets import (
    IndicatorTarget,
    index_room,
    indicator_targets,
    pillar_shares,
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
    "IndicatorTarget",
    "SensitivityResult",
    "UncertaintyResult",
    "UncertaintySpec",
    "Uniform",
    "WeightNoise",
    "correlation_flags",
    "correlations",
    "cronbach_alpha",
    "index_room",
    "indicator_summary",
    "indicator_targets",
    "pca",
    "pillar_shares",
    "run_sensitivity",
    "run_uncertainty",
    "sobol_indices",
    "sobol_intervals",
]
