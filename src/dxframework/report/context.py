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
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dxframework.analysis.targets import index_room, indicator_targets, pillar_shares
from dxframework.errors import DxfError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.tasks import TaskCatalogue
from dxframework.model.text import natural_key, natural_sorted
from dxframework.pipeline.result import RunResult
from dxframework.report.chart_requests import MAX_BARS, MAX_SERIES, ChartRequest, chart_requests
from dxframework.report.levels import LevelView
from dxframework.report.texts import legal_bases, load_texts, text_folders

__all__ = [
    "MAX_SERIES",
    "PROFILES_ALL_UP_TO",
    "ChartRequest",
    "build_context",
    "parse_term",
    "pillar_shares",
    "select_profiles",
    "with_term",
]

#: Without ``profiles``, every unit gets a profile up to this many units; above, the best
#: :data:`PROFILES_TOP` do (a hundred radar charts make a document nobody reads).
PROFILES_ALL_UP_TO = 20
PROFILES_TOP = 10


def select_profiles(
    units: Sequence[dict[str, Any]], spec: str | Sequence[str] | None
) -> list[dict[str, Any]]:
    """The units (best first) that get a profile: ``spec`` is ``"all"``, ``"none"``,
    ``"top N"`` or unit codes (a list, or text separated by commas).

    ``None`` is ``"all"`` up to :data:`PROFILES_ALL_UP_TO` units, else ``"top 10"``.
    """
    if spec is None:
        return list(units) if len(units) <= PROFILES_ALL_UP_TO else list(units[:PROFILES_TOP])
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text == "all":
            return list(units)
        if text == "none":
            return []
        parts = text.split()
        if len(parts) == 2 and parts[0] == "top":
            if not parts[1].isdigit():
                raise DxfError(Problem(f"profiles {spec!r}: N of 'top N' must be a number"))
            return list(units[: int(parts[1])])
        codes = [c.strip() for c in spec.split(",") if c.strip()]
    else:
        codes = [str(c) for c in spec]
    known = {str(u["code"]) for u in units}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DxfError(
            Problem(
                f"profiles: no unit {unknown[0]!r}",
                hint="write all, none, top N or unit codes separated by commas",
            )
        )
    wanted = set(codes)
    return [u for u in units if str(u["code"]) in wanted]


#: A period of years in a title: "2022–2025", "2022-2025" (en dash or hyphen).
_PERIOD = re.compile(r"(?<!\d)(\d{4})\s*[–-]\s*(\d{4})(?!\d)")
#: The orientation after the period: ", định hướng đến năm 2030", ", with orientation to 2030".
_ORIENTATION = re.compile(
    r",?\s*(?:định hướng|tầm nhìn) đến năm (\d{4})|,?\s*with (?:an )?(?:orientation|vision) to "
    r"(\d{4})",
    re.IGNORECASE,
)
_TERM_WORD = {"vi": " giai đoạn {term}", "en": ", {term}"}


def parse_term(value: object) -> tuple[int, int]:
    """The document's own period: ``"2026-2030"``, ``"2026–2030"`` or ``[2026, 2030]``, the
    first year before the last."""
    pair: Sequence[object]
    if isinstance(value, list | tuple) and len(value) == 2:
        pair = value
    else:
        m = _PERIOD.fullmatch(str(value).strip())
        pair = [m.group(1), m.group(2)] if m else []
    try:
        start, end = int(str(pair[0])), int(str(pair[1]))
    except (IndexError, TypeError, ValueError):
        start = end = 0
    if not (1900 <= start < end <= 2200):  # a period: "giai đoạn 2026–2026" is not one
        raise DxfError(
            Problem(
                f"term {value!r} is not a period of years",
                hint="write the first and the last year: 2026-2030",
            )
        )
    return start, end


def _default_term(report: Mapping[str, Any], title: str) -> tuple[int, int] | None:
    """The period the pack's title states: ``term`` in ``[report]``, else the title's."""
    if report.get("term") is not None:
        return parse_term(report["term"])
    m = _PERIOD.search(title)
    return (int(m.group(1)), int(m.group(2))) if m else None


def with_term(text: str, term: tuple[int, int], lang: str) -> str:
    """A title (or summary) with its period replaced by ``term``.

    The first period of years in the text ("2022–2025") becomes the term ("2026–2030");
    a text without one gets it appended ("… giai đoạn 2026–2030", "…, 2026–2030"). An
    orientation that no longer reaches past the term (", định hướng đến năm 2030" after
    2026–2030) is dropped; a later one (", tầm nhìn đến năm 2045") stays.
    """
    period = f"{term[0]}–{term[1]}"
    if _PERIOD.search(text):
        out = _PERIOD.sub(period, text, count=1)
    else:
        out = text.rstrip() + _TERM_WORD.get(lang, _TERM_WORD["en"]).format(term=period)

    def orientation(m: re.Match[str]) -> str:
        year = int(m.group(1) or m.group(2))
        return "" if year <= term[1] else m.group(0)

    return _ORIENTATION.sub(orientation, out)


