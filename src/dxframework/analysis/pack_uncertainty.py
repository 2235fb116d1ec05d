"""Uncertainty (and sensitivity) analysis of one level of a pack: the work of ``dxf uncertainty``.

:func:`analyse_pack` chooses the level (one: an analysis of several levels at once has no
single ranking), reads its framework and data as :func:`dxframework.packs.runs.load_level`
does, finds the spec (a file, or one shipped in the pack's folder), and runs
:func:`~dxframework.analysis.uncertainty.run_uncertainty` and, if asked,
:func:`~dxframework.analysis.sensitivity.run_sensitivity`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from dxframework.analysis.sensitivity import SensitivityResult, run_sensitivity
from dxframework.analysis.uncertainty.results import UncertaintyResult
from dxframework.analysis.uncertainty.run import run_targets, run_uncertainty
from dxframework.analysis.uncertainty.spec import UncertaintySpec
from dxframework.errors import DxfError, Problem
from dxframework.model.framework import Framework
from dxframework.packs.pack import MetricPack, PackLevel
from dxframework.packs.runs import DataInput, choose_levels, load_level

__all__ = ["PackUncertainty", "PhaseProgress", "analyse_pack", "spec_path"]

logger = logging.getLogger(__name__)

#: ``progress(phase, done, total)``; ``phase`` is ``"uncertainty"`` or ``"sensitivity"``.
PhaseProgress = Callable[[str, int, int], None]


@attrs.frozen(eq=False)
class PackUncertainty:
    """The analysis of one level: the uncertainty result and the sensitivity one, if run."""

    level: str
    framework: Framework
    uncertainty: UncertaintyResult
    sensitivity: SensitivityResult | None = None
    #: Every ``(aggregate, period)`` the spec names (``aggregates``, ``periods``), from the
    #: same draws; empty when the spec names none (``uncertainty`` is then the only one).
    targets: Mapping[tuple[str, int], UncertaintyResult] = attrs.field(factory=dict)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """The rows of ``uncertainty.csv``, ``draws.csv`` and ``sensitivity.csv``; with several
        targets, also ``uncertainty_<aggregate>_<period>.csv`` for each of them
        (``uncertainty.csv`` is the first)."""
        tables = {
            "uncertainty.csv": self.uncertainty.to_rows(),
            "draws.csv": self.uncertainty.draw_rows(),
        }
        if len(self.targets) > 1:
            for (code, period), res in self.targets.items():
                tables[f"uncertainty_{code}_{period}.csv"] = res.to_rows()
        if self.sensitivity is not None:
            tables["sensitivity.csv"] = self.sensitivity.to_rows()
        return tables


def spec_path(lvl: PackLevel, spec_file: str | Path) -> Path:
    """The spec file: the path given, else a file of that name in the pack's folder."""
    path = Path(spec_file)
    if not path.is_file() and (lvl.root / path).is_file():
        return lvl.root / path  # a spec shipped with the pack
    return path


def analyse_pack(
    pack: MetricPack,
    spec_file: str | Path,
    level: str | None = None,
    data: DataInput | None = None,
    pipeline: str | Path | None = None,
    n: int = 200,
    seed: int = 1,
    *,
    sensitivity: bool = False,
    output: str = "mean_rank_shift",
    bootstrap: int = 200,
    progress: PhaseProgress | None = None,
    **options: Any,
) -> PackUncertainty:
    """Run the uncertainty (and sensitivity) analysis of one level of ``pack``.

    Parameters
    ----------
    pack, level, data, pipeline
        What is analysed (see :func:`dxframework.packs.runs.choose_levels`); the choice
        must be one level.
    spec_file
        The TOML file of uncertain assumptions (see :func:`spec_path`).
    n, seed
        Number of draws and their seed.
    sensitivity, output, bootstrap
        Also compute Sobol' indices of ``output`` with ``bootstrap`` resamples.
    progress
        ``progress(phase, done, total)`` as draws complete.
    **options
        Passed to both analyses: ``sampler``, ``code``, ``workers``, ``client``,
        ``batched``, ``chunk_size``. Without ``code``, a spec naming ``aggregates`` or
        ``periods`` is run for each of them (:func:`run_targets`; the sensitivity analysis
        for the first); with it, the spec's ``aggregates`` and ``periods`` are set aside (a
        warning says so).
    """
    levels = choose_levels(pack, level, data, pipeline)
    if len(levels) > 1:
        raise DxfError(
            Problem(
                f"pack {pack.name!r} scores several levels",
                hint=f"choose one with --level ({', '.join(lvl.name for lvl in levels)})",
            )
        )
    lvl = levels[0]
    fw, dataset = load_level(lvl, data)
    pipe = lvl.pipeline(pipeline)
    spec = UncertaintySpec.from_file(spec_path(lvl, spec_file))

    def phase(name: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None

        def report(done: int, total: int) -> None:
            progress(name, done, total)

        return report

    logger.info("uncertainty of %s (%s): %d draws", pack.name, lvl.name, n)
    targets: dict[tuple[str, int], UncertaintyResult] = {}
    if (spec.aggregates or spec.periods) and options.get("code") is not None:
        named = ", ".join([*spec.aggregates, *map(str, spec.periods)])
        warnings.warn(
            f"code {options['code']!r} replaces the aggregates and periods the study file "
            f"names ({named}): only {options['code']!r} is analysed, in the last period",
            stacklevel=2,
        )
    if (spec.aggregates or spec.periods) and options.get("code") is None:
        rest = {k: v for k, v in options.items() if k != "code"}
        targets = run_targets(
            fw, dataset, pipe, spec, n, seed, progress=phase("uncertainty"), **rest
        )
        ua = next(iter(targets.values()))
        options = {**rest, "code": ua.code, "period": ua.period}
    else:
        ua = run_uncertainty(
            fw, dataset, pipe, spec, n, seed, progress=phase("uncertainty"), **options
        )
    sa = None
    if sensitivity:
        logger.info("sensitivity of %s (%s): output %s", pack.name, lvl.name, output)
        sa = run_sensitivity(
            fw,
            dataset,
            pipe,
            spec,
            n,
            seed,
            output,
            bootstrap,
            progress=phase("sensitivity"),
            **options,
        )
    return PackUncertainty(lvl.name, fw, ua, sa, targets)
