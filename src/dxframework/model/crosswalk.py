"""Crosswalks across the 2025 reform: old units to new ones, with a rule per indicator kind.

From 1 July 2025 Vietnam has 34 provinces and two levels of local government (province and
commune; districts abolished, communes merged). Comparing periods across the reform needs
every old unit's new unit: many-to-one merges, and one-to-many splits where part of an old
unit (a share of its population or area) goes to each new one.

A *unit map* (read by :func:`dxframework.io.crosswalk.read_unit_map`) has one row per link:
``old_code``, ``new_code`` and optionally ``old_name``, ``new_name``, ``old_level``,
``new_level``, ``share`` (the part of the old unit in the new one, default 1; ``weight`` is
read as ``share``), ``basis`` (``population`` or ``area``: what the share measures),
``status`` (``published`` or ``illustrative``) and ``note``. The new level must be
``province`` or ``commune``.

A new unit's value is computed from its old units' values by the rule of the indicator's
kind (:func:`indicator_kind`, :data:`DEFAULT_RULES`), which a pack may override per kind and
per indicator:

- ``score`` and ``ratio`` (points, shares, %): ``mean`` (each old unit counted by its share)
  or ``weighted_mean`` (by share × a weight column such as population);
- ``count`` (whole numbers, and numerators of a ratio with a denominator column): ``sum``
  (split units contribute their share); missing when any contributor is missing;
- ``answer`` (Có/Không): ``share_yes`` (the share of merged units answering yes, scored as
  that share of the points), ``all``, ``any`` or ``majority`` (answers again);
- also ``min`` and ``max``.

Missing values are skipped by the means and shares. Periods from ``reform_period`` on are
already reported on the new units and are taken as they are, so a panel compares periods
before and after the reform on the new units (:func:`compare_periods`).

:func:`dxframework.io.crosswalk.read_unit_map` reads a unit map; the model reads no files.
This module replaced the former ``Crosswalk`` class (a plain weighted mean of every column,
which scored answer indicators as impossible category values).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.errors import DataError, MethodError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.indicator import Indicator
from dxframework.model.text import fold_text, natural_key, natural_sorted
from dxframework.model.units import Unit

__all__ = [
    "ANSWER_RULES",
    "DEFAULT_RULES",
    "KINDS",
    "NEW_LEVELS",
    "RULES",
    "CrosswalkResult",
    "Link",
    "UnitMap",
    "apply_crosswalk",
    "compare_periods",
    "crosswalk_framework",
    "indicator_kind",
    "resolve_rules",
]

KINDS = ("score", "ratio", "count", "answer")
RULES = ("mean", "weighted_mean", "sum", "share_yes", "all", "any", "majority", "min", "max")
ANSWER_RULES = ("share_yes", "all", "any", "majority", "mean")
DEFAULT_RULES: Mapping[str, str] = MappingProxyType(
    {"score": "mean", "ratio": "mean", "count": "sum", "answer": "share_yes"}
)
NEW_LEVELS = ("province", "commune")
"""The levels of local government since 1 July 2025."""


@attrs.frozen
class Link:
    """One old unit (or the share of it) in one new unit."""

    old: str
    new: str
    share: float = 1.0
    old_level: str = ""
    new_level: str = ""
    basis: str = ""
    status: str = "illustrative"
    note: str = ""
    row: int | None = attrs.field(default=None, eq=False)


@attrs.frozen
class UnitMap:
    """Old units → new units, read from a table (see the module docstring)."""

    links: tuple[Link, ...]
    new_names: Mapping[str, str] = attrs.field(factory=dict)
    old_names: Mapping[str, str] = attrs.field(factory=dict)
    source: str | None = None

    @property
    def new_codes(self) -> tuple[str, ...]:
        """The new units, in natural order."""
        return tuple(natural_sorted({lk.new for lk in self.links}))

    @property
    def old_codes(self) -> tuple[str, ...]:
        """The old units, in natural order."""
        return tuple(natural_sorted({lk.old for lk in self.links}))

    def between(self, from_level: str | None, to_level: str | None) -> UnitMap:
        """The links from one level to another (links without levels match any)."""
        keep = tuple(
            lk
            for lk in self.links
            if (from_level is None or not lk.old_level or lk.old_level == from_level)
            and (to_level is None or not lk.new_level or lk.new_level == to_level)
        )
        if not keep:
            raise DataError(
                Problem(
                    f"the map has no link from level {from_level!r} to {to_level!r}",
                    file=self.source,
                    hint="levels in the map: "
                    + ", ".join(sorted({f"{lk.old_level}→{lk.new_level}" for lk in self.links})),
                )
            )
        return attrs.evolve(self, links=keep)

    def merged(self) -> dict[str, tuple[str, ...]]:
        """Each new unit's old units."""
        out: dict[str, list[str]] = {}
        for lk in self.links:
            out.setdefault(lk.new, []).append(lk.old)
        return {
            k: tuple(natural_sorted(v))
            for k, v in sorted(out.items(), key=lambda kv: natural_key(kv[0]))
        }

    def illustrative(self) -> int:
        """Number of links marked illustrative."""
        return sum(lk.status == "illustrative" for lk in self.links)


