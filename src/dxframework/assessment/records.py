"""Assessment records: self-assessed and verified values of every sub-indicator, with evidence.

Provinces run their indices as a workflow: each agency, district or commune self-assesses every
sub-indicator with evidence; an appraisal council (hội đồng thẩm định) verifies it and may change
the score; the DX department follows progress until the deadline. One
:class:`AssessmentRecord` holds one unit's value of one sub-indicator in one period, both sides
of it and the workflow around it; an :class:`Assessment` holds them all, with arrays for
scoring (:meth:`Assessment.dataset`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.errors import DataError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.text import fold_text, natural_key, natural_sorted
from dxframework.model.units import Unit

__all__ = [
    "STATUSES",
    "Assessment",
    "AssessmentRecord",
    "Side",
    "ValuesChoice",
    "accepted_statuses",
    "parse_status",
    "status_label",
]

Side = Literal["self", "verified"]

STATUSES: tuple[str, ...] = ("not_started", "in_progress", "needs_evidence", "done")
"""Workflow statuses, in order: chưa thực hiện, đang thực hiện, cần bổ sung minh chứng,
hoàn thành."""

_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "vi": MappingProxyType(
            {
                "not_started": "chưa thực hiện",
                "in_progress": "đang thực hiện",
                "needs_evidence": "cần bổ sung minh chứng",
                "done": "hoàn thành",
            }
        ),
        "en": MappingProxyType(
            {
                "not_started": "not started",
                "in_progress": "in progress",
                "needs_evidence": "needs evidence",
                "done": "done",
            }
        ),
    }
)

_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "not_started": ("chưa thực hiện", "chưa bắt đầu", "chưa làm", "not started", "todo", "to do"),
    "in_progress": ("đang thực hiện", "đang triển khai", "in progress", "ongoing", "started"),
    "needs_evidence": (
        "cần bổ sung minh chứng",
        "bổ sung minh chứng",
        "cần bổ sung",
        "thiếu minh chứng",
        "needs evidence",
        "evidence needed",
        "missing evidence",
    ),
    "done": ("hoàn thành", "đã hoàn thành", "xong", "done", "completed", "complete"),
}

_STATUS_OF: Mapping[str, str] = MappingProxyType(
    {
        fold_text(text): code
        for code, texts in _SYNONYMS.items()
        for text in (*texts, code, code.replace("_", " "))
    }
)


def parse_status(text: str) -> str | None:
    """The status code of a cell (Vietnamese or English, accents and case ignored), or
    ``None`` when it is not one; an empty cell is ``""``."""
    folded = fold_text(text).replace("_", " ").replace("-", " ")
    if not folded:
        return ""
    return _STATUS_OF.get(" ".join(folded.split()))


def status_label(code: str, lang: str = "vi") -> str:
    """A status in words: ``"hoàn thành"`` / ``"done"``."""
    return _LABELS["vi" if lang == "vi" else "en"].get(code, code)


def accepted_statuses() -> str:
    """The statuses a cell may hold, for error hints."""
    return "; ".join(f"{_LABELS['vi'][c]} / {_LABELS['en'][c]}" for c in STATUSES)


@attrs.frozen
class AssessmentRecord:
    """One unit's value of one sub-indicator in one period, both sides and the workflow.

    Parameters
    ----------
    unit, indicator, period
        Which value (``period`` 0 when the table has no period).
    self_value, verified_value
        The self-assessed value and the appraisal council's value (NaN: none), as numbers
        (text answers such as ``Có`` already read by the indicator's answers).
    evidence
        Evidence references: document numbers, file names or links.
    evidence_note
        What the evidence shows, or what is missing.
    status
        One of :data:`STATUSES`.
    agency, person
        Who is responsible for the value.
    deadline
        When it is due (``None``: no deadline).
    comment
        The reviewer's (appraisal council's) comment.
    unit_name, parent
        Optional: the unit's name and parent unit, as the table gives them.
    source, row
        The file and row the record was read from.
    """

    unit: str
    indicator: str
    period: int = 0
    self_value: float = math.nan
    verified_value: float = math.nan
    evidence: tuple[str, ...] = ()
    evidence_note: str = ""
    status: str = attrs.field(default="not_started")
    agency: str = ""
    person: str = ""
    deadline: dt.date | None = None
    comment: str = ""
    unit_name: str = ""
    parent: str = ""
    source: str | None = attrs.field(default=None, eq=False)
    row: int | None = attrs.field(default=None, eq=False)

    @status.validator
    def _check_status(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {value!r}")

    @property
    def has_self(self) -> bool:
        """Whether a self-assessed value is given."""
        return not math.isnan(self.self_value)

    @property
    def has_verified(self) -> bool:
        """Whether the appraisal council gave a value."""
        return not math.isnan(self.verified_value)

    def overdue(self, as_of: dt.date) -> bool:
        """Not done and the deadline has passed."""
        return self.status != "done" and self.deadline is not None and self.deadline < as_of


@attrs.frozen
class ValuesChoice:
    """The values a run scores: one side, and where the verified side has none, the fallback.

    ``fallback`` is ``"self"`` (use the self-assessed value, with a note) or ``None`` (the
    value stays missing: a criterion without a verified value earns no points).
    """

    side: Side = "verified"
    fallback: Side | None = "self"

    def __attrs_post_init__(self) -> None:
        if self.side not in ("self", "verified"):
            raise DataError(
                Problem(
                    f"values must be 'self' or 'verified', got {self.side!r}",
                    hint="dxf run --values self|verified",
                )
            )


def _ordered(records: Iterable[AssessmentRecord]) -> tuple[AssessmentRecord, ...]:
    return tuple(
        sorted(records, key=lambda r: (natural_key(r.unit), natural_key(r.indicator), r.period))
    )


@attrs.frozen(eq=False)
class Assessment:
    """All assessment records of a level, with arrays for scoring and summaries.

    Records are kept in natural order of unit, indicator and period. ``source`` names the
    file (or files) they were read from.
    """

    records: tuple[AssessmentRecord, ...] = attrs.field(converter=_ordered)
    source: str | None = None

    def __len__(self) -> int:
        return len(self.records)

    # -- axes ---------------------------------------------------------------------------------
    @property
    def unit_codes(self) -> tuple[str, ...]:
        """Unit codes in natural order."""
        return tuple(natural_sorted({r.unit for r in self.records}))

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        """Indicator (and auxiliary) codes in natural order."""
        return tuple(natural_sorted({r.indicator for r in self.records}))

    @property
    def periods(self) -> tuple[int, ...]:
        """Periods, ascending."""
        return tuple(sorted({r.period for r in self.records}))

    def units(self) -> tuple[Unit, ...]:
        """The units with the names and parents the records give."""
        names: dict[str, str] = {}
        parents: dict[str, str] = {}
        for r in self.records:
            if r.unit_name:
                names.setdefault(r.unit, r.unit_name)
            if r.parent:
                parents.setdefault(r.unit, r.parent)
        return tuple(
            Unit(c, name=names.get(c, ""), parent=parents.get(c) or None) for c in self.unit_codes
        )

    def column(self, name: str) -> NDArray[Any]:
        """One field of every record as an array (``self_value``, ``status``, ``unit``…)."""
        values = [getattr(r, name) for r in self.records]
        if name in ("self_value", "verified_value"):
            return np.array(values, dtype=np.float64)
        if name == "deadline":
            return np.array(
                [np.datetime64(v, "D") if v is not None else np.datetime64("NaT") for v in values],
                dtype="datetime64[D]",
            )
        return np.array(values, dtype=object)

    def select(
        self,
        units: Iterable[str] | None = None,
        indicators: Iterable[str] | None = None,
        periods: Iterable[int] | None = None,
    ) -> Assessment:
        """The records of some units, indicators or periods."""
        us = set(units) if units is not None else None
        cs = set(indicators) if indicators is not None else None
        ps = set(periods) if periods is not None else None
        return Assessment(
            tuple(
                r
                for r in self.records
                if (us is None or r.unit in us)
                and (cs is None or r.indicator in cs)
                and (ps is None or r.period in ps)
            ),
            self.source,
        )

    # -- scoring ------------------------------------------------------------------------------
    def arrays(
        self,
        units: Sequence[str],
        columns: Sequence[str],
        periods: Sequence[int],
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
        """``(self, verified, present)`` arrays of shape (periods, units, columns).

        ``present`` marks the cells an assessment record covers; records of units, columns
        or periods not asked for are left out.
        """
        ui = {u: i for i, u in enumerate(units)}
        ci = {c: j for j, c in enumerate(columns)}
        pi = {p: k for k, p in enumerate(periods)}
        keep = [
            (pi[r.period], ui[r.unit], ci[r.indicator], r.self_value, r.verified_value)
            for r in self.records
            if r.unit in ui and r.indicator in ci and r.period in pi
        ]
        shape = (len(periods), len(units), len(columns))
        own = np.full(shape, np.nan)
        verified = np.full(shape, np.nan)
        present = np.zeros(shape, dtype=bool)
        if keep:
            cols = np.array(keep, dtype=object).T
            p, u, c = (cols[i].astype(np.int64) for i in range(3))
            own[p, u, c] = cols[3].astype(np.float64)
            verified[p, u, c] = cols[4].astype(np.float64)
            present[p, u, c] = True
        return own, verified, present

    def dataset(
        self,
        choice: ValuesChoice | Side = "verified",
        base: Dataset | None = None,
        columns: Sequence[str] | None = None,
    ) -> tuple[Dataset, NDArray[np.int8], list[str]]:
        """The values to score, where each came from, and notes.

        The values of ``choice`` replace those of ``base`` in every cell an assessment
        record covers (``base``: a data set giving the units, auxiliary columns and values
        not assessed; without it, the records' own units, indicators and periods). Where the
        verified side is chosen and the council gave no value, the self-assessed value is
        used when ``choice.fallback == "self"`` (said in a note), else the value is missing
        (no points).

        Returns
        -------
        Dataset
            The values.
        numpy.ndarray
            Per cell: ``0`` from ``base``, ``1`` self-assessed, ``2`` verified, ``3`` self
            in place of a missing verified value (int8, the data set's shape).
        list of str
            Notes (fallbacks used), in English.
        """
        if isinstance(choice, str):
            choice = ValuesChoice(choice)
        if base is None:
            units: tuple[Unit, ...] = self.units()
            cols = tuple(columns) if columns is not None else self.indicator_codes
            periods = self.periods or (0,)
            values = np.full((len(periods), len(units), len(cols)), np.nan)
        else:
            units, cols, periods = base.units, base.columns, base.periods
            values = np.array(base.values)
            missing = sorted(set(self.unit_codes) - set(base.unit_codes), key=natural_key)
            if missing:
                raise DataError(
                    Problem(
                        f"{len(missing)} assessed unit(s) are not in the data, e.g. {missing[0]!r}",
                        file=self.source,
                        unit=missing[0],
                        hint="assess the units the level's data lists",
                    )
                )
        codes = [u.code for u in units]
        own, verified, present = self.arrays(codes, cols, periods)
        origin = np.zeros(values.shape, dtype=np.int8)
        notes: list[str] = []
        if choice.side == "self":
            values = np.where(present, own, values)
            origin[present] = 1
        else:
            use_self = present & np.isnan(verified) & ~np.isnan(own)
            chosen = np.where(use_self, own, verified) if choice.fallback == "self" else verified
            values = np.where(present, chosen, values)
            origin[present] = 2
            if choice.fallback == "self" and use_self.any():
                origin[use_self] = 3
                _, u, c = np.nonzero(use_self)
                notes.append(
                    f"{int(use_self.sum())} value(s) have no verified value; the self-assessed "
                    f"value is scored in their place (e.g. unit {codes[u[0]]!r}, "
                    f"indicator {cols[c[0]]!r})"
                )
        dataset = Dataset(
            units=units,
            columns=cols,
            values=values,
            periods=periods,
            source=self.source if base is None else base.source,
            row_numbers=base.row_numbers if base is not None else None,
        )
        return dataset, origin, notes
