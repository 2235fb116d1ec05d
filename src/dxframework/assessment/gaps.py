"""The gap report: where a unit's self-assessment and the appraisal council disagree.

For every unit, sub-indicator and period where the self-assessed value differs from the value
scored on the verified side, the report gives the gap in the value (self − verified), in
points (the indicator's points with the self value − with the verified value) and in the
index (the unit's index with only that one value taken from the self-assessment − its
verified index), and how far that one disagreement moves the unit's rank among the other
units' verified scores. Rows are ordered by the size of the rank move, then of the index
effect: the disagreements that matter most come first.

Pipelines whose stages score every unit on its own (point rules, goalposts, weighted means)
are run once for all disagreements; others (min–max, z-scores, imputation by group…) once
per disagreement, so the effect is exact either way.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.assessment.records import Assessment, ValuesChoice
from dxframework.io.writers import csv_text
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.text import natural_key
from dxframework.pipeline.result import RunResult
from dxframework.pipeline.spec import Pipeline

__all__ = ["GAP_COLUMNS", "Gap", "GapReport", "gap_report", "unit_independent"]

GAP_COLUMNS = (
    "order",
    "unit",
    "name",
    "indicator",
    "period",
    "self",
    "verified",
    "gap",
    "points_self",
    "points_verified",
    "gap_points",
    "index_verified",
    "index_if_self",
    "index_effect",
    "rank_verified",
    "rank_if_self",
    "rank_shift",
)

_LOCAL_NORMALISE = {"ratio", "steps", "categories", "goalposts", "none", "identity"}
_LOCAL_AGGREGATE = {"arithmetic", "geometric", "harmonic", "generalised", "points_share"}


def _methods(value: Any) -> set[str]:
    """Every ``method`` named in a (nested) stage setting."""
    found: set[str] = set()
    if isinstance(value, dict) or hasattr(value, "items"):
        for k, v in value.items():
            if k == "method" and isinstance(v, str):
                found.add(v)
            else:
                found |= _methods(v)
    return found


def unit_independent(pipeline: Pipeline, framework: Framework) -> bool:
    """Whether every stage scores each unit from its own values only (so one unit's values
    can change without changing any other unit's score)."""
    for st in pipeline.stages:
        if st.kind == "denominate":
            continue
        methods = {st.method} | _methods(st.params) | _methods(st.overrides)
        if st.kind == "normalise":
            for ind in framework.indicators:
                methods |= _methods(ind.methods.get("normalise", {}))
            if not methods <= _LOCAL_NORMALISE:
                return False
        elif st.kind == "aggregate":
            for agg in framework.aggregates:
                methods |= _methods(agg.methods.get("aggregate", {}))
            if not methods <= _LOCAL_AGGREGATE:
                return False
        else:
            return False
    return True


@attrs.frozen
class Gap:
    """One disagreement and its effect (see the module docstring)."""

    unit: str
    name: str
    indicator: str
    period: int
    self_value: float
    verified_value: float
    points_self: float
    points_verified: float
    index_verified: float
    index_if_self: float
    rank_verified: float
    rank_if_self: float

    @property
    def gap(self) -> float:
        """Self − verified, in the indicator's unit."""
        return self.self_value - self.verified_value

    @property
    def gap_points(self) -> float:
        """Points with the self value − points with the verified value."""
        return self.points_self - self.points_verified

    @property
    def index_effect(self) -> float:
        """The unit's index with this self value − its verified index."""
        return self.index_if_self - self.index_verified

    @property
    def rank_shift(self) -> float:
        """Places the unit would move up (positive) with this self value."""
        return self.rank_verified - self.rank_if_self

    def as_dict(self, order: int) -> dict[str, Any]:
        """A row of ``gaps.csv`` (missing numbers as ``None``)."""

        def num(v: float) -> float | None:
            return None if math.isnan(v) else float(v)

        def whole(v: float) -> int | None:
            return None if math.isnan(v) else int(v)

        return {
            "order": order,
            "unit": self.unit,
            "name": self.name,
            "indicator": self.indicator,
            "period": self.period,
            "self": num(self.self_value),
            "verified": num(self.verified_value),
            "gap": num(self.gap),
            "points_self": num(self.points_self),
            "points_verified": num(self.points_verified),
            "gap_points": num(self.gap_points),
            "index_verified": num(self.index_verified),
            "index_if_self": num(self.index_if_self),
            "index_effect": num(self.index_effect),
            "rank_verified": whole(self.rank_verified),
            "rank_if_self": whole(self.rank_if_self),
            "rank_shift": whole(self.rank_shift),
        }


@attrs.frozen(eq=False)
class GapReport:
    """The disagreements ordered by their effect, with both runs."""

    gaps: tuple[Gap, ...]
    verified: RunResult
    self_assessed: RunResult
    index: str
    notes: tuple[str, ...] = ()
    origin: NDArray[np.int8] | None = None
    """Where each value scored on the verified side came from (see
    :meth:`Assessment.dataset`)."""

    def rows(self) -> list[dict[str, Any]]:
        """Rows of ``gaps.csv``, in order."""
        return [g.as_dict(k) for k, g in enumerate(self.gaps, start=1)]

    def csv_text(self) -> str:
        """``gaps.csv``: :meth:`rows` under the header :data:`GAP_COLUMNS` (the header alone
        when the two sides agree everywhere)."""
        return csv_text(self.rows()) or ",".join(GAP_COLUMNS) + "\n"


def _points_data(result: RunResult) -> Dataset:
    """The data set entering the first aggregate stage (the points, for point rules)."""
    before = result.raw
    for st in result.stages:
        if st.stage.kind == "aggregate":
            return before
        before = st.data
    return before


def _cells(data: Dataset, p: NDArray[np.int64], u: NDArray[np.int64], code: Sequence[str]) -> Any:
    """``data[p_k, u_k, code_k]`` for every k (NaN where the column is absent)."""
    j = np.array([data.column_index(c) if data.has_column(c) else -1 for c in code], dtype=np.int64)
    if not len(j):
        return np.zeros(0)
    vals = data.values[p, u, np.where(j >= 0, j, 0)]
    return np.where(j >= 0, vals, np.nan)


def gap_report(
    assessment: Assessment,
    run: Callable[[Dataset], RunResult],
    pipeline: Pipeline,
    framework: Framework,
    base: Dataset | None = None,
    choice: ValuesChoice | None = None,
    index: str | None = None,
) -> GapReport:
    """Score both sides and list every disagreement with its effect, largest first.

    Parameters
    ----------
    assessment
        The records.
    run
        Scores a data set (the level's framework and ``pipeline``).
    pipeline, framework
        What ``run`` runs (to know whether units are scored independently).
    base
        Units, auxiliary values and values not assessed (see :meth:`Assessment.dataset`).
    choice
        How the verified side is scored (default: verified, falling back to self).
    index
        The aggregate the effect is measured on (default: the framework's index).
    """
    choice = choice or ValuesChoice()
    data_v, origin, notes = assessment.dataset(choice, base)
    data_s, _, _ = assessment.dataset(ValuesChoice("self"), base)
    res_v = run(data_v)
    with warnings.catch_warnings():  # blanks were said by the verified run
        warnings.simplefilter("ignore")
        res_s = run(data_s)
    code = index or framework.index or res_v.scores.columns[-1]
    idx = res_v.scores.column_index(code)
    own, verified, present = assessment.arrays(data_v.unit_codes, data_v.columns, data_v.periods)
    a, b = data_s.values, data_v.values
    differ = present & ~((a == b) | (np.isnan(a) & np.isnan(b)))
    p, u, c = (x.astype(np.int64) for x in np.nonzero(differ))
    k = len(p)
    cols = [data_v.columns[j] for j in c]
    if k == 0:
        return GapReport((), res_v, res_s, code, tuple(notes), origin)
    n_units = len(data_v.units)
    if unit_independent(pipeline, framework):
        rows = np.array(data_v.values[:, u, :])  # (P, K, C): each unit's verified values
        rows[p, np.arange(k), c] = a[p, u, c]
        virtual = [
            attrs.evolve(data_v.units[i], code=f"__gap_{n}__") for n, i in enumerate(u.tolist())
        ]
        big = Dataset(
            units=(*data_v.units, *virtual),
            columns=data_v.columns,
            values=np.concatenate([data_v.values, rows], axis=1),
            periods=data_v.periods,
        )
        with warnings.catch_warnings():  # the verified run has said what the copies would
            warnings.simplefilter("ignore")
            res_big = run(big)
        at = n_units + np.arange(k)
        index_if = res_big.scores.values[p, at, idx]
        points_if = _cells(_points_data(res_big), p, at, cols)
    else:
        index_if = np.empty(k)
        points_if = np.empty(k)
        for n in range(k):  # one run per disagreement: exact for any pipeline
            values = np.array(data_v.values)
            values[p[n], u[n], c[n]] = a[p[n], u[n], c[n]]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = run(data_v.with_columns(data_v.columns, values))
            index_if[n] = res.scores.values[p[n], u[n], idx]
            points_if[n] = _cells(_points_data(res), p[n : n + 1], u[n : n + 1], cols[n : n + 1])[0]
    index_v = res_v.scores.values[p, u, idx]
    points_v = _cells(_points_data(res_v), p, u, cols)
    others = np.array(res_v.scores.values[p, :, idx])  # (K, U): everyone's verified score
    others[np.arange(k), u] = np.nan
    rank_v = res_v.ranks.values[p, u, idx]
    with np.errstate(invalid="ignore"):
        better = (others > index_if[:, None]).sum(axis=1)
    rank_if = np.where(np.isnan(index_if), np.nan, 1.0 + better)
    units = data_v.units
    gaps = [
        Gap(
            unit=units[u[n]].code,
            name=units[u[n]].name,
            indicator=cols[n],
            period=int(data_v.periods[p[n]]),
            self_value=float(own[p[n], u[n], c[n]]),
            verified_value=float(verified[p[n], u[n], c[n]]),
            points_self=float(points_if[n]),
            points_verified=float(points_v[n]),
            index_verified=float(index_v[n]),
            index_if_self=float(index_if[n]),
            rank_verified=float(rank_v[n]),
            rank_if_self=float(rank_if[n]),
        )
        for n in range(k)
    ]

    def order(g: Gap) -> tuple[Any, ...]:
        shift = abs(g.rank_shift) if not math.isnan(g.rank_shift) else -1.0
        effect = abs(g.index_effect) if not math.isnan(g.index_effect) else -1.0
        return (-shift, -effect, natural_key(g.unit), natural_key(g.indicator), g.period)

    return GapReport(tuple(sorted(gaps, key=order)), res_v, res_s, code, tuple(notes), origin)
