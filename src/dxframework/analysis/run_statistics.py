"""The statistics of a scored run, as the tables ``dxf stats`` writes.

:func:`run_statistics` describes one level's run: a summary of every indicator, Pearson and
Spearman correlations, Cronbach's alpha and the first principal component's share per
aggregate, and flags (indicators correlating negatively with their aggregate, nearly
collinear pairs).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from dxframework.analysis.statistics import (
    correlation_flags,
    correlations,
    cronbach_alpha,
    indicator_summary,
    pca,
)
from dxframework.pipeline.result import RunResult

__all__ = ["RunStatistics", "run_statistics"]

logger = logging.getLogger(__name__)


@attrs.frozen
class RunStatistics:
    """The tables of one run's statistics (rows of plain values) and its flags.

    ``tables`` maps the file names ``dxf stats`` writes (``summary.csv``,
    ``correlations-pearson.csv``, ``correlations-spearman.csv``, ``groups.csv``,
    ``flags.csv``) to their rows.
    """

    tables: Mapping[str, list[dict[str, Any]]]
    flags: tuple[Mapping[str, Any], ...]


def run_statistics(result: RunResult, stage: str | None = None) -> RunStatistics:
    """Describe a run: ``stage`` is the data set described (default: the raw data for the
    summary, the final data set for correlations and groups)."""
    described = result[stage] if stage else result.raw
    final = result[stage] if stage else result.final
    fw = result.framework
    p = final.period_index(None)
    x = final.values[p]
    logger.debug("statistics of %d columns", len(final.columns))
    tables: dict[str, list[dict[str, Any]]] = {"summary.csv": indicator_summary(described)}
    for method in ("pearson", "spearman"):
        r = correlations(x, method)
        tables[f"correlations-{method}.csv"] = [
            {"code": c, **{d: float(r[i, j]) for j, d in enumerate(final.columns)}}
            for i, c in enumerate(final.columns)
        ]
    groups = []
    for parent in fw.aggregate_codes:
        kids = [e.child for e in fw.children(parent) if final.has_column(e.child)]
        if len(kids) < 2:
            continue
        sub = final.get(kids)[p]
        share = pca(sub)["explained"][0] if np.isfinite(sub).all(axis=1).sum() > 2 else np.nan
        groups.append(
            {
                "aggregate": parent,
                "children": len(kids),
                "cronbach_alpha": cronbach_alpha(sub),
                "pc1_share": share,
            }
        )
    tables["groups.csv"] = groups
    flags = correlation_flags(fw, final)
    tables["flags.csv"] = [
        {
            "flag": f["flag"],
            "code": f["code"],
            "other": f.get("other", ""),
            "parent": f["parent"],
            "r": f["r"],
        }
        for f in flags
    ]
    return RunStatistics(tables, tuple(flags))
