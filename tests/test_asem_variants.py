"""Compare the ``dxframework`` CLI on the ASEM pack's pipeline variants against an
independent reference.

The reference (``tests/reference/asem_variants.py``, built on ``asem_reference.py``)
re-implements each variant's normalisation (METHODS.md §6) and aggregation (§8) with
plain loops; nothing from ``dxframework`` is imported there. The benefit-of-the-doubt
programmes are solved in their dual form with scipy, the framework's in whatever form it
chooses, so agreement is a check of the LP set-up and not only of the arithmetic.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from helpers import Table, load_reference, read_output

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "plugins" / "dxf-asem" / "src" / "dxf_asem" / "data"

VARIANTS = ("gmean", "hmean", "zscore", "prank", "borda", "copeland", "bod")
# copeland and bod normalise exactly like the reference pipeline (tested elsewhere).
NORMALISING_VARIANTS = ("gmean", "hmean", "zscore", "prank", "borda")

REL_TOL = 1e-9
ABS_TOL = 1e-12
LP_TOL = 1e-7  # rel and abs, for benefit-of-the-doubt scores (LP solver tolerance)
MAX_REPORTED = 10
INDEX = "Index"

Dataset = Table
Tolerance = Callable[[str], tuple[float, float]]


def _tolerance(variant: str) -> Tolerance:
    """Column code -> (rel, abs) tolerance: 1e-9/1e-12, but 1e-7 for bod's LP Index."""

    def tol(code: str) -> tuple[float, float]:
        if variant == "bod" and code == INDEX:
            return LP_TOL, LP_TOL
        return REL_TOL, ABS_TOL

    return tol


def _same(got: float, expected: float, rel: float, abs_: float) -> bool:
    """Equal within tolerance; both missing counts as equal."""
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    return math.isclose(got, expected, rel_tol=rel, abs_tol=abs_)


def _mismatches(label: str, got: Dataset, expected: Dataset, tol: Tolerance) -> list[str]:
    """Every (unit, column) of ``expected`` where ``got`` differs, as readable lines."""
    lines: list[str] = []
    for unit, columns in expected.items():
        for code, value in columns.items():
            if code not in got[unit]:
                lines.append(f"{label}: column {code!r} missing from output")
                continue
            if not _same(got[unit][code], value, *tol(code)):
                lines.append(
                    f"{label}: unit={unit} column={code} got={got[unit][code]!r} expected={value!r}"
                )
    return lines


def _assert_matches(label: str, got: Dataset, expected: Dataset, tol: Tolerance) -> None:
    """Same units, and every reference column equal within tolerance."""
    assert set(got) == set(expected), (
        f"{label}: units differ; extra={sorted(set(got) - set(expected))}, "
        f"missing={sorted(set(expected) - set(got))}"
    )
    bad = _mismatches(label, got, expected, tol)
    assert not bad, f"{len(bad)} mismatches, first ones:\n" + "\n".join(bad[:MAX_REPORTED])


def _split_results(results: Dataset) -> tuple[Dataset, Dataset]:
    """Split a results table into its score columns and its ``_rank`` columns."""
    scores = {
        u: {c: v for c, v in row.items() if not c.endswith("_rank")} for u, row in results.items()
    }
    ranks = {u: {c: v for c, v in row.items() if c.endswith("_rank")} for u, row in results.items()}
    return scores, ranks


@pytest.fixture(scope="module")
def variants_ref() -> ModuleType:
    """The independent variants reference module."""
    return load_reference("asem_variants")


@pytest.fixture(scope="module")
def reference(variants_ref: ModuleType) -> dict[str, dict[str, Dataset]]:
    """Variant name -> stage name -> data set, from the independent reference."""
    result: dict[str, dict[str, Dataset]] = variants_ref.all_variants(DATA_DIR)
    return result


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``name -> DIR``: run ``python -m dxframework run --pack asem --pipeline NAME --out DIR``
    at most once per variant in this module and cache the output directory."""
    cache: dict[str, Path] = {}

    def run(name: str) -> Path:
        if name not in cache:
            out = tmp_path_factory.mktemp(f"asem_{name}")
            cmd = [sys.executable, "-m", "dxframework", "run", "--pack", "asem"]
            subprocess.run([*cmd, "--pipeline", name, "--out", str(out)], check=True)
            cache[name] = out
        return cache[name]

    return run


def _cli_stage(cli_out: Callable[[str], Path], variant: str, stage: str) -> Dataset:
    """One CLI output file of a variant, read as a data set."""
    path = cli_out(variant) / f"{stage}.csv"
    assert path.is_file(), f"{variant}: CLI did not write {path.name}"
    return read_output(path)


# --------------------------------------------------------------------------------------
# CLI against the reference
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_treated_matches_reference(
    variant: str, cli_out: Callable[[str], Path], reference: dict[str, dict[str, Dataset]]
) -> None:
    """Each variant shares the reference pipeline up to outlier treatment (§2-§5): its
    ``treated.csv`` equals the reference's, so later mismatches point at §6/§8 only."""
    got = _cli_stage(cli_out, variant, "treated")
    _assert_matches(f"{variant}/treated", got, reference[variant]["treated"], _tolerance(variant))


