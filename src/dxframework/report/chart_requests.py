"""The charts a document shows, as requests drawn later by :mod:`dxframework.report.charts`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from dxframework.report.levels import LevelView

__all__ = ["MAX_BARS", "MAX_SERIES", "ChartRequest", "chart_requests"]


#: Above this many units, the pillar chart shows the highest, mean and lowest unit instead
#: of one bar per unit, and unit radar charts are not drawn.
MAX_SERIES = 12
#: Above this many units, a ranking is drawn as a distribution (a histogram), not as bars:
#: the table beside it gives every unit's rank.
MAX_BARS = 30


@attrs.frozen
class ChartRequest:
    """A chart to draw: its id, the drawing function's name and its arguments."""

    id: str
    kind: str
    title: str
    data: Mapping[str, Any]


def chart_requests(
    ctx: Mapping[str, Any], levels: Mapping[str, LevelView], lv: LevelView, lang: str
) -> list[ChartRequest]:
    t = {
        "vi": {
            "mean": "Trung bình",
            "target": "Mục tiêu",
            "current": "Hiện trạng",
            "best": "Cao nhất",
            "worst": "Thấp nhất",
            "units": "Số đơn vị",
        },
        "en": {
            "mean": "Mean",
            "target": "Target",
            "current": "Current",
            "best": "Highest",
            "worst": "Lowest",
            "units": "Units",
        },
    }[lang]
    out: list[ChartRequest] = []
    for table in ctx["appendix"]["rankings"]:
        if table["distribution"]:
            out.append(
                ChartRequest(
                    table["chart"],
                    "distribution",
                    f"{table['index_label']} — {table['title']} ({table['year']})",
                    {
                        "values": [r["index"] for r in table["rows"]],
                        "value_label": table["index_label"],
                        "count_label": t["units"],
                    },
                )
            )
            continue
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
    units = ctx["current"]["units"]  # the units with a profile (and a radar chart)
    every = ctx["current"]["all_units"]
    pillar_codes = [p["code"] for p in ctx["primary"]["pillars"]]
    if pillar_codes:
        if len(every) <= MAX_SERIES:  # one bar per unit
            series = {
                u["name"]: [
                    next(r["value"] for r in u["rows"] if r["code"] == c) for c in pillar_codes
                ]
                for u in every
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
