"""Independent reference implementation of the ASEM composite-index pipeline.

This module deliberately imports nothing from ``dxframework``: it re-implements the
ASEM reference pipeline (ASEM data README, "The reference pipeline") directly from the
formulas of ``METHODS.md``, with plain loops and only the standard library, so that the
framework's results can be checked against it. Inputs: ``ASEM_iData.csv`` and
``ASEM_iMeta.csv`` from ``plugins/dxf-asem/src/dxf_asem/data``.

Data representation: a *data set* is ``dict[unit code, dict[column code, float]]`` with
``math.nan`` standing for a missing value.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

Dataset = dict[str, dict[str, float]]

DATA_FILE = "ASEM_iData.csv"
META_FILE = "ASEM_iMeta.csv"
GROUP_COLUMN = "EurAsia_group"
MIN_AVAILABILITY = 0.9
SKEW_MAX = 2.0
KURT_MAX = 3.5
WINMAX = 5
NORM_LO = 0.0
NORM_HI = 100.0

STAGES = ("denominated", "imputed", "screened", "treated", "normalised", "aggregated")


# --------------------------------------------------------------------------------------
# Reading the inputs
# --------------------------------------------------------------------------------------


def _to_float(cell: str) -> float:
    """Parse a CSV cell; an empty cell is a missing value (ASEM README: "Empty cell = missing")."""
    cell = cell.strip()
    return math.nan if cell == "" else float(cell)


def is_missing(value: float) -> bool:
    """True for a missing value (NaN), the notation of METHODS.md (preamble)."""
    return math.isnan(value)


def read_meta(data_dir: Path) -> list[dict[str, str]]:
    """Read ``ASEM_iMeta.csv`` rows as dicts (ASEM README: Level, iCode, ..., Parent, Type)."""
    with (data_dir / META_FILE).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_data(data_dir: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Read ``ASEM_iData.csv`` as raw string rows plus header (ASEM README: one row per unit)."""
    with (data_dir / DATA_FILE).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        header = list(reader.fieldnames or [])
    return rows, header


def indicator_codes(meta: list[dict[str, str]]) -> list[str]:
    """Level-1 indicator codes in iMeta order (ASEM README: ``Type`` Indicator)."""
    return [row["iCode"] for row in meta if row["Type"] == "Indicator"]


def aggregate_codes(meta: list[dict[str, str]]) -> list[str]:
    """Aggregate codes ordered by level, then iMeta order (METHODS.md §8: level by level)."""
    aggs = [row for row in meta if row["Type"] == "Aggregate"]
    aggs.sort(key=lambda row: int(row["Level"]))  # stable: keeps iMeta order within a level
    return [row["iCode"] for row in aggs]


# --------------------------------------------------------------------------------------
# Small statistics helpers
# --------------------------------------------------------------------------------------


def column_values(data: Dataset, code: str) -> list[float]:
    """Non-missing values of one column over the units (METHODS.md notation: ``n`` values)."""
    return [row[code] for row in data.values() if not is_missing(row[code])]


def mean(values: list[float]) -> float:
    """Arithmetic mean, plain sum divided by count (METHODS.md §3 ``mean``)."""
    return sum(values) / len(values)


def skewness(values: list[float]) -> float:
    """Bias-adjusted sample skewness (METHODS.md §5; scipy ``skew(bias=False)``, type 2)."""
    n = len(values)
    xbar = mean(values)
    m2 = sum((x - xbar) ** 2 for x in values) / n
    m3 = sum((x - xbar) ** 3 for x in values) / n
    return (m3 / math.pow(m2, 1.5)) * math.sqrt(n * (n - 1)) / (n - 2)


def kurtosis(values: list[float]) -> float:
    """Bias-adjusted excess kurtosis (METHODS.md §5; scipy ``kurtosis(bias=False)``, type 2)."""
    n = len(values)
    xbar = mean(values)
    m2 = sum((x - xbar) ** 2 for x in values) / n
    m4 = sum((x - xbar) ** 4 for x in values) / n
    return ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def passes_outlier_check(values: list[float]) -> bool:
    """METHODS.md §5: an indicator passes when ``|skew| < 2`` or ``kurt < 3.5``."""
    return abs(skewness(values)) < SKEW_MAX or kurtosis(values) < KURT_MAX


def competition_ranks(scores: dict[str, float]) -> dict[str, int]:
    """Standard competition ranking by descending score (METHODS.md §9: 1, 2, 2, 4)."""
    ranks: dict[str, int] = {}
    for unit, score in scores.items():
        if is_missing(score):
            continue
        better = 0
        for other in scores.values():
            if not is_missing(other) and other > score:
                better += 1
        ranks[unit] = better + 1
    return ranks


# --------------------------------------------------------------------------------------
# Pipeline stages
# --------------------------------------------------------------------------------------


