"""Progress of an assessment: per group, agency and unit, the share of criteria done.

A *criterion* is one unit's sub-indicator in one period (a record whose indicator is in the
framework; auxiliary values such as population are not criteria). A criterion is *overdue*
when it is not done and its deadline is before the as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from dxframework.assessment.records import STATUSES, Assessment
from dxframework.errors import DxfError, Problem
from dxframework.model.framework import Framework
from dxframework.model.text import fold_text, natural_key

__all__ = ["BY", "HEADERS", "ProgressRow", "group_of", "progress", "progress_rows"]

BY = ("group", "agency", "unit")

HEADERS: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "by": "theo",
        "group": "nhóm chỉ số",
        "agency": "cơ quan",
        "unit": "đơn vị",
        "key": "mã",
        "name": "tên",
        "criteria": "số tiêu chí",
        "done": "hoàn thành",
        "share_done": "tỷ lệ hoàn thành",
        "in_progress": "đang thực hiện",
        "not_started": "chưa thực hiện",
        "needs_evidence": "cần bổ sung minh chứng",
        "overdue": "quá hạn",
        "as_of": "tính đến ngày",
    },
    "en": {
        "by": "by",
        "group": "indicator group",
        "agency": "agency",
        "unit": "unit",
        "key": "code",
        "name": "name",
        "criteria": "criteria",
        "done": "done",
        "share_done": "share done",
        "in_progress": "in progress",
        "not_started": "not started",
        "needs_evidence": "needs evidence",
        "overdue": "overdue",
        "as_of": "as of",
    },
}


@attrs.frozen
class ProgressRow:
    """Counts of criteria by status for one group, agency or unit."""

    by: str
    key: str
    name: str
    criteria: int
    done: int
    in_progress: int
    not_started: int
    needs_evidence: int
    overdue: int

    @property
    def share_done(self) -> float:
        """Criteria done / criteria (0 when there are none)."""
        return self.done / self.criteria if self.criteria else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The row as a plain dict (keys as in :data:`HEADERS`)."""
        return {
            "by": self.by,
            "key": self.key,
            "name": self.name,
            "criteria": self.criteria,
            "done": self.done,
            "share_done": round(self.share_done, 4),
            "in_progress": self.in_progress,
            "not_started": self.not_started,
            "needs_evidence": self.needs_evidence,
            "overdue": self.overdue,
        }


def group_of(framework: Framework, code: str) -> str:
    """The group of a sub-indicator: its first parent (the main indicator)."""
    parents = framework.parents(code)
    return parents[0].parent if parents else code


def _ancestors(framework: Framework, code: str) -> set[str]:
    seen: set[str] = set()
    todo = [code]
    while todo:
        c = todo.pop()
        for e in framework.parents(c):
            if e.parent not in seen:
                seen.add(e.parent)
                todo.append(e.parent)
    return seen


def progress(
    assessment: Assessment,
    framework: Framework,
    as_of: dt.date,
    group: str | None = None,
    unit_names: Mapping[str, str] | None = None,
    lang: str = "vi",
) -> dict[str, list[ProgressRow]]:
    """Progress by group (main indicator), by agency and by unit.

    Parameters
    ----------
    assessment, framework
        The records and the level's framework (criteria are its indicators).
    as_of
        The date deadlines are compared with.
    group
        Only the criteria under this aggregate (a main indicator or a pillar; code compared
        ignoring case and accents).
    unit_names
        Names of the units (else the names the records give).
    lang
        Language of the group names.
    """
    codes = set(framework.indicator_codes)
    if group is not None:
        target = {fold_text(c): c for c in framework.aggregate_codes}.get(fold_text(group))
        if target is None:
            raise DxfError(
                Problem(
                    f"no group {group!r} in the framework",
                    hint=f"groups: {', '.join(framework.aggregate_codes)}",
                )
            )
        codes = {c for c in codes if target in _ancestors(framework, c)}
    records = [r for r in assessment.records if r.indicator in codes]
    names: dict[str, str] = dict(unit_names or {})
    for r in records:
        if r.unit_name:
            names.setdefault(r.unit, r.unit_name)
    status = np.array([STATUSES.index(r.status) for r in records], dtype=np.int64)
    deadline = np.array(
        [np.datetime64(r.deadline, "D") if r.deadline else np.datetime64("NaT") for r in records],
        dtype="datetime64[D]",
    )
    done = status == STATUSES.index("done")
    overdue = ~done & ~np.isnat(deadline) & (deadline < np.datetime64(as_of, "D"))
    keys = {
        "group": np.array([group_of(framework, r.indicator) for r in records], dtype=object),
        "agency": np.array([r.agency or "—" for r in records], dtype=object),
        "unit": np.array([r.unit for r in records], dtype=object),
    }
    out: dict[str, list[ProgressRow]] = {}
    for by, key in keys.items():
        if not len(records):
            out[by] = []
            continue
        labels, inverse = np.unique(key.astype(str), return_inverse=True)
        n = len(labels)

        def count(
            mask: np.ndarray[Any, Any], inverse: np.ndarray[Any, Any] = inverse, n: int = n
        ) -> Any:
            return np.bincount(inverse, weights=mask.astype(np.float64), minlength=n)

        by_status = {s: count(status == i) for i, s in enumerate(STATUSES)}
        total = np.bincount(inverse, minlength=n)
        late = count(overdue)
        rows = []
        for i, label in enumerate(labels):
            if by == "group":
                node = framework.nodes.get(label)
                name = node.label(lang) if node is not None else label
            elif by == "unit":
                name = names.get(label, "")
            else:
                name = ""
            rows.append(
                ProgressRow(
                    by=by,
                    key=str(label),
                    name=name,
                    criteria=int(total[i]),
                    done=int(by_status["done"][i]),
                    in_progress=int(by_status["in_progress"][i]),
                    not_started=int(by_status["not_started"][i]),
                    needs_evidence=int(by_status["needs_evidence"][i]),
                    overdue=int(late[i]),
                )
            )
        if by == "group":  # framework order: NT, TC, HT…
            order = {c: k for k, c in enumerate(framework.aggregate_codes)}
            rows.sort(key=lambda r: (order.get(r.key, len(order)), natural_key(r.key)))
        else:
            rows.sort(key=lambda r: natural_key(r.key))
        out[by] = rows
    return out


def progress_rows(
    summary: Mapping[str, Sequence[ProgressRow]], lang: str = "vi", as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """All rows as dicts with headers in ``lang`` (for CSV), ``by`` in words."""
    h = HEADERS["vi" if lang == "vi" else "en"]
    rows: list[dict[str, Any]] = []
    for by in BY:
        for r in summary.get(by, ()):
            d = r.as_dict()
            d["by"] = h[by]
            row = {h[k]: v for k, v in d.items()}
            if as_of is not None:
                row[h["as_of"]] = as_of.isoformat()
            rows.append(row)
    return rows