@pytest.mark.parametrize("variant", NORMALISING_VARIANTS)
def test_normalised_matches_reference(
    variant: str, cli_out: Callable[[str], Path], reference: dict[str, dict[str, Dataset]]
) -> None:
    """``normalised.csv`` equals the reference's variant normalisation (METHODS.md §6):
    direction first, then min-max to [1, 100] (gmean, hmean), z-score mean 10 / sd 2 with
    the n−1 sd (zscore), percentile rank (prank) or Borda score (borda), ties by exact
    equality given the minimum rank."""
    got = _cli_stage(cli_out, variant, "normalised")
    expected = reference[variant]["normalised"]
    _assert_matches(f"{variant}/normalised", got, expected, _tolerance(variant))


@pytest.mark.parametrize("variant", VARIANTS)
def test_aggregated_matches_reference(
    variant: str, cli_out: Callable[[str], Path], reference: dict[str, dict[str, Dataset]]
) -> None:
    """``aggregated.csv`` equals the reference's aggregation (METHODS.md §8): weighted
    geometric / harmonic / arithmetic means level by level, Copeland over the sub-indices,
    or benefit of the doubt over the eight pillars (to the LP tolerance 1e-7)."""
    got = _cli_stage(cli_out, variant, "aggregated")
    expected = reference[variant]["aggregated"]
    _assert_matches(f"{variant}/aggregated", got, expected, _tolerance(variant))


@pytest.mark.parametrize("variant", VARIANTS)
def test_result_scores_match_reference(
    variant: str, cli_out: Callable[[str], Path], reference: dict[str, dict[str, Dataset]]
) -> None:
    """``results.csv`` holds every aggregate's score (METHODS.md §9), equal to the
    reference's for every unit and aggregate."""
    got, _ = _split_results(_cli_stage(cli_out, variant, "results"))
    expected, _ = _split_results(reference[variant]["results"])
    _assert_matches(f"{variant}/results", got, expected, _tolerance(variant))


def _rank_interval(scores: dict[str, float], unit: str, rel: float, abs_: float) -> tuple[int, int]:
    """Competition ranks ``unit`` may take given score noise: from 1 + the number of units
    clearly above it to the number of units above it or within tolerance (itself included).
    For a unit separated from every other the interval is the single exact rank."""
    s = scores[unit]
    close = {v for v, t in scores.items() if math.isclose(s, t, rel_tol=rel, abs_tol=abs_)}
    clearly_above = sum(1 for v, t in scores.items() if t > s and v not in close)
    above_or_close = sum(1 for v, t in scores.items() if t > s or v in close)
    return clearly_above + 1, above_or_close


@pytest.mark.parametrize("variant", VARIANTS)
def test_result_ranks_match_reference(
    variant: str, cli_out: Callable[[str], Path], reference: dict[str, dict[str, Dataset]]
) -> None:
    """Every ``<code>_rank`` in ``results.csv`` is the reference's standard competition rank
    (1, 2, 2, 4; METHODS.md §9), exactly, for every unit whose reference score is separated
    from all others by more than the comparison tolerance (1e-9; 1e-7 for bod's Index).
    Units within tolerance of another (mathematical ties that summation order turns into
    ulp differences, e.g. sums of percentile ranks) must get a rank inside their group's
    range, so a rank can never jump past a clearly different score."""
    got = _cli_stage(cli_out, variant, "results")
    expected = reference[variant]["results"]
    tol = _tolerance(variant)
    assert set(got) == set(expected), f"{variant}/results: units differ"
    bad: list[str] = []
    for code in (c for c in next(iter(expected.values())) if not c.endswith("_rank")):
        scores = {u: row[code] for u, row in expected.items()}
        for unit in expected:
            value = got[unit].get(f"{code}_rank")
            lo, hi = _rank_interval(scores, unit, *tol(code))
            if value is None or not lo <= value <= hi:
                want = f"{lo}" if lo == hi else f"in [{lo}, {hi}]"
                bad.append(
                    f"{variant}/results: unit={unit} {code}_rank got={value!r} expected {want}"
                )
    assert not bad, f"{len(bad)} mismatches, first ones:\n" + "\n".join(bad[:MAX_REPORTED])


@pytest.mark.parametrize("variant", VARIANTS)
def test_result_ranks_follow_own_scores(
    variant: str, cli_out: Callable[[str], Path], variants_ref: ModuleType
) -> None:
    """Every ``<code>_rank`` in ``results.csv`` is exactly the standard competition rank of
    the CLI's own ``<code>`` scores (METHODS.md §9: ties, by exact equality, share the best
    rank and the next rank is skipped), including the near-tied units the reference
    comparison can only bound."""
    got = _cli_stage(cli_out, variant, "results")
    bad: list[str] = []
    for code in (c for c in next(iter(got.values())) if not c.endswith("_rank")):
        ranks = variants_ref.ref.competition_ranks({u: row[code] for u, row in got.items()})
        for unit, row in got.items():
            if row.get(f"{code}_rank") != ranks[unit]:
                given = row.get(f"{code}_rank")
                bad.append(f"{variant}: unit={unit} {code}_rank={given!r}, own rank {ranks[unit]}")
    assert not bad, f"{len(bad)} mismatches, first ones:\n" + "\n".join(bad[:MAX_REPORTED])


