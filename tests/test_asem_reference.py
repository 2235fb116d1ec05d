"""Compare the ``dxframework`` CLI on the ASEM pack against an independent reference.

The reference (``tests/reference/asem_reference.py``) re-implements the ASEM reference
pipeline from METHODS.md with the standard library only; nothing from ``dxframework`` is
imported there. The published top of the ASEM ranking (ASEM README) anchors both.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import Table, load_reference, read_output

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "plugins" / "dxf-asem" / "src" / "dxf_asem" / "data"

STAGE_FILES = ("denominated", "imputed", "screened", "treated", "normalised", "aggregated")

# Published top of the ranking (ASEM README), independent of both implementations.
PUBLISHED_TOP = [("CHE", "68.38"), ("NLD", "64.82"), ("DNK", "64.80"), ("NOR", "64.47")]

REL_TOL = 1e-9
ABS_TOL = 1e-12
MAX_REPORTED = 10

Dataset = Table


def _same(got: float, expected: float) -> bool:
    """Equal to relative 1e-9 (METHODS.md preamble); both missing counts as equal."""
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    return math.isclose(got, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _mismatches(stage: str, got: Dataset, expected: Dataset) -> list[str]:
    """Every (unit, column) where ``got`` differs from ``expected``, as readable lines."""
    lines: list[str] = []
    for unit, columns in expected.items():
        for code, value in columns.items():
            if code not in got[unit]:
                lines.append(f"{stage}: column {code!r} missing from output")
                continue
            if not _same(got[unit][code], value):
                lines.append(
                    f"{stage}: unit={unit} column={code} got={got[unit][code]!r} expected={value!r}"
                )
    return lines


@pytest.fixture(scope="module")
def reference() -> dict[str, Dataset]:
    """The independent reference pipeline's data sets, by stage."""
    module = load_reference("asem_reference")
    result: dict[str, Dataset] = module.reference_pipeline(DATA_DIR)
    return result


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run ``python -m dxframework run --pack asem --out DIR`` once and return DIR."""
    out = tmp_path_factory.mktemp("asem_cli")
    subprocess.run(
        [sys.executable, "-m", "dxframework", "run", "--pack", "asem", "--out", str(out)],
        check=True,
    )
    return out


@pytest.mark.parametrize("stage", STAGE_FILES)
def test_stage_matches_reference(stage: str, cli_out: Path, reference: dict[str, Dataset]) -> None:
    """Each intermediate data set written by the CLI (audit trail, METHODS.md §1) has the
    reference's units and, for every reference column, the reference's values to 1e-9.

    Protects denomination (§2), group-mean imputation (§3), screening (§4), outlier
    treatment (§5), min-max normalisation with directions (§6) and arithmetic
    aggregation (§8) against regressions, stage by stage.
    """
    path = cli_out / f"{stage}.csv"
    assert path.is_file(), f"CLI did not write {path.name}"
    got = read_output(path)
    expected = reference[stage]
    assert set(got) == set(expected), (
        f"{stage}: units differ; extra={sorted(set(got) - set(expected))}, "
        f"missing={sorted(set(expected) - set(got))}"
    )
    bad = _mismatches(stage, got, expected)
    assert not bad, f"{len(bad)} mismatches, first ones:\n" + "\n".join(bad[:MAX_REPORTED])


def test_results_match_reference(cli_out: Path, reference: dict[str, Dataset]) -> None:
    """``results.csv`` holds every aggregate's score and its competition rank (METHODS.md §9),
    equal to the reference's for every unit and aggregate."""
    path = cli_out / "results.csv"
    assert path.is_file(), "CLI did not write results.csv"
    got = read_output(path)
    expected = reference["results"]
    assert set(got) == set(expected), "results.csv: units differ from the reference"
    bad = _mismatches("results", got, expected)
    assert not bad, f"{len(bad)} mismatches, first ones:\n" + "\n".join(bad[:MAX_REPORTED])


def _check_published_top(results: Dataset, source: str) -> None:
    """Assert ranks 1-4 and their Index (2 decimals) are the published ASEM figures."""
    for rank, (unit, score) in enumerate(PUBLISHED_TOP, start=1):
        assert unit in results, f"{source}: {unit} missing"
        assert results[unit]["Index_rank"] == rank, (
            f"{source}: {unit} rank {results[unit]['Index_rank']!r}, published {rank}"
        )
        assert f"{results[unit]['Index']:.2f}" == score, (
            f"{source}: {unit} Index {results[unit]['Index']!r}, published {score}"
        )


def test_cli_reproduces_published_top(cli_out: Path) -> None:
    """The CLI's ranking reproduces the published ASEM top four (CHE 68.38, NLD 64.82,
    DNK 64.80, NOR 64.47), an anchor independent of both implementations."""
    _check_published_top(read_output(cli_out / "results.csv"), "CLI results.csv")


def test_reference_reproduces_published_top(reference: dict[str, Dataset]) -> None:
    """The independent reference itself reproduces the published ASEM top four, so it is
    validated without the CLI (a wrong reference cannot silently bless a wrong CLI)."""
    _check_published_top(reference["results"], "reference")
