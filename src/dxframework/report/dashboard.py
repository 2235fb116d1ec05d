"""An offline dashboard: one self-contained HTML file to explore a pack's scored levels.

The page holds its data as JSON in a ``<script type="application/json">`` element, and its
script and style inline (``dashboard_assets/``); it loads nothing at view time (a
Content-Security-Policy forbids it). The data is built once per language, every number
formatted here by :class:`~dxframework.report.formatting.Formatter` (0,8002 in Vietnamese),
so the page only lays out; the language switch swaps the two.

What it shows, per level and period: the ranking (filter by group, search ignoring accents),
a unit's profile against the level's median, any indicator's values across units, the trend
of a unit and of the median over periods; for the pack: targets and gaps and the task
progress of the documents (:func:`dxframework.report.context.build_context`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import numpy as np

from dxframework._version import __version__
from dxframework.model.tasks import TaskCatalogue
from dxframework.model.text import natural_sorted
from dxframework.pipeline.result import RunResult
from dxframework.report.builtin_templates import BUILTIN_TEMPLATES
from dxframework.report.context import build_context
from dxframework.report.formatting import Formatter
from dxframework.report.levels import LevelView, optional_float

__all__ = ["LANGS", "dashboard_html", "dashboard_labels"]

LANGS = ("vi", "en")
_ASSETS = files("dxframework.report") / "dashboard_assets"
#: the words the dashboard takes from the documents' labels (one wording everywhere)
_SHARED = (
    "mean",
    "rank",
    "unit",
    "code",
    "parent",
    "pillar",
    "task",
    "status",
    "progress",
    "gap",
    "met",
    "indicator",
    "score",
    "timeline",
    *(f"status_{s}" for s in ("planned", "in_progress", "done", "delayed", "cancelled")),
)


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def dashboard_labels(lang: str) -> dict[str, str]:
    """The page's words in ``lang``: the documents' shared labels and the dashboard's own."""
    docs = tomllib.loads((BUILTIN_TEMPLATES / "labels.toml").read_text(encoding="utf-8"))
    own = tomllib.loads(_asset("labels.toml"))
    return {**{k: str(docs[lang][k]) for k in _SHARED}, **{k: str(v) for k, v in own[lang].items()}}


def _plain(fmt: Formatter, value: float | None) -> str:
    """An input value with the decimals it needs (up to 4): 67,47; 1.234; 0,0123."""
    text = fmt.number(value, 2 if value is not None and abs(value) >= 100 else 4)
    sep = "," if fmt.lang == "vi" else "."
    return text.rstrip("0").rstrip(sep) if sep in text else text


def _floats(values: np.ndarray) -> list[float | None]:
    return [optional_float(v) for v in values]


def _groupings(lv: LevelView, names: Mapping[str, str], parent: str) -> list[dict[str, Any]]:
    """The groups a ranking can be filtered by: the parent unit and the units' groupings
    (only those with two values or more)."""
    units = lv.scores.units
    found: list[dict[str, Any]] = []
    parents = [u.parent for u in units]
    keys = {"parent": [names.get(p, p) if p else None for p in parents]}
    for key in natural_sorted({k for u in units for k in u.groups}):
        keys[key] = list(lv.scores.group_labels(key))
    for key, labels in keys.items():
        values = natural_sorted({v for v in labels if v})
        if len(values) >= 2:
            title = parent if key == "parent" else key
            found.append({"key": key, "label": title, "values": values, "of": labels})
    return found


def _level(
    lv: LevelView, names: Mapping[str, str], fmt: Formatter, words: Mapping[str, str]
) -> dict[str, Any]:
    """One level: its units, groups, codes and, per code and period, every unit's score
    (value, text, rank), the median, and for the profile codes the difference to it."""
    fw, raw = lv.fw, lv.result.raw
    profile = lv.codes()
    kinds = {lv.index: "index", **dict.fromkeys(lv.pillars, "pillar")}
    kinds.update(dict.fromkeys(lv.main, "main"))
    codes = []
    series: dict[str, Any] = {}
    for code in lv.scores.columns:
        node = fw.nodes.get(code)
        kind = kinds.get(code, "aggregate" if code in fw.aggregate_codes else "indicator")
        codes.append(
            {"code": code, "label": lv.label(code), "kind": kind, "unit": getattr(node, "unit", "")}
        )
        entry: dict[str, Any] = {"v": [], "t": [], "r": [], "med": [], "medt": []}
        if code in profile:
            entry["d"] = []
        for p in range(len(lv.scores.periods)):
            col = lv.column(code, p)
            med = optional_float(np.nanmedian(col)) if np.any(~np.isnan(col)) else None
            entry["v"].append(_floats(col))
            entry["t"].append([fmt.score(v) for v in col])
            entry["r"].append([_rank(lv, code, i, p) for i in range(len(col))])
            entry["med"].append(med)
            entry["medt"].append(fmt.score(med))
            if "d" in entry:
                entry["d"].append(
                    [
                        fmt.signed(None if med is None or v is None else v - med)
                        for v in _floats(col)
                    ]
                )
        if kind == "indicator" and raw.has_column(code):
            entry["raw"] = [
                [_plain(fmt, optional_float(v)) for v in _raw(raw, code, year)]
                for year in lv.scores.periods
            ]
        series[code] = entry
    return {
        "name": lv.name,
        "title": lv.title,
        "index": lv.index,
        "profile": profile,
        "periods": list(lv.scores.periods),
        "units": [{"code": u.code, "name": u.name or u.code} for u in lv.scores.units],
        "groupings": _groupings(lv, names, words["parent"]),
        "codes": codes,
        "series": series,
    }