def denominate(
    rows: list[dict[str, str]], meta: list[dict[str, str]], scale: float = 1.0
) -> Dataset:
    """METHODS.md §2: ``x / (d / scale)``; a missing denominator gives a missing value.

    Indicators without a denominator in iMeta are copied unchanged.
    """
    denominators = {row["iCode"]: row["Denominator"] for row in meta if row["Type"] == "Indicator"}
    result: Dataset = {}
    for row in rows:
        unit = row["uCode"]
        result[unit] = {}
        for code, denom_code in denominators.items():
            x = _to_float(row[code])
            if denom_code == "":
                result[unit][code] = x
                continue
            d = _to_float(row[denom_code])
            if is_missing(d) or is_missing(x):
                result[unit][code] = math.nan
            elif d == 0:
                raise ZeroDivisionError(f"zero denominator {denom_code} for {unit}/{code}")
            else:
                result[unit][code] = x / (d / scale)
    return result


def impute_mean_by_group(data: Dataset, groups: dict[str, str]) -> Dataset:
    """METHODS.md §3 ``mean_by_group``: NaN -> mean of non-missing values in the unit's group.

    Non-missing values are never changed; units whose group is missing are left untouched.
    """
    result: Dataset = {unit: dict(values) for unit, values in data.items()}
    codes = list(next(iter(data.values())).keys())
    for code in codes:
        for unit, values in data.items():
            if not is_missing(values[code]):
                continue
            group = groups.get(unit, "")
            if group == "":
                continue
            peers = [
                data[other][code]
                for other in data
                if groups.get(other, "") == group and not is_missing(data[other][code])
            ]
            if peers:
                result[unit][code] = mean(peers)
    return result


def availability(values: dict[str, float]) -> float:
    """METHODS.md §4: share of a unit's indicator values that are not missing."""
    present = sum(1 for v in values.values() if not is_missing(v))
    return present / len(values)


def screen_by_missing(data: Dataset, min_availability: float = MIN_AVAILABILITY) -> Dataset:
    """METHODS.md §4 ``by_missing``: drop units whose availability is below the minimum."""
    return {
        unit: dict(values)
        for unit, values in data.items()
        if availability(values) >= min_availability
    }


def winsorise_one_step(column: dict[str, float], high: bool) -> list[str]:
    """METHODS.md §5 step 1, one step: move every value at the current extreme inward.

    ``high``: every value equal to the maximum becomes the largest value strictly below
    it; otherwise every value equal to the minimum becomes the smallest value strictly
    above it. Exact equality (no tolerance). Returns the units changed (empty if no
    other value exists).
    """
    present = [v for v in column.values() if not is_missing(v)]
    if high:
        extreme = max(present)
        others = [v for v in present if v < extreme]
        if not others:
            return []
        replacement = max(others)
    else:
        extreme = min(present)
        others = [v for v in present if v > extreme]
        if not others:
            return []
        replacement = min(others)
    moved = []
    for unit, v in column.items():
        if not is_missing(v) and v == extreme:
            column[unit] = replacement
            moved.append(unit)
    return moved


def log_transform(column: dict[str, float]) -> dict[str, float]:
    """METHODS.md §5 step 2: ``log(x - min(x) + 0.01·(max(x) - min(x)))``."""
    present = [v for v in column.values() if not is_missing(v)]
    lo = min(present)
    hi = max(present)
    return {
        unit: math.nan if is_missing(v) else math.log(v - lo + 0.01 * (hi - lo))
        for unit, v in column.items()
    }


def treat_indicator(column: dict[str, float]) -> tuple[dict[str, float], dict[str, object]]:
    """METHODS.md §5 default treatment of one indicator: winsorise up to ``winmax`` points,
    else discard the winsorisation and log-transform the original values.

    Returns the treated column and a small record (winsorised units, whether log applied).
    """
    record: dict[str, object] = {"winsorised": [], "sides": [], "log": False}
    present = [v for v in column.values() if not is_missing(v)]
    if len(present) < 4 or min(present) == max(present):
        record["untreated"] = True
        return dict(column), record
    if passes_outlier_check(present):
        return dict(column), record

    treated = dict(column)
    winsorised: list[str] = []  # distinct units, in order of first winsorisation
    sides: list[str] = []  # "high" or "low", one entry per step
    passes = False
    while not passes and len(winsorised) < WINMAX:
        current = [v for v in treated.values() if not is_missing(v)]
        high = skewness(current) >= 0
        moved = winsorise_one_step(treated, high=high)
        if not moved:
            break
        sides.append("high" if high else "low")
        for unit in moved:
            if unit not in winsorised:
                winsorised.append(unit)
        passes = passes_outlier_check([v for v in treated.values() if not is_missing(v)])

    if passes:
        record["winsorised"] = winsorised
        record["sides"] = sides
        return treated, record
    record["log"] = True
    return log_transform(column), record


