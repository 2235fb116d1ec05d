"""``dxf validate``, ``run``, ``stats``, ``uncertainty``: scoring data with a pack.

The work is the library's (:mod:`dxframework.packs.runs`,
:mod:`dxframework.analysis.run_statistics`, :mod:`dxframework.analysis.pack_uncertainty`);
the commands parse their options, call it and print.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import numpy as np
from rich.markup import escape
from rich.table import Table

from dxframework.analysis.pack_uncertainty import PackUncertainty, analyse_pack
from dxframework.analysis.run_statistics import run_statistics
from dxframework.analysis.uncertainty.executors import dask_client
from dxframework.assessment.runs import AssessedRun, score_assessment
from dxframework.cli.app import (
    DataInput,
    cli,
    csv_text,
    data_option,
    framework_option,
    handle_errors,
    json_option,
    lang_option,
    level_option,
    out,
    out_option,
    pack_option,
    period_option,
    pipeline_option,
    print_json,
    print_ranking,
    progress_bar,
    registry,
    score_levels,
)
from dxframework.errors import DxfError, Problem
from dxframework.io.writers import check_inputs_outside, write_text_files
from dxframework.packs.runs import WrittenLevel, ranking, write_results
from dxframework.pipeline.result import RunResult


def _level_summary(name: str, result: RunResult) -> dict[str, Any]:
    """What ``dxf validate`` says about one level's data."""
    dataset = result.input if result.input is not None else result.raw
    fw = result.framework
    return {
        "level": name,
        "units": len(dataset.units),
        "indicators": len(fw.indicators),
        "periods": len(dataset.periods),
        "missing": int((dataset.values != dataset.values).sum()),
        "aggregates": len(fw.aggregates),
        "index": fw.index,
    }


def _ranking_rows(result: RunResult) -> list[dict[str, Any]]:
    code = result.framework.index or result.scores.columns[0]
    return [
        {"rank": rank, "unit": unit, "name": name, "score": score}
        for rank, unit, name, score in ranking(result, code)
    ]


@cli.command("validate")
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@json_option
@handle_errors
def validate_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    as_json: bool,
) -> None:
    """Check a data file (and framework) against a pack; print every problem found.

    The pipeline is run as a dry run (nothing is written), so faults that only show when
    scoring (a zero denominator, a non-positive value for a geometric mean) are found too.
    """
    pack = registry().pack(pack_name)
    results = score_levels(pack, level, data, framework, period, pipeline)
    summaries = [_level_summary(name, result) for name, result in results.items()]
    if as_json:
        print_json({"pack": pack.name, "ok": True, "levels": summaries})
        return
    for s in summaries:
        out.print(
            f"ok ({s['level']}): {s['units']} units × {s['indicators']} "
            f"indicators × {s['periods']} period(s), {s['missing']} missing "
            f"value(s); framework with {s['aggregates']} aggregates, index {s['index']!r}",
            markup=False,
        )


