"""Crosswalks across the 2025 reform: old units to new ones, with a rule per indicator kind.

The computation lives in :mod:`dxframework.model.crosswalk` and the reading of unit maps in
:mod:`dxframework.io.crosswalk`, so that packs can return their declared crosswalks
(:meth:`dxframework.MetricPack.crosswalk`); this module gathers them for the assessment
workflow (``dxf crosswalk``).
"""

from __future__ import annotations

from dxframework.io.crosswalk import read_unit_map
from dxframework.model.crosswalk import (
    ANSWER_RULES,
    DEFAULT_RULES,
    KINDS,
    NEW_LEVELS,
    RULES,
    CrosswalkResult,
    Link,
    UnitMap,
    apply_crosswalk,
    compare_periods,
    crosswalk_framework,
    indicator_kind,
    resolve_rules,
)

__all__ = [
    "ANSWER_RULES",
    "DEFAULT_RULES",
    "KINDS",
    "NEW_LEVELS",
    "RULES",
    "CrosswalkResult",
    "Link",
    "UnitMap",
    "apply_crosswalk",
    "compare_periods",
    "crosswalk_framework",
    "indicator_kind",
    "read_unit_map",
    "resolve_rules",
]
