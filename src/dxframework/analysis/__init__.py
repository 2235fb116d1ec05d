"""Analysis on top of a run: statistics, correlations, and (to come) uncertainty and targets."""

from dxframework.analysis.statistics import (
    correlation_flags,
    correlations,
    cronbach_alpha,
    indicator_summary,
    pca,
)

__all__ = ["correlation_flags", "correlations", "cronbach_alpha", "indicator_summary", "pca"]
