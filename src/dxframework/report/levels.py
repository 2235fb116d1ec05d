"""One scored level as the document context sees it: values, ranks, means and changes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.text import natural_key
from dxframework.pipeline.result import RunResult

__all__ = ["LevelView", "optional_float", "structure"]


def optional_float(value: Any) -> float | None:
    """A float, or None for missing (templates print None as —)."""
    if value is None:
        return None
    v = float(value)
    return None if math.isnan(v) else v


def structure(fw: Framework) -> tuple[str, list[str], list[str]]:
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


class LevelView:
    """Helpers over one level's run: values by unit and code, ranks, means, changes."""

    def __init__(self, name: str, title: str, result: RunResult, lang: str) -> None:
        self.name, self.title, self.result, self.lang = name, title, result, lang
        self.fw = result.framework
        self.index, self.pillars, self.main = structure(self.fw)
        # every column of the final data set (aggregates and the indicators below them), so
        # that indicator-level components (EGDI's OSI, the DTI's main indicators) show too
        final = result.final
        extra = [c for c in final.columns if not result.scores.has_column(c)]
        if extra:
            self.scores = Dataset(
                units=result.scores.units,
                columns=[*result.scores.columns, *extra],
                values=np.concatenate([result.scores.values, final.get(extra)], axis=-1),
                periods=result.scores.periods,
            )
            self.ranks = result.ranks_of(self.scores.columns)  # the run's ranking rule
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
        return optional_float(
            self.scores.values[self.p if p is None else p, i, self.scores.column_index(code)]
        )

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
        return optional_float(np.nanmean(col)) if np.any(~np.isnan(col)) else None

    def by_rank(self, code: str | None = None) -> list[int]:
        """The units' positions, best rank first; units tied (and those without a rank, last)
        in natural order of their codes (``1.2`` before ``1.10``), not in the data's order."""
        r = self.ranks.values[self.p, :, self.ranks.column_index(code or self.index)]
        units = self.scores.units

        def key(i: int) -> tuple[bool, float, Any]:
            missing = bool(np.isnan(r[i]))
            return missing, 0.0 if missing else float(r[i]), natural_key(units[i].code)

        return sorted(range(len(units)), key=key)

    def best_worst(self, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The best and the worst unit on ``code`` (of units tied, the first in natural
        order of codes)."""
        col = self.column(code)
        if not np.any(~np.isnan(col)):
            return {}, {}
        units = self.scores.units

        def first(at: np.ndarray) -> int:
            return min((int(i) for i in at), key=lambda i: natural_key(units[i].code))

        hi = first(np.flatnonzero(col == np.nanmax(col)))
        lo = first(np.flatnonzero(col == np.nanmin(col)))
        return (
            {"name": units[hi].name or units[hi].code, "value": optional_float(col[hi])},
            {"name": units[lo].name or units[lo].code, "value": optional_float(col[lo])},
        )

    def codes(self) -> list[str]:
        return [c for c in [self.index, *self.pillars, *self.main] if self.has(c)]