def _overview(lv: LevelView) -> list[dict[str, Any]]:
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


def _unit_entries(lv: LevelView) -> list[dict[str, Any]]:
    entries = []
    for i in lv.by_rank():
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
        rel = sorted(mains, key=lambda r: (r["vs_mean"], natural_key(r["code"])))
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


def _ranking_table(lv: LevelView, parents: Mapping[str, str]) -> dict[str, Any]:
    rows = []
    within = lv.result.ranks_within("parent") if any(u.parent for u in lv.scores.units) else None
    for i in lv.by_rank():
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
        "distribution": len(rows) > MAX_BARS,
    }


def _int(v: float) -> int | None:
    return None if math.isnan(v) else int(v)


def _indicator_targets(
    lv: LevelView, series: Dataset | None, target_years: Sequence[int]
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
    catalogue: TaskCatalogue,
    lv: LevelView,
    lang: str,
    plan_year: int,
    label: Callable[[str], str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """All tasks (ordered by expected effect) and the tasks of the plan year.

    The plan holds the tasks running in ``plan_year`` and, carried over, the tasks that
    should have ended before it and are not done (``carried_over`` is true for those).
    """
    room = index_room(lv.result, lv.index)
    name_of = label or lv.label
    rows: list[dict[str, Any]] = []
    for t in catalogue.tasks:
        effect = sum(room.get(c, 0.0) for c in t.indicators) if room else None
        rows.append(
            {
                "id": t.id,
                "name": t.text("name", lang),
                "pillar": t.pillar,
                "pillar_label": name_of(t.pillar),
                "indicators": [name_of(c) for c in t.indicators],
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
                "amount": t.amount,
                "outputs": list(t.outputs(lang)),
                "active": t.active_in(plan_year),
                "carried_over": t.late_in(plan_year),
            }
        )
    if room:
        rows.sort(key=lambda r: (-float(r["effect"] or 0.0), natural_key(r["id"])))
    for n, r in enumerate(rows, start=1):
        r["order"] = n
    plan = [
        r
        for r in rows
        if r["carried_over"] or (r["active"] and r["status"] not in ("done", "cancelled"))
    ]
    return rows, plan


def _funding(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The tasks' amounts: the total, by funding source and by pillar (cancelled left out)."""
    live = [r for r in rows if r["status"] != "cancelled" and r["amount"] is not None]
    by_source: dict[str, float] = {}
    by_pillar: dict[str, float] = {}
    for r in live:
        by_source[r["funding"] or "—"] = by_source.get(r["funding"] or "—", 0.0) + r["amount"]
        by_pillar[r["pillar_label"]] = by_pillar.get(r["pillar_label"], 0.0) + r["amount"]
    total = sum(by_source.values())
    return {
        "total": total,
        "has_amounts": bool(live),
        "by_source": [
            {"source": k, "amount": v, "share": v / total if total else None}
            for k, v in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "by_pillar": [
            {"pillar": k, "amount": v, "share": v / total if total else None}
            for k, v in sorted(by_pillar.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def _areas(
    rows: Sequence[dict[str, Any]], lv: LevelView, label: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The tasks grouped by pillar (tasks and solutions by area), in the framework's order."""
    order = [*lv.pillars]
    out = []
    for code in [*order, *natural_sorted({r["pillar"] for r in rows} - set(order))]:
        tasks = [r for r in rows if r["pillar"] == code and r["status"] != "cancelled"]
        if tasks:
            out.append({"code": code, "label": label(code), "tasks": tasks})
    return out


def _agencies(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each lead agency with the tasks it leads (implementation arrangements)."""
    leads: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["status"] in ("done", "cancelled") or not r["lead"]:
            continue
        leads.setdefault(r["lead"], []).append(r)
    return [
        {"name": name, "tasks": tasks}
        for name, tasks in sorted(leads.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def check_years(results: Mapping[str, RunResult]) -> None:
    """Refuse data without a year: the documents and the dashboard date every figure
    ("Hiện trạng 2024", the plan year after it, the progress needed per year to a target).

    Data read without a period column hold the one period 0, which is not a year.
    """
    for name, res in results.items():
        if tuple(res.scores.periods) == (0,):
            raise DxfError(
                Problem(
                    f"the data of level {name!r} hold no year (no period column), and the "
                    "figures are dated by it",
                    hint="add a period column (Năm) with the year, or give it with --period 2024",
                )
            )


def build_context(
    pack: Any,
    results: Mapping[str, RunResult],
    lang: str = "vi",
    tasks: TaskCatalogue | None = None,
    series: Dataset | None = None,
    today: dt.date | None = None,
    plan_year: int | None = None,
    profiles: str | Sequence[str] | None = None,
    texts_dir: str | Path | None = None,
    term: str | Sequence[int] | None = None,
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
    plan_year
        The year of the annual plan (default: the year after the latest data year).
    profiles
        The units with a subsection and a profile: see :func:`select_profiles`.
    texts_dir
        A folder of narrative texts replacing the pack's and the built-in ones (see
        :mod:`dxframework.report.texts`).
    term
        The proposal's own period ("2026-2030"): it replaces the period of the title and
        the summary (see :func:`with_term`) and fills ``{term}``, ``{term_start}``,
        ``{term_end}`` in the narrative texts. Default: the pack's (``term`` in its
        ``[report]`` table, else the period its title states). Not the data year
        (``--period``) nor the plan year.
    """
    check_years(results)
    targets = pack.targets()
    target_level = targets.get("level")
    if target_level in results:
        primary_name = str(target_level)
    else:  # the targets' level was not scored (dxf report --level commune): no targets
        primary_name = pack.default_level if pack.default_level in results else next(iter(results))
        if target_level:
            targets = {}
    levels = {
        name: LevelView(
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
    # the tasks name the codes of the targets' level (the proposal's), scored or not
    task_fw = lv.fw
    if target_level and target_level != primary_name and target_level in pack.levels:
        task_fw = pack.level(str(target_level)).framework
    if catalogue.tasks:
        catalogue.check_codes(task_fw.nodes)

    def task_label(code: str) -> str:
        node = task_fw.nodes.get(code)
        return node.label(lang) if node is not None else code

    if series is None and pack.series_path is not None:
        series = pack.load_series()
    plan_year = year + 1 if plan_year is None else int(plan_year)

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
                # one convention everywhere (tables and charts): gap = target − current,
                # positive while the target is still to reach; met when it is ≤ 0
                gap = None if goal is None or current is None else goal - current
                met = gap is not None and gap <= 0
                left = ty - year
                row["targets"].append(
                    {
                        "year": ty,
                        "value": goal,
                        "gap": gap,
                        "met": met,
                        "per_year": gap / left
                        if gap is not None and not met and left > 0
                        else None,
                    }
                )
            goal_rows.append(row)

    task_rows, plan_rows = _tasks(catalogue, lv, lang, plan_year, task_label)
    parents_names = {}
    for other in levels.values():
        parents_names.update({u.code: u.name for u in other.scores.units})
    rankings = [_ranking_table(levels[n], parents_names) for n in results]
    all_units = _unit_entries(lv)
    units = select_profiles(all_units, profiles)
    indicator_targets = _indicator_targets(lv, series, target_years)

    report = pack.report
    day = today or dt.date.today()
    folders = text_folders(pack, texts_dir)
    title = str(
        report.get(f"title_{lang}") or (pack.title_vi if lang == "vi" else pack.title_en) or ""
    )
    summary = str(report.get(f"summary_{lang}") or "")
    own_term = _default_term(report, title)
    doc_term = parse_term(term) if term is not None else own_term
    if term is not None and doc_term is not None:
        title = with_term(title, doc_term, lang)
        summary = with_term(summary, doc_term, lang) if summary else ""
    ctx: dict[str, Any] = {
        "texts": load_texts(folders, lang, doc_term),
        "legal_bases": legal_bases(folders, lang, day),
        "funding": _funding(task_rows),
        "areas": _areas(task_rows, lv, task_label),
        "agencies": _agencies(task_rows),
        "lang": lang,
        "title": title,
        "summary": summary,
        "term": None
        if doc_term is None
        else {"start": doc_term[0], "end": doc_term[1], "text": f"{doc_term[0]}–{doc_term[1]}"},
        "subtitle": report.get(f"subtitle_{lang}", ""),
        "organisation": report.get(f"organisation_{lang}", ""),
        "date": day.isoformat(),
        "pack": {"name": pack.name, "version": pack.version},
        "report": dict(report),
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
            "n_profiles": len(units),
            "all_units": all_units,
        },
        "objectives": {"goals": goal_rows, "indicators": indicator_targets},
        "tasks": task_rows,
        "task_summary": [{"status": s, "count": n} for s, n in catalogue.summary().items() if n]
        if catalogue.tasks
        else [],
        "plan": {
            "year": plan_year,
            "tasks": plan_rows,
            "carried_over": [r for r in plan_rows if r["carried_over"]],
            "budget": sum(float(r["amount"]) for r in plan_rows if r["amount"] is not None),
            "has_amounts": any(r["amount"] is not None for r in plan_rows),
        },
        "appendix": {"rankings": rankings, "profiles": units},
        "max_bars": MAX_BARS,
        "charts": {
            "ranking": f"ranking_{lv.name}",
            "pillars": "pillars",
            "trend": "trend",
            "gaps": "gaps",
        },
    }
    return ctx, chart_requests(ctx, levels, lv, lang)
