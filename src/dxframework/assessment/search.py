"""Finding units, indicators and tasks by name or code, ignoring accents and case.

``"chuyen doi so"`` finds ``"Chuyển đổi số"``, ``"dien bien"`` finds ``"Điện Biên"`` (``đ`` is
``d``); every word of the query must occur in the code or one of the names. Hits are listed by
kind, then in natural order of their codes.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import attrs

from dxframework.io.crosswalk import read_unit_map
from dxframework.model.text import fold_text, natural_key
from dxframework.packs.crosswalks import crosswalk_configs

__all__ = ["KINDS", "Hit", "search", "search_items"]

KINDS = ("unit", "indicator", "aggregate", "task")


@attrs.frozen
class Hit:
    """One thing found: what it is, where (pack and level), its code and names."""

    kind: str
    code: str
    name_vi: str = ""
    name_en: str = ""
    pack: str = ""
    level: str = ""
    detail: str = ""

    def name(self, lang: str = "vi") -> str:
        """The name in ``lang``, falling back to the other language."""
        first, second = (
            (self.name_vi, self.name_en) if lang == "vi" else (self.name_en, self.name_vi)
        )
        return first or second

    def as_dict(self, lang: str = "vi") -> dict[str, str]:
        """The hit as a plain dict."""
        return {
            "kind": self.kind,
            "pack": self.pack,
            "level": self.level,
            "code": self.code,
            "name": self.name(lang),
            "detail": self.detail,
        }


def search_items(query: str, items: Iterable[Hit]) -> list[Hit]:
    """The items every word of ``query`` occurs in (code, names, detail; accents and case
    folded), by kind and natural order of code; each item once."""
    words = fold_text(query).split()
    if not words:
        return []
    seen: set[tuple[str, str, str, str]] = set()
    hits: list[Hit] = []
    for item in items:
        key = (item.kind, item.pack, item.level, item.code)
        if key in seen:
            continue
        text = fold_text(" | ".join((item.code, item.name_vi, item.name_en, item.detail)))
        if all(w in text for w in words):
            seen.add(key)
            hits.append(item)
    order = {k: i for i, k in enumerate(KINDS)}
    hits.sort(key=lambda h: (order.get(h.kind, len(order)), h.pack, h.level, natural_key(h.code)))
    return hits


def _pack_items(pack: Any) -> list[Hit]:
    """Everything of a pack that can be found."""
    items: list[Hit] = []
    for lname, lvl in pack.levels.items():
        fw = lvl.framework
        for ind in fw.indicators:
            items.append(Hit("indicator", ind.code, ind.name_vi, ind.name_en, pack.name, lname))
        for agg in fw.aggregates:
            items.append(Hit("aggregate", agg.code, agg.name_vi, agg.name_en, pack.name, lname))
        if lvl.data_path is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = lvl.load_data()
            for u in data.units:
                items.append(Hit("unit", u.code, u.name, "", pack.name, lname, u.level))
    tasks = pack.tasks().tasks if getattr(pack, "tasks_file", None) else ()
    for t in tasks:
        items.append(
            Hit(
                "task",
                t.id,
                t.name_vi,
                t.name_en,
                pack.name,
                "",
                f"{t.lead_vi} | {t.lead_en}",
            )
        )
    for cw in crosswalk_configs(pack).values():
        if cw.map is None:
            continue
        umap = read_unit_map(cw.map)
        for lk in umap.links:
            items.append(
                Hit(
                    "unit",
                    lk.new,
                    umap.new_names.get(lk.new, ""),
                    "",
                    pack.name,
                    lk.new_level or cw.to_level,
                    f"{cw.name}: {lk.status}",
                )
            )
            items.append(
                Hit(
                    "unit",
                    lk.old,
                    umap.old_names.get(lk.old, ""),
                    "",
                    pack.name,
                    lk.old_level or cw.from_level,
                    cw.name,
                )
            )
    return items


def search(query: str, packs: Iterable[Any], kinds: Iterable[str] | None = None) -> list[Hit]:
    """Units, indicators, aggregates and tasks of ``packs`` matching ``query``."""
    wanted = set(kinds) if kinds is not None else set(KINDS)
    items = [h for pack in packs for h in _pack_items(pack) if h.kind in wanted]
    return search_items(query, items)