def _score_with_progress(
    pack: Any,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
) -> dict[str, RunResult]:
    with progress_bar() as bar:
        task = bar.add_task(f"{pack.name}", total=None)

        def progress(lvl: str, stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{pack.name}: {stage}")

        return score_levels(pack, level, data, framework, period, pipeline, progress=progress)


@cli.command("run")
@pack_option
@level_option
@data_option
@framework_option
@period_option
@pipeline_option
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for the results (created if needed; one sub-folder per level when "
    "several levels are scored).",
)
@click.option(
    "--values",
    type=click.Choice(["self", "verified"]),
    default=None,
    help="Score the assessment's self-assessed or verified values (verified falls back to "
    "the self-assessed value, with a note, where the council gave none, as the pack "
    "declares); writes gaps.csv beside the results. Default with --assessment: verified.",
)
@click.option(
    "--assessment",
    "assessment",
    type=click.Path(path_type=Path, exists=True),
    multiple=True,
    help="Assessment table (unit, indicator, period, self, verified, evidence, status…) or "
    "folder of them; repeat for several; default with --values: the pack's sample. Its "
    "values replace those of the data (--data, default the sample data) that it covers.",
)
@click.option(
    "--xlsx",
    is_flag=True,
    default=False,
    help="Also write LEVEL.xlsx beside the CSV files: the results with ranks, one sheet per "
    "stage, the records, weights, framework and manifest, as dxf export (needs openpyxl: "
    "the excel extra); --lang sets its headers.",
)
@lang_option
@click.option("--top", type=int, default=10, show_default=True, help="Rows of the ranking shown.")
@json_option
@handle_errors
def run_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    out_dir: Path,
    values: str | None,
    assessment: tuple[Path, ...],
    xlsx: bool,
    lang: str,
    top: int,
    as_json: bool,
) -> None:
    """Score data with a pack's pipeline and write every stage's data set.

    With --values or --assessment, the level assessed is scored on the assessment's
    self-assessed or verified values, and gaps.csv (self − verified, by effect on rank) is
    written beside the results. With --xlsx, LEVEL.xlsx (the workbook of dxf export) too,
    in the same all-or-nothing write.
    """
    workbook = _workbook_writer() if xlsx else None  # before scoring: is openpyxl there?
    given = data.paths if data is not None else ()
    inputs = [*given, *assessment, framework, pipeline]
    check_inputs_outside(out_dir, inputs)  # before scoring anything
    pack = registry().pack(pack_name)
    assessed: AssessedRun | None = None
    extra: dict[str, dict[str, str | bytes]] = {}
    if values is not None or assessment:
        assessed = _assess_with_progress(
            pack, level, data, framework, period, pipeline, values, assessment
        )
        results = {assessed.level: assessed.result}
        extra[assessed.level] = {"gaps.csv": assessed.gaps.csv_text()}
        inputs += assessed.files
    else:
        results = _score_with_progress(pack, level, data, framework, period, pipeline)
    if workbook is not None:
        for name, result in results.items():
            extra.setdefault(name, {})[f"{name}.xlsx"] = workbook(result, lang)
    written = write_results(pack, results, out_dir, inputs, extra=extra)
    if as_json:
        doc: dict[str, Any] = {
            "pack": pack.name,
            "levels": [
                {
                    "level": w.level,
                    "folder": str(w.folder),
                    "files": [str(f) for f in w.files],
                    "ranking": _ranking_rows(results[w.level])[:top],
                }
                for w in written
            ],
        }
        if assessed is not None:
            doc["values"] = assessed.values
            doc["fallback"] = assessed.choice.fallback or "none"
            doc["assessment"] = [str(f) for f in assessed.files]
            doc["notes"] = list(assessed.notes)
            doc["gaps"] = assessed.gaps.rows()[:top]
        print_json(doc)
        return
    print_written(pack, results, written, top)
    if assessed is not None:
        shown = "self-assessed" if assessed.values == "self" else "verified"
        out.print(
            f"scored the {shown} values of {', '.join(str(f) for f in assessed.files)}; "
            f"{len(assessed.gaps.gaps)} gap(s) in gaps.csv",
            markup=False,
        )