def _rank(lv: LevelView, code: str, i: int, p: int) -> int | None:
    r = lv.ranks.values[p, i, lv.ranks.column_index(code)]
    return None if np.isnan(r) else int(r)


def _raw(raw: Any, code: str, year: int) -> list[float]:
    if year not in raw.periods:
        return [float("nan")] * len(raw.units)
    return list(raw.values[raw.period_index(year), :, raw.column_index(code)])


def _targets(ctx: Mapping[str, Any], fmt: Formatter) -> dict[str, Any]:
    goals = []
    for g in ctx["objectives"]["goals"]:
        steps = [
            {
                "year": t["year"],
                "value": fmt.score(t["value"]),
                "gap": fmt.score(t["gap"]),
                "met": bool(t["met"]),
            }
            for t in g["targets"]
            if t["value"] is not None
        ]
        if steps:
            goals.append(
                {
                    "code": g["code"],
                    "label": g["label"],
                    "current": fmt.score(g["current"]),
                    "targets": steps,
                }
            )
    indicators = [
        {
            "code": t["code"],
            "label": t["label"],
            "unit": t["unit"],
            "current": _plain(fmt, t["current"]),
            "year": t["current_year"],
            "target": _plain(fmt, t["target"]),
            "target_year": t["target_year"],
            "gap": _plain(fmt, t["gap"]),
            "met": bool(t["met"]),
        }
        for t in ctx["objectives"]["indicators"]
    ]
    return {
        "level": ctx["primary"]["title"],
        "year": ctx["year"],
        "goals": goals,
        "indicators": indicators,
    }


def _tasks(ctx: Mapping[str, Any], fmt: Formatter, words: Mapping[str, str]) -> dict[str, Any]:
    rows = [
        {
            "id": r["id"],
            "name": r["name"],
            "pillar": r["pillar_label"],
            "years": f"{r['start']}–{r['end']}",
            "status": r["status"],
            "status_label": words.get(f"status_{r['status']}", r["status"]),
            "progress": float(r["progress"]),
            "progress_t": fmt.percent(r["progress"], 0),
            "late": bool(r["carried_over"] or r["status"] == "delayed"),
        }
        for r in sorted(ctx["tasks"], key=lambda r: str(r["id"]))
    ]
    mean = sum(r["progress"] for r in rows) / len(rows) if rows else None
    summary = [
        {"label": words.get(f"status_{s['status']}", s["status"]), "count": s["count"]}
        for s in ctx["task_summary"]
    ]
    return {
        "rows": rows,
        "summary": summary,
        "mean": fmt.percent(mean, 0),
        "late": sum(r["late"] for r in rows),
        "plan_year": ctx["plan_year"],
    }


def _payload(
    pack: Any, results: Mapping[str, RunResult], lang: str, tasks: TaskCatalogue | None
) -> dict[str, Any]:
    fmt, words = Formatter(lang), dashboard_labels(lang)
    ctx, _ = build_context(pack, results, lang, tasks=tasks)
    views = {
        name: LevelView(name, _title(pack, name, lang), res, lang) for name, res in results.items()
    }
    names = {u.code: u.name or u.code for v in views.values() for u in v.scores.units}
    return {
        "lang": lang,
        "title": ctx["title"] or pack.name,
        "labels": words,
        "levels": [_level(v, names, fmt, words) for v in views.values()],
        "targets": _targets(ctx, fmt),
        "tasks": _tasks(ctx, fmt, words),
    }


def _title(pack: Any, name: str, lang: str) -> str:
    level = pack.level(name)
    return str((level.title_vi if lang == "vi" else level.title_en) or name)


def _json_for_script(doc: Any) -> str:
    """JSON that cannot end its ``<script>`` element: ``<``, ``>`` and ``&`` are escaped."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def dashboard_html(
    results: Mapping[str, RunResult],
    pack: Any,
    lang: str = "vi",
    tasks: TaskCatalogue | None = None,
    langs: Sequence[str] = LANGS,
) -> str:
    """The dashboard of a pack's scored levels, as one self-contained HTML page.

    Parameters
    ----------
    results
        A run per level name (at least one), as :func:`dxframework.packs.runs.score_levels`
        gives.
    pack
        The :class:`dxframework.MetricPack` (titles, targets, task catalogue).
    lang
        The language the page opens in (``"vi"`` or ``"en"``).
    tasks
        A task catalogue replacing the pack's.
    langs
        The languages the page can switch between (``lang`` first).
    """
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r} (use 'vi' or 'en')")
    order = [lang, *(x for x in langs if x != lang and x in LANGS)]
    data: dict[str, Any] = {"default": lang, "langs": order, "version": __version__}
    data.update({x: _payload(pack, results, x, tasks) for x in order})
    script, style = _asset("dashboard.js"), _asset("dashboard.css")
    if "</" in script or "</" in style:  # would end the element early
        raise ValueError("the dashboard's script or style holds '</'")
    csp = (
        f"default-src 'none'; script-src '{_sha256(script)}'; style-src '{_sha256(style)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    title = html.escape(f"{data[lang]['title']} · {data[lang]['labels']['dashboard']}")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        '<div id="app" aria-live="polite"></div>\n'
        f'<script type="application/json" id="dxf-data">{_json_for_script(data)}</script>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )
