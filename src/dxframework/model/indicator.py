"""Indicators and aggregates: the nodes of a framework."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["MISSING_POLICIES", "Aggregate", "Indicator", "Node"]


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Copy a mapping into a read-only one (nested mappings too)."""
    if not value:
        return MappingProxyType({})
    return MappingProxyType(
        {str(k): _frozen_mapping(v) if isinstance(v, Mapping) else v for k, v in value.items()}
    )


def _targets(value: Mapping[Any, Any] | None) -> Mapping[str, float]:
    if not value:
        return MappingProxyType({})
    return MappingProxyType({str(k): float(v) for k, v in value.items()})


def _goalposts(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    lo, hi = value
    return (float(lo), float(hi))


MISSING_POLICIES = ("zero", "skip", "impute")
"""How a point rule treats an unreported value: no points, out of the points available, or
left to the impute stage."""

PERCENT_UNITS = frozenset({"%", "percent", "per cent", "phần trăm"})
FRACTION_UNITS = frozenset({"fraction", "share", "0-1", "0–1", "tỷ lệ (0-1)", "tỷ lệ (0–1)"})


def _bounds(value: Any) -> tuple[float | None, float | None] | None:
    if value is None:
        return None
    lo, hi = (None if v is None or math.isinf(float(v)) else float(v) for v in value)
    return (lo, hi)  # TOML has no null: ±inf stands for an open side


def _label(name_vi: str, name_en: str, code: str, lang: str) -> str:
    first, second = (name_vi, name_en) if lang == "vi" else (name_en, name_vi)
    return first or second or code


def _check_code(instance: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            f"{type(instance).__name__} code must be a non-empty string, got {value!r}"
        )
    if value != value.strip():
        raise ValueError(f"code {value!r} has leading or trailing spaces")


@attrs.frozen
class Indicator:
    """A measured quantity of a unit: the leaves of a framework.

    Parameters
    ----------
    code
        Short unique code, e.g. ``"LPI"`` or ``"HT_fibre"``; names the data column.
    name_en, name_vi
        Names in English and Vietnamese.
    unit
        Unit of measurement (``"%"``, ``"per 100 people"``).
    direction
        ``1`` when more is better, ``-1`` when less is better.
    description, source
        Free text: what it measures, where the data comes from.
    denominator
        Code of a data column to divide by in the denominate stage (population, area…).
    scale
        Denominator scale: the stage computes ``x / (d / scale)``.
    targets
        Target values by label, e.g. ``{"2025": 80, "2030": 100}``, in original units.
    goalposts
        ``(lo, hi)`` for goalpost normalisation, in original units.
    answers
        Text answers accepted in data files and the number each stands for, e.g.
        ``{"có": 1, "một phần": 0.5, "không": 0}`` (compared ignoring case, in NFC); a point
        rule such as ``categories`` then scores the numbers.
    missing
        How an unreported (blank) value is scored by a point rule: ``"zero"`` (no points,
        as official scorecards score it), ``"skip"`` (dropped from the points available) or
        ``"impute"`` (left missing for the impute stage). ``None``: the pipeline's default,
        which is ``"zero"`` for point rules.
    bounds
        ``(lo, hi)`` of the values a data file may hold, in original units; ``None`` for an
        open side (``(0, None)`` is "≥ 0"). A value outside is an error naming the cell.
        Without bounds, a unit of ``fraction`` (or ``0-1``, ``share``) implies ``(0, 1)``; a
        unit of ``%`` implies none (a share of GDP may pass 100): declare ``bounds = [0, 100]``
        where a percentage cannot.
    integer
        Values must be whole numbers (counts).
    methods
        Per-indicator method overrides by stage kind, e.g.
        ``{"treat": {"winmax": 3}, "normalise": {"method": "goalposts"}}``; they merge
        key by key with the pipeline's global settings.
    """

    code: str = attrs.field(validator=_check_code)
    name_en: str = ""
    name_vi: str = ""
    unit: str = ""
    direction: int = attrs.field(default=1)
    description: str = ""
    source: str = ""
    denominator: str | None = None
    scale: float = attrs.field(default=1.0, converter=float)
    targets: Mapping[str, float] = attrs.field(factory=dict, converter=_targets)
    goalposts: tuple[float, float] | None = attrs.field(default=None, converter=_goalposts)
    methods: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)
    answers: Mapping[str, float] = attrs.field(factory=dict, converter=_targets)
    missing: str | None = attrs.field(default=None)
    bounds: tuple[float | None, float | None] | None = attrs.field(default=None, converter=_bounds)
    integer: bool = False

    @missing.validator
    def _check_missing(self, attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None and value not in MISSING_POLICIES:
            raise ValueError(
                f"indicator {self.code!r}: missing must be one of "
                f"{', '.join(MISSING_POLICIES)}, got {value!r}"
            )

    @property
    def scale_kind(self) -> str | None:
        """``"percent"`` (0–100) or ``"fraction"`` (0–1) by the declared unit, else ``None``."""
        unit = self.unit.strip().casefold()
        if unit in PERCENT_UNITS:
            return "percent"
        if unit in FRACTION_UNITS:
            return "fraction"
        return None

    @property
    def value_bounds(self) -> tuple[float | None, float | None]:
        """The declared bounds, or those the unit implies (fraction: 0–1)."""
        if self.bounds is not None:
            return self.bounds
        return (0.0, 1.0) if self.scale_kind == "fraction" else (None, None)

    @direction.validator
    def _check_direction(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value not in (1, -1):
            raise ValueError(f"indicator {self.code!r}: direction must be 1 or -1, got {value!r}")

    @property
    def name(self) -> str:
        """The English name, or the Vietnamese one, or the code."""
        return self.name_en or self.name_vi or self.code

    def label(self, lang: str = "en") -> str:
        """Name in ``lang`` ("vi" or "en"), falling back to the other language and the code."""
        return _label(self.name_vi, self.name_en, self.code, lang)


@attrs.frozen
class Aggregate:
    """A node computed from its children: a main indicator, a pillar, a sub-index, the index.

    ``methods`` may hold an ``"aggregate"`` override (e.g. ``{"aggregate": {"method":
    "geometric"}}``) so that a group aggregates differently from the rest of its level.
    """

    code: str = attrs.field(validator=_check_code)
    name_en: str = ""
    name_vi: str = ""
    unit: str = ""
    description: str = ""
    level: int | None = None
    targets: Mapping[str, float] = attrs.field(factory=dict, converter=_targets)
    methods: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)

    @property
    def name(self) -> str:
        """The English name, or the Vietnamese one, or the code."""
        return self.name_en or self.name_vi or self.code

    def label(self, lang: str = "en") -> str:
        """Name in ``lang`` ("vi" or "en"), falling back to the other language and the code."""
        return _label(self.name_vi, self.name_en, self.code, lang)


Node = Indicator | Aggregate
