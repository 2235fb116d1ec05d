"""The context of the document templates: plain, precomputed data (no computation in templates).

:func:`build_context` turns scored runs, the pack's targets, its task catalogue and yearly
series into nested dicts and lists of strings and numbers, and lists the charts the sections
show. Every number a template prints is here; templates only format and lay out.

Top-level keys: ``lang``, ``title``, ``subtitle``, ``organisation``, ``date``, ``year`` (the
latest data year), ``plan_year``, ``target_years``, ``primary`` (the level the proposal
assesses: name, title, index, pillars, main indicators), ``current`` (overview rows,
main-indicator rows, one entry per unit), ``objectives`` (pillar and index targets, indicator
targets with gaps and required yearly progress), ``tasks`` (ordered by expected effect),
``task_summary``, ``plan`` (tasks of the plan year), ``appendix`` (ranking tables per level
and unit profiles), ``charts`` (chart ids by role). See the docs page "Documents".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from dxframework.analysis.targets import index_room, indicator_targets, pillar_shares
from dxframework.methods.rank import competition_rank
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.tasks import TaskCatalogue
from dxframework.pipeline.result import RunResult

__all__ = ["ChartRequest", "build_context", "pillar_shares"]


#: Above this many units, the pillar chart shows the highest, mean and lowest unit instead
#: of one bar per unit, and unit radar charts are not drawn.
MAX_SERIES = 12


@attrs.frozen
class ChartRequest:
    """A chart to draw: its id, the drawing function's name and its arguments."""

    id: str
    kind: str
    title: str
    data: Mapping[str, Any]


def _f(value: Any) -> float | None:
    """A float, or None for missing (templates print None as —)."""
    if value is None:
        return None
    v = float(value)
    return None if math.isnan(v) else v


def _structure(fw: Framework) -> tuple[str, list[str], list[str]]:
    """Index, pillars (the level below it) and main indicators (the level below those)."""
    index = fw.index or fw.aggregate_codes[-1]
    top = fw.level(index)
    pillars = [c for c in fw.codes_at_level(top - 1) if c != index] if top > 1 else []
    main = list(fw.codes_at_level(top - 2)) if top > 2 else []
    scored = _effective(fw, index)
    main = [c for c in main if scored.get(c, 0.0) > 0 or c in pillars]
    return index, pillars, main


def _effective(fw: Framework, index: str) -> dict[str, float]:
    try:
        return fw.effective_weights(index)
    except Exception:
        return {}


class _Level:
    """Helpers over one level's run: values by unit and code, ranks, means, changes."""

    def __init__(self, name: str, title: str, result: RunResult, lang: str) -> None:
        self.name, self.title, self.result, self.lang = name, title, result, lang
        self.fw = result.framework
        self.index, self.pillars, self.main = _structure(self.fw)
        # every column of the final data set (aggregates and the indicators below them), so
        # that indicator-level components (EGDI's OSI, the DTI's main indicators) show too
        final = result.final
        extra = [c for c in final.columns if not result.scores.has_column(c)]
        if extra:
            digits = result.pipeline.ranking.get("digits")
            values = final.get(extra)
            ranked = values if digits is None else np.round(values, int(digits))
            self.scores = Dataset(
                units=result.scores.units,
                columns=[*result.scores.columns, *extra],
                values=np.concatenate([result.scores.values, values], axis=-1),
                periods=result.scores.periods,
            )
            self.ranks = Dataset(
                units=result.ranks.units,
                columns=self.scores.columns,
                values=np.concatenate([result.ranks.values, competition_rank(ranked)], axis=-1),
                periods=result.ranks.periods,
            )
        else:
            self.scores, self.ranks = result.scores, result.ranks
        self.p = len(self.scores.periods) - 1
        self.year = self.scores.periods[self.p]
        self.prev = self.p - 1 if self.p > 0 else None

    def label(self, code: str) -> str:
        node = self.fw.nodes.get(code)
        return node.label(self.lang) if node is not None else code

    def has(self, code: str) -> bool:
        return self.scores.has_column(code)

    def value(self, code: str, i: int, p: int | None = None) -> float | None:
        if not self.has(code):
            return None
        return _f(self.scores.values[self.p if p is None else p, i, self.scores.column_index(code)])

    def rank(self, code: str, i: int) -> int | None:
        if not self.has(code):
            return None
        r = self.ranks.values[self.p, i, self.ranks.column_index(code)]
        return None if math.isnan(r) else int(r)

    def change(self, code: str, i: int) -> float | None:
        if self.prev is None:
            return None
        now, before = self.value(code, i), self.value(code, i, self.prev)
        return None if now is None or before is None else now - before

    def column(self, code: str, p: int | None = None) -> np.ndarray:
        return np.asarray(
            self.scores.values[self.p if p is None else p, :, self.scores.column_index(code)]
        )

    def mean(self, code: str, p: int | None = None) -> float | None:
        col = self.column(code, p)
        return _f(np.nanmean(col)) if np.any(~np.isnan(col)) else None

    def best_worst(self, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
        col = self.column(code)
        if not np.any(~np.isnan(col)):
            return {}, {}
        hi, lo = int(np.nanargmax(col)), int(np.nanargmin(col))
        units = self.scores.units
        return (
            {"name": units[hi].name or units[hi].code, "value": _f(col[hi])},
            {"name": units[lo].name or units[lo].code, "value": _f(col[lo])},
        )

    def codes(self) -> list[str]:
        return [c for c in [self.index, *self.pillars, *self.main] if self.has(c)]


def _overview(lv: _Level) -> list[dict[str, Any]]:
    rows = []
    for code in [lv.index, *lv.pillars]:
        if not lv.has(code):
            continue
        best, worst = lv.best_worst(code)
        mean = lv.mean(code)
        before = lv.mean(code, lv.prev) if lv.prev is not None else None
        rows.append(
            {
                "code": code,
                "label": lv.label(code),
                "mean": mean,
                "best": best,
                "worst": worst,
                "change": None if mean is None or before is None else mean - before,
            }
        )
    return rows


def _unit_entries(lv: _Level) -> list[dict[str, Any]]:
    entries = []
    order = np.argsort(lv.ranks.values[lv.p, :, lv.ranks.column_index(lv.index)], kind="stable")
    for i in order:
        u = lv.scores.units[int(i)]
        rows = []
        for code in lv.codes():
            value, mean = lv.value(code, int(i)), lv.mean(code)
            rows.append(
                {
                    "code": code,
                    "label": lv.label(code),
                    "value": value,
                    "rank": lv.rank(code, int(i)),
                    "change": lv.change(code, int(i)),
                    "mean": mean,
                    "vs_mean": None if value is None or mean is None else value - mean,
                    "kind": "index"
                    if code == lv.index
                    else "pillar"
                    if code in lv.pillars
                    else "main",
                }
            )
        mains = [r for r in rows if r["kind"] == "main" and r["value"] is not None]
        rel = sorted(mains, key=lambda r: (r["vs_mean"], r["code"]))
        entries.append(
            {
                "code": u.code,
                "name": u.name or u.code,
                "rows": rows,
                "index": rows[0] if rows else None,
                "strongest": [r["label"] for r in rel[::-1][:2]],
                "weakest": [r["label"] for r in rel[:2]],
                "n_units": len(lv.scores.units),
                "chart": f"radar_{lv.name}_{u.code}",
            }
        )
    return entries


def _ranking_table(lv: _Level, parents: Mapping[str, str]) -> dict[str, Any]:
    rows = []
    order = np.argsort(lv.ranks.values[lv.p, :, lv.ranks.column_index(lv.index)], kind="stable")
    within = lv.result.ranks_within("parent") if any(u.parent for u in lv.scores.units) else None
    for i in order:
        u = lv.scores.units[int(i)]
        rows.append(
            {
                "rank": lv.rank(lv.index, int(i)),
                "code": u.code,
                "name": u.name or u.code,
                "parent": parents.get(u.parent or "", ""),
                "rank_within": None
                if within is None
                else _int(within.values[lv.p, int(i), within.column_index(lv.index)]),
                "index": lv.value(lv.index, int(i)),
                "pillars": [lv.value(c, int(i)) for c in lv.pillars if lv.has(c)],
            }
        )
    return {
        "level": lv.name,
        "title": lv.title,
        "index_label": lv.label(lv.index),
        "pillar_labels": [lv.label(c) for c in lv.pillars if lv.has(c)],
        "rows": rows,
        "year": lv.year,
        "has_parent": any(r["parent"] for r in rows),
        "chart": f"ranking_{lv.name}",
    }


def _int(v: float) -> int | None:
    return None if math.isnan(v) else int(v)


def _indicator_targets(
    lv: _Level, series: Dataset | None, target_years: Sequence[int]
) -> list[dict[str, Any]]:
    """Indicators with targets: current value, gap, required and recent yearly progress."""
    return [
        {
            "code": t.indicator.code,
            "label": t.indicator.label(lv.lang),
            "unit": t.indicator.unit,
            "description": t.indicator.description,
            "current": t.current,
            "current_year": t.current_year,
            "target": t.target,
            "target_year": t.target_label,
            "gap": t.gap,
            "per_year": t.per_year,
            "trend": t.trend,
            "met": t.met,
            "on_track": t.on_track,
            "history": [list(h) for h in t.history],
        }
        for t in indicator_targets(lv.fw, [series, lv.result.input], target_years)
    ]


def _tasks(
    catalogue: TaskCatalogue, lv: _Level, lang: str, plan_year: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    room = index_room(lv.result, lv.index)
    rows: list[dict[str, Any]] = []
    for t in catalogue.tasks:
        effect = sum(room.get(c, 0.0) for c in t.indicators) if room else None
        rows.append(
            {
                "id": t.id,
                "name": t.text("name", lang),
                "pillar": t.pillar,
                "pillar_label": lv.label(t.pillar),
                "indicators": [lv.label(c) for c in t.indicators],
                "indicator_codes": list(t.indicators),
                "lead": t.text("lead", lang),
                "partners": t.text("partners", lang),
                "start": t.start,
                "end": t.end,
                "funding": t.text("funding", lang),
                "status": t.status,
                "progress": t.progress,
                "effect": effect,
                "milestones": list(t.milestones(lang)),
                "active": t.active_in(plan_year),
            }
        )
    if room:
        rows.sort(key=lambda r: (-float(r["effect"] or 0.0), str(r["id"])))
    for n, r in enumerate(rows, start=1):
        r["order"] = n
    plan = [r for r in rows if r["active"] and r["status"] not in ("done", "cancelled")]
    return rows, plan


def build_context(
    pack: Any,
    results: Mapping[str, RunResult],
    lang: str = "vi",
    tasks: TaskCatalogue | None = None,
    series: Dataset | None = None,
    today: dt.date | None = None,
) -> tuple[dict[str, Any], list[ChartRequest]]:
    """The template context and the charts to draw for a pack's scored levels.

    Parameters
    ----------
    pack
        The :class:`dxframework.MetricPack` (titles, targets, levels).
    results
        A run per level name (at least one).
    lang
        ``"vi"`` or ``"en"``.
    tasks
        The task catalogue (default: the pack's).
    series
        Yearly series for indicator targets (default: the pack's, if any).
    today
        The document date (default: today).
    """
    targets = pack.targets()
    primary_name = targets.get("level") or (
        pack.default_level if pack.default_level in results else next(iter(results))
    )
    levels = {
        name: _Level(
            name,
            pack.level(name).title_vi if lang == "vi" else pack.level(name).title_en or name,
            res,
            lang,
        )
        for name, res in results.items()
    }
    lv = levels[primary_name]
    year = lv.year
    target_years = sorted(
        {
            int(y)
            for group in ("index", "pillars")
            for spec in targets.get(group, {}).values()
            for y in spec
        }
        or {2025, 2030}
    )
    catalogue = tasks if tasks is not None else pack.tasks()
    if catalogue.tasks:
        catalogue.check_codes(lv.fw.nodes)
    if series is None and pack.series_path is not None:
        series = pack.load_series()
    plan_year = year + 1

    shares = pillar_shares(lv.fw, lv.index, lv.pillars)
    goal_rows = []
    for group, codes in (("index", [lv.index]), ("pillars", lv.pillars)):
        for code in codes:
            spec = targets.get(group, {}).get(code, {})
            current = lv.mean(code)
            row: dict[str, Any] = {
                "code": code,
                "label": lv.label(code),
                "share": shares.get(code) if group == "pillars" else 1.0,
                "current": current,
                "targets": [],
            }
            for ty in target_years:
                goal = spec.get(str(ty))
                gap = None if goal is None or current is None else max(0.0, goal - current)
                left = ty - year
                row["targets"].append(
                    {
                        "year": ty,
                        "value": goal,
                        "gap": gap,
                        "per_year": gap / left if gap is not None and left > 0 else None,
                    }
                )
            goal_rows.append(row)

    task_rows, plan_rows = _tasks(catalogue, lv, lang, plan_year)
    parents_names = {}
    for other in levels.values():
        parents_names.update({u.code: u.name for u in other.scores.units})
    rankings = [_ranking_table(levels[n], parents_names) for n in results]
    units = _unit_entries(lv)
    indicator_targets = _indicator_targets(lv, series, target_years)

    report = pack.report
    ctx: dict[str, Any] = {
        "lang": lang,
        "title": report.get(f"title_{lang}") or (pack.title_vi if lang == "vi" else pack.title_en),
        "subtitle": report.get(f"subtitle_{lang}", ""),
        "organisation": report.get(f"organisation_{lang}", ""),
        "date": (today or dt.date.today()).isoformat(),
        "pack": {"name": pack.name, "version": pack.version},
        "year": year,
        "plan_year": plan_year,
        "target_years": target_years,
        "primary": {
            "name": lv.name,
            "title": lv.title,
            "index": lv.index,
            "index_label": lv.label(lv.index),
            "n_units": len(lv.scores.units),
            "pillars": [{"code": c, "label": lv.label(c)} for c in lv.pillars],
            "main": [{"code": c, "label": lv.label(c)} for c in lv.main],
            "has_previous": lv.prev is not None,
            "previous_year": lv.scores.periods[lv.prev] if lv.prev is not None else None,
        },
        "current": {
            "overview": _overview(lv),
            "main": [
                {
                    "code": c,
                    "label": lv.label(c),
                    "mean": lv.mean(c),
                    "best": lv.best_worst(c)[0],
                    "worst": lv.best_worst(c)[1],
                }
                for c in lv.main
                if lv.has(c)
            ],
            "units": units,
        },
        "objectives": {"goals": goal_rows, "indicators": indicator_targets},
        "tasks": task_rows,
        "task_summary": [{"status": s, "count": n} for s, n in catalogue.summary().items() if n]
        if catalogue.tasks
        else [],
        "plan": {"year": plan_year, "tasks": plan_rows},
        "appendix": {"rankings": rankings, "profiles": units},
        "charts": {
            "ranking": f"ranking_{lv.name}",
            "pillars": "pillars",
            "trend": "trend",
            "gaps": "gaps",
        },
    }
    return ctx, _chart_requests(ctx, levels, lv, lang)


def _chart_requests(
    ctx: Mapping[str, Any], levels: Mapping[str, _Level], lv: _Level, lang: str
) -> list[ChartRequest]:
    t = {
        "vi": {
            "mean": "Trung bình",
            "target": "Mục tiêu",
            "current": "Hiện trạng",
            "best": "Cao nhất",
            "worst": "Thấp nhất",
        },
        "en": {
            "mean": "Mean",
            "target": "Target",
            "current": "Current",
            "best": "Highest",
            "worst": "Lowest",
        },
    }[lang]
    out: list[ChartRequest] = []
    for table in ctx["appendix"]["rankings"]:
        out.append(
            ChartRequest(
                table["chart"],
                "ranking_bars",
                f"{table['index_label']} — {table['title']} ({table['year']})",
                {
                    "labels": [r["name"] for r in table["rows"]],
                    "values": [r["index"] for r in table["rows"]],
                },
            )
        )
    units = ctx["current"]["units"]
    pillar_codes = [p["code"] for p in ctx["primary"]["pillars"]]
    if pillar_codes:
        if len(units) <= MAX_SERIES:  # one bar per unit
            series = {
                u["name"]: [
                    next(r["value"] for r in u["rows"] if r["code"] == c) for c in pillar_codes
                ]
                for u in units
            }
        else:  # too many units to tell apart: the spread over units instead
            series = {
                t["best"]: [lv.best_worst(c)[0].get("value") for c in pillar_codes],
                t["mean"]: [lv.mean(c) for c in pillar_codes],
                t["worst"]: [lv.best_worst(c)[1].get("value") for c in pillar_codes],
            }
        out.append(
            ChartRequest(
                "pillars",
                "grouped_bars",
                ctx["primary"]["index_label"],
                {"groups": [lv.label(c) for c in pillar_codes], "series": series},
            )
        )
    main_codes = [m["code"] for m in ctx["primary"]["main"]]
    if len(main_codes) >= 3:
        means = [lv.mean(c) for c in main_codes]
        for u in units:
            values = [next(r["value"] for r in u["rows"] if r["code"] == c) for c in main_codes]
            out.append(
                ChartRequest(
                    u["chart"],
                    "radar",
                    u["name"],
                    {
                        "axes": [lv.label(c) for c in main_codes],
                        "series": {u["name"]: values, t["mean"]: means},
                    },
                )
            )
    goals = ctx["objectives"]["goals"]
    first = ctx["target_years"][0] if ctx["target_years"] else None
    if goals and first is not None:
        out.append(
            ChartRequest(
                "gaps",
                "target_gaps",
                f"{t['target']} {first}",
                {
                    "labels": [g["label"] for g in goals],
                    "current": [g["current"] for g in goals],
                    "target": [g["targets"][0]["value"] for g in goals],
                },
            )
        )
    periods = list(lv.scores.periods)
    series = {
        lv.label(c): [lv.mean(c, k) for k in range(len(periods))]
        for c in [lv.index, *pillar_codes]
        if lv.has(c)
    }
    targets = {
        g["label"]: [(tg["year"], tg["value"]) for tg in g["targets"] if tg["value"] is not None]
        for g in goals
    }
    out.append(
        ChartRequest(
            "trend",
            "trend_lines",
            ctx["primary"]["index_label"],
            {"periods": periods, "series": series, "targets": targets},
        )
    )
    return out