def _workbook_writer() -> Any:
    """:func:`dxframework.report.export.workbook_bytes`, imported only for --xlsx (openpyxl
    is in the excel extra); a missing openpyxl is a user error, found before scoring."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise DxfError(
            Problem("--xlsx needs openpyxl", hint="pip install 'dxframework[excel]'")
        ) from None
    from dxframework.report.export import workbook_bytes

    return workbook_bytes


def _assess_with_progress(
    pack: Any,
    level: str | None,
    data: DataInput | None,
    framework: Path | None,
    period: int | None,
    pipeline: str | None,
    values: str | None,
    assessment: tuple[Path, ...],
) -> AssessedRun:
    with progress_bar() as bar:
        task = bar.add_task(f"{pack.name}", total=None)

        def progress(lvl: str, stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{pack.name}: {stage}")

        return score_assessment(
            pack,
            list(assessment) or None,
            "self" if values == "self" else "verified" if values == "verified" else None,
            level=level,
            data=data,
            framework=framework,
            period=period,
            pipeline=pipeline,
            locale=data.locale if data is not None else None,
            progress=progress,
        )


def print_written(
    pack: Any, results: Mapping[str, RunResult], written: list[WrittenLevel], top: int
) -> None:
    """The ranking of every level written and where its files went."""
    for w in written:
        if len(written) > 1:
            lvl = pack.level(w.level)
            out.print(f"[bold]{escape(lvl.title_en or lvl.name)}[/bold]")
        print_ranking(results[w.level], top)
        out.print(f"wrote {len(w.files)} files to {w.folder}", markup=False)


@cli.command("stats")
@pack_option
@level_option
@data_option
@pipeline_option
@click.option(
    "--stage",
    default=None,
    help="Data set to describe (default: the raw data for the summary, the "
    "aggregated set for correlations).",
)
@out_option("the statistics")
@handle_errors
def stats_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    pipeline: str | None,
    stage: str | None,
    out_dir: Path,
) -> None:
    """Indicator statistics, correlations, Cronbach's alpha, PCA and flags of a scored run.

    Writes summary.csv, correlations-pearson.csv, correlations-spearman.csv, groups.csv
    (Cronbach's alpha and the first component's share per aggregate) and flags.csv
    (indicators correlating negatively with their aggregate, nearly collinear pairs).
    """
    check_inputs_outside(out_dir, [*(data.paths if data is not None else ()), pipeline])
    pack = registry().pack(pack_name)
    results = score_levels(pack, level, data, pipeline=pipeline)
    multi = len(results) > 1
    stats = {name: run_statistics(result, stage) for name, result in results.items()}
    files = {
        (name if multi else ""): {fname: csv_text(rows) for fname, rows in st.tables.items()}
        for name, st in stats.items()
    }
    write_text_files(out_dir, files)
    for name, st in stats.items():
        for f in st.flags:
            what = (
                f"correlates negatively with {f['parent']}"
                if f["flag"] == "negative"
                else f"is nearly collinear with {f['other']} in {f['parent']}"
            )
            out.print(f"flag ({name}): {f['code']} {what} (r = {f['r']:.2f})", markup=False)
        target = out_dir / name if multi else out_dir
        out.print(f"wrote {len(st.tables)} files to {target}", markup=False)


@cli.command("uncertainty")
@pack_option
@level_option
@data_option
@pipeline_option
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(path_type=Path),
    required=True,
    help="TOML file of uncertain assumptions ([[choice]], [[uniform]], [[weights]]).",
)
@click.option("--n", "n", type=int, default=200, show_default=True, help="Number of draws.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the draws.")
@click.option(
    "--sampler",
    type=click.Choice(["random", "sobol"]),
    default="random",
    show_default=True,
    help="Pseudo-random draws or a scrambled Sobol' sequence.",
)
@click.option(
    "--code",
    default=None,
    help="Aggregate whose scores and ranks are analysed (default: the index).",
)
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Also compute Sobol' sensitivity indices (n·(d + 2) more runs).",
)
@click.option(
    "--output",
    "sa_output",
    default="mean_rank_shift",
    show_default=True,
    help="Scalar output of the sensitivity analysis: mean_rank_shift, mean_score_shift, "
    "rank:UNIT or score:UNIT.",
)
@click.option(
    "--bootstrap",
    type=int,
    default=200,
    show_default=True,
    help="Bootstrap resamples for the confidence intervals of the sensitivity indices.",
)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="Processes running draws in parallel (results do not depend on it).",
)
@click.option(
    "--dask",
    "dask_workers",
    type=int,
    default=None,
    help="Run the draws on a local Dask cluster with this many worker processes "
    "(needs dxframework[dask]); results do not depend on it.",
)
@click.option(
    "--scheduler",
    default=None,
    help="Address of a running Dask scheduler (tcp://host:8786) to run the draws on.",
)
@click.option("--top", type=int, default=10, show_default=True, help="Rows of the table shown.")
@click.option(
    "--figures",
    "figure_format",
    type=click.Choice(["svg", "png"]),
    default=None,
    help="Also draw rank_ranges (and sensitivity) pictures in this format.",
)
@click.option(
    "--chunk-size",
    type=int,
    default=None,
    help="Draws per chunk of work: a process job, or a Dask task (default 1 000 on Dask).",
)
@lang_option
@out_option("the results")
@json_option
@handle_errors
def uncertainty_cmd(
    pack_name: str,
    level: str | None,
    data: DataInput | None,
    pipeline: str | None,
    spec_file: Path,
    n: int,
    seed: int,
    sampler: str,
    code: str | None,
    sensitivity: bool,
    sa_output: str,
    bootstrap: int,
    workers: int,
    dask_workers: int | None,
    scheduler: str | None,
    top: int,
    figure_format: str | None,
    chunk_size: int | None,
    lang: str,
    out_dir: Path,
    as_json: bool,
) -> None:
    """Uncertainty (and sensitivity) analysis of a pack's scores and ranks (METHODS.md §10).

    --spec names a TOML file, or a file shipped in the pack's folder (the asem pack ships
    uncertainty.toml). Runs the pipeline N times with the assumptions of the spec drawn at
    random and writes uncertainty.csv (per unit: nominal score and rank; mean, median, 5th
    and 95th percentile of score and rank) and draws.csv (the assumption values of every
    draw). With --sensitivity, also runs the Saltelli design (N·(d + 2) runs, d assumptions)
    and writes sensitivity.csv (first-order and total Sobol' indices with bootstrap 95 %
    intervals).
    """
    check_inputs_outside(out_dir, [*(data.paths if data is not None else ()), pipeline, spec_file])
    pack = registry().pack(pack_name)
    options: dict[str, Any] = {
        "sampler": sampler,
        "code": code,
        "workers": workers,
        "chunk_size": chunk_size,
    }
    with contextlib.ExitStack() as stack, progress_bar() as bar:
        if dask_workers is not None or scheduler is not None:
            options["client"] = stack.enter_context(dask_client(dask_workers, scheduler))
        task = bar.add_task(f"{pack.name}: uncertainty", total=n)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{pack.name}: {phase}")

        analysis = analyse_pack(
            pack,
            spec_file,
            level,
            data,
            pipeline,
            n,
            seed,
            sensitivity=sensitivity,
            output=sa_output,
            bootstrap=bootstrap,
            progress=progress,
            **options,
        )
    tables = analysis.tables()
    written = write_text_files(out_dir, {"": {f: csv_text(rows) for f, rows in tables.items()}})
    if figure_format is not None:
        from dxframework.analysis.uncertainty.plots import save_figures

        written += save_figures(
            out_dir, analysis.uncertainty, analysis.sensitivity, figure_format, lang=lang
        )
    if as_json:
        print_json(
            {
                "pack": pack.name,
                "level": analysis.level,
                "code": analysis.uncertainty.code,
                "draws": analysis.uncertainty.n,
                "seed": seed,
                "files": [str(p) for p in written],
                **tables,
            }
        )
        return
    _print_uncertainty(analysis, seed, top)
    out.print(f"wrote {len(tables)} files to {out_dir}", markup=False)


def _num(x: float, fmt: str) -> str:
    return "" if x != x else format(x, fmt)


def _print_uncertainty(analysis: PackUncertainty, seed: int, top: int) -> None:
    ua, sa, fw = analysis.uncertainty, analysis.sensitivity, analysis.framework
    ranks = ua.rank_summary()
    width = ranks["p95"] - ranks["p5"]
    order = sorted(
        range(len(ua.units)), key=lambda i: (-np.nan_to_num(width[i], nan=-1.0), ua.units[i])
    )
    node = fw.nodes.get(ua.code)
    t = Table(
        title=f"{node.label('en') if node else ua.code}: widest rank intervals "
        f"({ua.n} draws, seed {seed})"
    )
    for col in ("unit", "name", "nominal rank", "median rank", "rank p5–p95", "score p5–p95"):
        t.add_column(col, justify="left" if col in ("unit", "name") else "right")
    scores = ua.score_summary()
    for i in order[:top]:
        t.add_row(
            escape(ua.units[i]),
            escape(ua.unit_names[i]),
            _num(ua.nominal_rank[i], ".0f"),
            _num(ranks["median"][i], ".1f"),
            f"{_num(ranks['p5'][i], '.1f')}–{_num(ranks['p95'][i], '.1f')}",
            f"{_num(scores['p5'][i], '.2f')}–{_num(scores['p95'][i], '.2f')}",
        )
    out.print(t)
    if sa is not None:
        t = Table(title=f"Sensitivity of {sa.output} ({sa.runs} runs, {sa.bootstrap} bootstraps)")
        for col in ("assumption", "S", "S 95 %", "ST", "ST 95 %"):
            t.add_column(col, justify="left" if col == "assumption" else "right")
        for r in sa.to_rows():
            t.add_row(
                escape(r["assumption"]),
                _num(r["S"], ".3f"),
                f"{_num(r['S_low'], '.3f')} – {_num(r['S_high'], '.3f')}",
                _num(r["ST"], ".3f"),
                f"{_num(r['ST_low'], '.3f')} – {_num(r['ST_high'], '.3f')}",
            )
        out.print(t)