# -- rules ----------------------------------------------------------------------------------
def indicator_kind(ind: Indicator) -> str:
    """The kind of an indicator for a crosswalk: ``answer`` (text answers), ``count`` (whole
    numbers, or a numerator divided by a denominator column), ``ratio`` (a %, a fraction,
    "per 100") or ``score``."""
    if ind.answers:
        return "answer"
    if ind.denominator or ind.integer:
        return "count"
    unit = fold_text(ind.unit)
    if ind.scale_kind is not None or unit.startswith("per ") or unit in ("ratio", "ty le"):
        return "ratio"
    return "score"


def resolve_rules(
    framework: Framework,
    columns: Sequence[str],
    kinds: Mapping[str, str] | None = None,
    indicators: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The rule of every column: the indicator's own (``indicators``), else its kind's
    (``kinds`` over :data:`DEFAULT_RULES`); auxiliary columns (population…) are counts."""
    by_kind = {**DEFAULT_RULES, **(kinds or {})}
    own = dict(indicators or {})
    problems: list[Problem] = []
    for kind, rule in by_kind.items():
        if kind not in KINDS:
            problems.append(Problem(f"unknown indicator kind {kind!r}", hint=", ".join(KINDS)))
        elif rule not in RULES:
            problems.append(Problem(f"unknown crosswalk rule {rule!r}", hint=", ".join(RULES)))
    out: dict[str, str] = {}
    for c in columns:
        if c in framework.indicator_codes:
            ind = framework.indicator(c)
            kind = indicator_kind(ind)
        else:
            ind, kind = None, "count"
        rule = own.pop(c, by_kind.get(kind, "sum"))
        if rule not in RULES:
            problems.append(
                Problem(f"unknown crosswalk rule {rule!r}", indicator=c, hint=", ".join(RULES))
            )
        elif rule in ("share_yes", "all", "any", "majority") and (ind is None or not ind.answers):
            problems.append(
                Problem(
                    f"rule {rule!r} needs an answer indicator (Có/Không)",
                    indicator=c,
                    hint="use mean, weighted_mean or sum",
                )
            )
        out[c] = rule
    for c in own:
        problems.append(
            Problem(f"a rule is declared for {c!r}, which is not in the data", indicator=c)
        )
    if problems:
        raise MethodError(problems)
    return out


# -- applying -------------------------------------------------------------------------------
@attrs.frozen(eq=False)
class CrosswalkResult:
    """The data on the new units, the rule used for each column, and notes."""

    data: Dataset
    rules: Mapping[str, str]
    notes: tuple[str, ...]
    mapped_periods: tuple[int, ...]
    """The periods computed from the old units (the others were reported on the new ones)."""


def _yes_no(ind: Indicator | None) -> tuple[float, float]:
    if ind is None or not ind.answers:
        return 1.0, 0.0
    values = list(ind.answers.values())
    return max(values), min(values)


def apply_crosswalk(
    data: Dataset,
    unit_map: UnitMap,
    rules: Mapping[str, str],
    framework: Framework | None = None,
    weight: str | None = None,
    reform_period: int | None = None,
) -> CrosswalkResult:
    """Values of the new units, computed by each column's rule (see the module docstring).

    Parameters
    ----------
    data
        Values of the old units (and, for periods from ``reform_period`` on, of the new).
    unit_map
        The links from old units to new ones.
    rules
        The rule of every column of ``data`` (:func:`resolve_rules`).
    framework
        Gives the answers of answer indicators (which value means yes).
    weight
        A column of ``data`` to weight ``weighted_mean`` by (e.g. ``population``).
    reform_period
        The first period reported on the new units; earlier periods are mapped. ``None``:
        every period is mapped.
    """
    missing_rule = [c for c in data.columns if c not in rules]
    if missing_rule:
        raise MethodError(
            Problem(f"no crosswalk rule for {missing_rule[0]!r}", indicator=missing_rule[0])
        )
    if "weighted_mean" in rules.values() and (weight is None or not data.has_column(weight)):
        raise DataError(
            Problem(
                f"weighted_mean needs a weight column; {weight!r} is not in the data",
                column=weight,
                hint='declare weight = "population" and give the column',
            )
        )
    codes = unit_map.new_codes
    level = {lk.new: lk.new_level for lk in unit_map.links}
    units = [Unit(c, name=unit_map.new_names.get(c, ""), level=level.get(c, "")) for c in codes]
    col_new = {c: i for i, c in enumerate(codes)}
    present = set(data.unit_codes)
    links = [lk for lk in unit_map.links if lk.old in present]
    periods = data.periods
    pre = np.array(
        [k for k, p in enumerate(periods) if reform_period is None or p < reform_period],
        dtype=np.int64,
    )
    post = np.array(
        [k for k, p in enumerate(periods) if reform_period is not None and p >= reform_period],
        dtype=np.int64,
    )
    shape = (len(periods), len(codes), len(data.columns))
    out = np.full(shape, np.nan)
    notes: list[str] = []
    if pre.size and links:
        new_idx = np.array([col_new[lk.new] for lk in links])
        old_idx = np.array([data.unit_index(lk.old) for lk in links])
        share = np.array([lk.share for lk in links])
        x = np.transpose(data.values[np.ix_(pre, old_idx)], (1, 0, 2))  # (L, P, C)
        ok = ~np.isnan(x)
        wv = None
        if weight is not None and data.has_column(weight):
            w = data.values[
                np.ix_(pre, old_idx, np.array([data.column_index(weight)]))
            ]  # (P, L, 1)
            wv = np.transpose(w, (1, 0, 2))  # (L, P, 1)
        values = _rules(x, ok, new_idx, share, len(codes), data.columns, rules, framework, wv)
        out[pre] = np.transpose(values, (1, 0, 2))
    if post.size:
        rows = [data.unit_index(c) if c in present else -1 for c in codes]
        have = np.array([r >= 0 for r in rows])
        if have.any():
            take = np.array([r for r in rows if r >= 0], dtype=np.int64)
            block = data.values[np.ix_(post, take)]
            out[np.ix_(post, np.nonzero(have)[0])] = block
        absent = [c for c, h in zip(codes, have, strict=True) if not h]
        if absent:
            notes.append(
                f"{len(absent)} new unit(s) have no values reported from period "
                f"{reform_period} on, e.g. {absent[0]!r}"
            )
    if pre.size:
        lost = sorted({lk.old for lk in unit_map.links} - present, key=natural_key)
        if lost:
            notes.append(
                f"{len(lost)} old unit(s) of the map are not in the data, e.g. {lost[0]!r}"
            )
    n_ill = unit_map.illustrative()
    if n_ill:
        notes.append(
            f"{n_ill} of {len(unit_map.links)} link(s) of the map are illustrative, not the "
            "published mapping"
        )
    used = sorted(set(rules.values()))
    notes.append(
        "rules: "
        + "; ".join(
            f"{r}: {', '.join(natural_sorted(c for c, v in rules.items() if v == r))}" for r in used
        )
    )
    dataset = Dataset(
        units=units, columns=data.columns, values=out, periods=periods, source=data.source
    )
    return CrosswalkResult(
        dataset, MappingProxyType(dict(rules)), tuple(notes), tuple(periods[k] for k in pre)
    )


def _accumulate(
    new_idx: NDArray[np.int64], values: NDArray[np.float64], n_new: int
) -> NDArray[np.float64]:
    """Sum over links into new units: ``(L, P, C)`` → ``(N, P, C)``."""
    out = np.zeros((n_new, *values.shape[1:]))
    np.add.at(out, new_idx, values)
    return out


def _rules(
    x: NDArray[np.float64],
    ok: NDArray[np.bool_],
    new_idx: NDArray[np.int64],
    share: NDArray[np.float64],
    n_new: int,
    columns: Sequence[str],
    rules: Mapping[str, str],
    framework: Framework | None,
    wv: NDArray[np.float64] | None,
) -> NDArray[np.float64]:
    """Every column by its rule, each rule computed once over all columns: ``(N, P, C)``."""
    s = share[:, None, None]
    x0 = np.where(ok, x, 0.0)
    okf = ok.astype(np.float64)
    result = np.full((n_new, x.shape[1], x.shape[2]), np.nan)
    cols = {r: np.array([rules[c] == r for c in columns]) for r in set(rules.values())}
    inds = [
        framework.indicator(c) if framework is not None and c in framework.indicator_codes else None
        for c in columns
    ]
    yes = np.array([_yes_no(i)[0] for i in inds])
    no = np.array([_yes_no(i)[1] for i in inds])

    def ratio(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)

    for rule, mask in cols.items():
        if rule == "mean":
            r = ratio(_accumulate(new_idx, s * x0, n_new), _accumulate(new_idx, s * okf, n_new))
        elif rule == "weighted_mean":
            assert wv is not None
            good = ok & ~np.isnan(wv)
            ww = s * np.where(good, wv, 0.0)
            r = ratio(_accumulate(new_idx, ww * x0, n_new), _accumulate(new_idx, ww, n_new))
        elif rule == "sum":
            total = _accumulate(new_idx, s * x0, n_new)
            gaps = _accumulate(new_idx, s * (~ok), n_new)
            r = np.where(gaps > 0, np.nan, total)
        elif rule in ("share_yes", "majority"):
            is_yes = ok & (x == yes[None, None, :])
            sy = ratio(
                _accumulate(new_idx, s * is_yes, n_new), _accumulate(new_idx, s * okf, n_new)
            )
            if rule == "share_yes":
                r = sy
            else:
                r = np.where(np.isnan(sy), np.nan, np.where(sy > 0.5, yes, no))
        elif rule in ("all", "min"):
            r = np.full(result.shape, np.inf)
            np.fmin.at(r, new_idx, np.where(ok, x, np.inf))
            r = np.where(np.isinf(r), np.nan, r)
        elif rule in ("any", "max"):
            r = np.full(result.shape, -np.inf)
            np.fmax.at(r, new_idx, np.where(ok, x, -np.inf))
            r = np.where(np.isinf(r), np.nan, r)
        else:  # pragma: no cover - rules are checked by resolve_rules
            raise MethodError(Problem(f"unknown crosswalk rule {rule!r}"))
        result[:, :, mask] = r[:, :, mask]
    return result


def crosswalk_framework(framework: Framework, rules: Mapping[str, str]) -> Framework:
    """The framework that scores crosswalked values.

    An answer indicator mapped by ``share_yes`` (or ``mean``) holds a share, not an answer;
    where it is scored by ``categories`` (e.g. Có → 50 points, Không → 0), it is scored
    instead as that share of the full points (``ratio``), which is the mean of the merged
    units' points. That needs the points to be linear in the answer (Không = 0 points, and
    for ``mean`` a partial answer worth its share of the points); otherwise the rule is an
    error naming the indicator (choose ``all``, ``any`` or ``majority``).
    """
    problems: list[Problem] = []
    indicators: list[Indicator] = []
    for ind in framework.indicators:
        rule = rules.get(ind.code)
        normalise = dict(ind.methods.get("normalise", {}))
        if (
            rule not in ("share_yes", "mean")
            or not ind.answers
            or normalise.get("method") != "categories"
        ):
            indicators.append(ind)
            continue
        mapping = {float(k): float(v) for k, v in dict(normalise.get("mapping", {})).items()}
        yes, no = _yes_no(ind)
        full = mapping.get(yes, math.nan)
        codes = sorted(set(ind.answers.values()))
        linear = (
            math.isfinite(full)
            and mapping.get(no, math.nan) == 0.0
            and all(
                math.isclose(mapping.get(v, math.nan), (v - no) / (yes - no) * full)
                for v in (codes if rule == "mean" else (no, yes))
            )
        )
        if not linear or yes == no:
            problems.append(
                Problem(
                    f"rule {rule!r} gives a share, but the points of {ind.code} are not "
                    "proportional to it",
                    indicator=ind.code,
                    hint="declare all, any or majority for this indicator",
                )
            )
            indicators.append(ind)
            continue
        methods = {k: v for k, v in ind.methods.items() if k != "normalise"}
        methods["normalise"] = {"method": "ratio", "points": full, "per": 1.0}
        note = f"crosswalked by {rule}: the share of merged units answering yes, scored as a ratio"
        indicators.append(
            attrs.evolve(
                ind,
                answers={},
                unit="fraction",
                bounds=(0.0, 1.0),
                methods=methods,
                description=(ind.description + " " if ind.description else "") + f"({note})",
            )
        )
    if problems:
        raise MethodError(problems)
    return attrs.evolve(framework, indicators=tuple(indicators))


def compare_periods(scores: Dataset, ranks: Dataset, code: str) -> list[dict[str, Any]]:
    """One row per new unit: its score and rank on ``code`` in every period, and (with
    several periods) the change from the first period to the last, all on the new units."""
    j = scores.column_index(code)
    rows: list[dict[str, Any]] = []
    first, last = scores.periods[0], scores.periods[-1]
    s = scores.values[:, :, j]
    r = ranks.values[:, :, j]
    change = s[-1] - s[0]
    for i, u in enumerate(scores.units):
        row: dict[str, Any] = {"unit": u.code, "name": u.name}
        for k, p in enumerate(scores.periods):
            row[f"{code}_{p}"] = None if math.isnan(s[k, i]) else float(s[k, i])
            row[f"rank_{p}"] = None if math.isnan(r[k, i]) else int(r[k, i])
        if len(scores.periods) > 1:
            row[f"change_{first}_{last}"] = None if math.isnan(change[i]) else float(change[i])
        rows.append(row)
    return sorted(rows, key=lambda row: natural_key(row["unit"]))