def treat(data: Dataset) -> tuple[Dataset, dict[str, dict[str, object]]]:
    """METHODS.md §5 applied to every indicator column; returns data and per-indicator record."""
    codes = list(next(iter(data.values())).keys())
    result: Dataset = {unit: {} for unit in data}
    records: dict[str, dict[str, object]] = {}
    for code in codes:
        column = {unit: values[code] for unit, values in data.items()}
        treated, record = treat_indicator(column)
        records[code] = record
        for unit in data:
            result[unit][code] = treated[unit]
    return result, records


def normalise_minmax(data: Dataset, directions: dict[str, int]) -> Dataset:
    """METHODS.md §6: direction first (×−1 when Direction is −1), then
    ``(x - min)/(max - min)·(hi - lo) + lo`` with lo=0, hi=100. Missing stays missing."""
    codes = list(next(iter(data.values())).keys())
    result: Dataset = {unit: {} for unit in data}
    for code in codes:
        sign = -1.0 if directions[code] == -1 else 1.0
        column = {unit: values[code] * sign for unit, values in data.items()}
        present = [v for v in column.values() if not is_missing(v)]
        lo = min(present)
        hi = max(present)
        if hi == lo:
            raise ValueError(f"zero range in indicator {code}")
        for unit, v in column.items():
            if is_missing(v):
                result[unit][code] = math.nan
            else:
                result[unit][code] = (v - lo) / (hi - lo) * (NORM_HI - NORM_LO) + NORM_LO
    return result


def weighted_arithmetic_mean(values: list[float], weights: list[float]) -> float:
    """METHODS.md §8 ``arithmetic``: ``Σ w·x`` with weights rescaled over available values."""
    total_weight = 0.0
    for v, w in zip(values, weights, strict=True):
        if not is_missing(v):
            total_weight += w
    if total_weight == 0:
        return math.nan
    score = 0.0
    for v, w in zip(values, weights, strict=True):
        if not is_missing(v):
            score += (w / total_weight) * v
    return score


def aggregate(data: Dataset, meta: list[dict[str, str]]) -> Dataset:
    """METHODS.md §8: weighted arithmetic mean level by level following Parent and Weight.

    The result holds the normalised indicator columns plus every aggregate column.
    """
    result: Dataset = {unit: dict(values) for unit, values in data.items()}
    for agg in aggregate_codes(meta):
        children = [row for row in meta if row["Parent"] == agg]
        weights = [float(row["Weight"]) for row in children]
        for unit in result:
            values = [result[unit][row["iCode"]] for row in children]
            result[unit][agg] = weighted_arithmetic_mean(values, weights)
    return result


def results_table(aggregated: Dataset, meta: list[dict[str, str]]) -> Dataset:
    """METHODS.md §9: every aggregate's score and its competition rank (``<code>_rank``)."""
    result: Dataset = {unit: {} for unit in aggregated}
    for agg in aggregate_codes(meta):
        scores = {unit: values[agg] for unit, values in aggregated.items()}
        ranks = competition_ranks(scores)
        for unit in aggregated:
            result[unit][agg] = scores[unit]
            result[unit][f"{agg}_rank"] = float(ranks[unit]) if unit in ranks else math.nan
    return result


# --------------------------------------------------------------------------------------
# The whole reference pipeline
# --------------------------------------------------------------------------------------


def run_reference(data_dir: Path) -> tuple[dict[str, Dataset], dict[str, dict[str, object]]]:
    """ASEM README "The reference pipeline" (steps 1-6) plus ranks; also the treatment record."""
    meta = read_meta(data_dir)
    rows, _header = read_data(data_dir)
    groups = {row["uCode"]: row[GROUP_COLUMN] for row in rows}
    directions = {row["iCode"]: int(row["Direction"]) for row in meta if row["Type"] == "Indicator"}

    denominated = denominate(rows, meta)
    imputed = impute_mean_by_group(denominated, groups)
    screened = screen_by_missing(imputed)
    treated, records = treat(screened)
    normalised = normalise_minmax(treated, directions)
    aggregated = aggregate(normalised, meta)
    results = results_table(aggregated, meta)
    stages = {
        "denominated": denominated,
        "imputed": imputed,
        "screened": screened,
        "treated": treated,
        "normalised": normalised,
        "aggregated": aggregated,
        "results": results,
    }
    return stages, records


def reference_pipeline(data_dir: Path) -> dict[str, Dataset]:
    """Stage name -> unit code -> column code -> value, for the ASEM reference pipeline."""
    stages, _records = run_reference(data_dir)
    return stages


def treatment_summary(data_dir: Path) -> dict[str, dict[str, object]]:
    """Per-indicator treatment record of METHODS.md §5 (only indicators that were treated)."""
    _stages, records = run_reference(data_dir)
    return {code: rec for code, rec in records.items() if rec["winsorised"] or rec["log"]}
