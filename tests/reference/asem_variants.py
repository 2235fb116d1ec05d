"""Independent reference implementation of the ASEM pipeline *variants* the asem pack ships.

Every variant is the ASEM reference pipeline (``asem_reference.py``) up to and including
outlier treatment; the variants differ only in normalisation (METHODS.md §6) and
aggregation (METHODS.md §8). Like ``asem_reference.py`` this module imports nothing from
``dxframework``: it uses plain loops and the standard library, except for the
benefit-of-the-doubt linear programmes, which are solved with ``scipy.optimize.linprog``
in their dual (envelopment) form so that they do not share a formulation with the
framework's primal solve.

Variants (names as in the pack's ``pipelines/*.toml``):

- ``gmean``: min-max to [1, 100], weighted geometric mean at every level.
- ``hmean``: min-max to [1, 100], weighted harmonic mean at every level.
- ``zscore``: z-scores with mean 10, sd 2 (sample sd), arithmetic mean.
- ``prank``: percentile rank ``(rank - 1)/(n - 1)``, arithmetic mean.
- ``borda``: Borda score ``rank - 1``, arithmetic mean.
- ``copeland``: min-max to [0, 100], arithmetic means up to the sub-indices, Copeland
  over the sub-indices for the Index.
- ``bod``: min-max to [0, 100], arithmetic means up to the sub-indices, benefit of the
  doubt over the eight pillar scores (level 2) for the Index, no weight bounds.

Data representation as in ``asem_reference.py``: ``dict[unit, dict[code, float]]``,
``math.nan`` for a missing value.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

Dataset = dict[str, dict[str, float]]
Column = dict[str, float]

REFERENCE_FILE = Path(__file__).resolve().parent / "asem_reference.py"

VARIANTS = ("gmean", "hmean", "zscore", "prank", "borda", "copeland", "bod")
INDEX = "Index"
PILLAR_LEVEL = 2


def _load_reference() -> ModuleType:
    """Load ``asem_reference.py`` by path (reusing it if already loaded under that name)."""
    if "asem_reference" in sys.modules:
        return sys.modules["asem_reference"]
    spec = importlib.util.spec_from_file_location("asem_reference", REFERENCE_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ref = _load_reference()
is_missing = ref.is_missing


# --------------------------------------------------------------------------------------
# Normalisation (METHODS.md §6), applied column by column after the direction
# --------------------------------------------------------------------------------------


def _signed_columns(data: Dataset, directions: dict[str, int]) -> dict[str, Column]:
    """METHODS.md §6 "direction first": each column, multiplied by −1 when Direction is −1."""
    codes = list(next(iter(data.values())).keys())
    columns: dict[str, Column] = {}
    for code in codes:
        sign = -1.0 if directions[code] == -1 else 1.0
        columns[code] = {unit: values[code] * sign for unit, values in data.items()}
    return columns


def _normalise(
    data: Dataset, directions: dict[str, int], method: Callable[[str, Column], Column]
) -> Dataset:
    """Apply a per-column method to every direction-adjusted indicator column."""
    result: Dataset = {unit: {} for unit in data}
    for code, column in _signed_columns(data, directions).items():
        normalised = method(code, column)
        for unit in data:
            result[unit][code] = normalised[unit]
    return result


def minmax_column(code: str, column: Column, lo: float, hi: float) -> Column:
    """METHODS.md §6 ``minmax(lo, hi)``: ``(x - min)/(max - min)·(hi - lo) + lo``."""
    present = [v for v in column.values() if not is_missing(v)]
    xmin = min(present)
    xmax = max(present)
    if xmax == xmin:
        raise ValueError(f"zero range in indicator {code}")
    return {
        unit: math.nan if is_missing(v) else (v - xmin) / (xmax - xmin) * (hi - lo) + lo
        for unit, v in column.items()
    }


def zscore_column(code: str, column: Column, mean: float, sd: float) -> Column:
    """METHODS.md §6 ``zscore(mean, sd)``: ``(x - x̄)/s·sd + mean``, ``s`` with n − 1."""
    present = [v for v in column.values() if not is_missing(v)]
    n = len(present)
    xbar = sum(present) / n
    s = math.sqrt(sum((v - xbar) ** 2 for v in present) / (n - 1))
    if s == 0:
        raise ValueError(f"zero standard deviation in indicator {code}")
    return {
        unit: math.nan if is_missing(v) else (v - xbar) / s * sd + mean
        for unit, v in column.items()
    }


def min_ranks(column: Column) -> Column:
    """METHODS.md §6 ``rank``: 1 = lowest, ties (exact equality only) get the minimum rank.

    The minimum rank of ``x`` is one plus the number of values strictly below ``x``.
    """
    present = [v for v in column.values() if not is_missing(v)]
    ranks: Column = {}
    for unit, v in column.items():
        if is_missing(v):
            ranks[unit] = math.nan
        else:
            ranks[unit] = float(1 + sum(1 for other in present if other < v))
    return ranks


def percentile_rank_column(code: str, column: Column) -> Column:
    """METHODS.md §6 ``percentile_rank``: ``(rank - 1)/(n - 1)``."""
    n = sum(1 for v in column.values() if not is_missing(v))
    if n < 2:
        raise ValueError(f"percentile rank needs two values in indicator {code}")
    return {
        unit: r if is_missing(r) else (r - 1) / (n - 1) for unit, r in min_ranks(column).items()
    }


def borda_column(code: str, column: Column) -> Column:
    """METHODS.md §6 ``borda``: ``rank - 1``."""
    del code
    return {unit: r if is_missing(r) else r - 1 for unit, r in min_ranks(column).items()}


# --------------------------------------------------------------------------------------
# Aggregation (METHODS.md §8)
# --------------------------------------------------------------------------------------


def _available(values: list[float], weights: list[float]) -> tuple[list[float], list[float]]:
    """Missing components skipped, weights rescaled over the available ones (§8)."""
    pairs = [(v, w) for v, w in zip(values, weights, strict=True) if not is_missing(v)]
    total = sum(w for _v, w in pairs)
    if total == 0:
        return [], []
    return [v for v, _w in pairs], [w / total for _v, w in pairs]


def weighted_arithmetic(values: list[float], weights: list[float]) -> float:
    """METHODS.md §8 ``arithmetic``: ``Σ w·x`` (the reference implementation's own)."""
    result: float = ref.weighted_arithmetic_mean(values, weights)
    return result


def weighted_geometric(values: list[float], weights: list[float]) -> float:
    """METHODS.md §8 ``geometric``: ``exp(Σ w·ln x / Σ w)``; ``x ≤ 0`` is an error."""
    xs, ws = _available(values, weights)
    if not ws:
        return math.nan
    if any(x <= 0 for x in xs):
        raise ValueError(f"geometric mean of non-positive values {xs!r}")
    return math.exp(sum(w * math.log(x) for x, w in zip(xs, ws, strict=True)))


def weighted_harmonic(values: list[float], weights: list[float]) -> float:
    """METHODS.md §8 ``harmonic``: ``Σ w / Σ (w/x)``; ``x = 0`` is an error."""
    xs, ws = _available(values, weights)
    if not ws:
        return math.nan
    if any(x == 0 for x in xs):
        raise ValueError(f"harmonic mean with a zero value {xs!r}")
    return 1.0 / sum(w / x for x, w in zip(xs, ws, strict=True))


def copeland_scores(rows: Dataset, codes: list[str], weights: list[float]) -> Column:
    """METHODS.md §8 ``copeland``: for each pair of units, the weight share of the components
    on which unit i beats unit j (ties count half); outcome +1 if the share is > 0.5, −1 if
    < 0.5, 0 if equal; a unit's score is the sum of its outcomes against all other units.
    """
    total = sum(weights)
    scores: Column = {}
    for i, row_i in rows.items():
        score = 0.0
        for j, row_j in rows.items():
            if i == j:
                continue
            share = 0.0
            for code, w in zip(codes, weights, strict=True):
                a, b = row_i[code], row_j[code]
                if is_missing(a) or is_missing(b):
                    raise ValueError(f"copeland with missing value in {code} ({i}, {j})")
                if a > b:
                    share += w / total
                elif a == b:
                    share += 0.5 * w / total
            if share > 0.5:
                score += 1.0
            elif share < 0.5:
                score -= 1.0
        scores[i] = score
    return scores


def benefit_of_doubt_scores(rows: Dataset, codes: list[str]) -> Column:
    """METHODS.md §8 ``benefit_of_doubt`` without weight bounds, solved in its dual form.

    Primal, for unit i: ``max Σ_k w_k x_ik`` s.t. ``Σ_k w_k x_jk ≤ 1`` for all j, ``w ≥ 0``.
    Dual (envelopment, solved here): ``min Σ_j λ_j`` s.t. ``Σ_j λ_j x_jk ≥ x_ik`` for all k,
    ``λ ≥ 0``; by strong duality the optima are equal.
    """
    from scipy.optimize import linprog

    units = list(rows)
    for unit in units:
        for code in codes:
            if is_missing(rows[unit][code]):
                raise ValueError(f"benefit of the doubt with missing value {unit}/{code}")
    # A_ub λ ≤ b_ub with A_ub[k][j] = -x_jk, b_ub[k] = -x_ik.
    a_ub = [[-rows[j][code] for j in units] for code in codes]
    scores: Column = {}
    for i in units:
        b_ub = [-rows[i][code] for code in codes]
        res = linprog(
            c=[1.0] * len(units),
            A_ub=a_ub,
            b_ub=b_ub,
            bounds=[(0.0, None)] * len(units),
            method="highs",
        )
        if res.status != 0:
            raise RuntimeError(f"benefit of the doubt LP failed for {i}: {res.message}")
        scores[i] = float(res.fun)
    return scores


RowMean = Callable[[list[float], list[float]], float]
ColumnAggregator = Callable[[Dataset], Column]


def aggregate_variant(
    data: Dataset,
    meta: list[dict[str, str]],
    row_mean: RowMean,
    overrides: dict[str, ColumnAggregator] | None = None,
) -> Dataset:
    """METHODS.md §8 level by level following Parent and Weight: ``row_mean`` per unit for
    every aggregate, except aggregates in ``overrides``, whose function receives the whole
    data set built so far and returns the aggregate's column."""
    overrides = overrides or {}
    result: Dataset = {unit: dict(values) for unit, values in data.items()}
    for agg in ref.aggregate_codes(meta):
        if agg in overrides:
            column = overrides[agg](result)
            for unit in result:
                result[unit][agg] = column[unit]
            continue
        children = [row for row in meta if row["Parent"] == agg]
        weights = [float(row["Weight"]) for row in children]
        for unit in result:
            values = [result[unit][row["iCode"]] for row in children]
            result[unit][agg] = row_mean(values, weights)
    return result


# --------------------------------------------------------------------------------------
# The variants
# --------------------------------------------------------------------------------------


def _normaliser(name: str) -> Callable[[str, Column], Column]:
    """The per-column normalisation of a variant (METHODS.md §6 with the pack's parameters)."""
    if name in ("gmean", "hmean"):
        return lambda code, col: minmax_column(code, col, 1.0, 100.0)
    if name == "zscore":
        return lambda code, col: zscore_column(code, col, 10.0, 2.0)
    if name == "prank":
        return percentile_rank_column
    if name == "borda":
        return borda_column
    if name in ("copeland", "bod"):
        return lambda code, col: minmax_column(code, col, 0.0, 100.0)
    raise KeyError(f"unknown variant {name!r}")


def _aggregation(
    name: str, meta: list[dict[str, str]]
) -> tuple[RowMean, dict[str, ColumnAggregator]]:
    """The row mean and Index override of a variant (METHODS.md §8)."""
    if name == "gmean":
        return weighted_geometric, {}
    if name == "hmean":
        return weighted_harmonic, {}
    if name in ("zscore", "prank", "borda"):
        return weighted_arithmetic, {}
    if name == "copeland":
        children = [row for row in meta if row["Parent"] == INDEX]
        codes = [row["iCode"] for row in children]
        weights = [float(row["Weight"]) for row in children]
        return weighted_arithmetic, {INDEX: lambda d: copeland_scores(d, codes, weights)}
    if name == "bod":
        pillars = [
            row["iCode"]
            for row in meta
            if row["Type"] == "Aggregate" and int(row["Level"]) == PILLAR_LEVEL
        ]
        return weighted_arithmetic, {INDEX: lambda d: benefit_of_doubt_scores(d, pillars)}
    raise KeyError(f"unknown variant {name!r}")


def run_variant(data_dir: Path, name: str) -> dict[str, Dataset]:
    """Stage name -> data set for one variant: the reference pipeline's stages up to
    ``treated``, then this variant's ``normalised``, ``aggregated`` and ``results``."""
    meta = ref.read_meta(data_dir)
    directions = {row["iCode"]: int(row["Direction"]) for row in meta if row["Type"] == "Indicator"}
    stages: dict[str, Dataset] = ref.reference_pipeline(data_dir)
    return variant_from_treated(stages["treated"], meta, directions, name)


def variant_from_treated(
    treated: Dataset, meta: list[dict[str, str]], directions: dict[str, int], name: str
) -> dict[str, Dataset]:
    """Normalise, aggregate and rank the treated data set as variant ``name`` does."""
    normalised = _normalise(treated, directions, _normaliser(name))
    row_mean, overrides = _aggregation(name, meta)
    aggregated = aggregate_variant(normalised, meta, row_mean, overrides)
    results: Dataset = ref.results_table(aggregated, meta)
    return {
        "treated": treated,
        "normalised": normalised,
        "aggregated": aggregated,
        "results": results,
    }


def all_variants(data_dir: Path) -> dict[str, dict[str, Dataset]]:
    """Every variant's stages, computing the shared reference stages only once."""
    meta = ref.read_meta(data_dir)
    directions = {row["iCode"]: int(row["Direction"]) for row in meta if row["Type"] == "Indicator"}
    treated = ref.reference_pipeline(data_dir)["treated"]
    return {name: variant_from_treated(treated, meta, directions, name) for name in VARIANTS}