def test_cli_bod_index_is_efficiency_score(cli_out: Callable[[str], Path]) -> None:
    """bod's Index is a benefit-of-the-doubt efficiency (METHODS.md §8): no unit above 1
    (every unit's score ≤ 1 under every unit's weights), and the best unit exactly 1."""
    index = {u: row[INDEX] for u, row in _cli_stage(cli_out, "bod", "aggregated").items()}
    above = {u: s for u, s in index.items() if not s <= 1 + 1e-12}
    assert not above, f"bod Index above 1: {above}"
    assert any(s == 1.0 for s in index.values()), (
        f"no bod Index equal to 1.0: max={max(index.values())!r}"
    )


# --------------------------------------------------------------------------------------
# The reference validated on its own (a wrong reference must not bless a wrong CLI)
# --------------------------------------------------------------------------------------


def test_reference_bod_dual_equals_primal(
    variants_ref: ModuleType, reference: dict[str, dict[str, Dataset]]
) -> None:
    """The reference's dual (envelopment) BoD scores equal the primal multiplier-form
    optimum ``max Σ w x_i s.t. X w ≤ 1, w ≥ 0`` solved separately, so the reference's LP
    set-up is right by strong duality, not by agreement with the CLI."""
    from scipy.optimize import linprog

    aggregated = reference["bod"]["aggregated"]
    meta = variants_ref.ref.read_meta(DATA_DIR)
    pillars = [r["iCode"] for r in meta if r["Type"] == "Aggregate" and r["Level"] == "2"]
    assert len(pillars) == 8
    units = list(aggregated)
    a_ub = [[aggregated[j][k] for k in pillars] for j in units]
    for i in units:
        res = linprog(
            c=[-aggregated[i][k] for k in pillars],
            A_ub=a_ub,
            b_ub=[1.0] * len(units),
            bounds=[(0.0, None)] * len(pillars),
            method="highs",
        )
        assert res.status == 0, f"primal LP failed for {i}: {res.message}"
        assert math.isclose(-res.fun, aggregated[i][INDEX], rel_tol=LP_TOL, abs_tol=LP_TOL), (
            f"{i}: primal {-res.fun!r} != dual {aggregated[i][INDEX]!r}"
        )
    assert max(row[INDEX] for row in aggregated.values()) == pytest.approx(1.0, abs=1e-9)


def test_reference_mean_inequality(
    variants_ref: ModuleType, reference: dict[str, dict[str, Dataset]]
) -> None:
    """On the same [1, 100] data, level by level, the reference's arithmetic, geometric and
    harmonic aggregates satisfy AM ≥ GM ≥ HM and stay in [1, 100]; gmean and hmean
    normalise identically. A check of the reference aggregators without the CLI."""
    g = reference["gmean"]
    h = reference["hmean"]
    assert g["normalised"] == h["normalised"]
    meta = variants_ref.ref.read_meta(DATA_DIR)
    a = variants_ref.aggregate_variant(g["normalised"], meta, variants_ref.weighted_arithmetic)
    for unit, row in g["aggregated"].items():
        for code, gm in row.items():
            am = a[unit][code]
            hm = h["aggregated"][unit][code]
            assert hm <= gm * (1 + 1e-12) <= am * (1 + 2e-12), f"{unit}/{code}: {am} {gm} {hm}"
            assert hm >= 1 - 1e-12 and am <= 100 + 1e-9, f"{unit}/{code} out of [1, 100]"


def test_reference_normalisation_invariants(reference: dict[str, dict[str, Dataset]]) -> None:
    """Reference normalisations have their defining properties on every indicator: z-scores
    mean 10 and sample sd 2; percentile ranks span [0, 1]; Borda scores start at 0 and equal
    (n−1)·percentile rank; Copeland Index scores sum to zero (pairwise antisymmetry)."""
    z = reference["zscore"]["normalised"]
    p = reference["prank"]["normalised"]
    b = reference["borda"]["normalised"]
    n = len(z)
    for code in next(iter(z.values())):
        col = [row[code] for row in z.values()]
        m = sum(col) / n
        sd = math.sqrt(sum((v - m) ** 2 for v in col) / (n - 1))
        assert math.isclose(m, 10.0, rel_tol=1e-12) and math.isclose(sd, 2.0, rel_tol=1e-12), code
        pcol = [row[code] for row in p.values()]
        top = sum(1 for v in col if v < max(col)) / (n - 1)  # below the (maybe tied) top
        assert min(pcol) == 0.0 and max(pcol) == pytest.approx(top, abs=1e-15), code
        for unit in b:
            assert b[unit][code] == pytest.approx(p[unit][code] * (n - 1), abs=1e-9)
        assert min(row[code] for row in b.values()) == 0.0, code
    copeland = [row[INDEX] for row in reference["copeland"]["aggregated"].values()]
    assert sum(copeland) == 0.0
