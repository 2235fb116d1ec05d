"""Targets, gaps, trends and priorities: the analysis behind a proposal's objectives and tasks.

- :func:`indicator_targets` — for every indicator with targets: the current value (mean over
  units of the latest period with data), the gap to each target, the progress needed per
  year, the recent trend (mean yearly change over the last up to four periods) and whether it
  is met or on track;
- :func:`pillar_shares` — each pillar's share of the index (what feeds that pillar alone);
- :func:`index_room` — per indicator, the index points still to gain (an upper bound used to
  order tasks by expected effect).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.indicator import Indicator
from dxframework.pipeline.result import RunResult

__all__ = ["IndicatorTarget", "index_room", "indicator_targets", "pillar_shares"]


@attrs.frozen
class IndicatorTarget:
    """One target of one indicator, against the indicator's history.

    ``gap`` and ``per_year`` are in the indicator's units and oriented so that a positive
    number is progress still needed (0 once met); ``trend`` is the recent mean yearly change
    in the indicator's own direction of values.
    """

    indicator: Indicator
    target_label: str
    target: float
    current: float
    current_year: int
    gap: float
    per_year: float | None
    trend: float | None
    met: bool
    on_track: bool
    history: tuple[tuple[int, float], ...]


def _history(data: Dataset, code: str) -> list[tuple[int, float]]:
    out = []
    j = data.column_index(code)
    for k, period in enumerate(data.periods):
        col = data.values[k, :, j]
        if np.any(~np.isnan(col)):
            out.append((period, float(np.nanmean(col))))
    return out


def indicator_targets(
    framework: Framework,
    data: Sequence[Dataset | None],
    target_years: Sequence[int] = (),
    recent: int = 4,
) -> list[IndicatorTarget]:
    """Targets of the framework's indicators against their history.

    Parameters
    ----------
    framework
        Indicators with ``targets`` (labels such as ``"2025"``).
    data
        Data sets to read each indicator's history from, in order of preference (e.g. the
        province's yearly series, then the units' data); the first holding the indicator is
        used, its value per period the mean over units.
    target_years
        Only targets labelled with these years (all targets when empty).
    recent
        The trend is the mean yearly change over the last ``recent`` periods with data.
    """
    out: list[IndicatorTarget] = []
    for ind in framework.indicators:
        if not ind.targets:
            continue
        source = next((d for d in data if d is not None and d.has_column(ind.code)), None)
        hist = _history(source, ind.code) if source is not None else []
        if not hist:
            continue
        last_year, current = hist[-1]
        tail = hist[-recent:]
        trend = (
            (tail[-1][1] - tail[0][1]) / (tail[-1][0] - tail[0][0])
            if len(tail) > 1 and tail[-1][0] > tail[0][0]
            else None
        )
        for label, target in sorted(ind.targets.items()):
            year = int(label) if label.isdigit() else None
            if year is not None and target_years and year not in target_years:
                continue
            left = year - last_year if year is not None else None
            gap = (target - current) * ind.direction
            needed = gap / left if left and left > 0 else None
            met = gap <= 0
            on_track = met or (
                needed is not None and trend is not None and trend * ind.direction >= needed
            )
            out.append(
                IndicatorTarget(
                    indicator=ind,
                    target_label=label,
                    target=target,
                    current=current,
                    current_year=last_year,
                    gap=max(gap, 0.0),
                    per_year=None if needed is None else max(needed, 0.0),
                    trend=trend,
                    met=met,
                    on_track=on_track,
                    history=tuple(hist),
                )
            )
    return out


def pillar_shares(fw: Framework, index: str, pillars: Sequence[str]) -> dict[str, float]:
    """Each pillar's share of the index: effective weights of what feeds only that pillar.

    For the DTI: CQ 200, KT 150, XH 150 points → 40 %, 30 %, 30 % (the foundation, shared by
    all pillars, is not counted towards any one of them). Equal shares when nothing feeds a
    single pillar.
    """
    eff = fw.effective_weights(index)
    own: dict[str, float] = {}
    for p in pillars:
        total = 0.0
        for e in fw.children(p):
            parents = {x.parent for x in fw.parents(e.child)} & set(pillars)
            if parents == {p}:
                total += eff.get(e.child, 0.0)
        own[p] = total
    s = sum(own.values())
    if s <= 0:
        return {p: 1 / len(pillars) for p in pillars} if pillars else {}
    return {p: v / s for p, v in own.items()}


def index_room(result: RunResult, index: str | None = None) -> dict[str, float]:
    """Index points each indicator could still add: effective weight × (1 − mean share of max).

    The share of the maximum uses the points available (the edge weight into the parent) when
    the parent scores points earned / points available, else the best unit's value; the mean
    is over units in the latest period of the run's first normalisation.
    """
    fw = result.framework
    code = index or fw.index
    if code is None:
        return {}
    eff = fw.effective_weights(code)
    normalised = next((s.data for s in result.stages if s.stage.kind == "normalise"), None)
    agg = next((s.record for s in result.stages if s.stage.kind == "aggregate"), {})
    methods = {c: rec.get("method") for c, rec in agg.get("aggregates", {}).items()}
    room: dict[str, float] = {}
    if normalised is None:
        return room
    for ind in fw.indicators:
        if not normalised.has_column(ind.code):
            continue
        col = normalised.values[-1, :, normalised.column_index(ind.code)]
        if not np.any(~np.isnan(col)):
            continue
        parents = fw.parents(ind.code)
        top = (
            parents[0].weight
            if parents and methods.get(parents[0].parent) == "points_share"
            else float(np.nanmax(col))
        )
        share = float(np.nanmean(col)) / top if top > 0 else 1.0
        room[ind.code] = eff.get(ind.code, 0.0) * max(0.0, 1.0 - share)
    return room
